import { isIP } from 'node:net';

/** What one response's CORS headers allow. */
export type CorsReading =
  /** `*` with `Access-Control-Allow-Credentials: true`. */
  | 'wildcard-with-credentials'
  /** `null` (sandboxed documents, `file:` pages) with credentials. */
  | 'null-with-credentials'
  /** The request's `Origin` echoed back, with credentials. */
  | 'echo-with-credentials'
  /** `*` without credentials. */
  | 'wildcard';

/** Reads the CORS headers of one response; `undefined` when there are none or they are not permissive. */
export function readCors(
  requestHeaders: Readonly<Record<string, string>>,
  responseHeaders: Readonly<Record<string, string>>,
): CorsReading | undefined {
  const allowOrigin = responseHeaders['access-control-allow-origin']?.trim();
  if (allowOrigin === undefined || allowOrigin === '') return undefined;
  const credentials = responseHeaders['access-control-allow-credentials']?.trim().toLowerCase() === 'true';
  if (allowOrigin === '*') return credentials ? 'wildcard-with-credentials' : 'wildcard';
  if (!credentials) return undefined;
  if (allowOrigin.toLowerCase() === 'null') return 'null-with-credentials';
  const origin = requestHeaders['origin']?.trim();
  return origin !== undefined && origin !== '' && origin.toLowerCase() === allowOrigin.toLowerCase() ? 'echo-with-credentials' : undefined;
}

/**
 * The site of an origin or host, approximated without the public suffix list: the last two labels
 * (`app.example.com` → `example.com`), three under a two-letter country code with a short second level
 * (`shop.example.co.uk` → `example.co.uk`), the whole host for IP addresses and single labels.
 * Returns `undefined` when the text has no host.
 */
export function siteOf(originOrHost: string): string | undefined {
  let host = originOrHost.trim().toLowerCase();
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  host = host.split('/')[0] ?? '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1) || undefined;
  host = host.replace(/:\d+$/, '').replace(/\.$/, '');
  if (host === '') return undefined;
  if (isIP(host) !== 0) return host;
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const tld = labels[labels.length - 1] as string;
  const second = labels[labels.length - 2] as string;
  const keep = tld.length === 2 && second.length <= 3 ? 3 : 2;
  return labels.slice(-keep).join('.');
}
