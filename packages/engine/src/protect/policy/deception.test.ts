import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '@palisade/core';
import { Deception, type DeceptionConfig, responseTemplateProblem } from './deception.js';
import { factsOf, T0 } from './fixtures/request-facts.js';
import type { RequestFacts } from './request-facts.js';

const MINUTE = 60_000;

function deception(overrides: Partial<DeceptionConfig> = {}, clock = new ManualClock(T0)): Deception {
  return new Deception(
    {
      mode: 'block',
      treatment: 'deceive',
      honeypots: [
        { id: 'env-file', paths: ['/.env', '/**/.env'] },
        { id: 'wp-login', methods: ['GET', 'POST'], paths: ['/wp-login.php'] },
      ],
      ...overrides,
    },
    { clock },
  );
}

const probe = (overrides: Partial<RequestFacts> = {}) => factsOf({ path: '/.env', ...overrides });

describe('honeypots', () => {
  test('a honeypot hit gets the fake success response and marks ip, fingerprint and session', () => {
    const d = deception();
    const [hit] = d.check(probe({ path: '/app/config/.env', session: 's1', fingerprints: { ja4: 'fp1' } }));
    assert.equal(hit?.ruleId, 'deception/env-file');
    assert.equal(hit?.action, 'deceive');
    assert.deepEqual(hit?.response, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' });
    assert.equal(hit?.detail, 'touched a honeypot; marked ip, fingerprint, session');
    assert.ok(d.markOf('ip', '203.0.113.10'));
    assert.ok(d.markOf('fingerprint', 'fp1'));
    assert.ok(d.markOf('session', 's1'));
  });

  test('honest requests are untouched, even on paths that look alike', () => {
    const d = deception();
    for (const path of ['/', '/env', '/.envrc', '/wp-login.php.bak', '/docs/.env/readme'])
      assert.deepEqual(d.check(factsOf({ path })), [], path);
    assert.deepEqual(d.check(factsOf({ path: '/wp-login.php', method: 'DELETE' })), [], 'methods narrow a honeypot');
    assert.deepEqual(d.stats(), { marked: 0, evicted: 0 });
  });
});

describe('marked actors', () => {
  test('deceive: every later request of a marked IP gets the fake response instead of the upstream', () => {
    const d = deception({
      response: { status: 201, headers: { 'X-Request-Id': '{{id}}' }, body: '{"id":"{{uuid}}","at":"{{now}}","t":{{epoch}}}' },
    });
    d.check(probe());
    const [treated] = d.check(factsOf({ path: '/api/orders', time: T0 + MINUTE }));
    assert.equal(treated?.ruleId, 'deception/marked');
    assert.equal(treated?.action, 'deceive');
    assert.deepEqual(treated?.entity, { kind: 'ip', value: '203.0.113.10' });
    assert.equal(treated?.detail, 'ip marked by deception/env-file');
    assert.equal(treated?.response?.status, 201);
    const body = JSON.parse(treated?.response?.body ?? '') as { id: string; at: string; t: number };
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(body.at, new Date(T0 + MINUTE).toISOString());
    assert.equal(body.t, (T0 + MINUTE) / 1000);
    assert.match(treated?.response?.headers['x-request-id'] ?? '', /^[0-9a-f]{16}$/);
  });

  test('a marked fingerprint or session is caught from a new address', () => {
    const d = deception();
    d.check(probe({ fingerprints: { ja4: 'fp1' } }));
    d.check(probe({ ip: '203.0.113.11', session: 's9' }));
    assert.deepEqual(d.check(factsOf({ ip: '198.51.100.1', fingerprints: { ja4: 'fp1' } }))[0]?.entity, {
      kind: 'fingerprint',
      value: 'fp1',
    });
    assert.deepEqual(d.check(factsOf({ ip: '198.51.100.2', session: 's9' }))[0]?.entity, { kind: 'session', value: 's9' });
    assert.deepEqual(d.check(factsOf({ ip: '198.51.100.3', fingerprints: { ja4: 'fp2' }, session: 's2' })), []);
  });

  test('only the configured kinds are marked', () => {
    const d = deception({ mark: ['session'] });
    assert.equal(d.check(probe())[0]?.detail, 'touched a honeypot; marked nothing (no entity to mark)');
    assert.deepEqual(d.check(factsOf()), [], 'the IP is not marked');
    d.check(probe({ session: 's1' }));
    assert.equal(d.check(factsOf({ ip: '198.51.100.1', session: 's1' }))[0]?.action, 'deceive');
  });

  test('tarpit: a delay within the bounds, the same for the same actor, different across actors', () => {
    const d = deception({ treatment: 'tarpit', tarpit: { min: '2s', max: '9s' }, seed: 'test-seed' });
    const delays = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const ip = `198.51.100.${i}`;
      d.check(probe({ ip }));
      const first = d.check(factsOf({ ip }))[0];
      const again = d.check(factsOf({ ip, path: '/other' }))[0];
      assert.equal(first?.action, 'tarpit');
      assert.equal(first?.response, undefined);
      const delay = first?.delayMs ?? -1;
      assert.ok(delay >= 2000 && delay <= 9000, `delay ${delay}`);
      assert.equal(again?.delayMs, delay);
      delays.add(delay);
    }
    assert.ok(delays.size > 20, 'delays are spread, not one constant a prober could learn');
  });

  test('block: marked actors are blocked; the honeypot itself still gets the fake response', () => {
    const d = deception({ treatment: 'block' });
    assert.equal(d.check(probe())[0]?.action, 'deceive');
    assert.equal(d.check(factsOf())[0]?.action, 'block');
  });

  test('monitor mode reports and keeps marks, but neither deceives nor delays', () => {
    const d = deception({ mode: 'monitor', treatment: 'tarpit' });
    const [hit] = d.check(probe());
    assert.equal(hit?.action, 'monitor');
    assert.equal(hit?.response, undefined);
    const [treated] = d.check(factsOf());
    assert.equal(treated?.action, 'monitor');
    assert.equal(treated?.delayMs, undefined);
  });
});

describe('mark lifetime and memory', () => {
  test('a mark expires ttl after the last honeypot touch; the actor own requests do not extend it', () => {
    const clock = new ManualClock(T0);
    const d = deception({ ttl: '10m' }, clock);
    d.check(probe());
    clock.advance(5 * MINUTE);
    d.check(probe({ time: clock.now(), path: '/wp-login.php' }));
    const mark = d.markOf('ip', '203.0.113.10');
    assert.deepEqual(mark?.reasons, ['deception/env-file', 'deception/wp-login']);
    assert.equal(mark?.hits, 2);
    for (const minute of [6, 10, 14]) assert.equal(d.check(factsOf({ time: T0 + minute * MINUTE })).length, 1, `minute ${minute}`);
    assert.deepEqual(d.check(factsOf({ time: T0 + 15 * MINUTE })), [], 'expired 10 minutes after the second touch');
    clock.advance(10 * MINUTE);
    assert.equal(d.markOf('ip', '203.0.113.10'), undefined);
  });

  test('marks are bounded per kind; the idlest are forgotten and counted', () => {
    const d = deception({ mark: ['ip'], maxMarked: 16 });
    for (let i = 0; i < 500; i++) d.check(probe({ ip: `198.51.100.${i % 256}`, user: String(i) }));
    const { marked, evicted } = d.stats();
    assert.ok(marked <= 16, `marks held: ${marked}`);
    assert.ok(evicted >= 484 - 16);
  });

  test('other protections can mark an actor too', () => {
    const clock = new ManualClock(T0);
    const d = deception({}, clock);
    d.mark('ip', '198.51.100.50', 'signature/sqli');
    assert.equal(d.check(factsOf({ ip: '198.51.100.50' }))[0]?.detail, 'ip marked by signature/sqli');
  });
});

test('response templates: unknown placeholders are named', () => {
  assert.equal(responseTemplateProblem('{"a":"{{uuid}}"}'), undefined);
  assert.match(responseTemplateProblem('{{ secret }}') ?? '', /unknown placeholder \{\{secret\}\}/);
});
