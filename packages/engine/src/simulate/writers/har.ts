import { STATUS_CODES } from 'node:http';
import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor } from './internal.js';

/**
 * One HAR 1.2 document per file, one entry per exchange on its own line, as the `har` parser reads it: the
 * view of a recording proxy (mitmproxy) in front of the upstream, with bodies when the exchange has them.
 *
 * Contract: HAR has no client address field, so the client is in the `X-Forwarded-For` request header
 * (unless the exchange sent its own); `serverIPAddress` is the upstream's address. `time` is the gateway
 * latency, split into `wait` (upstream) and `receive` (the rest).
 */
export const harWriter: SimWriter = {
  format: 'har',
  extension: '.har',
  begin: () => '{"log":{"version":"1.2","creator":{"name":"palisade-simulate","version":"1.0"},"entries":[\n',
  write: (exchange, first) => `${first ? '' : ',\n'}${JSON.stringify(serializeEntry(exchange))}`,
  end: () => '\n]}}\n',
};

function serializeEntry(x: SimExchange): Record<string, unknown> {
  const { request, response, client } = x;
  const httpVersion = request.scheme === 'https' && client.tls.ja4.slice(8, 10) === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1';
  const bodySize = request.body === undefined ? 0 : Buffer.byteLength(request.body);
  const contentType = response.headers['content-type'] ?? (response.body === undefined ? '' : 'application/json');
  return {
    startedDateTime: new Date(x.time).toISOString(),
    time: x.latencyMs,
    request: {
      method: request.method,
      url: `${request.scheme}://${request.host}${request.path}${request.query === '' ? '' : `?${request.query}`}`,
      httpVersion,
      cookies: [],
      headers: toHarList({ host: request.host, 'user-agent': client.userAgent, ...request.headers, 'x-forwarded-for': forwardedFor(x) }),
      queryString: [...new URLSearchParams(request.query)].map(([name, value]) => ({ name, value })),
      postData:
        request.body === undefined
          ? undefined
          : { mimeType: request.headers['content-type'] ?? 'application/json', params: [], text: request.body },
      headersSize: request.size - bodySize,
      bodySize,
    },
    response: {
      status: response.status,
      statusText: STATUS_CODES[response.status] ?? '',
      httpVersion,
      cookies: [],
      headers: toHarList(response.headers),
      content: { size: response.size, mimeType: contentType, text: response.body },
      redirectURL: response.headers.location ?? '',
      headersSize: -1,
      bodySize: response.size,
    },
    cache: {},
    timings: { send: 0, wait: x.upstreamMs, receive: Math.max(0, x.latencyMs - x.upstreamMs) },
    serverIPAddress: serverIp(x.upstream.address),
  };
}

function toHarList(headers: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

/** The IP of an upstream address (`198.51.100.4:8080`, `[2001:db8::4]:8080`), without port or brackets. */
function serverIp(address: string): string {
  const bracketed = /^\[(.+)\]/.exec(address);
  if (bracketed !== null) return bracketed[1] as string;
  const colon = address.indexOf(':');
  return colon < 0 || colon !== address.lastIndexOf(':') ? address : address.slice(0, colon);
}
