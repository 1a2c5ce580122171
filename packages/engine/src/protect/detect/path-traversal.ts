/**
 * Path traversal and local file inclusion: a value that climbs out of the directory an application reads
 * from (`../../`, `..\`, and what is left of `%c0%af`, `....//`, `..;/` after decoding), or names a file an
 * attacker wants (`/etc/passwd`, `/proc/self/environ`, `c:\windows\win.ini`, `WEB-INF/web.xml`, `.ssh` keys).
 *
 * - `path-traversal` (paranoia 1): a `..` path segment of the request path (but a trailing `/..`); a climb that reaches a sensitive
 *   file; a value that starts with a climb; a climb hidden by an evasion (`....//`, `..;/`, `..%00`,
 *   overlong or mixed separators); a climb of three levels or more anywhere.
 * - `path-traversal-any` (paranoia 2): any `../` or `..\` at a path boundary, as relative links in prose have.
 * - `sensitive-file` (paranoia 1): a value that is the path of a sensitive file, or a `file:` URL of one, or
 *   one of the well-known names with the separators stripped (`etcpasswd`, `c:windowswin.ini`).
 * - `sensitive-file-any` (paranoia 2): a sensitive file's path anywhere in a value.
 * - `restricted-path` (paranoia 1, for the request path): a request for what a web server should never
 *   serve: the settings folders of AI coding assistants (`/.claude/settings.json`, `/.cursor/mcp.json`),
 *   which hold API keys and tool commands, their ignore files, version-control, IDE, cloud and key folders
 *   (`/.svn/entries`, `/.aws/credentials`), credential files (`.npmrc`, `.pgpass`, `id_rsa`), kernel
 *   pseudo-files (`/proc/interrupts`, `/sys/class`), database dumps in an archive (`backup.sql.gz`), debug
 *   and error logs, and a JavaScript dev server's file-serving routes (`/@fs/…`).
 */
import type { Detector, DetectorHit } from '../types.js';
import { findSensitiveFile, normalizePath } from './internal/exec-files.js';

/** Longest value looked at; traversal payloads are short and the check is linear anyway. */
const MAX_LENGTH = 64 * 1024;

/** Cheap pre-check: every reported shape has two dots, an odd separator, or a sensitive name. */
const MAYBE_TRAVERSAL = /\.\.|\/\.\/|%|0x2e|[\u2024\u3002\uff0e]/i;
const MAYBE_FILE = /etc|proc|sys|secrets|ini|inf|win|boot|global|passwd|ssh|\.env|\.git|\.ht|file:|history|config|var\/|usr\/|root|home/i;

/** Kernel pseudo-files a value names on its own (`/sys/class`), which the shared list only knows inside a longer path. */
const KERNEL_FILE =
  /^\/(?:sys\/(?:class|kernel|firmware|devices|module|block|bus|power|hypervisor|fs)|proc\/(?:interrupts|kallsyms|kcore|iomem|ioports|slabinfo|timer_list|sched_debug|keys|kmsg|vmallocinfo|zoneinfo|buddyinfo|loadavg|uptime|swaps|diskstats|sysrq-trigger))(?:\/|$)/;
/** Secrets that container runtimes mount, at a path boundary (`/path/to/.docker/secrets`, `/run/secrets/db`). */
const CONTAINER_SECRET = /(?:^|\/)(?:\.docker\/secrets|run\/secrets\/)/;

/** Folders AI coding assistants keep their settings, rules, MCP servers and hooks in, as a path segment. */
const AI_ASSISTANT_FOLDER =
  /(?:^|\/)\.(?:claude|cursor|continue|aider|roo|zed|cline|kiro|windsurf|rovodev|codex|opencode|a0proj|plandex|fabric|n8n|junie|gemini|qwen|amazonq|augment|tabnine|codeium|goose|crush|warp|trae|qodo|openclaw|clawdbot)\//;
/**
 * Folders of version control, IDEs, cloud and container tools, and key stores, as a path segment with
 * something inside (`/.svn/entries`, `/.idea/workspace.xml`, `/.aws/credentials`): a web root that serves
 * them leaks source, history and credentials.
 */
const TOOL_FOLDER = /(?:^|\/)\.(?:git|svn|hg|bzr|cvs|idea|vscode|aws|azure|ssh|gnupg|kube|docker|terraform|gcloud)\/[^/]/;
/**
 * Files at a path boundary: AI assistants' ignore and rule files, credentials of package managers and
 * databases, private keys, Rails secrets, database dumps in archives, and debug and error logs.
 */
const RESTRICTED_FILE =
  /(?:^|\/)(?:\.(?:aiignore|cursorignore|codeiumignore|cursorrules|windsurfrules|clinerules|aider\.conf\.ya?ml|aider\.chat\.history\.md|mcp\.json|claude\.json|ds_store|npmrc|pypirc|pgpass|netrc|dockerenv|git-credentials|my\.cnf|mylogin\.cnf|s3cfg|boto|(?:bash|zsh|sh|mysql|psql|sqlite|python|node_repl|rediscli)_history)|id_(?:rsa|dsa|ecdsa|ed25519)|config\/(?:database\.yml|secrets\.yml|master\.key|credentials\.yml\.enc)|sftp-config\.json|[^/]{0,64}\.sql\.(?:gz|tgz|zip|bz2?|tbz|xz|txz|7z|rar|tar|z|lz|zst)|(?:debug|errors?|php_errors?|npm-debug|yarn-(?:debug|error)|pm2)\.log)$/;
/** Cheap pre-check: every restricted path has one of these. */
const MAYBE_RESTRICTED = /[.@]|sys|proc|id_/i;
/** Routes of a JavaScript dev server that read files or virtual modules (`/@fs/etc/passwd`, `/@id/__x00__…`). */
const DEV_SERVER_ROUTE = /^\/@(?:fs\/|id\/__x00__)/;
/**
 * The same pseudo-files anywhere in the request path (`/get/proc/interrupts`); `sys/devices`, `sys/bus` and
 * `proc/version` are left out, as API routes use those words.
 */
const KERNEL_PATH =
  /\/(?:sys\/(?:class|kernel|firmware|hypervisor)|proc\/(?:self|thread-self|interrupts|kallsyms|kcore|iomem|ioports|slabinfo|timer_list|sched_debug|kmsg|vmallocinfo|zoneinfo|buddyinfo|sysrq-trigger|cpuinfo|meminfo|mounts))(?:\/|$)/;

/** `../` at a path boundary, in normalised text. */
const CLIMB = /(?:^|[/=\s"'(:;,[{])\.\.(?:\/|$|;(?=[./]))/;
/** Three climbs in a row. */
const DEEP_CLIMB = /\.\.\/\.\.\/\.\.(?:\/|$)/;
/** A value that starts with a climb: `../x`, `/../x`, `c:../`, `..` alone, `..;.` (a path parameter after the climb). */
const LEADING_CLIMB = /^[\s"']*(?:[a-z]:)?\/?\.\.(?:\/|$|\{|;(?=[./]))/;
/**
 * Climbs dressed up to pass filters, in text where only backslashes became slashes: `....//` and `..././`
 * (a filter strips `../` once), `..;/` (path parameters), `..%00`, `.. /`, runs of dots before a slash.
 */
const EVASIVE_CLIMB = /\.\.\.\.\/\/|\.\.\.\/\.\/|\.\.;\/|\.\.\u0000|\.\.[\t ]+\/|\.{3,}\/(?:\.{2,}|[a-z])/;
/** Overlong and encoded dots and slashes a server decoding once would turn into a climb. */
const ENCODED_CLIMB =
  /(?:%(?:c0%ae|e0%80%ae|c0%2e|uff0e|u002e|2e)|0x2e|[\u2024\u3002\uff0e]){2}|\.\.(?:%(?:c0%af|e0%80%af|c0%2f|c1%9c|c1%1c|c0%5c|c1%af|uff0f|u2215|u2216|u002f|2f|5c)|0x(?:2f|5c)|[\u2215\u2044\uff0f\u2216\uff3c])/i;
/** Well-known targets with their separators lost on the way (`etcpasswd`, `c:windowswin.ini`, `web-infweb.xml`). */
const MANGLED_FILE =
  /(?:^|[^a-z])(?:etc\/?(?:passwd|shadow|group|hosts)|(?:windows|winnt)\/?(?:win|system)\.ini|b?oot\.ini|web-inf\/?web\.xml|(?:inetpub\/?wwwroot\/?)?global\.asa|proc\/?self\/?environ)(?![a-z])/;
/** `file:` URLs. */
const FILE_URL = /^[\s"']*file:/;

/** A segment of three dots or more, which some servers read as a climb (`/.../`, `/......{x}`), or two dots glued to a name start. */
const DOT_RUN = /(?:^|\/)(?:\.{3,}(?:\/|$|[^./\w])|\.\.[{$%])/;
/** Padding with self-references (`/./././`, `/.//./`), used to slip a path past length and prefix checks. */
const SELF_PADDING = /(?:\/\.(?=\/)){2,}|\/\.\/\/|\/\.\/\.[^/]/;

/** Path segments of a request that are climbs in themselves. */
const DOT_SEGMENT = /^(?:\.\.(?:;.*)?|\.\.\/?|%2e%2e)$/i;
/**
 * A `..` segment of the whole request path with a segment after it (`/public/../admin`). A trailing `/..`
 * only names the parent folder of the path, which the client could have asked for.
 */
const INNER_DOT_SEGMENT = /(?:^|\/)(?:\.\.|%2e%2e)(?:;[^/]*)?\//i;

const traversal = (anywhere: boolean): Detector => {
  return (value, { location }) => {
    if (value.length < 2 || value.length > MAX_LENGTH || !MAYBE_TRAVERSAL.test(value)) return undefined;
    // the first segment climbs above the root; a later one is judged with what follows it, in the whole path
    if (location.startsWith('path:') && DOT_SEGMENT.test(value.trim())) {
      return location === 'path:0' ? hit('dot-segment', 0, value.length) : undefined;
    }
    if (location === 'path' && INNER_DOT_SEGMENT.test(value)) return hit('dot-segment', 0, value.length);
    const encoded = ENCODED_CLIMB.exec(value);
    if (encoded !== null) return hit('encoded-climb', encoded.index, encoded.index + encoded[0].length);
    const text = normalizePath(value);
    const climb = CLIMB.exec(text);
    const evasive = EVASIVE_CLIMB.exec(text);
    if (evasive !== null) return hit('evasive-climb', 0, value.length);
    const slashed = value.includes('\\') ? value.replaceAll('\\', '/') : value;
    if (slashed[0] === '/' || slashed.startsWith('./')) {
      if (DOT_RUN.test(slashed)) return hit('dot-run', 0, value.length);
      if (SELF_PADDING.test(slashed)) return hit('self-padding', 0, value.length);
    }
    if (climb === null) return undefined;
    if (findSensitiveFile(text.slice(climb.index)) !== undefined) return hit('climb-to-sensitive-file', 0, value.length);
    if (LEADING_CLIMB.test(text)) return hit('leading-climb', 0, value.length);
    if (escapesRoot(text)) return hit('climb-above-root', 0, value.length);
    if (DEEP_CLIMB.test(text)) return hit('deep-climb', 0, value.length);
    return anywhere ? hit('climb', 0, value.length) : undefined;
  };
};

const sensitive = (anywhere: boolean): Detector => {
  return (value) => {
    if (value.length < 4 || value.length > MAX_LENGTH) return undefined;
    // prose asking about a file (`/etc/passwd 是什么`) has blanks; a payload that is a path seldom does
    const alone = !/\s/.test(value.trim());
    if ((!anywhere && !alone) || !MAYBE_FILE.test(value)) return undefined;
    const text = normalizePath(value);
    const found = findSensitiveFile(text);
    if (found !== undefined) {
      // the value is the path (perhaps after a drive, a `file:` scheme or a quote), not prose that mentions one
      const before = text.slice(0, found.start);
      if (anywhere || /^[\s"']*(?:file:\/*(?:localhost)?\/*)?(?:[a-z]:)?\/?$/.test(before)) return hit('sensitive-file', 0, value.length);
    }
    if (alone && MANGLED_FILE.test(text)) return hit('sensitive-file-mangled', 0, value.length);
    if (alone && (KERNEL_FILE.test(text) || CONTAINER_SECRET.test(text))) return hit('sensitive-file', 0, value.length);
    if (FILE_URL.test(text) && /^[\s"']*file:\/*(?:[a-z]:)?\/?(?:etc|proc|windows|winnt|boot\.ini|users|home|root|var)\b/.test(text)) {
      return hit('file-url', 0, value.length);
    }
    return undefined;
  };
};

/** A request path (`path`, or the segment of a one-segment path) for a file a web server should never serve. */
export const detectRestrictedPath: Detector = (value, { location }) => {
  if (value.length < 4 || value.length > MAX_LENGTH || !location.startsWith('path')) return undefined;
  // a segment is looked at only when it is the whole path: longer paths come whole as `path`
  if (location !== 'path' && location !== 'path:0') return undefined;
  if (!MAYBE_RESTRICTED.test(value)) return undefined;
  const text = normalizePath(value[0] === '/' ? value : `/${value}`);
  if (AI_ASSISTANT_FOLDER.test(text)) return hit('ai-assistant-settings', 0, value.length);
  if (TOOL_FOLDER.test(text)) return hit('tool-folder', 0, value.length);
  if (RESTRICTED_FILE.test(text)) return hit('restricted-file', 0, value.length);
  if (DEV_SERVER_ROUTE.test(text)) return hit('dev-server-file-route', 0, value.length);
  if (KERNEL_PATH.test(text)) return hit('kernel-pseudo-file', 0, value.length);
  return undefined;
};

/** True when an absolute path climbs above its root (`/a/../../x`): more `..` segments than names before them. */
function escapesRoot(text: string): boolean {
  if (text[0] !== '/') return false;
  let depth = 0;
  const end = text.search(/[\s?#]/);
  for (const segment of (end < 0 ? text : text.slice(0, end)).split('/')) {
    if (segment === '..') {
      depth--;
      if (depth < 0) return true;
    } else if (segment !== '' && segment !== '.') depth++;
  }
  return false;
}

function hit(detail: string, start: number, end: number): DetectorHit {
  return { detail, start, end };
}

/** Path traversal at paranoia 1: dot segments, climbs to sensitive files, leading, evasive or deep climbs. */
export const detectPathTraversal: Detector = traversal(false);
/** Any climb at a path boundary, for paranoia 2 and up. */
export const detectAnyPathTraversal: Detector = traversal(true);
/** A value that is a sensitive file's path (or a `file:` URL of one, or a mangled well-known name). */
export const detectSensitiveFile: Detector = sensitive(false);
/** A sensitive file's path anywhere in a value, for paranoia 2 and up. */
export const detectAnySensitiveFile: Detector = sensitive(true);

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'path-traversal': detectPathTraversal,
  'path-traversal-any': detectAnyPathTraversal,
  'sensitive-file': detectSensitiveFile,
  'sensitive-file-any': detectAnySensitiveFile,
  'restricted-path': detectRestrictedPath,
};
