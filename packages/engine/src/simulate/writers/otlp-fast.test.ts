import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimExchange } from '../exchange.js';
import { simulate } from '../simulate.js';
import { forwardedFor } from './internal.js';
import { otlpJsonWriter, splitHost } from './otlp.js';

// The OTLP/JSON writer renders lines from cached fragments. These tests hold it to the request the writer
// built and `JSON.stringify`d whole before it was made fast (`referenceOtlp`, copied from that version),
// and hold `writeInto` to the bytes of `write`.

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
/** A shared header object with a client-sent `X-Forwarded-For` and odd values. */
const FORWARDING_HEADERS = Object.freeze({
  'x-forwarded-for': '203.0.113.250',
  'user-agent': 'curl/8.5.0',
  cookie: `sid="${ODD}"`,
  'x-odd\u0001': '\ud800',
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
  route: '/v1/orders/{id}',
};

/** An exchange like `base` with some parts changed (`request`, `response` and `client` merged one level deep). */
function exchange(
  change: Omit<Partial<SimExchange>, 'request' | 'response' | 'client'> & {
    request?: Partial<SimExchange['request']>;
    response?: Partial<SimExchange['response']>;
    client?: Partial<SimExchange['client']>;
  },
): SimExchange {
  return {
    ...base,
    ...change,
    client: { ...base.client, ...change.client },
    request: { ...base.request, ...change.request },
    response: { ...base.response, ...change.response },
  };
}

const CASES: Record<string, SimExchange> = {
  'shared headers, https, a route': base,
  'the same shared headers from another client': exchange({
    id: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    client: { ip: '203.0.113.10', userAgent: ODD, tls: TLS12 },
    proxyIp: '198.51.100.4',
  }),
  'the same shared headers over plain http, without a query': exchange({
    id: 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2',
    request: { scheme: 'http', query: '' },
  }),
  'the same shared headers to another host with a port': exchange({
    id: 'a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3',
    request: { host: 'api.shop.example:8443' },
  }),
  'shared headers with a client-sent x-forwarded-for and odd values': exchange({
    id: 'a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4',
    request: { headers: FORWARDING_HEADERS },
  }),
  'own headers with a body, no route': exchange({
    id: 'a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5',
    request: {
      method: 'POST',
      path: '/v1/payments',
      query: '',
      headers: { 'content-type': 'application/json', 'x-note': ODD },
      body: '{"note":"naïve 🚀"}',
    },
    response: { status: 201, headers: { 'content-type': 'application/json', location: '/v1/payments/p-77' }, size: 35 },
    route: undefined,
  }),
  'own headers over plain http, IPv6 everywhere, a server error': exchange({
    id: 'a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6',
    client: { ip: '2001:db8::7' },
    proxyIp: '2001:db8::10',
    request: { scheme: 'http', host: '[2001:db8::1]:8080', headers: { authorization: 'Bearer x', 'x-forwarded-for': '' } },
    response: { status: 503, headers: { 'retry-after': '30' }, size: 0 },
    upstream: { service: 'accounts', address: '[2001:db8::44]:9000' },
  }),
  'a method the conventions do not name': exchange({ id: 'a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7', request: { method: 'PROPFIND' } }),
  'a lower-case method and an odd one': exchange({ id: 'a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8', request: { method: 'get' }, route: undefined }),
  'a method with quotes and non-ASCII': exchange({ id: 'a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9', request: { method: 'X"Ü\\' } }),
  'odd path, query, host and route': exchange({
    id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    request: { host: 'api."odd".example', path: '/v1/search/"x"\\\u0001\ud800', query: 'q=%ZZ&&=x&a=🚀&b=\u0007' },
    route: '/a b/"c"/{x}/ü',
  }),
  'hosts that are no name and port': exchange({ id: 'abababababababababababababababab', request: { host: 'fe80::1' } }),
  'a port that is no number': exchange({ id: 'acacacacacacacacacacacacacacacac', request: { host: 'api.example:http' } }),
  'an IPv6 host without a port': exchange({ id: 'adadadadadadadadadadadadadadadad', request: { host: '[2001:db8::2]' } }),
  'no response headers, an odd service, no headers': exchange({
    id: 'aeaeaeaeaeaeaeaeaeaeaeaeaeaeaeae',
    request: { headers: Object.freeze({}) },
    response: { status: 500, headers: Object.freeze({}), size: 3 },
    upstream: { service: 'svc "q" 🚀', address: '10.0.0.1:80' },
  }),
  'times and latencies with fractions': exchange({ id: 'afafafafafafafafafafafafafafafaf', time: 1772439342123.457, latencyMs: 0.0004 }),
  'a latency that is no number': exchange({ id: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0', latencyMs: Number.NaN }),
  'a client error and an empty route': exchange({ id: 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1', response: { status: 404 }, route: '' }),
};

test('otlp-json writer: lines parse to the request the reference writer built, for odd and ordinary exchanges', () => {
  // twice, so the second round finds every cached part
  for (const [name, x] of [...Object.entries(CASES), ...Object.entries(CASES)]) {
    const line = otlpJsonWriter.write(x, false);
    assert.ok(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1, name);
    assert.deepEqual(JSON.parse(line), JSON.parse(referenceOtlp(x)), name);
  }
});

test('otlp-json writer: simulated traffic parses to the request the reference writer built', () => {
  const exchanges: SimExchange[] = [];
  simulate({ days: 2, seed: 11, scale: 'small' }, (x) => exchanges.push(x));
  assert.ok(
    exchanges.some((x) => x.request.body !== undefined) && exchanges.some((x) => x.response.status >= 500),
    'bodies and server errors',
  );
  for (const x of exchanges) {
    const line = otlpJsonWriter.write(x, false);
    const reference = referenceOtlp(x);
    // the same text parses the same: only lines that differ are parsed, which keeps the test fast
    if (line !== reference) assert.deepEqual(JSON.parse(line), JSON.parse(reference), x.id);
  }
});

test('otlp-json writer: writeInto writes the bytes of write, one line after another', () => {
  const writeInto = otlpJsonWriter.writeInto;
  assert.ok(writeInto !== undefined, 'the writer has writeInto');
  const out = Buffer.alloc(1 << 20);
  let at = 3;
  let expected = '';
  // twice, so the second round finds every cached part
  for (const x of [...Object.values(CASES), ...Object.values(CASES)]) {
    const line = otlpJsonWriter.write(x, false);
    const n = writeInto(x, out, at);
    assert.equal(n, Buffer.byteLength(line), x.id);
    at += n;
    expected += line;
  }
  assert.ok(out.subarray(3, at).equals(Buffer.from(expected)), 'the bytes of the lines, in order');
});

test('otlp-json writer: writeInto returns -1 and writes nothing when the buffer has too little room', () => {
  const writeInto = otlpJsonWriter.writeInto;
  assert.ok(writeInto !== undefined, 'the writer has writeInto');
  for (const x of [base, CASES['own headers with a body, no route'] as SimExchange]) {
    const length = Buffer.byteLength(otlpJsonWriter.write(x, false));
    const out = Buffer.alloc(length + 9, 0xaa);
    assert.equal(writeInto(x, out, 10), -1);
    assert.ok(
      out.every((byte) => byte === 0xaa),
      `nothing written for ${x.id}`,
    );
  }
});

// The writer as it was before it was made fast: an `ExportTraceServiceRequest` built as an object.

type AnyValue = { stringValue: string } | { intValue: string } | { arrayValue: { values: { stringValue: string }[] } };

interface KeyValue {
  key: string;
  value: AnyValue;
}

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

function referenceOtlp(x: SimExchange): string {
  const { client, request, response } = x;
  const attributes: KeyValue[] = [];
  const put = (key: string, value: AnyValue): void => {
    attributes.push({ key, value });
  };
  if (KNOWN_METHODS.has(request.method)) {
    put('http.request.method', str(request.method));
  } else {
    put('http.request.method', str('_OTHER'));
    put('http.request.method_original', str(request.method));
  }
  put('url.path', str(request.path));
  if (request.query !== '') put('url.query', str(request.query));
  put('url.scheme', str(request.scheme));
  const server = splitHost(request.host, request.scheme === 'https' ? 443 : 80);
  put('server.address', str(server.name));
  put('server.port', int(server.port));
  put('client.address', str(client.ip));
  put('client.port', int(client.port));
  put('network.peer.address', str(x.proxyIp));
  put('network.protocol.version', str('1.1'));
  put('user_agent.original', str(client.userAgent));
  if (x.route !== undefined) put('http.route', str(x.route));
  put('http.response.status_code', int(response.status));
  if (response.status >= 500) put('error.type', str(String(response.status)));
  put('http.request.size', int(request.size));
  if (request.body !== undefined) put('http.request.body.size', int(Buffer.byteLength(request.body)));
  put('http.response.body.size', int(response.size));

  put('http.request.header.x-forwarded-for', list([forwardedFor(x)]));
  for (const [name, value] of Object.entries(request.headers)) {
    if (name !== 'x-forwarded-for') put(`http.request.header.${name}`, list([value]));
  }
  for (const [name, value] of Object.entries(response.headers)) put(`http.response.header.${name}`, list([value]));

  const startMicros = Math.round(x.time * 1000);
  const endMicros = startMicros + Math.round(x.latencyMs * 1000);
  const exportRequest = {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: str(x.upstream.service) },
            { key: 'telemetry.sdk.name', value: str('opentelemetry') },
          ],
        },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-http' },
            spans: [
              {
                traceId: x.id,
                spanId: x.id.slice(16, 32),
                name: x.route === undefined ? request.method : `${request.method} ${x.route}`,
                kind: 2,
                startTimeUnixNano: `${startMicros}000`,
                endTimeUnixNano: `${endMicros}000`,
                attributes,
                status: response.status >= 500 ? { code: 2 } : {},
              },
            ],
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(exportRequest)}\n`;
}

function str(value: string): AnyValue {
  return { stringValue: value };
}

function int(value: number): AnyValue {
  return { intValue: String(value) };
}

function list(values: readonly string[]): AnyValue {
  return { arrayValue: { values: values.map((value) => ({ stringValue: value })) } };
}
