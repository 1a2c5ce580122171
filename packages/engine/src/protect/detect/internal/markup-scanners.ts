/**
 * Names by which security scanners and attack tools introduce themselves in `User-Agent`, and the
 * out-of-band interaction domains their blind probes call back to. Matched as whole words, case-insensitively.
 */

/** Tools whose only use is probing or attacking web applications: one of these in a User-Agent is a scan. */
export const ATTACK_TOOLS: readonly string[] = [
  'sqlmap',
  'nikto',
  'nuclei',
  'gobuster',
  'dirbuster',
  'dirb',
  'dirsearch',
  'feroxbuster',
  'fuzz faster u fool',
  'ffuf',
  'wfuzz',
  'openvas',
  'openvas-vt',
  'openvasvt',
  'nessus',
  'nasl',
  'acunetix',
  'netsparker',
  'invicti',
  'w3af',
  'arachni',
  'skipfish',
  'havij',
  'commix',
  'xsstrike',
  'wpscan',
  'joomscan',
  'jaeles',
  'zmeu',
  'morfeus',
  'sqlninja',
  'bbqsql',
  'dotdotpwn',
  'fimap',
  'nmap scripting engine',
  'masscan',
  'zgrab',
  'webinspect',
  'appscan',
];

/** Internet-wide survey scanners: they probe, but as research and inventory, not as attacks. */
export const SURVEY_TOOLS: readonly string[] = ['censysinspect', 'internet-measurement', 'expanse', 'netcraftsurveyagent'];

/**
 * Domains of out-of-band interaction services (Burp Collaborator, interactsh, DNS loggers): a blind SSRF,
 * XXE or command-injection probe names one so that the target's call back proves the bug.
 */
export const OAST_DOMAINS: readonly string[] = [
  'burpcollaborator.net',
  'oastify.com',
  'oast.me',
  'oast.pro',
  'oast.live',
  'oast.site',
  'oast.online',
  'oast.fun',
  'interact.sh',
  'interactsh.com',
  'dnslog.cn',
  'dnslog.link',
  'ceye.io',
  'xss.ht',
  'bxss.me',
  'canarytokens.com',
];
