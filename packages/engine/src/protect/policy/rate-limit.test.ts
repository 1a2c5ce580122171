import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { factsOf, T0 } from './fixtures/request-facts.js';
import { BoundedMap } from './internal/bounded-map.js';
import { RateLimiter, type RateLimitPolicyConfig, type RateLimitState } from './rate-limit.js';
import type { EntityKey, PolicyFinding, RequestFacts } from './request-facts.js';

const SECOND = 1000;

function policy(overrides: Partial<RateLimitPolicyConfig> = {}): RateLimitPolicyConfig {
  return { id: 'test', key: 'ip', limit: 5, window: '10s', algorithm: 'token-bucket', mode: 'block', ...overrides };
}

/** Sends `count` requests at `time`; returns the findings of each. */
function send(limiter: RateLimiter, count: number, facts: RequestFacts): PolicyFinding[][] {
  return Array.from({ length: count }, () => limiter.check({ ...facts }));
}

function passes(limiter: RateLimiter, facts: RequestFacts): boolean {
  return limiter.check({ ...facts }).length === 0;
}

describe('token bucket', () => {
  test('lets a burst through, then refills at limit per window', () => {
    const limiter = new RateLimiter([policy({ limit: 5, window: '10s' })]);
    const at = (ms: number) => factsOf({ time: T0 + ms });
    assert.deepEqual(
      send(limiter, 5, at(0)).map((f) => f.length),
      [0, 0, 0, 0, 0],
    );
    const [over] = limiter.check(at(0));
    assert.equal(over?.ruleId, 'rate-limit/test');
    assert.equal(over?.action, 'block');
    assert.equal(over?.retryAfterSeconds, 2, 'one token comes back every 2 s');
    assert.equal(limiter.check(at(1 * SECOND))[0]?.retryAfterSeconds, 1, 'half a token after 1 s');
    assert.ok(passes(limiter, at(2 * SECOND)), 'a client that waits as told gets through');
    assert.ok(!passes(limiter, at(2 * SECOND)));
    assert.deepEqual(
      send(limiter, 5, at(12 * SECOND)).map((f) => f.length),
      [0, 0, 0, 0, 0],
      'a full window refills the whole bucket',
    );
    assert.ok(!passes(limiter, at(12 * SECOND)), 'never more than the bucket holds');
  });

  test('burst sets the bucket size, limit/window the refill rate', () => {
    const limiter = new RateLimiter([policy({ limit: 60, window: '1m', burst: 2 })]);
    assert.ok(passes(limiter, factsOf()));
    assert.ok(passes(limiter, factsOf()));
    assert.equal(limiter.check(factsOf())[0]?.retryAfterSeconds, 1);
    assert.ok(passes(limiter, factsOf({ time: T0 + SECOND })));
  });

  test('a refused request takes no token', () => {
    const limiter = new RateLimiter([policy({ limit: 1, window: '10s' })]);
    assert.ok(passes(limiter, factsOf()));
    for (let i = 0; i < 50; i++) limiter.check(factsOf({ time: T0 + i * 100 }));
    assert.ok(passes(limiter, factsOf({ time: T0 + 10 * SECOND })), 'hammering while refused does not push the retry time out');
  });
});

describe('sliding window', () => {
  const windowed = () => new RateLimiter([policy({ algorithm: 'sliding-window', limit: 10, window: '1m' })]);

  test('weighs the previous window by how much of it still overlaps', () => {
    const limiter = windowed();
    const at = (ms: number) => factsOf({ time: T0 + ms });
    assert.ok(send(limiter, 10, at(59 * SECOND)).every((f) => f.length === 0));
    assert.equal(limiter.check(at(59 * SECOND)).length, 1, 'the 11th in the window is over');
    const [boundary] = limiter.check(at(60 * SECOND));
    assert.equal(boundary?.retryAfterSeconds, 6, 'a new window does not reset the count: 10 × 54/60 = 9 is reached after 6 s');
    assert.equal(limiter.check(at(65 * SECOND)).length, 1);
    assert.ok(passes(limiter, at(66 * SECOND)));
    assert.ok(!passes(limiter, at(66 * SECOND)));
    assert.ok(
      send(limiter, 10, at(181 * SECOND)).every((f) => f.length === 0),
      'after a whole idle window the past is forgotten',
    );
  });

  test('over the limit inside one window, Retry-After points into the next', () => {
    const limiter = windowed();
    assert.ok(send(limiter, 10, factsOf({ time: T0 })).every((f) => f.length === 0));
    const [over] = limiter.check(factsOf({ time: T0 }));
    assert.equal(over?.retryAfterSeconds, 66, 'the next window starts in 60 s and then needs 10 × (1 − 9/10) of it');
    assert.ok(!passes(limiter, factsOf({ time: T0 + 65 * SECOND })));
    assert.ok(passes(limiter, factsOf({ time: T0 + 66 * SECOND })));
  });
});

describe('keys', () => {
  const cases: { key: EntityKey; same: Partial<RequestFacts>; other: Partial<RequestFacts>; missing?: Partial<RequestFacts> }[] = [
    { key: 'ip', same: { ip: '198.51.100.7' }, other: { ip: '198.51.100.8' }, missing: { ip: '' } },
    { key: 'user', same: { user: 'alice' }, other: { user: 'bob' }, missing: {} },
    { key: 'api_key', same: { apiKey: 'tok_1' }, other: { apiKey: 'tok_2' }, missing: {} },
    { key: 'session', same: { session: 's1' }, other: { session: 's2' }, missing: {} },
    {
      key: 'fingerprint',
      same: { fingerprints: { ja4: 'ja4_a', ja3: 'x' } },
      other: { fingerprints: { ja4: 'ja4_b', ja3: 'x' } },
      missing: {},
    },
    {
      key: 'endpoint',
      same: { endpoint: 'GET /orders/{id}', path: '/orders/1' },
      other: { endpoint: 'GET /users/{id}', path: '/orders/1' },
    },
    { key: 'business:accountId', same: { entities: { accountId: '8812' } }, other: { entities: { accountId: '9000' } }, missing: {} },
  ];
  for (const { key, same, other, missing } of cases) {
    test(`${key}: counts per value; a request without one is not judged`, () => {
      const limiter = new RateLimiter([policy({ key, limit: 1, window: '1m' })]);
      assert.ok(passes(limiter, factsOf({ ...same, ip: same.ip ?? '203.0.113.1', path: same.path ?? '/a' })));
      const [over] = limiter.check(factsOf({ ...same, ip: same.ip ?? '203.0.113.2', path: same.path ?? '/b' }));
      assert.equal(over?.entity?.kind, key.startsWith('business:') ? 'business' : key);
      assert.ok(passes(limiter, factsOf(other)), 'another value has its own allowance');
      if (missing !== undefined) {
        assert.ok(passes(limiter, factsOf(missing)));
        assert.ok(passes(limiter, factsOf(missing)));
      }
    });
  }

  test('fingerprint falls back from JA4 to JA3 to the HTTP fingerprint', () => {
    const limiter = new RateLimiter([policy({ key: 'fingerprint', limit: 1, window: '1m' })]);
    assert.ok(passes(limiter, factsOf({ fingerprints: { ja3: 'j3', http: 'h' } })));
    assert.equal(limiter.check(factsOf({ fingerprints: { ja3: 'j3' } }))[0]?.entity?.value, 'j3');
    assert.ok(passes(limiter, factsOf({ fingerprints: { http: 'h' } })));
  });

  test('a v4-mapped address and its IPv4 form are one client', () => {
    const limiter = new RateLimiter([policy({ limit: 1, window: '1m' })]);
    assert.ok(passes(limiter, factsOf({ ip: '::ffff:198.51.100.7' })));
    assert.ok(!passes(limiter, factsOf({ ip: '198.51.100.7' })));
  });

  test('[ip, endpoint] limits each client on each endpoint; the finding names the client', () => {
    const limiter = new RateLimiter([policy({ key: ['ip', 'endpoint'], limit: 1, window: '1m' })]);
    const login = { method: 'POST', path: '/login' };
    assert.ok(passes(limiter, factsOf(login)));
    assert.ok(passes(limiter, factsOf({ method: 'POST', path: '/logout' })));
    assert.ok(passes(limiter, factsOf({ ...login, ip: '203.0.113.99' })));
    const [over] = limiter.check(factsOf(login));
    assert.deepEqual(over?.entity, { kind: 'ip', value: '203.0.113.10' });
  });

  test('without an endpoint template, the matched path pattern groups the paths of one endpoint', () => {
    const limiter = new RateLimiter([policy({ key: 'endpoint', limit: 1, window: '1m', match: { paths: ['/orders/{id}'] } })]);
    assert.ok(passes(limiter, factsOf({ path: '/orders/1' })));
    const [over] = limiter.check(factsOf({ path: '/orders/2' }));
    assert.deepEqual(over?.entity, { kind: 'endpoint', value: 'GET /orders/{id}' });
  });
});

describe('per-endpoint policies', () => {
  test('only the requests a policy matches count against it', () => {
    const limiter = new RateLimiter([
      policy({ id: 'login', limit: 2, window: '1m', match: { methods: ['post'], paths: ['/login', '/api/*/login'] } }),
      policy({ id: 'orders', limit: 1, window: '1m', match: { endpoints: ['GET /orders/{id}'] } }),
    ]);
    for (let i = 0; i < 5; i++) assert.ok(passes(limiter, factsOf({ path: '/login' })), 'GET /login is not a login attempt');
    assert.ok(passes(limiter, factsOf({ method: 'POST', path: '/login' })));
    assert.ok(passes(limiter, factsOf({ method: 'POST', path: '/api/v2/login' })));
    assert.deepEqual(
      limiter.check(factsOf({ method: 'POST', path: '//login/' })).map((f) => f.ruleId),
      ['rate-limit/login'],
      'empty segments do not dodge the pattern',
    );
    assert.ok(passes(limiter, factsOf({ path: '/orders/1', endpoint: 'GET /orders/{id}' })));
    assert.deepEqual(
      limiter.check(factsOf({ path: '/orders/2', endpoint: 'GET /orders/{id}' })).map((f) => f.ruleId),
      ['rate-limit/orders'],
    );
  });

  test('a request over several limits gets a finding from each', () => {
    const limiter = new RateLimiter([policy({ id: 'a', limit: 1 }), policy({ id: 'b', limit: 1, algorithm: 'sliding-window' })]);
    limiter.check(factsOf());
    assert.deepEqual(
      limiter.check(factsOf()).map((f) => f.ruleId),
      ['rate-limit/a', 'rate-limit/b'],
    );
  });
});

describe('modes, memory and stores', () => {
  test('monitor mode reports what block mode would block and counts it the same way', () => {
    const monitor = new RateLimiter([policy({ limit: 2, mode: 'monitor' })]);
    const block = new RateLimiter([policy({ limit: 2 })]);
    for (let i = 0; i < 6; i++) {
      const facts = factsOf({ time: T0 + i * 1500 });
      const m = monitor.check({ ...facts });
      const b = block.check({ ...facts });
      assert.deepEqual(
        m.map((f) => [f.action, f.retryAfterSeconds]),
        b.map((f) => ['monitor', f.retryAfterSeconds]),
      );
    }
    assert.equal(monitor.stats()[0]?.exceeded, block.stats()[0]?.exceeded);
  });

  test('key memory is bounded; the idlest keys are forgotten and counted', () => {
    const limiter = new RateLimiter([policy({ limit: 1, maxKeys: 8 })]);
    for (let i = 0; i < 1000; i++) limiter.check(factsOf({ ip: `198.51.100.${i % 250}`, user: String(i) }));
    const [stats] = limiter.stats();
    assert.ok(stats !== undefined && stats.keys <= 8, `keys held: ${stats?.keys}`);
    assert.ok(stats.evicted >= 242);
  });

  test('a busy key survives a flood of one-off keys', () => {
    const limiter = new RateLimiter([policy({ limit: 1, window: '1h', maxKeys: 64 })]);
    assert.ok(passes(limiter, factsOf({ ip: '198.51.100.1' })));
    for (let i = 0; i < 10_000; i++) {
      limiter.check(factsOf({ ip: `10.0.${i >> 8}.${i & 255}` }));
      if (i % 16 === 0) assert.ok(!passes(limiter, factsOf({ ip: '198.51.100.1' })), `forgot the busy client after ${i}`);
    }
  });

  test('state lives in the store the factory gives', () => {
    const stores = new Map<string, BoundedMap<RateLimitState>>();
    const limiter = new RateLimiter([policy({ id: 'shared', limit: 1 })], {
      store: ({ id, maxKeys }) => {
        const store = new BoundedMap<RateLimitState>(maxKeys);
        stores.set(id, store);
        return store;
      },
    });
    limiter.check(factsOf());
    assert.equal(stores.get('shared')?.get('203.0.113.10')?.count, 0);
  });
});
