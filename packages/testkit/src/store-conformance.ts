import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { API_EVENT_SCHEMA_VERSION, type ApiEvent, type EncoderModule, type Store } from '@palisade/core';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

/** Builds a complete event for store tests; `n` varies the id, time and client. */
export function sampleEvent(n: number, overrides: Partial<ApiEvent> = {}): ApiEvent {
  return {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id: n.toString(16).padStart(32, '0'),
    time: T0 + n * 1000 + 0.25,
    source: { kind: 'nginx-json', name: '/var/log/nginx/access.log', file: '/var/log/nginx/access.log', offset: n * 300, line: n + 1 },
    request: {
      method: 'POST',
      scheme: 'https',
      host: 'api.example.com',
      path: `/api/v2/accounts/${n}/invoices`,
      query: 'page=2&tag=a&tag=b',
      queryParams: { page: '2', tag: ['a', 'b'] },
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok_AAAAAAAAAAAAAAAAAAAAAA', 'x-note': 'café ☕' },
      body: { text: '{"amount":12.5,"password":"tok_BBBBBBBBBBBBBBBBBBBBBB"}', truncated: false, contentType: 'application/json' },
      size: 731,
      httpVersion: 'HTTP/1.1',
    },
    response: {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { text: '{"id":"inv_1"}', truncated: true },
      size: 14,
    },
    latencyMs: 12.5,
    client: {
      ip: `203.0.113.${n % 250}`,
      port: 51000 + n,
      peerIp: '10.0.0.2',
      forwardedFor: [`203.0.113.${n % 250}`, '10.0.0.1'],
      userAgent: 'okhttp/4.12.0',
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', ja4: 't13d1516h2_8daaf6152771_b0da82dd1658' },
    },
    identity: {
      authScheme: 'bearer-jwt',
      user: `user-${n}`,
      session: 'tok_AAAAAAAAAAAAAAAAAAAAAA',
      jwt: { sub: `user-${n}`, iss: 'https://id.example.com', aud: ['api'], scope: 'read write', alg: 'RS256', exp: 1796043731 },
    },
    entities: { accountId: String(n) },
    upstream: { address: '10.0.3.14:8080', service: 'billing', latencyMs: 11 },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    attributes: { cache: 'MISS', edge: 'FRA', retried: false, tries: 1 },
    protection: {
      action: 'block',
      score: 5,
      threshold: 5,
      paranoia: 1,
      findings: [
        {
          protection: 'signatures',
          ruleId: 'sqli/tokens',
          category: 'sqli',
          location: 'query:id',
          snippet: "1' or '1'='1",
          detail: 's&sos',
          score: 5,
          mode: 'block',
        },
      ],
    },
    ...overrides,
  };
}

/** A minimal event: only the fields every event has. */
export function minimalEvent(n: number): ApiEvent {
  return {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id: `m${n.toString(16).padStart(31, '0')}`,
    time: T0 + n,
    source: { kind: 'combined', name: 'stdin' },
    request: { method: 'GET', path: '/', headers: {} },
    client: {},
    identity: { authScheme: 'none' },
    entities: {},
  };
}

/**
 * The conformance suite every `Store` adapter must pass (DuckDB now, ClickHouse later). `open` gives a
 * fresh, empty store each time it is called.
 */
export function testStoreConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    test('events read back exactly as written, oldest first', async () => {
      const store = await open();
      try {
        const events = [sampleEvent(3), minimalEvent(1), sampleEvent(2)];
        const result = await store.append({ events, checkpoints: [] });
        assert.deepEqual(result, { inserted: 3, duplicates: 0, insertedByKind: { 'nginx-json': 2, combined: 1 } });
        const back = await store.query();
        assert.deepStrictEqual(back, [minimalEvent(1), sampleEvent(2), sampleEvent(3)]);
      } finally {
        await store.close();
      }
    });

    test('awkward values round-trip: control characters, separators, \\N, empty strings, unicode', async () => {
      const store = await open();
      try {
        const base = sampleEvent(7);
        const awkward = sampleEvent(7, {
          request: {
            ...base.request,
            path: '/a\u001fb\u001ec\n\\N',
            query: '',
            headers: { 'x-odd': 'tab\there \u0000 nul', 'x-emoji': '🙂 ünï' },
          },
          client: { ...base.client, userAgent: 'line1\r\nline2\u001f\u001e', ip: '2001:db8::1' },
          identity: { authScheme: 'basic', user: '\\N' },
        });
        await store.append({ events: [awkward], checkpoints: [] });
        assert.deepStrictEqual(await store.query(), [awkward]);
      } finally {
        await store.close();
      }
    });

    test('append is idempotent by event id, across and within batches', async () => {
      const store = await open();
      try {
        const events = [sampleEvent(1), sampleEvent(2)];
        await store.append({ events, checkpoints: [] });
        assert.deepEqual(await store.append({ events, checkpoints: [] }), { inserted: 0, duplicates: 2, insertedByKind: {} });
        assert.deepEqual(await store.append({ events: [sampleEvent(5), sampleEvent(5)], checkpoints: [] }), {
          inserted: 1,
          duplicates: 1,
          insertedByKind: { 'nginx-json': 1 },
        });
        assert.equal(await store.count(), 3);
      } finally {
        await store.close();
      }
    });

    test("events encoded by the store's encoder module (as a worker would) store like added ones, deduped with them", async (t) => {
      const store = await open();
      try {
        if (store.encoderModule === undefined) {
          t.skip('this store has no encoder module');
          return;
        }
        const { createEventEncoder } = (await import(store.encoderModule)) as EncoderModule;
        const encoder = await createEventEncoder();
        const base = sampleEvent(8);
        const awkward = sampleEvent(8, { request: { ...base.request, path: '/x\u001fy\n\\N' } });
        for (const event of [sampleEvent(2), awkward, sampleEvent(2)]) encoder.add(event);
        const first = encoder.take();
        assert.equal(first.count, 3);
        assert.deepEqual(first.ids, [sampleEvent(2).id, awkward.id, sampleEvent(2).id]);
        assert.equal(encoder.take().count, 0);
        encoder.add(minimalEvent(1));
        const second = encoder.take();
        assert.deepEqual(second.kinds, { combined: 1 });
        assert.equal(second.minTime, minimalEvent(1).time);

        const writer = store.begin();
        writer.add(sampleEvent(3));
        assert.ok(writer.addEncoded, 'a store with an encoder module takes encoded events');
        writer.addEncoded(first);
        writer.addEncoded(second);
        writer.add(awkward);
        assert.equal(writer.size, 6);
        const cp = { key: 'enc', path: 'enc.log', offset: 10, line: 1, updatedAt: T0 };
        assert.deepEqual(await writer.commit([cp]), {
          inserted: 4,
          duplicates: 2,
          insertedByKind: { 'nginx-json': 3, combined: 1 },
        });
        assert.deepStrictEqual(await store.query(), [minimalEvent(1), sampleEvent(2), sampleEvent(3), awkward]);
        assert.deepEqual(await store.checkpoint('enc'), cp);
      } finally {
        await store.close();
      }
    });

    test('checkpoints are stored with their batch and replaced by later ones', async () => {
      const store = await open();
      try {
        assert.equal(await store.checkpoint('k1'), undefined);
        const cp = { key: 'k1', path: '/var/log/a.log', offset: 1200, line: 4, updatedAt: T0 };
        await store.append({ events: [sampleEvent(1)], checkpoints: [cp] });
        assert.deepEqual(await store.checkpoint('k1'), cp);
        await store.append({ events: [], checkpoints: [{ ...cp, offset: 2400, line: 8, updatedAt: T0 + 5 }] });
        assert.deepEqual(await store.checkpoint('k1'), { ...cp, offset: 2400, line: 8, updatedAt: T0 + 5 });
        assert.equal(await store.checkpoint('k2'), undefined);
      } finally {
        await store.close();
      }
    });

    test('query filters by time range, host and client, and honours the limit', async () => {
      const store = await open();
      try {
        const events = Array.from({ length: 10 }, (_, i) =>
          sampleEvent(i, i % 2 === 0 ? {} : { request: { ...sampleEvent(i).request, host: 'admin.example.com' } }),
        );
        await store.append({ events, checkpoints: [] });
        assert.equal(await store.count({ host: 'admin.example.com' }), 5);
        assert.equal(await store.count({ from: T0 + 3000, to: T0 + 6000 }), 3);
        assert.equal(await store.count({ clientIp: '203.0.113.4' }), 1);
        const limited = await store.query({ limit: 4 });
        assert.deepEqual(
          limited.map((e) => e.id),
          events.slice(0, 4).map((e) => e.id),
        );
      } finally {
        await store.close();
      }
    });

    test('retention deletes whole days older than the window and nothing newer', async () => {
      const store = await open();
      try {
        const now = T0;
        const old = sampleEvent(1, { time: now - 100 * DAY });
        const edge = sampleEvent(2, { time: Date.UTC(2026, 8, 1, 0, 0, 0) + 1 }); // day 90 before 30 Nov, first ms
        const recent = sampleEvent(3, { time: now - DAY });
        await store.append({ events: [old, edge, recent], checkpoints: [] });
        assert.equal(await store.applyRetention(now, 90), 1);
        assert.deepEqual(
          (await store.query()).map((e) => e.id),
          [edge.id, recent.id],
        );
      } finally {
        await store.close();
      }
    });
  });
}
