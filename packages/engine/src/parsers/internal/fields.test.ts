import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '@palisade/testkit';
import { num, splitRequestLine, upstreamSecondsToMs } from './fields.js';

/** `num` as it was written before its decimal fast path: the reference. */
function numByNumber(value: string): number | undefined {
  if (value === '' || value === '-') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

test('num reads decimal strings exactly as Number does (seeded, up to 17 digits, with and without a point)', () => {
  const random = createRandom(11);
  for (let i = 0; i < 200_000; i++) {
    const length = 1 + Math.floor(random() * 17);
    let digits = '';
    for (let j = 0; j < length; j++) digits += random() < 0.3 ? '9' : String(Math.floor(random() * 10));
    const point = Math.floor(random() * (length + 1));
    const text = random() < 0.7 ? `${digits.slice(0, point)}.${digits.slice(point)}` : digits;
    assert.ok(Object.is(num(text), numByNumber(text)), text);
  }
  const odd = ['0', '00', '007', '0.055', '1.', '.5', '.', '1.2.3', '9007199254740993', '999999999999999', '99999999999999.99'];
  for (const text of [...odd, '-0', '-1', '+1', ' 1', '1 ', '1e3', '0x10', 'Infinity', 'NaN', '١٢']) {
    assert.ok(Object.is(num(text), numByNumber(text)), text);
  }
});

test('upstream times: one value or a list of values, in milliseconds', () => {
  assert.equal(upstreamSecondsToMs('0.043'), 43);
  assert.equal(upstreamSecondsToMs(' 0.043 '), 43);
  assert.equal(upstreamSecondsToMs('0.5, 0.25 : 0.25'), 1000);
  assert.equal(upstreamSecondsToMs('-'), undefined);
  assert.equal(upstreamSecondsToMs('x'), undefined);
  assert.ok(Object.is(upstreamSecondsToMs('-0'), 0));
});

test('request lines: a method is [A-Z][A-Z0-9_-]{0,31}', () => {
  const METHOD = /^[A-Z][A-Z0-9_-]{0,31}$/;
  for (const method of ['GET', 'M-SEARCH', 'X_1', 'A', 'A'.repeat(32), 'A'.repeat(33), 'get', '1GET', 'GÉT', 'G\tT', '-']) {
    const parts = splitRequestLine(`${method} /a HTTP/1.1`);
    assert.equal(parts?.method, METHOD.test(method) ? method : undefined, method);
  }
  assert.deepEqual(splitRequestLine('GET /a?b=1 HTTP/1.1'), { method: 'GET', url: '/a?b=1', httpVersion: 'HTTP/1.1' });
  assert.equal(splitRequestLine(' GET /'), undefined);
});
