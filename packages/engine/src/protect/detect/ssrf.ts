/**
 * Server-side request forgery and remote file inclusion: a URL-valued field that points the server at
 * itself, at its cloud metadata service, at a private network, or through a scheme that talks to other
 * protocols (`gopher:`, `dict:`), and a URL to a remote script handed to an include-like parameter.
 *
 * A value is read as a URL when the whole value (trimmed) is one: `scheme://host…`, `//host…`, or
 * `host:port`. Its host is judged after the tricks a URL parser or a resolver undoes: decimal, hex and
 * octal IPv4 (`2130706433`, `0x7f.1`, `0177.0.0.1`), IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`), user info
 * before the host (`http://trusted@127.0.0.1`), and wildcard DNS names that embed an address
 * (`127.0.0.1.nip.io`). URLs to public hosts are not reported.
 *
 * - `ssrf` (paranoia 1): loopback, link-local and metadata addresses, non-canonical IP spellings,
 *   and `gopher:`, `dict:`, `ldap:`, `tftp:`, `jar:`, `netdoc:` and `file:` URLs.
 * - `ssrf-private` (paranoia 2): also private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) and URLs found
 *   inside a longer value.
 * - `rfi` (paranoia 1): a remote URL cut short the way file-inclusion payloads are (a trailing `?`, `#` or
 *   NUL that drops the suffix the application appends), a URL to a script served as text in a parameter
 *   whose name says it includes something (`page`, `file`, `include`, `template`…), a script or an FTP
 *   resource on a bare public IP address (`http://203.0.113.9/x.php`, `ftp://203.0.113.9`), or any remote
 *   URL in a PHP application's include-root parameter (`mosConfig_absolute_path`, `_CONF[path]`).
 */
import type { Detector, DetectorHit } from '../types.js';

/** Longest value read as a URL. */
const MAX_URL = 4096;

/** Cheap pre-check: a scheme, a `//`, or a `host:port`. */
const MAYBE_URL = /[:/]/;
const URL_HEAD = /^[\s"'<]*(?:([a-z][a-z0-9+.-]{1,15}):)?(\/\/|\\\\)?/i;
/** Schemes that reach other protocols or local files. */
const DANGEROUS_SCHEMES = new Set(['gopher', 'dict', 'ldap', 'ldaps', 'tftp', 'jar', 'netdoc', 'file', 'sftp', 'ftp-file']);
/** Schemes whose URLs name a host a server would connect to. */
const NETWORK_SCHEMES = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'ws',
  'wss',
  'gopher',
  'dict',
  'ldap',
  'ldaps',
  'tftp',
  'sftp',
  'ssh',
  'telnet',
  'smb',
  'rtsp',
  'redis',
  'mysql',
  'postgres',
  'mongodb',
  'jar',
  'netdoc',
]);
const HOST_PORT = /^[\s"']*(\[[0-9a-f:.]+\]|[a-z0-9.-]{1,253}):(\d{1,5})(?:\/[^\s]*)?[\s"']*$/i;
const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.packet.net',
  'metadata.tencentyun.com',
]);
const LOOPBACK_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
  'localtest.me',
  'lvh.me',
  'vcap.me',
]);
/** Wildcard DNS services that resolve a name holding an address to that address. */
const ADDRESS_DNS = /^(?:.*?[.-])?((?:\d{1,3}[.-]){3}\d{1,3})\.(?:nip\.io|xip\.io|sslip\.io|traefik\.me|nip\.direct|localtest\.me)$/;

/** What a host is, from the point of view of a server that would connect to it. */
type HostKind = 'loopback' | 'metadata' | 'link-local' | 'private' | 'encoded' | 'unspecified' | 'public';

/** Where a URL's host starts and ends in the value, and the scheme. */
interface ParsedUrl {
  scheme: string;
  host: string;
  start: number;
  end: number;
  rest: string;
  /** Written as `host:port`, without a scheme. */
  bare?: boolean;
}

/** The URL the whole value is, or undefined. */
function parseUrl(value: string): ParsedUrl | undefined {
  if (value.length > MAX_URL) return undefined;
  const head = URL_HEAD.exec(value);
  if (head === null) return undefined;
  const scheme = (head[1] ?? '').toLowerCase();
  const slashes = head[2] !== undefined;
  if (!slashes && (scheme === '' || !(NETWORK_SCHEMES.has(scheme) || scheme === 'file'))) {
    // `host:port`: a name with a dot or a known name, or a dotted address; never `12:30`
    const hostPort = HOST_PORT.exec(value);
    if (hostPort === null || !/[a-z]|\..*\./i.test(hostPort[1] as string)) return undefined;
    const start = value.indexOf(hostPort[1] as string);
    return {
      scheme: '',
      host: (hostPort[1] as string).toLowerCase(),
      start,
      end: start + (hostPort[1] as string).length,
      rest: '',
      bare: true,
    };
  }
  if (scheme !== '' && !NETWORK_SCHEMES.has(scheme) && scheme !== 'file') return undefined;
  // `file:38b5`, `dict:en` are not URLs; `jar:` wraps another URL
  if (!slashes && !(scheme === 'jar' && /^jar:[a-z]+:/i.test(value.trim()))) return undefined;
  let at = head[0].length;
  // the authority ends at the first `/`, `\`, `?` or `#`; user info before the last `@` is dropped
  let end = at;
  while (end < value.length && !'/\\?#'.includes(value[end] as string) && !/\s/.test(value[end] as string)) end++;
  const authority = value.slice(at, end);
  const userInfo = authority.lastIndexOf('@');
  if (userInfo >= 0) at += userInfo + 1;
  let hostEnd = end;
  const host = value.slice(at, end);
  const port = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  if (port > 0 && port < host.length) hostEnd = at + port;
  return { scheme, host: value.slice(at, hostEnd).toLowerCase(), start: at, end: hostEnd, rest: value.slice(end) };
}

/** The host judged: names first, then the address however it is spelled. */
function hostKind(raw: string): HostKind {
  const host = raw.replace(/\.$/, '').replace(/^\[|\]$/g, '');
  if (host === '') return 'public';
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return 'loopback';
  if (METADATA_NAMES.has(host)) return 'metadata';
  const wildcard = ADDRESS_DNS.exec(host);
  if (wildcard !== null) return ipv4Kind(ipv4Value((wildcard[1] as string).replaceAll('-', '.')) ?? 0) ?? 'public';
  if (host.includes(':')) return ipv6Kind(host);
  if (/^[0-9a-fx.]+$/.test(host) && /\d/.test(host)) {
    const address = ipv4Value(host);
    if (address === undefined) return 'public';
    const canonical = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(host);
    const kind = ipv4Kind(address);
    if (kind !== 'public') return kind;
    return canonical ? 'public' : 'encoded';
  }
  return 'public';
}

/** An IPv4 address as inet_aton reads it: 1 to 4 parts, each decimal, `0x` hex or `0` octal. */
function ipv4Value(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]{0,8}$/.test(part)) n = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = Number.parseInt(part, 8);
    else if (/^\d{1,10}$/.test(part)) n = Number(part);
    else return undefined;
    numbers.push(n);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255) || last >= 2 ** (8 * (4 - numbers.length))) return undefined;
  let value = 0;
  numbers.forEach((n, i) => {
    value += n * 2 ** (8 * (3 - i));
  });
  return value + last;
}

function ipv4Kind(address: number): HostKind {
  const a = Math.floor(address / 2 ** 24);
  const b = Math.floor(address / 2 ** 16) % 256;
  if (address === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (address === 0xa9fea9fe || address === 0x64646464 + 0x9c || address === 0xc00000c0) return 'metadata';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 0) return 'unspecified';
  return 'public';
}

function ipv6Kind(host: string): HostKind {
  const lower = host.toLowerCase().replace(/%.*$/, '');
  if (lower === '::1' || /^0{0,4}(?::0{0,4}){6}:0{0,3}1$/.test(lower)) return 'loopback';
  if (lower === '::' || /^0{0,4}(?::0{0,4}){7}$/.test(lower)) return 'unspecified';
  if (/^fd00:ec2::254$/.test(lower)) return 'metadata';
  if (/^fe[89ab][0-9a-f]:/.test(lower)) return 'link-local';
  if (/^f[cd][0-9a-f]{2}:/.test(lower)) return 'private';
  const mapped = /^(?:0{0,4}:){0,5}:?(?:ffff:)?(?:0{0,4}:)?((?:\d{1,3}\.){3}\d{1,3})$/.exec(lower);
  if (mapped !== null) {
    const kind = ipv4Kind(ipv4Value(mapped[1] as string) ?? 0);
    return kind === 'public' ? 'public' : kind;
  }
  const hexMapped = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped !== null)
    return ipv4Kind(Number.parseInt(hexMapped[1] as string, 16) * 65536 + Number.parseInt(hexMapped[2] as string, 16));
  return 'public';
}

const PARANOIA_1_KINDS: ReadonlySet<HostKind> = new Set(['loopback', 'metadata', 'link-local', 'encoded', 'unspecified']);
const EMBEDDED_URL = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>]{1,2048}/gi;
const MAX_EMBEDDED = 8;

const ssrf = (broad: boolean): Detector => {
  return (value) => {
    if (value.length < 4 || !MAYBE_URL.test(value)) return undefined;
    const found = judgeUrl(value, broad);
    if (found !== undefined || !broad || !value.includes('://')) return found;
    EMBEDDED_URL.lastIndex = 0;
    let count = 0;
    for (let match = EMBEDDED_URL.exec(value); match !== null && count < MAX_EMBEDDED; match = EMBEDDED_URL.exec(value), count++) {
      const inner = judgeUrl(match[0], broad);
      if (inner !== undefined) return { detail: inner.detail, start: match.index + inner.start, end: match.index + inner.end };
    }
    return undefined;
  };
};

function judgeUrl(value: string, broad: boolean): DetectorHit | undefined {
  const url = parseUrl(value);
  if (url === undefined) return undefined;
  if (url.scheme !== '' && DANGEROUS_SCHEMES.has(url.scheme)) {
    // `file:` URLs to a file are for the LFI rules; here only those naming a remote or local host
    if (url.scheme !== 'file' || url.host !== '') return { detail: `${url.scheme}-scheme`, start: 0, end: value.length };
    return undefined;
  }
  const kind = hostKind(url.host);
  // a bare `127.0.0.1:8081` is what telemetry reports about a local proxy; a URL, a path or a metadata host is not
  const quiet = url.bare === true && !value.includes('/') && (kind === 'loopback' || kind === 'unspecified') && !broad;
  if (quiet) return undefined;
  if (PARANOIA_1_KINDS.has(kind) || (broad && kind === 'private')) return { detail: `${kind}-address`, start: url.start, end: url.end };
  return undefined;
}

/** Parameter names that say their value is included, rendered or read as a file. */
const INCLUDE_NAMES =
  /(?:^|[_.\-[:])(?:page|pg|file|filename|include|inc|incl|require|template|tpl|tmpl|path|dir|folder|root|module|mod|conf|config|layout)(?:$|[_.\-\]\d])/i;
const REMOTE_URL = /^[\s"']*(?:https?|ftps?|smb|ssh2?|ogg|data|expect|php|phar|zip|zlib|glob|compress\.zlib):/i;
/** A URL to a file cut short so the application's suffix (`.php`, `.inc`) is dropped: `…/shell.txt?`, `…/x.php??`, `…%00`. */
const CUT_SHORT = /^\/[^?#]*\.(?:txt|php\d?|phtml|inc|pl|py|sh|cgi|asp|jsp)(?:\?{1,2}|#|\u0000)[\s"']*$/i;
/** A path to a text file a script is served as (`shell.txt`, `c99.inc`): the including server runs it. */
const SCRIPT_PATH = /^\/[^?#]*\.(?:txt|inc)(?:$|[?#\u0000])/i;

/**
 * A URL whose host is an IP literal: dotted IPv4, bracketed IPv6, or IPv6 written without brackets
 * (`http://2001:db8::1/x.php`, which a lenient parser still reads).
 */
const IP_URL =
  /^[\s"']*(https?|ftps?):\/\/(?:[^\s/?#@]{0,256}@)?(\[[0-9a-f:.]{2,45}\]|(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?::\d{1,5})?(?=[/?#]|[\s"']*$)([^\s]*)/i;
/** A path ending in a script or a text file a script is served as. */
const SCRIPT_FILE = /\.(?:php\d?|phtml|txt|inc|pl|py|sh|cgi|asp|aspx|jsp)(?:$|[?#\u0000])/i;
/**
 * Parameter names of PHP applications that hold a local directory the application includes from
 * (`mosConfig_absolute_path`, `phpbb_root_path`, `_CONF[path]`, `GLOBALS[include_dir]`): register_globals
 * and config-array overrides that RFI exploits set to a remote URL.
 */
const INCLUDE_ROOT_NAMES =
  /(?:^|[_[])(?:absolute|root|base|include|abs|lib|install|class|app|inc)_?(?:path|dir)\]?$|^_?(?:conf|config|cfg|globals|_server|settings)\[[^\]]{0,40}\b(?:path|dir|root)\]$/i;

/** RFI: see the module comment. */
export const detectRemoteFileInclusion: Detector = (value, { location }) => {
  if (value.length < 10 || value.length > MAX_URL || !REMOTE_URL.test(value)) return undefined;
  const literal = IP_URL.exec(value);
  if (literal !== null && hostKind(literal[2] as string) === 'public') {
    const scheme = (literal[1] as string).toLowerCase();
    // a script fetched from a bare address, or anything over FTP from one, is what an inclusion payload points at
    if (scheme.startsWith('ftp') || SCRIPT_FILE.test(literal[3] as string))
      return { detail: 'ip-host-script', start: 0, end: value.length };
  }
  const url = parseUrl(value);
  if (url === undefined || url.host === '' || url.scheme === 'file') return undefined;
  if (!/^https?$|^ftps?$/.test(url.scheme)) return undefined;
  const path = url.rest;
  if (CUT_SHORT.test(path)) return { detail: 'url-cut-short', start: 0, end: value.length };
  const name = location.slice(location.indexOf(':') + 1);
  if (INCLUDE_ROOT_NAMES.test(name)) return { detail: 'remote-include-root', start: 0, end: value.length };
  if (INCLUDE_NAMES.test(name) && SCRIPT_PATH.test(path)) return { detail: 'remote-script', start: 0, end: value.length };
  return undefined;
};

/** SSRF at paranoia 1: loopback, metadata, link-local, unspecified and oddly spelled addresses; protocol-smuggling schemes. */
export const detectSsrf: Detector = ssrf(false);
/** Also private ranges and URLs inside longer values, for paranoia 2 and up. */
export const detectSsrfPrivate: Detector = ssrf(true);

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  ssrf: detectSsrf,
  'ssrf-private': detectSsrfPrivate,
  rfi: detectRemoteFileInclusion,
};
