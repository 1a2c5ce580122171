import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { fastlyParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const samples = readFileSync(`${fixtures}json-layouts.ndjson`, 'utf8').trim().split('\n');

testParserGolden(fastlyParser, fixtures);
testParserFuzz(fastlyParser, samples);

test('fastly detects the recommended, Datadog, Honeycomb and Sumo Logic layouts', () => {
  assert.ok(fastlyParser.detect(samples.slice(0, 6)) > 0.9);
  assert.equal(
    fastlyParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(fastlyParser.detect(['{"ClientIP":"203.0.113.5","ClientRequestMethod":"GET","EdgeStartTimestamp":1796043731}']), 0);
  assert.equal(fastlyParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});

test('fastly rejects a bad field map with every problem at once', () => {
  assert.throws(() => fastlyParser.open({ options: { fieldMap: { url: 1, host: '' } } }), /fieldMap.url.*fieldMap.host/);
});
