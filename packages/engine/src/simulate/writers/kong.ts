import { createHash } from 'node:crypto';
import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor, sessionPart, writeHeadAndPart } from './internal.js';
import { memo, quoted } from './json-text.js';

/**
 * Kong Gateway `http-log` / `file-log` JSON lines: one `kong.log.serialize()` object per line, as the `kong`
 * parser reads them.
 *
 * Contract: Kong is the logging hop, so `client_ip` (nginx `$remote_addr`) is the proxy in front of it and
 * the client is in `X-Forwarded-For` (unless the exchange sent its own). Latencies are whole ms, as Kong
 * logs them. Entity ids (service, route, consumer, credential) are UUIDs derived from their names, so the
 * same consumer has the same id in every run. `response.size` is the exchange's body bytes: Kong would
 * count the response headers too, which the exchange does not know.
 *
 * Hot path: a line is the JSON of that object (keys in another order than Kong's), put together from
 * fragments that repeat: the route, service and consumer entities, the response headers, the query
 * arguments and the request's `headers` and `tls` (once per session, `requestTail`), each rendered the
 * first time it is seen. `writeInto` copies a session's bytes instead of building a whole line.
 */
export const kongWriter: SimWriter = {
  format: 'kong',
  extension: '.ndjson',
  begin: () => '',
  write: (x) => `${lineHead(x)}${requestTail(x).text}`,
  writeInto: (x, out, at) => writeHeadAndPart(lineHead(x), requestTail(x), out, at),
  end: () => '',
};

/** Kong's default proxy listeners: `server_port` in `request.url`. */
const KONG_PORT = { https: 8443, http: 8000 } as const;

/**
 * `{"started_at":…` to `"request":{…,"size":…,`: what changes from request to request, with the `request`
 * object left open for the session's part. `uri` is escaped once for `uri`, `upstream_uri` and `url`.
 */
function lineHead(x: SimExchange): string {
  const { request, response } = x;
  const uri = JSON.stringify(request.query === '' ? request.path : `${request.path}?${request.query}`);
  const id = JSON.stringify(x.id);
  const latencyMs = Math.round(x.latencyMs);
  const upstreamMs = Math.round(x.upstreamMs);
  const kongMs = Math.max(0, latencyMs - upstreamMs);
  const upstream = upstreamOf(x.upstream.address);
  const consumer = x.consumer === undefined ? '' : consumerText(x.consumer);
  return (
    `{"started_at":${num(x.time)},"client_ip":${few(x.proxyIp)},"source":"upstream",` +
    `"latencies":{"request":${num(latencyMs)},"kong":${num(kongMs)},"proxy":${num(upstreamMs)}},` +
    `"upstream_uri":${uri},"upstream_status":"${response.status}",` +
    `"response":{"status":${num(response.status)},"size":${num(response.size)},"headers":{${responseHeaders(response.headers, response.size)}` +
    `"x-kong-upstream-latency":"${upstreamMs}","x-kong-proxy-latency":"${kongMs}","x-kong-request-id":${id},"via":"1.1 kong/3.8.0"}},` +
    `"tries":[{"balancer_start":${num(x.time + kongMs)},"balancer_latency":0,${upstream.peer}}],` +
    `${consumer}${entitiesText(upstream, x.upstream.service, x.route)}` +
    `"request":{"id":${id},"method":${few(request.method)},"uri":${uri},"url":${urlStart(request.scheme, request.host)}${uri.slice(1)},` +
    `"querystring":${queryArgs(request.query)},"size":${num(request.size)},`
  );
}

/**
 * `"headers":…,"tls":…}}` and the line's end: the request headers as Kong logs them (`Host` and `User-Agent`
 * unless the request's own headers set them, then the `X-Forwarded-For` chain) and the TLS, once per session.
 */
const requestTail = sessionPart((x) => {
  const { client, request } = x;
  const headers = requestHeaders(request.headers);
  const host = headers.hasHost ? '' : `"host":${few(request.host)},`;
  const userAgent = headers.hasUserAgent ? '' : `"user-agent":${few(client.userAgent)},`;
  const tls =
    request.scheme === 'https'
      ? `,"tls":${JSON.stringify({ version: client.tls.version, cipher: client.tls.cipher, client_verify: 'NONE' })}`
      : '';
  return `"headers":{${host}${userAgent}${headers.text}"x-forwarded-for":${JSON.stringify(forwardedFor(x))}}${tls}}}\n`;
});

interface RequestHeadersText {
  /** `"name":value,` for each of the request's headers but `X-Forwarded-For` (Kong logs the chain). */
  text: string;
  hasHost: boolean;
  hasUserAgent: boolean;
}

/**
 * The rendered headers of each shared (frozen) request header object. The session part is rendered again
 * whenever another client sends the same header object (every session without headers of its own shares
 * one), and then only the client's values are new.
 */
const requestHeaderTexts = new WeakMap<Readonly<Record<string, string>>, RequestHeadersText>();

function requestHeaders(headers: Readonly<Record<string, string>>): RequestHeadersText {
  let known = requestHeaderTexts.get(headers);
  if (known === undefined) {
    known = {
      text: headerEntries(headers, 'x-forwarded-for'),
      hasHost: isOwnEnumerable.call(headers, 'host'),
      hasUserAgent: isOwnEnumerable.call(headers, 'user-agent'),
    };
    if (Object.isFrozen(headers)) requestHeaderTexts.set(headers, known);
  }
  return known;
}

/** Whether a spread copies the name: own and enumerable. */
const isOwnEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * `"name":value,` for each header a spread copies but those in `skip` (Kong sets them), as `JSON.stringify`
 * writes them: a value it leaves out leaves its name out too.
 */
function headerEntries(headers: Readonly<Record<string, string>>, ...skip: string[]): string {
  let text = '';
  for (const name of Object.keys(headers)) {
    if (skip.includes(name)) continue;
    const value = JSON.stringify(headers[name]) as string | undefined;
    if (value !== undefined) text += `${JSON.stringify(name)}:${value},`;
  }
  return text;
}

/** A number as `JSON.stringify` writes it (`null` for NaN and infinities). */
function num(n: number): number | string {
  return Number.isFinite(n) ? n : 'null';
}

interface ResponseHeadersText {
  /** `"name":value,` for each of the upstream's headers Kong keeps. */
  text: string;
  /** Whether the upstream set `content-length` itself (Kong's own is then not written). */
  hasLength: boolean;
}

/** The rendered response headers of each shared (frozen) header object: the simulator's answers share one. */
const responseHeaderTexts = new WeakMap<Readonly<Record<string, string>>, ResponseHeadersText>();

/** `"content-length":…,` and the upstream's response headers but those Kong sets, each followed by a comma. */
function responseHeaders(headers: Readonly<Record<string, string>>, size: number): string {
  let known = responseHeaderTexts.get(headers);
  if (known === undefined) {
    known = {
      text: headerEntries(headers, 'x-kong-upstream-latency', 'x-kong-proxy-latency', 'x-kong-request-id', 'via'),
      hasLength: isOwnEnumerable.call(headers, 'content-length'),
    };
    if (Object.isFrozen(headers)) responseHeaderTexts.set(headers, known);
  }
  return known.hasLength ? known.text : `"content-length":"${size}",${known.text}`;
}

/** `quoted` for values from small sets (addresses, methods, hosts, user agents). */
const few = memo(quoted);

/** `request.url` up to the path, escaped, without its closing quote, by scheme and host. */
const urlStarts = {
  https: memo((host: string) => JSON.stringify(`https://${host}:${KONG_PORT.https}`).slice(0, -1)),
  http: memo((host: string) => JSON.stringify(`http://${host}:${KONG_PORT.http}`).slice(0, -1)),
};

function urlStart(scheme: SimExchange['request']['scheme'], host: string): string {
  // the port's digits end this part, so escaping it apart from the path gives the bytes escaping it whole would
  return urlStarts[scheme](host);
}

/** Kong's `querystring` as JSON: decoded arguments, a repeated name as an array of its values. */
const queryArgs = memo((query: string) => JSON.stringify(readQueryArgs(query)));

export function readQueryArgs(query: string): Record<string, string | string[]> {
  const args = new Map<string, string | string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    const previous = args.get(name);
    args.set(name, previous === undefined ? value : [previous, value].flat());
  }
  return Object.fromEntries(args);
}

/** The key-auth consumer and credential Kong authenticated: `"authenticated_entity":…,"consumer":…,`. */
const consumerText = memo((username: string) => {
  const id = nameUuid('consumer', username);
  const entity = { id: nameUuid('credential', username), consumer_id: { id } };
  return `"authenticated_entity":${JSON.stringify(entity)},"consumer":${JSON.stringify({ id, username })},`;
});

/** An upstream address, split, and the route and service entities rendered for it. */
interface Upstream {
  ip: string;
  port: number;
  /** `"ip":…,"port":…` of `tries`. */
  peer: string;
  /** `"route":…,"service":…,` by service name, then by route template (`undefined`: no route). */
  entities: Map<string, Map<string | undefined, string>>;
}

const upstreamOf = memo((address: string): Upstream => {
  const [ip, port] = splitAddress(address);
  return { ip, port, peer: `"ip":${JSON.stringify(ip)},"port":${JSON.stringify(port)}`, entities: new Map() };
});

/** The route and service entities of a request: `"route":…,"service":…,`. */
function entitiesText(upstream: Upstream, service: string, route: string | undefined): string {
  let routes = upstream.entities.get(service);
  if (routes === undefined) {
    if (upstream.entities.size >= 1000) upstream.entities.clear();
    routes = new Map();
    upstream.entities.set(service, routes);
  }
  let text = routes.get(route);
  if (text === undefined) {
    text = renderEntities(upstream, service, route);
    if (routes.size >= 1000) routes.clear();
    routes.set(route, text);
  }
  return text;
}

function renderEntities(upstream: Upstream, service: string, route: string | undefined): string {
  const serviceId = nameUuid('service', service);
  const routeName = route === undefined ? service : slug(route) || service;
  const routeEntity = {
    id: nameUuid('route', routeName),
    name: routeName,
    paths: [route === undefined ? '/' : regexPath(route)],
    protocols: ['http', 'https'],
    strip_path: false,
    preserve_host: true,
    service: { id: serviceId },
  };
  const serviceEntity = { id: serviceId, name: service, host: upstream.ip, port: upstream.port, protocol: 'http' };
  return `"route":${JSON.stringify(routeEntity)},"service":${JSON.stringify(serviceEntity)},`;
}

/** `198.51.100.4:8080`, `[2001:db8::4]:8080` or a bare address to its address and port (80 when absent). */
export function splitAddress(address: string): [string, number] {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(address);
  if (bracketed !== null) return [bracketed[1] as string, Number(bracketed[2] ?? 80)];
  const colon = address.indexOf(':');
  // no port, or a bare IPv6 address
  if (colon < 0 || colon !== address.lastIndexOf(':')) return [address, 80];
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

/** A route template (`/orders/{id}`) as a Kong 3 regex path (`~/orders/[^/]+$`). */
export function regexPath(template: string): string {
  return `~${template.replace(/\{[^}/]*\}/g, '[^/]+')}$`;
}

/** A Kong entity name (letters, digits, `.-_~`) from a route template: `/orders/{id}` → `orders-id`. */
export function slug(template: string): string {
  return template.replace(/[^\w.~-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** A stable UUID for a named Kong entity, each computed once (a hash per line costs more than the line). */
const nameUuid = (kind: string, name: string): string => uuids(`${kind}:${name}`);

const uuids = memo((key: string) => {
  const h = createHash('sha1').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
});
