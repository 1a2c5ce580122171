import { createHash } from 'node:crypto';

/** The parts of a request the header fingerprint reads; node's `IncomingMessage` satisfies it as is. */
export interface HeaderFingerprintInput {
  /** `'1.0'`, `'1.1'`, `'2.0'` or `'3.0'` as node reports it. */
  readonly httpVersion: string;
  /** Header names and values alternating, in the order and case received (`IncomingMessage.rawHeaders`). */
  readonly rawHeaders: readonly string[];
}

/**
 * Header names left out of the fingerprint because they describe the request or the session rather than
 * the client software: cookies and referrers, body framing, and cache/range conditions.
 */
export const HEADER_FINGERPRINT_EXCLUDED: ReadonlySet<string> = new Set([
  'cookie',
  'referer',
  'origin',
  'content-length',
  'content-type',
  'transfer-encoding',
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
]);

const EMPTY_HASH = '000000000000';
const CACHE_LIMIT = 4096;
const CACHE_KEY_LIMIT = 512;
const hashCache = new Map<string, string>();

/**
 * Computes Palisade's HTTP header fingerprint (`phf`), which tells client software apart by how it writes
 * its request headers. Palisade's own format, not FoxIO's JA4H (FoxIO License 1.1: non-commercial use only,
 * patent pending); ordering request headers as a client signal is older prior art (p0f v3's HTTP signatures).
 *
 * Format: `<version><case><count><language>_<order>_<encoding>`, e.g. `11l07en_4ae0f4a72b53_bfef2768617c`:
 * - `version`: `10`, `11`, `20`, `30` from `httpVersion`, else `00`.
 * - `case`: how the counted header names are spelled: `l` all lower case (HTTP/2, undici), `t` all
 *   Title-Case (`User-Agent`, as curl and most HTTP/1 libraries write), `m` a mix (browsers over HTTP/1.1),
 *   `0` when no header is counted.
 * - `count`: two digits, the number of header fields counted (repeats included), capped at 99.
 * - `language`: the first two letters of the first `Accept-Language` range, lower case; `00` when the header
 *   is absent or does not start with two ASCII letters.
 * - `order`: first 12 hex characters of SHA-256 over the counted header names, lower-cased, in the order
 *   received, joined by `,`.
 * - `encoding`: the same hash over the `Accept-Encoding` value with white space removed and lower-cased.
 *
 * Counted headers are all but the names in {@link HEADER_FINGERPRINT_EXCLUDED} and HTTP/2 pseudo-headers
 * (`:method`…). An empty list hashes to `000000000000`. No header value other than the language letters and
 * the encoding hash enters the fingerprint, so it carries no cookie, token or identifier of the user.
 * Cost: one pass over the headers plus at most two SHA-256 of short strings (memoised in a bounded cache).
 *
 * @example
 * // curl's `Host`, `User-Agent`, `Accept`:
 * computeHeaderFingerprint(req); // '11t0300_042112399351_000000000000'
 */
export function computeHeaderFingerprint(request: HeaderFingerprintInput): string {
  const raw = request.rawHeaders;
  let names = '';
  let count = 0;
  let lower = true;
  let title = true;
  let language = '00';
  let encoding = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const key = name.toLowerCase();
    if (key === 'accept-language' && language === '00') language = languageOf(raw[i + 1] as string);
    else if (key === 'accept-encoding' && encoding === '') encoding = (raw[i + 1] as string).replace(/[ \t]/g, '').toLowerCase();
    if (key.startsWith(':') || HEADER_FINGERPRINT_EXCLUDED.has(key)) continue;
    names += count === 0 ? key : `,${key}`;
    count++;
    if (lower && name !== key) lower = false;
    if (title && !isTitleCase(name)) title = false;
  }
  const style = count === 0 ? '0' : lower ? 'l' : title ? 't' : 'm';
  return `${versionOf(request.httpVersion)}${style}${String(Math.min(count, 99)).padStart(2, '0')}${language}_${hash12(names)}_${hash12(encoding)}`;
}

function versionOf(httpVersion: string): string {
  switch (httpVersion) {
    case '1.0':
      return '10';
    case '1.1':
      return '11';
    case '2.0':
    case '2':
      return '20';
    case '3.0':
    case '3':
      return '30';
    default:
      return '00';
  }
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function languageOf(value: string): string {
  const a = value.charCodeAt(0);
  const b = value.charCodeAt(1);
  return isAsciiLetter(a) && isAsciiLetter(b) ? value.slice(0, 2).toLowerCase() : '00';
}

/** Whether every `-`-separated word starts with an upper-case letter and has no other upper-case letter. */
function isTitleCase(name: string): boolean {
  let wordStart = true;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x2d) {
      wordStart = true;
      continue;
    }
    const upper = code >= 0x41 && code <= 0x5a;
    if (wordStart ? !upper : upper) return false;
    wordStart = false;
  }
  return true;
}

function hash12(text: string): string {
  if (text.length === 0) return EMPTY_HASH;
  const cacheable = text.length <= CACHE_KEY_LIMIT;
  let hash = cacheable ? hashCache.get(text) : undefined;
  if (hash === undefined) {
    hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
    if (cacheable) {
      if (hashCache.size >= CACHE_LIMIT) hashCache.clear();
      hashCache.set(text, hash);
    }
  }
  return hash;
}
