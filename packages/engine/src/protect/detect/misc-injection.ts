/**
 * Smaller injection classes and scanner traces:
 *
 * - `ssi`: server-side include and edge-side include directives (`<!--#exec cmd="ls" -->`,
 *   `<!--#include virtual="/etc/passwd" -->`, `<esi:include src="…"/>`), which a server that parses its
 *   pages for them runs.
 * - `mail-command`: SMTP, IMAP or POP3 commands on a line of their own after a line break
 *   (`\r\nRCPT TO: <x@example.com>`, `\r\nA1 FETCH 1 BODY[]`, `\r\nQUIT`), which a mail client built from
 *   the value would send to its server.
 * - `mail-header`: a line break after an address, then a mail header (`me@example.com\nBcc: …`): what a
 *   contact form turns into extra recipients.
 * - `session-fixation`: a value that sets a cookie in the victim's browser (`<meta http-equiv="Set-Cookie"`,
 *   `document.cookie="sid=…; domain=…"`).
 * - `session-id-name`: a parameter named like a session identifier (`JSESSIONID`, `PHPSESSID`): servers that
 *   accept session ids from the URL let an attacker choose the victim's session. `generic-session-id-name`
 *   (`sessionid`, `session_id`) is the broader paranoia 2 form.
 * - `scanner-user-agent` and `survey-user-agent`: the names attack tools and survey scanners announce.
 * - `oast-domain`: a host under an out-of-band interaction service, which only blind probes name.
 *
 * Prose about mail (`Subject: the meeting` in a comment), a `$` or `#` in text and HTML comments are none of these.
 */
import type { Detector, DetectorHit } from '../types.js';
import { ATTACK_TOOLS, OAST_DOMAINS, SURVEY_TOOLS } from './internal/markup-scanners.js';

const SSI = /<!--\s*#\s*(?:exec|include|echo|printenv|config|set|fsize|flastmod)\b/i;
const ESI = /<esi:(?:include|inline|vars|debug|eval|assign|choose|try|remove)\b/i;

/** Commands that take arguments: the verb and what must follow it. */
const MAIL_COMMANDS: ReadonlyArray<readonly [string, RegExp]> = [
  // SMTP envelope and session commands
  ['smtp-command', /[\r\n][\t ]*(?:MAIL\s+FROM|RCPT\s+TO)\s*:/i],
  ['smtp-command', /[\r\n][\t ]*(?:HELO|EHLO|VRFY|EXPN)[\t ]+[^\s]{1,255}[\t ]*(?:[\r\n]|$)/],
  ['smtp-command', /[\r\n][\t ]*(?:QUIT|RSET|STARTTLS)[\t ]*(?:[\r\n]|$)/],
  ['smtp-command', /[\r\n][\t ]*AUTH[\t ]+(?:LOGIN|PLAIN|CRAM-MD5|XOAUTH2)\b/],
  // IMAP: a tag, then a command in capitals with the arguments it takes
  [
    'imap-command',
    /[\r\n][\t ]*[A-Za-z0-9.]{1,12}[\t ]+(?:(?:CAPABILITY|LOGOUT|NOOP|STARTTLS|EXPUNGE|CLOSE|CHECK|IDLE)[\t ]*(?:[\r\n]|$)|(?:UID[\t ]+)?(?:FETCH|STORE|COPY|MOVE)[\t ]+[\d*:,]{1,40}\b|(?:SELECT|EXAMINE|CREATE|DELETE|SUBSCRIBE|UNSUBSCRIBE|STATUS)[\t ]+[^\s]{1,100}[\t ]*(?:[\r\n(]|$)|LOGIN[\t ]+[^\s]{1,100}[\t ]+[^\s]{1,100}[\t ]*(?:[\r\n]|$)|(?:LIST|LSUB)[\t ]+"[^"\r\n]{0,100}"[\t ]+)/,
  ],
  // POP3 commands that reach messages
  ['pop3-command', /[\r\n][\t ]*(?:RETR|DELE|TOP)[\t ]+\d{1,9}\b/],
];
/** An address on the first line, then a mail header on the next. */
const MAIL_HEADER =
  /^[\t ]*(?:[^\s@<>",;]{1,64}@[^\s@<>",;]{1,255}|<[^\s@<>]{1,64}@[^\s@<>]{1,255}>)[\t ]*[\r\n]+[\t ]*(?:bcc|cc|to|from|reply-to|sender|subject|content-type|mime-version|content-transfer-encoding)[\t ]*:/i;

const COOKIE_WORD = /cookie/i;
const SET_COOKIE_META = /http-equiv\W{1,5}set-cookie\b/i;
const SCRIPT_COOKIE = /\.\s*cookie\b[^\r\n]{0,200}?;\W{0,5}(?:expires|domain|path|max-age)\W{0,3}=/i;
/**
 * The default session cookie names of web frameworks and servers (Java servlets, Apache JServ, Java Web
 * Server, WebLogic, PHP, Zend, ASP, ASP.NET, Laravel, Express, Rack, Rails and Flask (`_<app>_session`),
 * CodeIgniter, CakePHP, Play, Sails, Koa, NextAuth, Meteor, R Shiny, ColdFusion, Drupal): as a parameter
 * name, a session id offered through the URL or a form.
 */
const SESSION_ID_NAME =
  /^(?:jsessionid|jservsession(?:id)?|jwsession(?:id)?|weblogicsession|wl_?session|phpsess(?:id|ion)|zend_session_id|aspsessionid[a-z]{0,12}|asp\.net_sessionid|laravel_session|connect\.sid|rack\.session|_session_id|_[a-z0-9]{1,32}_session|ci_session|cakephp|play_session|sails\.sid|koa[.:]sess|(?:__secure-|__host-)?next-auth\.session-token|meteor_login_token|shiny-token|cfid|cftoken|cfsid|s?sess[0-9a-f]{32})$/i;
/**
 * Generic session parameter names (`sessionid`, `session-id`, `session_id`). Payment and sign-in
 * redirects carry these legitimately (`?session_id=cs_…` after a checkout), so they are a paranoia 2 signal.
 */
const GENERIC_SESSION_ID_NAME = /^(?:session[-_]?id|sessid)$/i;

const ATTACK_TOOL = wordsPattern(ATTACK_TOOLS);
const SURVEY_TOOL = wordsPattern(SURVEY_TOOLS);
/** `.` and an interaction domain; the label before the dot is checked apart so the scan starts on a literal. */
const OAST_DOMAIN = new RegExp(`\\.(?:${OAST_DOMAINS.map(escapeRegExp).join('|')})(?![a-z0-9-])`, 'gi');
const LABEL_CHARACTER = /[a-z0-9-]/i;

/** Server-side and edge-side include directives. */
export const detectServerSideInclude: Detector = (value) => {
  if (value.indexOf('<') < 0) return undefined;
  if (value.indexOf('<!--') >= 0) {
    const found = hit('ssi-directive', SSI.exec(value));
    if (found !== undefined) return found;
  }
  return hit('esi-directive', ESI.exec(value));
};

/** SMTP, IMAP or POP3 commands on a line after a line break. */
export const detectMailCommand: Detector = (value) => {
  if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) return undefined;
  for (const [detail, pattern] of MAIL_COMMANDS) {
    const found = hit(detail, pattern.exec(value));
    if (found !== undefined) return found;
  }
  return undefined;
};

/** An address, a line break, then a mail header. */
export const detectMailHeader: Detector = (value) => {
  if (value.indexOf('@') < 0 || (value.indexOf('\n') < 0 && value.indexOf('\r') < 0)) return undefined;
  return hit('mail-header', MAIL_HEADER.exec(value));
};

/** Markup or script that sets a cookie in the browser that renders the value. */
export const detectSessionFixation: Detector = (value) => {
  if (!COOKIE_WORD.test(value)) return undefined;
  return hit('set-cookie-meta', SET_COOKIE_META.exec(value)) ?? hit('script-cookie', SCRIPT_COOKIE.exec(value));
};

/** A parameter named like a session identifier; meant for `query-name` and `form-name` inputs. */
export const detectSessionIdName: Detector = (value) =>
  SESSION_ID_NAME.test(value) ? { detail: 'session-id-name', start: 0, end: value.length } : undefined;

/** A parameter with a generic session-id name; see `GENERIC_SESSION_ID_NAME`. */
export const detectGenericSessionIdName: Detector = (value) =>
  GENERIC_SESSION_ID_NAME.test(value) ? { detail: 'generic-session-id-name', start: 0, end: value.length } : undefined;

/** A User-Agent that names an attack tool. */
export const detectScannerUserAgent: Detector = (value) => hit('attack-tool', ATTACK_TOOL.exec(value));

/** A User-Agent that names an internet-wide survey scanner. */
export const detectSurveyUserAgent: Detector = (value) => hit('survey-tool', SURVEY_TOOL.exec(value));

/** A host name under an out-of-band interaction service. */
export const detectOastDomain: Detector = (value) => {
  if (value.indexOf('.') < 0) return undefined;
  OAST_DOMAIN.lastIndex = 0;
  for (let found = OAST_DOMAIN.exec(value); found !== null; found = OAST_DOMAIN.exec(value)) {
    // a host under the service (`x.oast.me`), not the service's own name in prose
    if (LABEL_CHARACTER.test(value[found.index - 1] ?? ''))
      return { detail: 'oast-domain', start: found.index, end: found.index + found[0].length };
  }
  return undefined;
};

/** Whole words (any non-alphanumeric boundary), case-insensitive. */
function wordsPattern(words: readonly string[]): RegExp {
  return new RegExp(`(?:^|[^a-z0-9])(?:${words.map(escapeRegExp).join('|')})(?![a-z0-9])`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hit(detail: string, found: RegExpExecArray | null): DetectorHit | undefined {
  return found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
}

/** The detectors of this module by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  ssi: detectServerSideInclude,
  'mail-command': detectMailCommand,
  'mail-header': detectMailHeader,
  'session-fixation': detectSessionFixation,
  'session-id-name': detectSessionIdName,
  'generic-session-id-name': detectGenericSessionIdName,
  'scanner-user-agent': detectScannerUserAgent,
  'survey-user-agent': detectSurveyUserAgent,
  'oast-domain': detectOastDomain,
};
