import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { factsOf, T0 } from './fixtures/request-facts.js';
import { type FlowRuleConfig, FlowTracker } from './flow.js';
import type { RequestFacts } from './request-facts.js';

const MINUTE = 60_000;

function checkout(overrides: Partial<FlowRuleConfig> = {}): FlowTracker {
  return new FlowTracker([
    {
      id: 'checkout',
      key: 'session',
      within: '30m',
      mode: 'block',
      steps: [
        { name: 'cart', method: 'GET', path: '/cart' },
        { name: 'checkout', method: 'POST', path: '/orders' },
        { name: 'pay', method: 'POST', path: '/orders/{id}/pay' },
      ],
      ...overrides,
    },
  ]);
}

const cart = (o: Partial<RequestFacts> = {}) => factsOf({ session: 's1', method: 'GET', path: '/cart', ...o });
const order = (o: Partial<RequestFacts> = {}) => factsOf({ session: 's1', method: 'POST', path: '/orders', ...o });
const pay = (o: Partial<RequestFacts> = {}) => factsOf({ session: 's1', method: 'POST', path: '/orders/77/pay', ...o });

function details(flows: FlowTracker, facts: RequestFacts): string[] {
  return flows.check(facts).map((f) => `${f.action} ${f.ruleId} ${f.detail}`);
}

describe('steps in order', () => {
  test('cart → checkout → pay is quiet', () => {
    const flows = checkout();
    assert.deepEqual(details(flows, cart()), []);
    assert.deepEqual(details(flows, order({ time: T0 + MINUTE })), []);
    assert.deepEqual(details(flows, pay({ time: T0 + 2 * MINUTE })), []);
    assert.deepEqual(details(flows, pay({ time: T0 + 3 * MINUTE })), [], 'a retried payment is not a skip');
  });

  test('paying without checking out skipped checkout', () => {
    const flows = checkout();
    flows.check(cart());
    assert.deepEqual(details(flows, pay()), ['block flow/checkout skipped checkout']);
  });

  test('checking out without a cart skipped the cart, and then paying skipped checkout', () => {
    const flows = checkout();
    assert.deepEqual(details(flows, order()), ['block flow/checkout skipped cart']);
    assert.deepEqual(details(flows, pay()), ['block flow/checkout skipped checkout'], 'a step taken out of order does not count as done');
  });

  test('the finding names the key and the rule mode sets its action', () => {
    const flows = checkout({ mode: 'monitor' });
    const [finding] = flows.check(pay());
    assert.equal(finding?.action, 'monitor');
    assert.deepEqual(finding?.entity, { kind: 'session', value: 's1' });
  });

  test('other requests and other methods are not steps', () => {
    const flows = checkout();
    for (const facts of [
      factsOf({ session: 's1', path: '/orders/77/pay' }),
      factsOf({ session: 's1', method: 'POST', path: '/orders/77/refund' }),
    ]) {
      assert.deepEqual(details(flows, facts), []);
    }
  });
});

describe('keys', () => {
  test('progress is per session: one session cannot pay on the strength of another', () => {
    const flows = checkout();
    flows.check(cart());
    flows.check(order());
    assert.deepEqual(details(flows, pay({ session: 's2' })), ['block flow/checkout skipped checkout']);
    assert.deepEqual(details(flows, pay()), []);
  });

  test('keyed by user, progress follows the user across sessions', () => {
    const flows = checkout({ key: 'user' });
    flows.check(cart({ user: 'alice', session: 'a' }));
    flows.check(order({ user: 'alice', session: 'b' }));
    assert.deepEqual(details(flows, pay({ user: 'alice', session: 'c' })), []);
    assert.deepEqual(details(flows, pay({ user: 'bob', session: 'a' })), ['block flow/checkout skipped checkout']);
  });

  test('a request without the key is not judged', () => {
    const flows = checkout({ key: 'user' });
    assert.deepEqual(details(flows, pay()), []);
  });
});

describe('expiry and memory', () => {
  test('a step older than within no longer counts', () => {
    const flows = checkout();
    flows.check(cart());
    flows.check(order({ time: T0 + 10 * MINUTE }));
    assert.deepEqual(details(flows, pay({ time: T0 + 40 * MINUTE })), []);
    assert.deepEqual(details(flows, pay({ time: T0 + 40 * MINUTE + 1 })), ['block flow/checkout skipped checkout']);
    assert.deepEqual(details(flows, order({ time: T0 + 41 * MINUTE })), ['block flow/checkout skipped cart']);
  });

  test('state is bounded; requests that skip the first step store nothing', () => {
    const flows = checkout({ maxKeys: 32 });
    for (let i = 0; i < 2000; i++) flows.check(pay({ session: `direct-${i}` }));
    assert.equal(flows.stats()[0]?.keys, 0, 'bots that hammer the last step cost no memory');
    for (let i = 0; i < 2000; i++) flows.check(cart({ session: `visitor-${i}` }));
    const [stats] = flows.stats();
    assert.ok(stats !== undefined && stats.keys <= 32, `keys held: ${stats?.keys}`);
    assert.ok(stats.evicted >= 2000 - 32);
  });
});
