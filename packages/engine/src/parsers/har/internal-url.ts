/**
 * Helpers shared by the `har` and `otlp-json` parsers, which both receive URLs, protocol versions and header
 * lists in structured form. None of them throws.
 */

/** The parts of a URL as sent: percent-encoding kept, nothing normalized except the scheme's case. */
export interface UrlParts {
  scheme?: string;
  /** Host with port when the URL has one; user info is not part of it. */
  host?: string;
  path: string;
  /** Raw query without `?`; `''` when the URL ends in `?`. */
  query?: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Splits an absolute URL (`https://api.example.com:8443/a?x=1`) or a request target (`/a?x=1`) into its
 * parts; the fragment is dropped and an empty path becomes `/`. `undefined` for text that is neither.
 */
export function splitUrl(url: string): UrlParts | undefined {
  const hash = url.indexOf('#');
  let rest = hash < 0 ? url : url.slice(0, hash);
  let scheme: string | undefined;
  let host: string | undefined;
  if (rest.charCodeAt(0) !== 47 /* / */) {
    if (rest === '*') return { path: '*' };
    const sep = rest.indexOf('://');
    if (sep <= 0) return undefined;
    scheme = rest.slice(0, sep).toLowerCase();
    if (!SCHEME.test(scheme)) return undefined;
    let end = sep + 3;
    while (end < rest.length) {
      const c = rest.charCodeAt(end);
      if (c === 47 /* / */ || c === 63 /* ? */) break;
      end++;
    }
    const authority = rest.slice(sep + 3, end);
    const at = authority.lastIndexOf('@');
    host = at < 0 ? authority : authority.slice(at + 1);
    if (host === '') host = undefined;
    rest = rest.slice(end);
  }
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  return { scheme, host, path: path === '' ? '/' : path, query: q < 0 ? undefined : rest.slice(q + 1) };
}

const VERSION = /^(?:http\/|h)?(\d)(?:\.(\d))?$/i;

/**
 * Normalizes an HTTP version as tools write it (`HTTP/1.1`, `http/2.0`, `HTTP/2`, `h2`, `h3`, OTel's `1.1`
 * and `2`) to `HTTP/<major>.<minor>`; `undefined` for anything else (`unknown`, `SPDY`, `QUIC`, empty).
 */
export function normalizeHttpVersion(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = VERSION.exec(value);
  return m === null ? undefined : `HTTP/${m[1]}.${m[2] ?? '0'}`;
}

/**
 * Adds a header value under its lower-cased name; a repeated name is joined with `, `, except `cookie`
 * whose values are joined with `; ` (RFC 9110 §5.3, RFC 6265 §5.4).
 */
export function addHeader(headers: Record<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  if (key === '__proto__') return;
  const previous = Object.hasOwn(headers, key) ? headers[key] : undefined;
  headers[key] = previous === undefined ? value : `${previous}${key === 'cookie' ? '; ' : ', '}${value}`;
}

/** Removes a header and returns its value (for headers that have a field of their own). */
export function takeHeader(headers: Record<string, string>, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  delete headers[name];
  return value === '' ? undefined : value;
}
