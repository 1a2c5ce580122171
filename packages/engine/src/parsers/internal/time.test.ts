import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '@palisade/testkit';
import { parseIsoTime, parseIsoTimeRegex } from './time.js';

const DATES = [
  '2026-11-01',
  '2026-11-02',
  '2024-02-29',
  '2026-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '0000-01-01',
  '0099-12-31',
  '9999-12-31',
  '2026-1x-01',
];
const CLOCKS = ['00:00:00', '10:00:00', '23:59:59', '23:59:60', '24:00:00', '12:60:00', '12:00:61', '1a:00:00', '12:00'];
const FRACTIONS = ['', '.5', '.55', '.557', '.000', '.999', '.1234', '.123456', '.123456789', '.1234567890', ',557', '.', '.5a'];
const ZONES = [
  '',
  'Z',
  'z',
  '+00:00',
  '-00:00',
  '+01:00',
  '-07:30',
  '+0530',
  '-0800',
  '+05',
  '-11',
  '+24:00',
  '+05:60',
  '+5:00',
  '+05:3',
  'ZZ',
  ' Z',
  '+05:00Z',
  'UTC',
  '+05x30',
  '+05-30',
  '+0530x',
  '+053',
];

test('every ISO 8601 shape reads to exactly what the regex reading gives (fast path and fallback)', () => {
  let checked = 0;
  for (const date of DATES) {
    for (const sep of ['T', ' ', 't']) {
      for (const clock of CLOCKS) {
        for (const fraction of FRACTIONS) {
          for (const zone of ZONES) {
            const text = `${date}${sep}${clock}${fraction}${zone}`;
            assert.equal(parseIsoTime(text), parseIsoTimeRegex(text), text);
            checked++;
          }
        }
      }
    }
  }
  assert.ok(checked > 10_000);
});

test('millisecond timestamps read to the regex value in log order, across day changes (seeded)', () => {
  const random = createRandom(7);
  let at = Date.UTC(2026, 10, 1, 23, 59, 0);
  for (let i = 0; i < 20_000; i++) {
    at += Math.floor(random() * 5000);
    const iso = new Date(at).toISOString();
    const text = random() < 0.5 ? iso : `${iso.slice(0, 19)}${iso.slice(19, 20 + Math.floor(random() * 4))}+02:00`;
    assert.equal(parseIsoTime(text), parseIsoTimeRegex(text), text);
  }
});

test('every millisecond fraction reads to the regex value (the fast path takes the digits as milliseconds)', () => {
  for (let ms = 0; ms < 1000; ms++) {
    const text = `2026-11-01T00:00:16.${String(ms).padStart(3, '0')}Z`;
    assert.equal(parseIsoTime(text), parseIsoTimeRegex(text), text);
    assert.equal(parseIsoTime(text), Date.UTC(2026, 10, 1, 0, 0, 16, ms), text);
  }
});

test('usual values', () => {
  assert.equal(parseIsoTime('2026-11-01T00:00:16.557Z'), parseIsoTimeRegex('2026-11-01T00:00:16.557Z'));
  assert.equal(Math.round(parseIsoTime('2026-11-01T00:00:16.557Z') as number), Date.UTC(2026, 10, 1, 0, 0, 16, 557));
  assert.equal(parseIsoTime('2026-12-01T10:00:00+01:00'), Date.UTC(2026, 11, 1, 9, 0, 0));
  assert.equal(parseIsoTime('2026-12-01 10:00:00'), Date.UTC(2026, 11, 1, 10, 0, 0));
  assert.equal(parseIsoTime('2026-02-30T10:00:00Z'), undefined);
  assert.equal(parseIsoTime('2026-12-01T10:00:00.Z'), undefined);
});
