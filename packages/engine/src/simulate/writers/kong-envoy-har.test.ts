import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReject, isSkip, type ParsedEvent, type ParseReject, type ParseSkip } from '@palisade/core';
import { createDefaultParserRegistry } from '../../parsers/index.js';
import type { SimExchange, SimWriter } from '../exchange.js';
import { envoyJsonWriter } from './envoy.js';
import { harWriter } from './har.js';
import { kongWriter } from './kong.js';

const registry = createDefaultParserRegistry();

const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTQyIn0.';

const getWithQuery: SimExchange = {
  time: 1772439342123,
  id: '4f1b8d6e2c3a4b5d9e8f0a1b2c3d4e5f',
  client: {
    ip: '203.0.113.9',
    port: 51422,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148',
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      ja3: 'e7d705a3286e19ea42f587b344ee6865',
      ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
    },
  },
  proxyIp: '198.51.100.3',
  request: {
    method: 'GET',
    scheme: 'https',
    host: 'api.shop.example',
    path: '/v1/orders/8812',
    query: 'expand=items&tag=a&tag=b%20c&q=caf%C3%A9+cr%C3%A8me',
    headers: { accept: 'application/json', authorization: `Bearer ${JWT}` },
    size: 412,
  },
  response: { status: 200, headers: { 'content-type': 'application/json' }, size: 1834 },
  latencyMs: 48,
  upstreamMs: 41,
  upstream: { service: 'orders', address: '198.51.100.40:8080' },
  consumer: 'mobile-app',
  route: '/v1/orders/{id}',
};

const postWithBody: SimExchange = {
  ...getWithQuery,
  time: 1772439343007,
  id: '9a8b7c6d00004000800000000000000a',
  client: { ...getWithQuery.client, ip: '203.0.113.77', port: 40112, userAgent: 'partner-sync/2.1' },
  request: {
    method: 'POST',
    scheme: 'https',
    host: 'api.shop.example',
    path: '/v1/payments',
    query: '',
    headers: { 'content-type': 'application/json', 'x-api-key': 'pk_live_9f8e7d6c5b4a' },
    body: '{"amount":1299,"note":"say \\"hi\\"\\nnaïve"}',
    size: 256,
  },
  response: {
    status: 201,
    headers: { 'content-type': 'application/json', location: '/v1/payments/p-77' },
    body: '{"id":"p-77","status":"authorized"}',
    size: 35,
  },
  latencyMs: 130,
  upstreamMs: 122,
  upstream: { service: 'payments', address: '198.51.100.80:8443' },
  consumer: 'partner-a',
  route: '/v1/payments',
};

const unauthorizedFromV6: SimExchange = {
  ...getWithQuery,
  time: 1772439344999,
  id: '11aa22bb000040008000000000000004',
  client: {
    ip: '2001:db8::7',
    port: 61001,
    userAgent: 'okhttp/4.12.0',
    tls: { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', ja3: '0', ja4: 't12d1209h1_0_0' },
  },
  proxyIp: '2001:db8::10',
  request: {
    method: 'GET',
    scheme: 'http',
    host: 'api.shop.example',
    path: '/v1/profile',
    query: '',
    headers: { authorization: 'Bearer not-a-valid-token' },
    size: 180,
  },
  response: { status: 401, headers: { 'www-authenticate': 'Bearer' }, size: 0 },
  latencyMs: 3,
  upstreamMs: 2,
  upstream: { service: 'accounts', address: '198.51.100.90:80' },
  consumer: undefined,
  route: undefined,
};

const serverError: SimExchange = {
  ...getWithQuery,
  time: 1772439345000,
  id: '22cc33dd000040008000000000000005',
  request: { ...getWithQuery.request, method: 'DELETE', path: '/v1/carts/c-1', query: 'force=1', headers: { 'x-api-key': 'k-123' } },
  response: { status: 500, headers: { 'content-type': 'application/problem+json' }, body: '{"title":"boom"}', size: 16 },
  latencyMs: 2017,
  upstreamMs: 2010,
  upstream: { service: 'carts', address: '[2001:db8::44]:9000' },
  consumer: undefined,
  route: '/v1/carts/{id}',
};

const EXCHANGES = [getWithQuery, postWithBody, unauthorizedFromV6, serverError];

function render(writer: SimWriter, exchanges: readonly SimExchange[]): string {
  return writer.begin() + exchanges.map((x, i) => writer.write(x, i === 0)).join('') + writer.end();
}

/** Detects the file's format as `palisade ingest` would, parses it, and fails on any rejection or skip. */
function parseBack(writer: SimWriter, file: string): ParsedEvent[] {
  const lines = file.split('\n').filter((line) => line !== '');
  assert.equal(registry.detect(lines.slice(0, 20))?.parser.format, writer.format);
  const parser = registry.get(writer.format);
  const records = parser.open();
  const events: ParsedEvent[] = [];
  const refused: (ParseReject | ParseSkip)[] = [];
  for (const record of parser.framing === 'document' ? [file] : lines) {
    const outcome = records.parse(record);
    for (const item of Array.isArray(outcome) ? outcome : [outcome]) {
      if (isReject(item) || isSkip(item)) refused.push(item);
      else events.push(item);
    }
  }
  assert.deepEqual(refused, []);
  assert.equal(events.length, EXCHANGES.length);
  return events;
}

/** Path and query of an event, from `path`/`query` or from its request target. */
function target(event: ParsedEvent): { path: string | undefined; query: string } {
  if (event.request.path !== undefined) return { path: event.request.path, query: event.request.query ?? '' };
  const url = event.request.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** The facts every format carries. */
function assertCommonFacts(event: ParsedEvent, x: SimExchange): void {
  assert.equal(event.time, x.time);
  assert.equal(event.request.method, x.request.method);
  assert.equal(event.request.host, x.request.host);
  assert.deepEqual(target(event), { path: x.request.path, query: x.request.query });
  assert.equal(event.response?.status, x.response.status);
  assert.equal(event.response?.size, x.response.size);
  assert.equal(event.client.forwardedFor, x.client.ip);
  assert.equal(event.client.userAgent, x.client.userAgent);
  assert.equal(event.latencyMs, x.latencyMs);
}

test('kong writer: lines the kong parser reads with the consumer, peer, headers and upstream', () => {
  const events = parseBack(kongWriter, render(kongWriter, EXCHANGES));
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assertCommonFacts(event, x);
    assert.equal(event.request.scheme, x.request.scheme);
    assert.equal(event.request.size, x.request.size);
    assert.equal(event.client.peerIp, x.proxyIp);
    assert.equal(event.identity?.consumer, x.consumer);
    assert.equal(event.request.headers?.authorization, x.request.headers.authorization);
    assert.equal(event.request.headers?.['x-api-key'], x.request.headers['x-api-key']);
    assert.equal(event.upstream?.service, x.upstream.service);
    assert.equal(event.upstream?.address, x.upstream.address);
    assert.equal(event.upstream?.latencyMs, x.upstreamMs);
    assert.equal(event.attributes?.requestId, x.id);
  });
  assert.equal(events[0]?.client.tls?.version, 'TLSv1.3');
  assert.equal(events[2]?.identity, undefined);
});

/** The parts of a Kong line the id test reads. */
interface KongIds {
  consumer: { id: string };
  authenticated_entity: { consumer_id: { id: string } };
  request: { querystring: Record<string, unknown> };
}

test('kong writer: the same consumer gets the same id in every line', () => {
  const [a, b] = [getWithQuery, { ...postWithBody, consumer: 'mobile-app' }].map((x) => JSON.parse(kongWriter.write(x, false)) as KongIds);
  assert.equal(a?.consumer.id, b?.consumer.id);
  assert.equal(a?.authenticated_entity.consumer_id.id, a?.consumer.id);
  assert.deepEqual(a?.request.querystring.tag, ['a', 'b c']);
});

test('envoy writer: lines the envoy-json parser reads with the peer, route, upstream and TLS', () => {
  const events = parseBack(envoyJsonWriter, render(envoyJsonWriter, EXCHANGES));
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assertCommonFacts(event, x);
    assert.equal(event.client.peerIp, x.proxyIp);
    assert.equal(event.client.port, x.client.port);
    assert.equal(event.upstream?.service, x.upstream.service);
    assert.equal(event.upstream?.address, x.upstream.address);
    assert.equal(event.upstream?.route, x.route);
    assert.equal(event.upstream?.latencyMs, x.upstreamMs);
    assert.equal(event.attributes?.requestId, x.id);
  });
  assert.deepEqual(events[0]?.client.tls, {
    version: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    sni: 'api.shop.example',
    clientCertSubject: undefined,
  });
  assert.equal(events[0]?.request.httpVersion, 'HTTP/2');
  assert.equal(events[2]?.client.tls, undefined);
  assert.equal(events[1]?.request.size, Buffer.byteLength(postWithBody.request.body ?? ''));
});

test('har writer: one document the har parser reads with headers, bodies and sizes', () => {
  const events = parseBack(harWriter, render(harWriter, EXCHANGES));
  EXCHANGES.forEach((x, i) => {
    const event = events[i] as ParsedEvent;
    assertCommonFacts(event, x);
    assert.equal(event.request.scheme, x.request.scheme);
    assert.equal(event.request.size, x.request.size);
    assert.equal(event.request.headers?.authorization, x.request.headers.authorization);
    assert.equal(event.request.headers?.['x-api-key'], x.request.headers['x-api-key']);
    assert.equal(event.request.body?.text, x.request.body);
    assert.equal(event.response?.body?.text, x.response.body);
    assert.equal(event.attributes?.harEntry, i);
  });
  assert.equal(events[1]?.request.body?.contentType, 'application/json');
  assert.equal(events[3]?.upstream?.address, '2001:db8::44');
  assert.equal(events[0]?.request.httpVersion, 'HTTP/2.0');
});

test('har writer: an empty file is still a HAR document', () => {
  const document = JSON.parse(render(harWriter, [])) as { log: { version: string; entries: unknown[] } };
  assert.deepEqual(document.log.entries, []);
  assert.equal(document.log.version, '1.2');
});
