import type { SimExchange } from '../exchange.js';

/**
 * `X-Forwarded-For` as the logging hop received it: whatever the client sent itself, then the client's
 * address as the proxy in front (`proxyIp`, the hop's peer) saw it and appended. Every writer logs this
 * same chain, so every format resolves the same client — and never a forged left-most entry.
 */
export function forwardedFor(x: SimExchange): string {
  const sent = x.request.headers['x-forwarded-for'];
  return sent === undefined || sent === '' ? x.client.ip : `${sent}, ${x.client.ip}`;
}

const BASIC = /^basic ./i;

/** The user name of a Basic `Authorization` header (what nginx `$remote_user` and Zeek log), or `undefined`. */
export function basicAuthUser(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !BASIC.test(authorization)) return undefined;
  const credentials = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  return colon > 0 ? credentials.slice(0, colon) : undefined;
}

/** The part of a record that stays the same over a client's session, rendered once. */
export interface SessionPart {
  text: string;
  /** `text` in UTF-8, when the part is shared by a session's requests. */
  bytes?: Uint8Array;
}

interface KnownPart extends SessionPart {
  ip: string;
  userAgent: string;
  tls: SimExchange['client']['tls'];
  host: string;
  scheme: string;
}

/**
 * A cache of the part of a record that depends only on the client (address, user agent, TLS), the host,
 * the scheme and the request headers. The requests of a session share one frozen header object (the
 * exchange factory's), so `render` runs once per session; a request with its own header object (one with a
 * body) is rendered each time, without bytes. `render` must read nothing else of the exchange.
 */
export function sessionPart(render: (x: SimExchange) => string): (x: SimExchange) => SessionPart {
  const known = new WeakMap<Readonly<Record<string, string>>, KnownPart>();
  return (x) => {
    const { client, request } = x;
    const headers = request.headers;
    const part = known.get(headers);
    if (
      part !== undefined &&
      part.ip === client.ip &&
      part.userAgent === client.userAgent &&
      part.tls === client.tls &&
      part.host === request.host &&
      part.scheme === request.scheme
    )
      return part;
    const text = render(x);
    if (!Object.isFrozen(headers)) return { text };
    const shared: KnownPart = {
      ip: client.ip,
      userAgent: client.userAgent,
      tls: client.tls,
      host: request.host,
      scheme: request.scheme,
      text,
      bytes: Buffer.from(text),
    };
    known.set(headers, shared);
    return shared;
  };
}

/**
 * `writeInto` for a line made of a head that changes from request to request and a session part: the
 * bytes of `head + part.text`, or -1 when `out` has too little room.
 */
export function writeHeadAndPart(head: string, part: SessionPart, out: Buffer, at: number): number {
  const bytes = part.bytes;
  // a UTF-16 code unit takes at most three bytes
  if (out.length - at < 3 * (head.length + (bytes === undefined ? part.text.length : 0)) + (bytes?.length ?? 0)) return -1;
  const n = out.write(head, at);
  if (bytes === undefined) return n + out.write(part.text, at + n);
  out.set(bytes, at + n);
  return n + bytes.length;
}
