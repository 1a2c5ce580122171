/**
 * What the sensor sends upstream: the client's headers in their order, without hop-by-hop headers, with
 * the proxy chain recorded in `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` and `Forwarded`
 * (RFC 7239), and what it sends back: the upstream's headers without hop-by-hop ones.
 */
import { util as undiciUtil } from 'undici';

const headerNameToString = undiciUtil.headerNameToString;

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), plus ones the proxy sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
]);

/** How the client reached the sensor. */
export interface HopFacts {
  /** The address that connected to the sensor. */
  peerIp: string;
  /** `http` or `https`, as the client spoke to the sensor. */
  proto: 'http' | 'https';
  /** The Host the client asked for. */
  host?: string;
  preserveHost: boolean;
  /** The protocol the client asks to switch to (`websocket`): the upgrade headers are then kept. */
  upgrade?: string;
}

/**
 * The request headers for the upstream, as a flat `[name, value, …]` list (order and case kept).
 * `Content-Length` is left to the HTTP client, which sets it from the body it sends.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], hop: HopFacts): string[] {
  const out: string[] = [];
  const connectionListed = connectionTokens(rawHeaders);
  let forwardedFor: string | undefined;
  let forwarded: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    else if (lower === 'forwarded') forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`;
    else if (HOP_BY_HOP.has(lower) || connectionListed?.has(lower) || (lower === 'host' && !hop.preserveHost)) continue;
    else out.push(name, value);
  }
  const node = hop.peerIp.includes(':') ? `"[${hop.peerIp}]"` : hop.peerIp;
  const element = `for=${node};proto=${hop.proto}${hop.host === undefined ? '' : `;host=${quoteToken(hop.host)}`}`;
  out.push('x-forwarded-for', forwardedFor === undefined ? hop.peerIp : `${forwardedFor}, ${hop.peerIp}`);
  out.push('x-forwarded-proto', hop.proto);
  if (hop.host !== undefined) out.push('x-forwarded-host', hop.host);
  out.push('forwarded', forwarded === undefined ? element : `${forwarded}, ${element}`);
  if (hop.upgrade !== undefined) out.push('connection', 'Upgrade', 'upgrade', hop.upgrade);
  return out;
}

/** Response headers to pass back to the client: everything but hop-by-hop headers. */
export function clientResponseHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || isHopByHopResponseHeader(name, listed)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The upstream's response headers as the client gets them, read in one pass from undici's raw list (names
 * lower-cased, repeated headers gathered in an array, values as latin1, as undici's `parseHeaders` reads
 * them): the same object as `clientResponseHeaders(parseHeaders(raw))`, without building the first one.
 */
export function clientResponseHeadersOf(raw: readonly Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let connection: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = headerNameToString(raw[i] as Buffer);
    const value = (raw[i + 1] as Buffer).toString('latin1');
    if (name === 'connection') {
      connection ??= [];
      connection.push(value);
    }
    if (name === '__proto__' || isHopByHopResponseHeader(name, undefined)) continue;
    const seen = Object.hasOwn(out, name) ? out[name] : undefined;
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  // the names `Connection` lists (they may come before it); `keep-alive` and `close`, the usual ones, name
  // nothing that is relayed
  if (connection !== undefined) {
    for (const value of connection) {
      if (value === 'keep-alive' || value === 'close') continue;
      for (const token of value.toLowerCase().split(',')) {
        const listed = token.trim();
        if (Object.hasOwn(out, listed)) delete out[listed];
      }
    }
  }
  return out;
}

/** The header names a `Connection` value lists (they belong to that connection only). */
function connectionListed(connection: string | string[] | undefined): Set<string> | undefined {
  return connection === undefined
    ? undefined
    : new Set(
        String(connection)
          .toLowerCase()
          .split(/\s*,\s*/),
      );
}

function isHopByHopResponseHeader(name: string, listed: Set<string> | undefined): boolean {
  return (
    name === 'connection' ||
    name === 'keep-alive' ||
    name === 'transfer-encoding' ||
    name === 'trailer' ||
    name === 'upgrade' ||
    name === 'proxy-authenticate' ||
    name === 'proxy-connection' ||
    listed?.has(name) === true
  );
}

function connectionTokens(rawHeaders: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // only a name of its length can be `Connection`: the others are not lower-cased for nothing
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    tokens ??= new Set();
    for (const token of (rawHeaders[i + 1] as string).toLowerCase().split(',')) tokens.add(token.trim());
  }
  return tokens;
}

/** A `Forwarded` parameter value: a token as is, anything else quoted. */
function quoteToken(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}
