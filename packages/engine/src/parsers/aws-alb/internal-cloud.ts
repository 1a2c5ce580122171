/**
 * Helpers shared by the cloud load-balancer parsers (`aws-alb`, `gcp-lb`): splitting `address:port` and
 * absolute request URLs. None of them throws.
 */

/** An address with an optional port. */
export interface HostPort {
  ip: string;
  port?: number;
}

/**
 * Splits `address:port`. With `portAlways` the last colon always starts the port (AWS writes IPv6 as
 * `2001:db8::1:2817`, no brackets); without it a bare IPv6 address (several colons, no brackets) has no
 * port. `[v6]:port` is understood either way. `undefined` for an empty value or `-`.
 */
export function splitHostPort(value: string, portAlways: boolean): HostPort | undefined {
  if (value === '' || value === '-') return undefined;
  let ip: string;
  let portText: string | undefined;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const close = value.indexOf(']');
    if (close < 0) return { ip: value };
    ip = value.slice(1, close);
    if (value[close + 1] === ':') portText = value.slice(close + 2);
  } else {
    const last = value.lastIndexOf(':');
    if (last < 0 || (!portAlways && value.indexOf(':') !== last)) return { ip: value };
    ip = value.slice(0, last);
    portText = value.slice(last + 1);
  }
  const port = portText === undefined ? undefined : parsePort(portText);
  if (ip === '') return undefined;
  return port === undefined ? { ip } : { ip, port };
}

/** The parts of an absolute URL as logged by a load balancer (`https://host:443/a/b?x=1`). */
export interface UrlParts {
  scheme: string;
  /** Host, with the port only when it is not the scheme's default. */
  host: string;
  path: string;
  query?: string;
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', ws: ':80', https: ':443', wss: ':443' };

/** Splits an absolute URL; `undefined` when it is not one. A URL without a path gets `/`. */
export function splitAbsoluteUrl(url: string): UrlParts | undefined {
  const sep = url.indexOf('://');
  if (sep <= 0) return undefined;
  const scheme = url.slice(0, sep).toLowerCase();
  const start = sep + 3;
  let end = start;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */) break;
    end++;
  }
  let host = url.slice(start, end);
  if (host === '') return undefined;
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort !== undefined && host.endsWith(defaultPort)) host = host.slice(0, -defaultPort.length);
  if (end === url.length) return { scheme, host, path: '/' };
  const q = url.indexOf('?', end);
  if (url.charCodeAt(end) === 63) return { scheme, host, path: '/', query: url.slice(end + 1) };
  return q < 0 ? { scheme, host, path: url.slice(end) } : { scheme, host, path: url.slice(end, q), query: url.slice(q + 1) };
}

function parsePort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
