import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReject, isSkip, type ParsedEvent, type ParseOutcome } from '@palisade/core';
import { parseAll } from '@palisade/testkit';
import { resolveClientAddress, splitForwardedFor } from '../../enrich/client-address.js';
import { compileIpRanges } from '../../enrich/ip-ranges.js';
import { createDefaultParserRegistry } from '../../parsers/index.js';
import type { SimExchange, SimWriter } from '../exchange.js';
import { nginxJsonWriter } from './nginx-json.js';
import { otlpJsonWriter } from './otlp.js';
import { zeekWriter } from './zeek.js';

const BEARER = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTg4MTIifQ.';
const API_KEY = 'pk_live_3f9a1c77e2b04d8e';
/** Quotes, a backslash, non-ASCII letters and an astral emoji: everything a JSON writer can get wrong. */
const ODD_AGENT = 'Mozilla/5.0 "Zürich" \\ Größe 测试 🚀';

interface Spec {
  time: number;
  id: string;
  clientIp: string;
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  responseSize: number;
  latencyMs: number;
  userAgent?: string;
  route?: string;
}

function makeExchange(spec: Spec): SimExchange {
  return {
    time: spec.time,
    id: spec.id,
    client: {
      ip: spec.clientIp,
      port: 51544,
      userAgent: spec.userAgent ?? 'okhttp/4.12.0',
      tls: {
        version: 'TLSv1.3',
        cipher: 'TLS_AES_128_GCM_SHA256',
        ja3: 'e7d705a3286e19ea42f587b344ee6865',
        ja4: 't13d1516h2_8daaf6152771_b186095e22b6',
      },
    },
    proxyIp: '10.0.0.5',
    request: {
      method: spec.method,
      scheme: 'https',
      host: 'api.example.com',
      path: spec.path,
      query: spec.query ?? '',
      headers: { accept: 'application/json', ...spec.headers },
      body: spec.body,
      size: 412 + (spec.body?.length ?? 0),
    },
    response: { status: spec.status, headers: { 'content-type': 'application/json' }, size: spec.responseSize },
    latencyMs: spec.latencyMs,
    upstreamMs: spec.latencyMs - 1.5,
    upstream: { service: 'orders', address: '10.0.3.14:8080' },
    route: spec.route,
  };
}

const EXCHANGES: readonly SimExchange[] = [
  makeExchange({
    time: 1796043731123,
    id: '5b8efff798038103d269b633813fc60c',
    clientIp: '203.0.113.9',
    method: 'GET',
    path: '/v2/users/8812/orders',
    query: 'page=2&sort=desc',
    headers: { authorization: BEARER, referer: 'https://shop.example.com/' },
    status: 200,
    responseSize: 1432,
    latencyMs: 31.25,
    route: '/v2/users/{id}/orders',
  }),
  makeExchange({
    time: 1796043732004,
    id: '0af7651916cd43dd8448eb211c80319c',
    clientIp: '198.51.100.23',
    method: 'POST',
    path: '/v2/orders',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: '{"sku":"A-1","qty":2,"note":"gift \\"wrap\\"\\n"}',
    status: 201,
    responseSize: 88,
    latencyMs: 120.5,
  }),
  makeExchange({
    time: 1796043733999,
    id: '9d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6',
    clientIp: '2001:db8::7',
    method: 'GET',
    path: '/v2/admin/users',
    status: 401,
    responseSize: 57,
    latencyMs: 2,
  }),
  makeExchange({
    time: 1796043735500,
    id: 'c0ffee00c0ffee00c0ffee00c0ffee01',
    clientIp: '203.0.113.77',
    method: 'DELETE',
    path: '/v2/orders/77',
    query: 'force=true',
    headers: { authorization: BEARER },
    userAgent: ODD_AGENT,
    status: 500,
    responseSize: 0,
    latencyMs: 1003.75,
  }),
];

const registry = createDefaultParserRegistry();
const trustedProxies = compileIpRanges(['10.0.0.0/8']);

/** Renders the exchanges as one file, parses it back with the writer's own format, and checks every line parses. */
function roundTrip(writer: SimWriter): ParsedEvent[] {
  const content = writer.begin() + EXCHANGES.map((x, i) => writer.write(x, i === 0)).join('') + writer.end();
  const lines = content.split('\n').filter((line) => line !== '');
  assert.equal(registry.detect(lines)?.parser.format, writer.format, 'the output is detected as its own format');
  const events: ParsedEvent[] = [];
  const outcomes: ParseOutcome[] = parseAll(registry.get(writer.format), content).flatMap((o): ParseOutcome[] =>
    Array.isArray(o) ? o : [o],
  );
  for (const outcome of outcomes) {
    assert.ok(!isReject(outcome), `rejected: ${JSON.stringify(outcome)}`);
    assert.ok(!isSkip(outcome), `skipped: ${JSON.stringify(outcome)}`);
    events.push(outcome as ParsedEvent);
  }
  assert.equal(events.length, EXCHANGES.length);
  return events;
}

/** The target as a request line has it: path, then `?query` when there is one. */
function target(x: SimExchange): string {
  return x.request.query === '' ? x.request.path : `${x.request.path}?${x.request.query}`;
}

/** The client address Palisade's enrichment resolves from the parsed peer and forwarded chain. */
function resolvedClient(event: ParsedEvent): string | undefined {
  return resolveClientAddress(event.client.peerIp, splitForwardedFor(event.client.forwardedFor ?? ''), trustedProxies);
}

test('nginx-json writeInto gives the bytes of write, for shared and own header objects, or -1 without room', () => {
  const writeInto = nginxJsonWriter.writeInto;
  assert.ok(writeInto !== undefined);
  const shared = {
    ...(EXCHANGES[0] as SimExchange),
    request: { ...(EXCHANGES[0] as SimExchange).request, headers: Object.freeze({ authorization: BEARER }) },
  };
  // the same header object with another client: the client fields must not come from the first
  const moved = { ...shared, client: { ...shared.client, ip: '198.51.100.200', userAgent: ODD_AGENT } };
  const out = Buffer.alloc(1 << 16);
  for (const x of [...EXCHANGES, shared, moved, shared]) {
    const expected = Buffer.from(nginxJsonWriter.write(x, false));
    const n = writeInto(x, out, 7);
    assert.equal(n, expected.length);
    assert.ok(out.subarray(7, 7 + n).equals(expected), `the same bytes for ${x.id}`);
    assert.equal(writeInto(x, Buffer.alloc(expected.length), 0), -1, 'too little room writes nothing');
  }
});

test('nginx-json lines parse back with every fact of the exchange', () => {
  const events = roundTrip(nginxJsonWriter);
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assert.equal(event.time, x.time);
    assert.equal(event.request.method, x.request.method);
    assert.equal(event.request.host, x.request.host);
    assert.equal(event.request.scheme, 'https');
    assert.equal(event.request.url, target(x));
    assert.equal(event.request.httpVersion, 'HTTP/1.1');
    assert.equal(event.request.size, x.request.size);
    assert.equal(event.response?.status, x.response.status);
    assert.equal(event.response?.size, x.response.size);
    assert.equal(event.response?.headers?.['content-type'], 'application/json');
    assert.equal(event.client.peerIp, x.proxyIp);
    assert.equal(event.client.port, x.client.port);
    assert.equal(event.client.forwardedFor, x.client.ip);
    assert.equal(resolvedClient(event), x.client.ip);
    assert.equal(event.client.userAgent, x.client.userAgent);
    assert.deepEqual(event.client.tls, { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', sni: undefined });
    // request_time and upstream_response_time have millisecond resolution.
    assert.ok(Math.abs((event.latencyMs ?? Number.NaN) - x.latencyMs) <= 0.5, `latency ${event.latencyMs} for ${x.latencyMs}`);
    assert.ok(Math.abs((event.upstream?.latencyMs ?? Number.NaN) - x.upstreamMs) <= 0.5);
    assert.equal(event.upstream?.address, x.upstream.address);
    assert.equal(event.request.headers?.authorization, x.request.headers.authorization);
    assert.equal(event.request.headers?.['x-api-key'], x.request.headers['x-api-key']);
    assert.equal(event.request.body?.text, x.request.body);
    assert.equal(event.attributes?.requestId, x.id);
    assert.equal(event.identity, undefined);
  });
});

test('zeek http.log JSON lines parse back with every fact http.log has', () => {
  const events = roundTrip(zeekWriter);
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assert.equal(event.time, x.time);
    assert.equal(event.request.method, x.request.method);
    assert.equal(event.request.host, x.request.host);
    assert.equal(event.request.url, target(x));
    assert.equal(event.request.size, x.request.body === undefined ? 0 : Buffer.byteLength(x.request.body));
    assert.equal(event.response?.status, x.response.status);
    assert.equal(event.response?.size, x.response.size);
    assert.equal(event.client.peerIp, x.proxyIp);
    assert.equal(event.client.forwardedFor, x.client.ip);
    assert.equal(resolvedClient(event), x.client.ip);
    assert.equal(event.client.userAgent, x.client.userAgent);
    assert.equal(event.request.headers?.referer, x.request.headers.referer);
    // http.log records no duration: the latency is not a fact this format carries.
    assert.equal(event.latencyMs, undefined);
    assert.equal(event.attributes?.serverIp, '10.0.3.14');
    assert.equal(event.attributes?.serverPort, 8080);
    assert.match(String(event.attributes?.zeekUid), /^C[0-9A-Za-z]{10,18}$/);
  });
});

test('otlp-json spans parse back with every fact of the exchange', () => {
  const events = roundTrip(otlpJsonWriter);
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assert.equal(event.time, x.time);
    assert.equal(event.latencyMs, x.latencyMs);
    assert.equal(event.request.method, x.request.method);
    assert.equal(event.request.scheme, x.request.scheme);
    assert.equal(event.request.host, x.request.host);
    assert.equal(event.request.path, x.request.path);
    assert.equal(event.request.query, x.request.query === '' ? undefined : x.request.query);
    assert.equal(event.request.httpVersion, 'HTTP/1.1');
    assert.equal(event.request.size, x.request.size);
    assert.equal(event.response?.status, x.response.status);
    assert.equal(event.response?.size, x.response.size);
    assert.equal(event.response?.headers?.['content-type'], 'application/json');
    assert.equal(event.client.ip, x.client.ip);
    assert.equal(event.client.peerIp, x.proxyIp);
    assert.equal(event.client.port, x.client.port);
    assert.equal(event.client.forwardedFor, x.client.ip);
    assert.equal(event.client.userAgent, x.client.userAgent);
    assert.equal(event.request.headers?.authorization, x.request.headers.authorization);
    assert.equal(event.request.headers?.['x-api-key'], x.request.headers['x-api-key']);
    assert.equal(event.traceId, x.id);
    assert.deepEqual(event.upstream, { service: x.upstream.service, route: x.route });
    assert.equal(event.attributes?.errorType, x.response.status >= 500 ? '500' : undefined);
  });
});

test('a client-sent X-Forwarded-For stays left of the hops the proxies add, so it is never taken as the client', () => {
  const spoofed = makeExchange({
    time: 1796043736000,
    id: 'feedfacefeedfacefeedfacefeedface',
    clientIp: '198.51.100.200',
    method: 'GET',
    path: '/',
    headers: { 'x-forwarded-for': '203.0.113.250' },
    status: 200,
    responseSize: 2,
    latencyMs: 1,
  });
  for (const writer of [nginxJsonWriter, zeekWriter, otlpJsonWriter]) {
    const outcome = parseAll(registry.get(writer.format), writer.write(spoofed, true))[0];
    const event = (Array.isArray(outcome) ? outcome[0] : outcome) as ParsedEvent;
    assert.equal(event.client.forwardedFor, '203.0.113.250, 198.51.100.200', writer.format);
    assert.equal(resolvedClient(event), '198.51.100.200', writer.format);
  }
});
