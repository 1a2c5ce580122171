import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBurstCounter } from './burst-counter.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

test('counts one client within a window of at most 60 seconds', () => {
  const counter = createBurstCounter(100, 20);
  for (let i = 0; i < 20; i++) counter.add('203.0.113.1', T0 + i * 2500);
  assert.equal(counter.max, 20);
  assert.equal(counter.clientsAtThreshold, 1);
  // 70 s later the earlier requests have left the window.
  assert.equal(counter.add('203.0.113.1', T0 + 120_000), 1);
  assert.equal(counter.max, 20);
});

test('requests spread over more than a minute never add up to one window', () => {
  const counter = createBurstCounter(100, 20);
  for (let i = 0; i < 100; i++) counter.add('203.0.113.1', T0 + i * 5000);
  assert.ok(counter.max <= 12, String(counter.max));
  assert.equal(counter.clientsAtThreshold, 0);
});

test('clients are counted apart; late events within the window count, older ones do not', () => {
  const counter = createBurstCounter(100, 20);
  counter.add('198.51.100.1', T0 + 30_000);
  assert.equal(counter.add('198.51.100.1', T0 + 1_000), 2);
  assert.equal(counter.add('198.51.100.1', T0 - 60_000), 0);
  assert.equal(counter.add('2001:db8::1', T0), 1);
  assert.equal(counter.add('198.51.100.1', Number.NaN), 0);
});

test('the client table is bounded: idle clients are forgotten, new ones untracked while it is full', () => {
  const counter = createBurstCounter(3, 20);
  for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) counter.add(ip, T0);
  assert.equal(counter.add('203.0.113.4', T0 + 1000), 0);
  assert.equal(counter.untracked, 1);
  // A minute later the first three are idle and make room.
  assert.equal(counter.add('203.0.113.4', T0 + 70_000), 1);
  assert.equal(counter.untracked, 1);
});
