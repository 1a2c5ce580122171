import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ParsedEvent, ParseReject } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { kongParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const lines = readFileSync(`${fixtures}http-log.ndjson`, 'utf8').trim().split('\n');

testParserGolden(kongParser, fixtures);
testParserFuzz(kongParser, lines);

test('kong detects single objects and batch arrays, not other JSON access logs', () => {
  assert.equal(kongParser.detect(lines.slice(0, 5)), 1);
  assert.equal(
    kongParser.detect([
      '{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1","status":"200"}',
    ]),
    0,
  );
  assert.equal(
    kongParser.detect(['{"start_time":"2022-10-23T22:15:39.663Z","method":"GET","path":"/","response_code":200,"response_flags":"-"}']),
    0,
  );
});

test('kong names the consumer by username, then custom_id, then id', () => {
  const records = kongParser.open();
  const consumers = lines.slice(1, 4).map((line) => (records.parse(line) as ParsedEvent).identity?.consumer);
  assert.deepEqual(consumers, ['partner-a', 'tenant-42', '99ee88dd-0000-4000-8000-000000000006']);
});

test('kong returns one item per object of a batch, keeping the good ones next to a bad one', () => {
  const records = kongParser.open();
  const batch = records.parse(lines[4] as string);
  assert.ok(Array.isArray(batch));
  assert.deepEqual(
    (batch as ParsedEvent[]).map((event) => event.request.method),
    ['GET', 'DELETE'],
  );
  const mixed = records.parse(lines[8] as string) as readonly (ParsedEvent | ParseReject)[];
  assert.equal(mixed.length, 2);
  assert.equal((mixed[0] as ParsedEvent).request.url, '/v1/items/1');
  assert.deepEqual(mixed[1], { reject: 'missing_field', detail: 'request' });
});
