import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { gcpLbParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const samples = readFileSync(`${fixtures}requests.ndjson`, 'utf8').trim().split('\n');

testParserGolden(gcpLbParser, fixtures);
testParserFuzz(gcpLbParser, samples);

test('gcp-lb scores load balancer entries highest, other request entries lower, other JSON zero', () => {
  assert.equal(gcpLbParser.detect(samples.slice(0, 4)), 1);
  const cloudRun = gcpLbParser.detect(samples.slice(5, 6));
  assert.ok(cloudRun >= 0.75 && cloudRun < 1);
  assert.equal(
    gcpLbParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(gcpLbParser.detect(['{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","httpMethod":"GET","status":"200"}']), 0);
});

test('gcp-lb reads protobuf-style durations', () => {
  const line = samples[0]?.replace('"status":304', '"status":304,"latency":{"seconds":"1","nanos":500000000}') as string;
  const event = gcpLbParser.open().parse(line);
  assert.equal((event as { latencyMs?: number }).latencyMs, 1500);
});
