import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistinctCounter, LatencyHistogram } from './sketches.js';

test('latency quantiles are within the bucket width (6 %)', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 10_000; i++) h.add(i / 10); // 0.1 … 1000 ms uniform
  for (const [q, exact] of [
    [0.5, 500],
    [0.95, 950],
    [0.99, 990],
  ] as const) {
    const got = h.quantile(q) as number;
    assert.ok(Math.abs(got - exact) / exact < 0.06, `p${q * 100}: ${got} vs ${exact}`);
  }
  assert.equal(new LatencyHistogram().quantile(0.5), undefined);
});

test('histograms merge to the histogram of all values', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 0; i < 1000; i++) {
    (i % 2 === 0 ? a : b).add(i);
    all.add(i);
  }
  a.merge(b);
  assert.equal(a.count, 1000);
  assert.equal(a.quantile(0.9), all.quantile(0.9));
});

test('distinct counts are exact up to 1,024 and within 5 % beyond, merged or not', () => {
  const small = new DistinctCounter();
  for (let i = 0; i < 1000; i++) small.add(`user-${i % 700}`);
  assert.equal(small.size, 700);
  for (const n of [5_000, 50_000, 300_000]) {
    const c = new DistinctCounter();
    const half = new DistinctCounter();
    for (let i = 0; i < n; i++) {
      c.add(`203.0.113.${i}`);
      if (i % 2 === 0) half.add(`203.0.113.${i}`);
    }
    assert.ok(Math.abs(c.size - n) / n < 0.05, `${n}: ${c.size}`);
    const other = new DistinctCounter();
    for (let i = 1; i < n; i += 2) other.add(`203.0.113.${i}`);
    half.merge(other);
    assert.ok(Math.abs(half.size - n) / n < 0.05, `merged ${n}: ${half.size}`);
  }
});
