/**
 * Files an attacker reads through path traversal, file inclusion or an injected command, and the path
 * normalisation that lets the detectors see them through encodings and separators a server would undo:
 * backslashes, repeated slashes, `/./`, NUL bytes, overlong UTF-8 (`%c0%af`), the `0x2e`/`0x2f` notation
 * of scanners, and full-width dots and slashes.
 */
import { globMatches } from './exec-commands.js';

/** Overlong and otherwise odd spellings of `.`, `/` and `\` that some servers decode. */
const ODD_SEPARATORS: ReadonlyArray<[RegExp, string]> = [
  [/%(?:c0%ae|e0%80%ae|f0%80%80%ae|c0%2e|uff0e|u002e|2e)/gi, '.'],
  [/%(?:c0%af|e0%80%af|f0%80%80%af|c0%2f|c1%9c|c1%1c|c0%5c|c1%af|uff0f|u2215|u2216|u002f|2f|5c)/gi, '/'],
  [/0x2e/gi, '.'],
  [/0x(?:2f|5c)/gi, '/'],
  [/[\u2024\uff0e\u3002]/g, '.'],
  [/[\\\u2215\u2044\uff0f\u2216\uff3c]/g, '/'],
];

/**
 * `value` as a path a server would resolve, lower-cased: odd separators read as `/` and `.`, NUL bytes
 * dropped, repeated slashes and `/./` collapsed. Positions do not map back to `value`.
 */
export function normalizePath(value: string): string {
  let text = value;
  if (text.includes('%') || /0x|[\u2024\u3002\uff0e\u2215\u2044\uff0f\u2216\uff3c]/i.test(text)) {
    for (const [pattern, replacement] of ODD_SEPARATORS) text = text.replace(pattern, replacement);
  } else if (text.includes('\\')) text = text.replaceAll('\\', '/');
  if (text.includes('\u0000')) text = text.replaceAll('\u0000', '');
  if (text.includes('//')) text = text.replace(/\/{2,}/g, '/');
  if (text.includes('/./')) text = text.replace(/\/(?:\.\/)+/g, '/');
  return text.toLowerCase();
}

/**
 * Operating-system files and directories attackers read: account databases, process pseudo-files, logs
 * they poison, keys, shell histories, service configuration, Windows system files. Matched at the start of
 * an absolute path (`/etc/passwd`, `c:/windows/win.ini`) in normalised, lower-cased text.
 */
const UNIX_FILES = new RegExp(
  '(?:^|[^a-z0-9_~-])(/' +
    [
      'etc/(?:passwd|shadow|group|gshadow|master\\.passwd|sudoers|hosts|hostname|issue|motd|crontab|fstab|resolv\\.conf|' +
        'profile|bashrc|environment|shells|login\\.defs|inittab|exports|aliases|ftpusers|machine-id|os-release|lsb-release|' +
        'subuid|subgid|security/|ssh/|pam\\.d/|sysconfig/|cron\\.d/|init\\.d/|apache2?/|httpd/|nginx/|mysql/|my\\.cnf|php\\.ini|' +
        'php/|redis/|krb5\\.conf|ldap\\.conf|samba/|snmp/|apt/|yum\\.conf|x11/|debian_version|redhat-release|wgetrc|' +
        'netplan/|network/interfaces|tomcat\\d*/|shadow-|passwd-)',
      'proc/(?:self|thread-self|\\d{1,7})/(?:environ|cmdline|maps|status|fd|mem|exe|cwd|root|mounts|net|stat|auxv|loginuid|smaps)',
      'proc/(?:version|cpuinfo|meminfo|mounts|net/|sched_debug|partitions|interrupts|kallsyms|modules|kcore|config\\.gz|cmdline)',
      'sys/(?:class|kernel|firmware|power|devices)/',
      'var/log/(?:apache2?|httpd|nginx|auth\\.log|syslog|messages|secure|lastlog|wtmp|btmp|mail|vsftpd|proftpd|mysql|tomcat)',
      'var/(?:lib/(?:mysql|php/sess)|mail/|spool/cron|run/secrets|run/docker\\.sock|www/\\.env)',
      'root/\\.',
      'home/[a-z0-9_.-]{1,32}/\\.(?:ssh|bash_history|zsh_history|aws|docker|kube|netrc|pgpass|mysql_history)',
      'usr/local/(?:apache2?|etc|nginx)/(?:conf|etc)',
      'opt/lampp/(?:etc|logs)',
      'dev/(?:tcp|udp)/',
    ].join('|') +
    ')',
);

/** Windows system files and folders, after a drive, a slash or at the start. */
const WINDOWS_FILES = new RegExp(
  '(?:^|[/:])(' +
    [
      'boot\\.ini',
      'win\\.ini',
      'system\\.ini',
      // inside the system folders, a file (it has an extension) or a folder of configuration; `system32/ls` is no file
      '(?:windows|winnt)/(?:win\\.ini|system\\.ini|(?:system32|syswow64)/(?:drivers/|config/|inetsrv/|[^/]{0,64}\\.[a-z0-9]{2,4}(?:$|[^a-z0-9]))|repair/|panther/|debug/|php\\.ini|iis\\d*\\.log|microsoft\\.net/)',
      'inetpub/(?:wwwroot/(?:web\\.config|global\\.asa)|logs/)',
      'pagefile\\.sys',
      'autoexec\\.bat',
      'users/[^/]{1,64}/ntuser\\.dat',
      'documents and settings/',
    ].join('|') +
    ')',
);

/** Files of applications and version control that hold secrets, matched at a path boundary. */
const APPLICATION_FILES = new RegExp(
  '(?:^|[/:=\\s"\'])(' +
    [
      '\\.ssh/(?:id_(?:rsa|dsa|ecdsa|ed25519)|authorized_keys|known_hosts)',
      'id_(?:rsa|dsa|ecdsa|ed25519)(?:\\.pub)?$',
      '\\.(?:bash_history|zsh_history|mysql_history|psql_history|sh_history|htpasswd|htaccess|pgpass|netrc|git-credentials|npmrc|pypirc|dockercfg)',
      '\\.git/(?:config|head|index|logs/|refs/|objects/)',
      '\\.svn/(?:entries|wc\\.db)',
      '\\.aws/credentials',
      '\\.docker/config\\.json',
      '\\.kube/config',
      '\\.env(?:\\.[a-z]{1,12})?$',
      'web-inf/(?:web\\.xml|classes/|lib/|[a-z0-9_.-]{1,64}\\.(?:xml|properties))',
      'meta-inf/(?:manifest\\.mf|context\\.xml)',
      'wp-config\\.php',
      'configuration\\.php',
      'localsettings\\.php',
    ].join('|') +
    ')',
);

/** Cheap test before the regular expressions: every listed file has one of these. */
const HINT =
  /etc|proc|sys\/|var\/|root|home|usr|opt|dev|\.ini|windows|winnt|inetpub|pagefile|autoexec|users|documents|\.ssh|id_|\.git|\.svn|\.aws|\.docker|\.kube|\.env|-inf|config|settings|history|\.ht|pgpass|netrc|npmrc|pypirc|dockercfg/;

/** A sensitive file named in normalised text, as its offset, length and matched name. */
export interface SensitiveFile {
  start: number;
  end: number;
  name: string;
}

/** The first sensitive file named in `normalized` (the output of `normalizePath`), if any. */
export function findSensitiveFile(normalized: string): SensitiveFile | undefined {
  if (!HINT.test(normalized)) return undefined;
  for (const pattern of [UNIX_FILES, WINDOWS_FILES, APPLICATION_FILES]) {
    const found = pattern.exec(normalized);
    if (found === null) continue;
    const name = found[1] as string;
    const end = found.index + found[0].length;
    return { start: end - name.length, end, name };
  }
  return undefined;
}

/** System files an attacker spells with glob characters to slip past filters (`/etc/pa[s]swd`, `/???/p?ss??`). */
const GLOBBED_FILES = [
  '/etc/passwd',
  '/etc/shadow',
  '/etc/group',
  '/etc/gshadow',
  '/etc/master.passwd',
  '/etc/sudoers',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/issue',
  '/etc/crontab',
  '/etc/fstab',
  '/etc/profile',
  '/etc/bashrc',
  '/etc/resolv.conf',
  '/etc/environment',
  '/proc/self/environ',
  '/proc/self/cmdline',
  '/proc/self/maps',
  '/proc/version',
  '/proc/cpuinfo',
  '/root/.bash_history',
  '/root/.ssh/id_rsa',
  '/root/.ssh/authorized_keys',
  '/var/log/auth.log',
  '/var/log/syslog',
  '/var/log/messages',
].map((path) => path.slice(1).split('/'));

/** Top-level Unix directories; one of them written as a bracket glob (`/[e]tc`) is a probe. */
const SYSTEM_DIRECTORIES = ['etc', 'bin', 'sbin', 'usr', 'proc', 'dev', 'tmp', 'var', 'root', 'home', 'boot', 'lib', 'opt', 'sys'];

/**
 * The system file or directory an absolute path written with glob characters expands to (`/etc/pa[s]swd`,
 * `/[e//]tc`, `/???/p?ss??`), or undefined. A pattern must keep two literal characters and no segment may be
 * all stars, so that `/*` comments and `/[a-z]*` expressions expand to nothing here.
 */
export function findGlobbedSystemPath(text: string): string | undefined {
  if (text.charCodeAt(0) !== 0x2f || text.length > 200 || !/[*?[]/.test(text)) return undefined;
  // a slash never matches inside a bracket expression, and `[?]` is read as the wildcard it stands for
  const path = text.replace(/\[[^\]]{0,32}\]/g, (bracket) => {
    const inner = bracket.slice(1, -1).replaceAll('/', '');
    return inner === '' ? '' : /[?*]/.test(inner) ? '?' : `[${inner}]`;
  });
  const segments = path.slice(1).split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 0 || segments.some((segment) => /^\*+$/.test(segment))) return undefined;
  if (path.replace(/\[[^\]]*\]|[*?/]/g, '').length < 2) return undefined;
  for (const file of GLOBBED_FILES) {
    if (file.length === segments.length && file.every((part, k) => globMatches(segments[k] as string, part))) return `/${file.join('/')}`;
  }
  const [only] = segments;
  if (segments.length !== 1 || only === undefined || !only.includes('[')) return undefined;
  const directory = SYSTEM_DIRECTORIES.find((name) => globMatches(only, name));
  return directory === undefined ? undefined : `/${directory}`;
}
