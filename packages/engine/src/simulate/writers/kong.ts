import { createHash } from 'node:crypto';
import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor } from './internal.js';

/**
 * Kong Gateway `http-log` / `file-log` JSON lines: one `kong.log.serialize()` object per line, as the `kong`
 * parser reads them.
 *
 * Contract: Kong is the logging hop, so `client_ip` (nginx `$remote_addr`) is the proxy in front of it and
 * the client is in `X-Forwarded-For` (unless the exchange sent its own). Latencies are whole ms, as Kong
 * logs them. Entity ids (service, route, consumer, credential) are UUIDs derived from their names, so the
 * same consumer has the same id in every run. `response.size` is the exchange's body bytes: Kong would
 * count the response headers too, which the exchange does not know.
 */
export const kongWriter: SimWriter = {
  format: 'kong',
  extension: '.ndjson',
  begin: () => '',
  write: (exchange) => `${JSON.stringify(serializeKong(exchange))}\n`,
  end: () => '',
};

/** Kong's default proxy listeners: `server_port` in `request.url`. */
const KONG_PORT = { https: 8443, http: 8000 } as const;

function serializeKong(x: SimExchange): Record<string, unknown> {
  const { request, response, client } = x;
  const uri = request.query === '' ? request.path : `${request.path}?${request.query}`;
  const [upstreamIp, upstreamPort] = splitAddress(x.upstream.address);
  const upstreamMs = Math.round(x.upstreamMs);
  const kongMs = Math.max(0, Math.round(x.latencyMs) - upstreamMs);
  const serviceId = nameUuid('service', x.upstream.service);
  const routeName = x.route === undefined ? x.upstream.service : slug(x.route) || x.upstream.service;
  return {
    request: {
      id: x.id,
      method: request.method,
      uri,
      url: `${request.scheme}://${request.host}:${KONG_PORT[request.scheme]}${uri}`,
      querystring: readQueryArgs(request.query),
      size: request.size,
      headers: { host: request.host, 'user-agent': client.userAgent, ...request.headers, 'x-forwarded-for': forwardedFor(x) },
      tls: request.scheme === 'https' ? { version: client.tls.version, cipher: client.tls.cipher, client_verify: 'NONE' } : undefined,
    },
    upstream_uri: uri,
    upstream_status: String(response.status),
    response: {
      status: response.status,
      size: response.size,
      headers: {
        'content-length': String(response.size),
        ...response.headers,
        'x-kong-upstream-latency': String(upstreamMs),
        'x-kong-proxy-latency': String(kongMs),
        'x-kong-request-id': x.id,
        via: '1.1 kong/3.8.0',
      },
    },
    tries: [{ balancer_start: x.time + kongMs, balancer_latency: 0, ip: upstreamIp, port: upstreamPort }],
    ...(x.consumer === undefined ? {} : serializeConsumer(x.consumer)),
    route: {
      id: nameUuid('route', routeName),
      name: routeName,
      paths: [x.route === undefined ? '/' : regexPath(x.route)],
      protocols: ['http', 'https'],
      strip_path: false,
      preserve_host: true,
      service: { id: serviceId },
    },
    service: { id: serviceId, name: x.upstream.service, host: upstreamIp, port: upstreamPort, protocol: 'http' },
    latencies: { request: Math.round(x.latencyMs), kong: kongMs, proxy: upstreamMs },
    client_ip: x.proxyIp,
    started_at: x.time,
    source: 'upstream',
  };
}

/** The key-auth consumer and credential Kong authenticated. */
function serializeConsumer(username: string): Record<string, unknown> {
  const id = nameUuid('consumer', username);
  return { authenticated_entity: { id: nameUuid('credential', username), consumer_id: { id } }, consumer: { id, username } };
}

/** Kong's `querystring`: decoded arguments, a repeated name as an array of its values. */
function readQueryArgs(query: string): Record<string, string | string[]> {
  const args = new Map<string, string | string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    const previous = args.get(name);
    args.set(name, previous === undefined ? value : [previous, value].flat());
  }
  return Object.fromEntries(args);
}

/** `198.51.100.4:8080`, `[2001:db8::4]:8080` or a bare address to its address and port (80 when absent). */
function splitAddress(address: string): [string, number] {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(address);
  if (bracketed !== null) return [bracketed[1] as string, Number(bracketed[2] ?? 80)];
  const colon = address.indexOf(':');
  // no port, or a bare IPv6 address
  if (colon < 0 || colon !== address.lastIndexOf(':')) return [address, 80];
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

/** A route template (`/orders/{id}`) as a Kong 3 regex path (`~/orders/[^/]+$`). */
function regexPath(template: string): string {
  return `~${template.replace(/\{[^}/]*\}/g, '[^/]+')}$`;
}

/** A Kong entity name (letters, digits, `.-_~`) from a route template: `/orders/{id}` → `orders-id`. */
function slug(template: string): string {
  return template.replace(/[^\w.~-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** A stable UUID for a named Kong entity. */
function nameUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
