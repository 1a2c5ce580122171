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
