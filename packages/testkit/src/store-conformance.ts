import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Alert,
  API_EVENT_SCHEMA_VERSION,
  type EntityRef,
  type ApiEvent,
  type DetectionStore,
  type EncoderModule,
  type Store,
} from '@palisade/core';

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

/**
 * A plain alert for folding and triage tests: a `bola` rule's, seen from a minute before `raisedAt` to a
 * minute after, with empty evidence.
 */
export function testAlert(id: string, ruleId: string, entities: EntityRef[], raisedAt: number): Alert {
  return {
    id,
    ruleId,
    category: 'bola',
    severity: 'high',
    confidence: 0.85,
    entities,
    firstSeen: raisedAt - 60_000,
    lastSeen: raisedAt + 60_000,
    raisedAt,
    summary: `${ruleId} by ${entities[0]?.value}`,
    evidence: { features: {}, baseline: {}, threshold: '', sampleEventIds: [], timeline: [] },
  };
}

/** An alert for store tests; `n` varies its id and times. */
export function sampleAlert(n: number, overrides: Partial<Alert> = {}): Alert {
  const own = { kind: 'fingerprint', value: `ua:${n}` };
  const ip = { kind: 'ip', value: `203.0.113.${n}` };
  return {
    id: n.toString(16).padStart(32, 'a'),
    ruleId: 'scraping/catalogue-walk',
    category: 'scraping',
    severity: 'medium',
    confidence: 0.75,
    entities: [own, ip],
    firstSeen: T0 + n * 60_000,
    lastSeen: T0 + n * 60_000 + 30_000,
    raisedAt: T0 + n * 60_000 + 10_000,
    summary: `fingerprint ua:${n} read 200 distinct pages from 12 addresses within 1 h, at a regular pace — café ☕`,
    evidence: {
      features: { count: 240, distinct_target: 200, periodicity: 0.91 },
      baseline: { entity_daily_max_30d: 12 },
      threshold: 'distinct target ≥ max(200, 3 × baseline) within 1 h',
      sampleEventIds: [`ev-${n}-1`, `ev-${n}-2`],
      timeline: [{ time: T0 + n * 60_000, what: 'GET /v2/products 2xx ×40', eventId: `ev-${n}-1` }],
    },
    links: [
      { from: own, to: ip, reason: "the client's requests came from this address (scraping/catalogue-walk)", events: 40, firstSeen: T0 },
    ],
    ...overrides,
  };
}

/** The `DetectionStore` contract: saved detection state and alerts, as `analyze --db` and `serve` keep them. */
export function testDetectionStoreConformance(name: string, open: () => Promise<Store & DetectionStore>): void {
  describe(`DetectionStore conformance: ${name}`, () => {
    test('a state reads back as written, per kind, and a new one replaces it whole', async () => {
      const store = await open();
      try {
        assert.equal(await store.getState('detection'), undefined);
        // larger than a DuckDB chunk (16 MiB): the pieces come back in order
        const big = new Uint8Array(20 * 1024 * 1024 + 3);
        for (let i = 0; i < big.length; i += 4093) big[i] = (i / 4093) % 251;
        await store.putState('detection', big, T0, T0 + 5);
        await store.putState('other', new Uint8Array([1, 2, 3]), T0 - DAY, T0);
        const back = await store.getState('detection');
        assert.equal(back?.clock, T0);
        assert.equal(back?.updatedAt, T0 + 5);
        assert.equal(back?.state.length, big.length);
        assert.ok(Buffer.from(back?.state ?? []).equals(Buffer.from(big)), 'same bytes');
        await store.putState('detection', new Uint8Array([9, 8]), T0 + DAY, T0 + DAY);
        const replaced = await store.getState('detection');
        assert.deepEqual([...(replaced?.state ?? [])], [9, 8]);
        assert.equal(replaced?.clock, T0 + DAY);
        assert.deepEqual([...((await store.getState('other'))?.state ?? [])], [1, 2, 3]);
        // an empty state is a state
        await store.putState('empty', new Uint8Array(0), T0, T0);
        assert.equal((await store.getState('empty'))?.state.length, 0);
      } finally {
        await store.close();
      }
    });

    test('alerts read back whole, the latest version of each id, by raise time, and since a last sighting', async () => {
      const store = await open();
      try {
        assert.deepEqual(await store.alerts(), []);
        const [a, b, c] = [sampleAlert(3), sampleAlert(1), sampleAlert(2, { links: undefined })];
        delete (c as Partial<Alert>).links;
        await store.putAlerts([a as Alert, b as Alert]);
        await store.putAlerts([c as Alert]);
        assert.deepStrictEqual(await store.alerts(), [b, c, a]);
        // an alert still open is stored again as it grows
        const grown = sampleAlert(3, { lastSeen: T0 + DAY, summary: 'grown' });
        await store.putAlerts([grown]);
        assert.deepStrictEqual(await store.alerts(), [b, c, grown]);
        assert.deepStrictEqual(await store.alerts({ since: (c as Alert).lastSeen }), [c, grown]);
        assert.deepStrictEqual(await store.alerts({ since: T0 + DAY + 1 }), []);
        await store.putAlerts([]);
        assert.equal((await store.alerts()).length, 3);
      } finally {
        await store.close();
      }
    });
  });
}
