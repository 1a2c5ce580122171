import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimExchange, SimWriter } from '../exchange.js';
import { Random } from '../random.js';
import { simulate } from '../simulate.js';
import { envoyJsonWriter } from './envoy.js';
import { basicAuthUser, forwardedFor } from './internal.js';
import { mimeType, REASON_PHRASES, splitHostPort, zeekUid, zeekWriter } from './zeek.js';

// The records the writers built before their hot paths were rewritten (one object per line, then
// `JSON.stringify`), kept here as the reference: the new lines must parse to the same JSON.

function referenceEnvoy(x: SimExchange): Record<string, unknown> {
  const { request, response, client } = x;
  const https = request.scheme === 'https';
  return {
    start_time: new Date(x.time).toISOString(),
    route_name: x.route ?? null,
    method: request.method,
    path: request.query === '' ? request.path : `${request.path}?${request.query}`,
    protocol: https && client.tls.ja4.slice(8, 10) === 'h2' ? 'HTTP/2' : 'HTTP/1.1',
    response_code: response.status,
    response_flags: '-',
    response_code_details: 'via_upstream',
    connection_termination_details: null,
    upstream_transport_failure_reason: null,
    bytes_received: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    bytes_sent: response.size,
    duration: Math.round(x.latencyMs),
    upstream_service_time: String(Math.round(x.upstreamMs)),
    x_forwarded_for: forwardedFor(x),
    user_agent: request.headers['user-agent'] ?? client.userAgent,
    request_id: x.id,
    authority: request.host,
    upstream_host: x.upstream.address,
    upstream_cluster: x.upstream.service,
    downstream_remote_address: x.proxyIp.includes(':') ? `[${x.proxyIp}]:${client.port}` : `${x.proxyIp}:${client.port}`,
    requested_server_name: https ? request.host : null,
    downstream_tls_version: https ? client.tls.version : null,
    downstream_tls_cipher: https ? client.tls.cipher : null,
  };
}

function referenceZeek(x: SimExchange): Record<string, unknown> {
  const { client, request, response } = x;
  const headers = request.headers;
  const responder = splitHostPort(x.upstream.address, 80);
  const requestMime = mimeType(headers['content-type']);
  const responseMime = mimeType(response.headers['content-type']);
  return {
    ts: Number((x.time / 1000).toFixed(6)),
    uid: zeekUid(x.id),
    'id.orig_h': x.proxyIp,
    'id.orig_p': client.port,
    'id.resp_h': responder.host,
    'id.resp_p': responder.port,
    trans_depth: 1,
    method: request.method,
    host: request.host,
    uri: request.query === '' ? request.path : `${request.path}?${request.query}`,
    referrer: headers.referer,
    version: '1.1',
    user_agent: client.userAgent,
    origin: headers.origin,
    request_body_len: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    response_body_len: response.size,
    status_code: response.status,
    status_msg: REASON_PHRASES[response.status],
    tags: [],
    username: basicAuthUser(headers.authorization),
    proxied: [`X-FORWARDED-FOR -> ${forwardedFor(x)}`],
    orig_mime_types: request.body === undefined || requestMime === undefined ? undefined : [requestMime],
    resp_mime_types: response.size === 0 || responseMime === undefined ? undefined : [responseMime],
  };
}

const WRITERS: Array<[SimWriter, (x: SimExchange) => Record<string, unknown>]> = [
  [envoyJsonWriter, referenceEnvoy],
  [zeekWriter, referenceZeek],
];

// Exchanges as the factory makes them: a session's requests share one frozen header object, a request with
// a body has its own.

const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTQyIn0.';
const SESSION_HEADERS = Object.freeze({ accept: 'application/json', authorization: `Bearer ${JWT}` });
/** Every header the writers read, with values that need escaping, non-ASCII and an emoji. */
const ODD_HEADERS = Object.freeze({
  accept: 'application/json',
  authorization: `Basic ${Buffer.from('zoë "the" \\admin😀:pw').toString('base64')}`,
  referer: 'https://shop.example/cart?note="x"\\y\tz',
  origin: 'https://shóp.example',
  'user-agent': 'Bot "quoted" \\ 😀 naïve\u0001',
  'x-forwarded-for': '203.0.113.1, "forged"',
  'content-type': 'Application/JSON; charset=utf-8',
});
const RESPONSE_HEADERS = Object.freeze({ 'content-type': 'application/json' });
const TLS13 = {
  version: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  ja3: 'e7d705a3286e19ea42f587b344ee6865',
  ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
};
const TLS12 = { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', ja3: '0', ja4: 't12d1209h1_0_0' };
const ORDERS = Object.freeze({ service: 'orders', address: '10.1.3.10:8080' });

const base: SimExchange = {
  time: Date.UTC(2026, 10, 3, 13, 2, 15, 123),
  id: '0000000b00000000000000020000002a',
  client: { ip: '203.0.113.9', port: 51422, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)', tls: TLS13 },
  proxyIp: '198.51.100.3',
  request: {
    method: 'GET',
    scheme: 'https',
    host: 'api.shop.example',
    path: '/v2/orders/8812',
    query: 'expand=items&q=caf%C3%A9',
    headers: SESSION_HEADERS,
    size: 412,
  },
  response: { status: 200, headers: RESPONSE_HEADERS, size: 1834 },
  latencyMs: 48.512,
  upstreamMs: 41.499,
  upstream: ORDERS,
  consumer: undefined,
  route: '/v2/orders/{orderId}',
};

const EXCHANGES: SimExchange[] = [
  base,
  // the same session a second later, whole seconds
  { ...base, time: Date.UTC(2026, 10, 3, 13, 2, 16, 0), id: '0000000b00000000000000020000002b', request: { ...base.request, query: '' } },
  // the same frozen headers from another client: nothing of the first client may show
  {
    ...base,
    time: Date.UTC(2026, 10, 3, 23, 59, 59, 999),
    id: '0000000b00000000000000020000002c',
    client: { ip: '2001:db8::7', port: 1024, userAgent: 'okhttp/4.12.0', tls: TLS12 },
    proxyIp: '2001:db8::10',
  },
  // the same frozen headers over plain http, to an IPv6 upstream
  {
    ...base,
    time: Date.UTC(2026, 10, 4, 0, 0, 0, 0),
    id: '0000000b00000000000000030000002d',
    request: { ...base.request, scheme: 'http', query: '' },
    upstream: { service: 'carts', address: '[2001:db8::44]:9000' },
  },
  // odd characters everywhere a value comes from, with a lone surrogate in the query
  {
    ...base,
    time: Date.UTC(2026, 10, 4, 7, 8, 9, 10),
    id: 'ffffffffffffffffffffffffffffffff',
    client: { ip: '198.51.100.200', port: 65535, userAgent: 'curl "x" \\ é 😀', tls: { ...TLS13, cipher: 'TLS_"odd"\\cipher' } },
    request: {
      ...base.request,
      host: 'ápi.shop.example',
      path: '/v2/search/"quoted"\\back/naïve/😀',
      query: 'q=\ud800&r="\\"&s=\n',
      headers: ODD_HEADERS,
    },
    route: '/v2/search/{"odd"}',
  },
  // a write with its own headers and a body with non-ASCII
  {
    ...base,
    time: Date.UTC(2026, 10, 4, 9, 0, 0, 999),
    id: '0000000b000000000000000300000030',
    request: {
      ...base.request,
      method: 'POST',
      path: '/v2/payments',
      query: '',
      headers: { accept: 'application/json', 'content-type': 'application/json; charset=utf-8', referer: 'https://shop.example/' },
      body: '{"amount":1299,"note":"say \\"hi\\"\\nnaïve 😀"}',
      size: 256,
    },
    response: { status: 201, headers: { 'content-type': 'Application/Problem+JSON ; q=1' }, size: 35 },
    upstream: { service: 'payments', address: '10.1.6.10:8080' },
  },
  // a body without a content type, a status without a reason phrase, no route, an upstream without a port
  {
    ...base,
    time: 1_000,
    id: '0000000b000000000000000300000031',
    request: { ...base.request, method: 'PUT', query: '', headers: { authorization: 'Basic bm9jb2xvbg==' }, body: '{}' },
    response: { status: 418, headers: {}, size: 7 },
    upstream: { service: 'edge', address: 'edge.internal' },
    route: undefined,
  },
  // nothing sent back; a content type that names no media type
  {
    ...base,
    time: Date.UTC(2026, 10, 4, 9, 0, 1, 500),
    id: '0000000b000000000000000300000032',
    request: { ...base.request, method: 'DELETE', headers: { 'content-type': ' ; charset=utf-8' }, body: '' },
    response: { status: 204, headers: RESPONSE_HEADERS, size: 0 },
    latencyMs: 0.5,
    upstreamMs: 1.5,
  },
  // times a `Date` and `toFixed` treat specially: before 1970, fractions of a ms, beyond the year 9999
  { ...base, time: -1, id: 'abc' },
  { ...base, time: Date.UTC(2026, 10, 4, 9, 0, 1, 500) + 0.75 },
  { ...base, time: Date.UTC(1969, 11, 31, 23, 59, 58, 1) - 0.25 },
  { ...base, time: Date.UTC(10_000, 0, 1, 0, 0, 0, 1) },
  { ...base, time: 0, id: '' },
];

function assertSameRecords(
  writer: SimWriter,
  reference: (x: SimExchange) => Record<string, unknown>,
  exchanges: Iterable<SimExchange>,
): number {
  let n = 0;
  for (const x of exchanges) {
    const line = writer.write(x, false);
    assert.ok(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1, line);
    assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(reference(x))), `${writer.format} ${x.id} ${x.time}`);
    n++;
  }
  return n;
}

function assertWritesIntoSameBytes(writer: SimWriter, exchanges: Iterable<SimExchange>): void {
  const out = Buffer.alloc(1 << 16);
  for (const x of exchanges) {
    const expected = Buffer.from(writer.write(x, false));
    const at = 7;
    const n = writer.writeInto?.(x, out, at);
    assert.equal(n, expected.length, `${writer.format} ${x.id}`);
    assert.deepEqual(out.subarray(at, at + expected.length), expected, `${writer.format} ${x.id}`);
  }
}

for (const [writer, reference] of WRITERS) {
  test(`${writer.format} writer: each line parses to the record the object-building writer made`, () => {
    assertSameRecords(writer, reference, EXCHANGES);
    // twice, in another order: what a writer kept from one exchange must not leak into the next
    assertSameRecords(writer, reference, [...EXCHANGES].reverse());
  });

  test(`${writer.format} writer: times parse to the same value as before, across the range of dates`, () => {
    const random = new Random(5);
    const times: number[] = [0, 999, 1_000, 1e15 - 1, 1e15, 1e15 + 1, 8.64e15, -8.64e15, 253_402_300_799_999, 253_402_300_800_000];
    for (let i = 0; i < 10_000; i++)
      times.push(random.int(0, 2 ** 31) * 4_000 + random.int(0, 3_999), random.int(0, 2 ** 31) * 500_000 + random.int(0, 499_999));
    for (let i = 0; i < 1_000; i++) times.push((random.next() - 0.5) * 1.7e16, random.int(0, 8e6) * 1e6 + random.next());
    assertSameRecords(
      writer,
      reference,
      times.map((time) => ({ ...base, time })),
    );
  });

  test(`${writer.format} writer: writeInto writes the bytes of write, shared headers or not`, () => {
    assert.ok(writer.writeInto !== undefined);
    assertWritesIntoSameBytes(writer, EXCHANGES);
    assertWritesIntoSameBytes(writer, [...EXCHANGES].reverse());
  });

  test(`${writer.format} writer: writeInto writes nothing when the line does not fit`, () => {
    for (const x of EXCHANGES) {
      const length = Buffer.byteLength(writer.write(x, false));
      for (const [size, at] of [
        [length - 1, 0],
        [length + 10, 11],
        [0, 0],
      ] as const) {
        const out = Buffer.alloc(size, 0xaa);
        assert.equal(writer.writeInto?.(x, out, at), -1, `${writer.format} ${x.id}`);
        assert.ok(
          out.every((byte) => byte === 0xaa),
          `${writer.format} ${x.id}`,
        );
      }
    }
  });
}

test('envoy and zeek writers: a simulated run parses to the same records as before, and writeInto agrees', () => {
  const exchanges: SimExchange[] = [];
  simulate({ days: 2, seed: 11, scale: 'small' }, (x) => exchanges.push(x));
  for (const [writer, reference] of WRITERS) {
    assert.equal(assertSameRecords(writer, reference, exchanges), exchanges.length);
    assertWritesIntoSameBytes(writer, exchanges);
  }
});

test('zeek uids differ between the requests of one simulated day', () => {
  const uids = new Set<string>();
  const ids = ['0000000700000000000000010000000a', '0000000700000000000000010000000b', '000000070000000000000002ffffffff'];
  for (const id of ids) uids.add(zeekUid(id));
  assert.equal(uids.size, ids.length);
  for (const uid of uids) assert.match(uid, /^C[0-9A-Za-z]{18}$/);
});
