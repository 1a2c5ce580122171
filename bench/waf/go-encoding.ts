/**
 * The Go standard-library behaviours GoTestWAF's requests depend on, re-implemented from their documented
 * semantics: `url.PathEscape`, `url.QueryEscape`, how `url.Parse` + `URL.RequestURI()` turn a URL into the
 * request target, `encoding/xml` string escaping, header-key canonicalisation and header-value validation.
 */

const HEX = '0123456789ABCDEF';

function isAlnum(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function isUnreservedMark(byte: number): boolean {
  return byte === 0x2d || byte === 0x5f || byte === 0x2e || byte === 0x7e; // - _ . ~
}

/** Go's `$&+,/:;=?@` (RFC 3986 §2.2 as Go lists it). */
const RESERVED = new Set([...'$&+,/:;=?@'].map((c) => c.charCodeAt(0)));

type Mode = 'path' | 'pathSegment' | 'queryComponent';

/** Go's `shouldEscape(c, mode)` for the three modes used here. */
function shouldEscape(byte: number, mode: Mode): boolean {
  if (isAlnum(byte) || isUnreservedMark(byte)) return false;
  if (RESERVED.has(byte)) {
    if (mode === 'path') return byte === 0x3f; // ?
    if (mode === 'pathSegment') return byte === 0x2f || byte === 0x3b || byte === 0x2c || byte === 0x3f; // / ; , ?
    return true;
  }
  return true;
}

function escapeBytes(bytes: Uint8Array, mode: Mode): string {
  let out = '';
  for (const byte of bytes) {
    if (mode === 'queryComponent' && byte === 0x20) out += '+';
    else if (shouldEscape(byte, mode)) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

/** Go `url.PathEscape`: escapes the UTF-8 bytes of `text` for use as one path segment (`/` becomes %2F). */
export function goPathEscape(text: string): string {
  return escapeBytes(Buffer.from(text, 'utf8'), 'pathSegment');
}

/** Go `url.QueryEscape`: escapes for a query component (space becomes `+`). */
export function goQueryEscape(text: string): string {
  return escapeBytes(Buffer.from(text, 'utf8'), 'queryComponent');
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Go `unescape` in path mode: `%XX` to a byte; throws (like Go's "invalid URL escape") on a malformed escape. */
function unescapeBytes(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte !== 0x25) {
      out.push(byte);
      continue;
    }
    const high = hexValue(bytes[i + 1] ?? -1);
    const low = hexValue(bytes[i + 2] ?? -1);
    if (high < 0 || low < 0) throw new Error(`invalid URL escape ${JSON.stringify(text.slice(i, i + 3))}`);
    out.push(high * 16 + low);
    i += 2;
  }
  return Uint8Array.from(out);
}

/** Go `validEncoded(s, encodePath)`: whether `s` may be sent as the path as it is. */
function validEncodedPath(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ("!$&'()*+,;=:@[]%".includes(text[i] as string)) continue;
    if (code > 0x7f || shouldEscape(code, 'path')) return false;
  }
  return true;
}

/**
 * The request target Go's HTTP client writes for a URL whose text after the host is `rest` (starting with
 * `/`): the fragment is dropped, the path is sent as written when it is validly encoded and re-escaped
 * otherwise, the query is sent as written. Throws where Go's `url.Parse` or request writer would fail
 * (a control character anywhere, a malformed `%` escape in the path or fragment).
 */
export function goRequestTarget(rest: string): string {
  const utf8 = Buffer.from(rest, 'utf8').toString('latin1');
  if (/[\x00-\x1f\x7f]/.test(utf8)) throw new Error('net/url: invalid control character in URL');
  const hash = utf8.indexOf('#');
  const beforeFragment = hash < 0 ? utf8 : utf8.slice(0, hash);
  if (hash >= 0) unescapeBytes(utf8.slice(hash + 1));
  let path = beforeFragment;
  let query: string | undefined;
  const questionMarks = beforeFragment.split('?').length - 1;
  if (beforeFragment.endsWith('?') && questionMarks === 1) {
    path = beforeFragment.slice(0, -1);
    query = '';
  } else if (questionMarks > 0) {
    const at = beforeFragment.indexOf('?');
    path = beforeFragment.slice(0, at);
    query = beforeFragment.slice(at + 1);
  }
  const decoded = unescapeBytes(path);
  let target = validEncodedPath(path) ? path : escapeBytes(decoded, 'path');
  if (target === '') target = '/';
  const bytes = query === undefined ? target : `${target}?${query}`;
  // back from one char per byte to text: the path is ASCII by now, the query is the caller's UTF-8 untouched
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** GoTestWAF's JSUnicode encoder: `\uXXXX` (lower-case hex) for every UTF-16 code unit. */
export function jsUnicode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const XML_ESCAPES: Record<string, string> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** GoTestWAF's XMLEntity encoder: Go `xml.Encoder.Encode(string)`, i.e. `<string>escaped</string>`. */
export function xmlEntity(text: string): string {
  let out = '';
  for (const char of text) {
    const escaped = XML_ESCAPES[char];
    if (escaped !== undefined) out += escaped;
    else out += isXmlChar(char.codePointAt(0) ?? 0) ? char : '\uFFFD';
  }
  return `<string>${out}</string>`;
}

/** Go `textproto.CanonicalMIMEHeaderKey` for token keys: upper-case after start and `-`, lower-case elsewhere. */
export function goCanonicalHeaderKey(key: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  let upper = true;
  let out = '';
  for (const char of key) {
    out += upper ? char.toUpperCase() : char.toLowerCase();
    upper = char === '-';
  }
  return out;
}

/** Go `httpguts.ValidHeaderFieldValue`: no control bytes other than tab. */
export function goValidHeaderValue(value: string): boolean {
  return !/[\x00-\x08\x0a-\x1f\x7f]/.test(value);
}
