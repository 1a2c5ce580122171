import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { cloudflareParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const samples = readFileSync(`${fixtures}http-requests.ndjson`, 'utf8').trim().split('\n');

testParserGolden(cloudflareParser, fixtures);
testParserFuzz(cloudflareParser, samples);

test('cloudflare detects Logpush lines and not other JSON or text', () => {
  assert.ok(cloudflareParser.detect(samples.slice(0, 4)) > 0.9);
  assert.equal(
    cloudflareParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(cloudflareParser.detect(['{"reqTimeSec":"1796043731.123","cliIP":"203.0.113.5","reqPath":"/"}']), 0);
  assert.equal(cloudflareParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});

test('cloudflare reads every timestamp_format to the same instant', () => {
  const records = cloudflareParser.open();
  const base = '"ClientRequestMethod":"GET","ClientRequestURI":"/","EdgeResponseStatus":200';
  const times = ['"2026-11-30T13:02:11Z"', '1796043731', '"1796043731"', '1796043731000', '"1796043731000000000"'].map((ts) => {
    const outcome = records.parse(`{${base},"EdgeStartTimestamp":${ts}}`);
    return (outcome as { time: number }).time;
  });
  assert.deepEqual(times, [1796043731000, 1796043731000, 1796043731000, 1796043731000, 1796043731000]);
});

test('cloudflare falls back to EdgeEndTimestamp when the job does not log EdgeStartTimestamp', () => {
  const outcome = cloudflareParser
    .open()
    .parse('{"ClientRequestMethod":"GET","ClientRequestURI":"/","EdgeEndTimestamp":1796043731123000000,"EdgeResponseStatus":200}');
  assert.equal((outcome as { time: number }).time, 1796043731123);
  assert.equal((outcome as { latencyMs?: number }).latencyMs, undefined);
});
