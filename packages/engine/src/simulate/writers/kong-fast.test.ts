import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { SimExchange } from '../exchange.js';
import { simulate } from '../simulate.js';
import { forwardedFor } from './internal.js';
import { kongWriter, readQueryArgs, regexPath, slug, splitAddress } from './kong.js';

// The Kong writer renders lines from cached fragments. These tests hold it to the object the writer built
// and `JSON.stringify`d whole before it was made fast (`referenceKong`, copied from that version), and hold
// `writeInto` to the bytes of `write`.

const TLS13 = {
  version: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  ja3: 'e7d705a3286e19ea42f587b344ee6865',
  ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
};
const TLS12 = { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', ja3: '0', ja4: 't12d1209h1_0_0' };
/** Quotes, a backslash, non-ASCII letters and an astral emoji: everything a JSON writer can get wrong. */
const ODD = 'Mozilla/5.0 "Zürich" \\ Größe 测试 🚀';

/** A session's header object, frozen and shared as the exchange factory makes it. */
const SESSION_HEADERS = Object.freeze({ accept: 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTQyIn0.' });
/** A shared header object that sets `Host`, `User-Agent` and `X-Forwarded-For` itself. */
const OVERRIDING_HEADERS = Object.freeze({
  host: 'evil.example',
  'user-agent': 'curl/8.5.0',
  'x-forwarded-for': '10.9.8.7',
  'x-api-key': 'pk_live_1',
});
const RESPONSE_HEADERS = Object.freeze({ 'content-type': 'application/json' });

const base: SimExchange = {
  time: 1772439342123,
  id: '4f1b8d6e2c3a4b5d9e8f0a1b2c3d4e5f',
  client: { ip: '203.0.113.9', port: 51422, userAgent: 'okhttp/4.12.0', tls: TLS13 },
  proxyIp: '198.51.100.3',
  request: {
    method: 'GET',
    scheme: 'https',
    host: 'api.shop.example',
    path: '/v1/orders/8812',
    query: 'expand=items&tag=a&tag=b%20c&q=caf%C3%A9+cr%C3%A8me',
    headers: SESSION_HEADERS,
    size: 412,
  },
  response: { status: 200, headers: RESPONSE_HEADERS, size: 1834 },
  latencyMs: 48.4,
  upstreamMs: 41.7,
  upstream: { service: 'orders', address: '198.51.100.40:8080' },
  consumer: 'mobile-app',
  route: '/v1/orders/{id}',
};

/** An exchange like `base` with some parts changed (`request` and `client` merged one level deep). */
function exchange(
  change: Omit<Partial<SimExchange>, 'request' | 'client'> & {
    request?: Partial<SimExchange['request']>;
    client?: Partial<SimExchange['client']>;
  },
): SimExchange {
  return { ...base, ...change, client: { ...base.client, ...change.client }, request: { ...base.request, ...change.request } };
}

const CASES: Record<string, SimExchange> = {
  'shared headers, https, consumer': base,
  'the same shared headers from another client': exchange({
    id: 'a1',
    client: { ip: '203.0.113.10', userAgent: ODD, tls: TLS12 },
    proxyIp: '198.51.100.4',
  }),
  'the same shared headers over plain http': exchange({ id: 'a2', request: { scheme: 'http', query: '' }, consumer: undefined }),
  'shared headers that set host, user-agent and x-forwarded-for': exchange({ id: 'a3', request: { headers: OVERRIDING_HEADERS } }),
  'own headers with a body, odd consumer': exchange({
    id: 'a4',
    request: {
      method: 'POST',
      path: '/v1/payments',
      query: '',
      headers: { 'content-type': 'application/json', 'x-note': ODD },
      body: '{"a":1}',
    },
    response: { status: 201, headers: { 'content-type': 'application/json', location: '/v1/payments/p-77' }, size: 35 },
    consumer: 'partner "a" \\ 🚀',
    route: '/v1/payments',
  }),
  'own headers over plain http, no consumer, no route, IPv6 everywhere': exchange({
    id: 'a5',
    client: { ip: '2001:db8::7' },
    proxyIp: '2001:db8::10',
    request: { scheme: 'http', headers: { authorization: 'Bearer x', 'x-forwarded-for': '' } },
    response: { status: 401, headers: { 'www-authenticate': 'Bearer' }, size: 0 },
    upstream: { service: 'accounts', address: '[2001:db8::44]:9000' },
    consumer: undefined,
    route: undefined,
  }),
  'response headers that set content-length and Kong headers': exchange({
    id: 'a6',
    response: { status: 500, headers: { 'content-length': '99', via: 'proxy', 'x-kong-request-id': 'x', 'x-extra': ODD }, size: 16 },
    latencyMs: 2017.5,
    upstreamMs: 2010.49,
  }),
  'odd path, query and host': exchange({
    id: 'a7',
    request: { host: 'api."odd".example', path: '/v1/search/"x"\\\u0001\ud800', query: 'q=%ZZ&&=x&__proto__=1&a=%F0%9F%9A%80&b=\u0007' },
  }),
  'routes whose slug is empty, and odd routes': exchange({ id: 'a8', route: '' }),
  'a route of braces only': exchange({ id: 'a9', route: '{x}', consumer: 'mobile-app' }),
  'a route with odd characters': exchange({
    id: 'aa',
    route: '/a b/"c"/{x}/ü/{y}',
    upstream: { service: 'carts', address: 'carts.internal' },
  }),
  'a bare IPv6 upstream and a port that is no number': exchange({ id: 'ab', upstream: { service: 'carts', address: 'fe80::1' } }),
  'a port that is no number': exchange({ id: 'ac', upstream: { service: 'carts', address: 'carts:http' } }),
  'latencies that are no numbers': exchange({ id: 'ad', latencyMs: Number.NaN, upstreamMs: 3 }),
  'upstream slower than the whole request': exchange({ id: 'ae', latencyMs: 3, upstreamMs: 5 }),
};

test('kong writer: lines parse to the object the reference writer built, for odd and ordinary exchanges', () => {
  for (const [name, x] of Object.entries(CASES)) {
    const line = kongWriter.write(x, false);
    assert.ok(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1, name);
    assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(referenceKong(x))), name);
  }
});

test('kong writer: simulated traffic parses to the object the reference writer built', () => {
  const exchanges: SimExchange[] = [];
  simulate({ days: 2, seed: 11, scale: 'small' }, (x) => exchanges.push(x));
  assert.ok(exchanges.some((x) => x.consumer !== undefined) && exchanges.some((x) => x.consumer === undefined));
  for (const x of exchanges) assert.deepEqual(JSON.parse(kongWriter.write(x, false)), JSON.parse(JSON.stringify(referenceKong(x))), x.id);
});

test('kong writer: writeInto writes the bytes of write, one line after another', () => {
  const writeInto = kongWriter.writeInto;
  assert.ok(writeInto !== undefined);
  const out = Buffer.alloc(1 << 16);
  let at = 3;
  let expected = '';
  // twice, so the second round finds every session part cached
  for (const x of [...Object.values(CASES), ...Object.values(CASES)]) {
    const line = kongWriter.write(x, false);
    const n = writeInto(x, out, at);
    assert.equal(n, Buffer.byteLength(line), x.id);
    at += n;
    expected += line;
  }
  assert.equal(out.subarray(3, at).toString(), expected);
});

test('kong writer: writeInto returns -1 and writes nothing when the buffer has too little room', () => {
  const writeInto = kongWriter.writeInto;
  assert.ok(writeInto !== undefined);
  for (const x of [base, CASES['own headers with a body, odd consumer'] as SimExchange]) {
    const length = Buffer.byteLength(kongWriter.write(x, false));
    const out = Buffer.alloc(length + 9, 0xaa);
    assert.equal(writeInto(x, out, 10), -1);
    assert.ok(out.every((byte) => byte === 0xaa));
  }
});

// The writer as it was before it was made fast: the object `kong.log.serialize()` would give.

const KONG_PORT = { https: 8443, http: 8000 } as const;

function referenceKong(x: SimExchange): Record<string, unknown> {
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

function serializeConsumer(username: string): Record<string, unknown> {
  const id = nameUuid('consumer', username);
  return { authenticated_entity: { id: nameUuid('credential', username), consumer_id: { id } }, consumer: { id, username } };
}

function nameUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
