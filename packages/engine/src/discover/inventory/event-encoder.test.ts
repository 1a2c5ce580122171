import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_EVENT_SCHEMA_VERSION, type ApiEvent } from '@palisade/core';
import { createFactReader } from '../../detect/observation.js';
import { createEventDecoder, createPackingEncoder, decodeEvents, type PackedEvents } from './event-encoder.js';

const T0 = Date.UTC(2026, 10, 1);

/** Events whose fields repeat (hosts, users, addresses) and vary (paths, bodies), some with a long body. */
function sample(count: number): ApiEvent[] {
  const events: ApiEvent[] = [];
  for (let i = 0; i < count; i++) {
    const e: ApiEvent = {
      schemaVersion: API_EVENT_SCHEMA_VERSION,
      id: `e${String(i).padStart(31, '0')}`,
      time: T0 + i * 1000,
      source: { kind: 'nginx-json', name: 'access.log' },
      request: {
        method: i % 3 === 0 ? 'POST' : 'GET',
        host: 'api.shop.example',
        path: `/v2/orders/${1000 + (i % 40)}`,
        headers: { 'content-type': 'application/json', 'x-request-id': `r-${i % 5}` },
        scheme: 'https',
      },
      response: { status: i % 11 === 0 ? 404 : 200, headers: { 'content-type': 'application/json' }, size: 100 + i },
      latencyMs: i % 7,
      client: { ip: `203.0.113.${i % 9}`, userAgent: 'ShopApp/5.2.0', tls: { version: 'TLSv1.3' } },
      identity: { authScheme: 'bearer-jwt', user: `u-${i % 13}`, jwt: i % 2 === 0 ? { alg: 'RS256' } : {} },
      entities: i % 4 === 0 ? { accountId: String(i % 6) } : {},
    };
    if (i % 3 === 0) e.request.body = { text: JSON.stringify({ note: 'x'.repeat(i % 2 === 0 ? 400 : 10), n: i }), truncated: false };
    if (i % 5 === 0) e.request.query = `page=${i % 4}`;
    events.push(e);
  }
  return events;
}

const facts = createFactReader();

function encodeInBatches(events: readonly ApiEvent[], size: number, bounds = { strings: 30, chars: 1000 }): PackedEvents[] {
  const encoder = createPackingEncoder(facts, bounds);
  const batches: PackedEvents[] = [];
  for (let i = 0; i < events.length; i += size) {
    for (const e of events.slice(i, i + size)) encoder.add(e);
    batches.push(encoder.take().data);
  }
  return batches;
}

test('events encoded in many batches, over table restarts, decode as one batch of them does', () => {
  const events = sample(300);
  const encoder = createPackingEncoder(facts);
  for (const e of events) encoder.add(e);
  const whole = decodeEvents(encoder.take());
  // small bounds: the table restarts several times over the run
  const small = createPackingEncoder(facts, { strings: 30, chars: 1000 });
  const decode = createEventDecoder();
  const pieces: ApiEvent[] = [];
  const generations = new Set<number>();
  for (let i = 0; i < events.length; i += 17) {
    for (const e of events.slice(i, i + 17)) small.add(e);
    const taken = small.take();
    generations.add(taken.data.generation);
    assert.equal(taken.ids.length, taken.count);
    pieces.push(...decode(taken));
  }
  assert.ok(generations.size > 3, `the table restarted: ${generations.size} generations`);
  assert.deepEqual(pieces, whole);
  assert.equal(pieces[3]?.request.body?.text, events[3]?.request.body?.text);
  assert.equal(pieces[1]?.identity.jwt?.alg, undefined);
  assert.deepEqual(pieces[1]?.identity.jwt, {});
  assert.equal(pieces[0]?.identity.jwt?.alg, 'RS256');
  assert.equal(pieces[5]?.request.query, 'page=1');
  assert.equal(pieces[4]?.request.query, undefined);
});

test('a repeated string crosses once; a long one crosses with its batch and is not remembered', () => {
  const [first, second] = encodeInBatches(sample(24), 12, { strings: 10_000, chars: 1 << 20 });
  assert.ok(first !== undefined && second !== undefined);
  assert.ok(first.strings.includes('api.shop.example'));
  assert.ok(!second.strings.includes('api.shop.example'), 'the host is already in the table');
  assert.ok(first.inline.some((s) => s.length > 400) && second.inline.some((s) => s.length > 400), 'long bodies ride inline');
  assert.ok(first.strings.every((s) => s.length <= 256));
});

test('batches decoded out of order fail with a clear error instead of decoding wrong strings', () => {
  const events = sample(40);
  const encoder = createPackingEncoder(facts);
  for (const e of events.slice(0, 20)) encoder.add(e);
  encoder.take();
  for (const e of events.slice(20)) encoder.add(e);
  const second = encoder.take();
  assert.throws(() => createEventDecoder()(second), /out of order/);
});

test('one decoder keeps a table per encoder (one per parse worker)', () => {
  const events = sample(60);
  const a = createPackingEncoder(facts);
  const b = createPackingEncoder(facts);
  const decode = createEventDecoder();
  const out: ApiEvent[] = [];
  for (let i = 0; i < events.length; i += 10) {
    const encoder = (i / 10) % 2 === 0 ? a : b;
    for (const e of events.slice(i, i + 10)) encoder.add(e);
    out.push(...decode(encoder.take()));
  }
  const encoder = createPackingEncoder(facts);
  for (const e of events) encoder.add(e);
  assert.deepEqual(out, decodeEvents(encoder.take()));
});

test('objects shared between decoded events are frozen, so no reader can change another event', () => {
  const encoder = createPackingEncoder(facts);
  for (const e of sample(4)) encoder.add(e);
  const [one, two] = decodeEvents(encoder.take());
  assert.ok(one !== undefined && two !== undefined);
  assert.equal(one.response?.headers, two.response?.headers, 'one object for the same headers');
  assert.throws(() => {
    (one.response?.headers as Record<string, string>)['content-type'] = 'text/html';
  }, TypeError);
});
