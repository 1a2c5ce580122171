import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { akamaiParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const samples = readFileSync(`${fixtures}datastream2.ndjson`, 'utf8').trim().split('\n');

testParserGolden(akamaiParser, fixtures);
testParserFuzz(akamaiParser, samples);

test('akamai-datastream detects DataStream 2 lines and not other JSON or text', () => {
  assert.ok(akamaiParser.detect(samples.slice(0, 3)) > 0.9);
  assert.equal(akamaiParser.detect(['{"ClientIP":"203.0.113.5","ClientRequestMethod":"GET","EdgeStartTimestamp":1796043731}']), 0);
  assert.equal(
    akamaiParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(akamaiParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});

test('akamai-datastream decodes percent escapes as UTF-8 and keeps malformed ones', () => {
  const records = akamaiParser.open();
  const parse = (ua: string) =>
    (records.parse(JSON.stringify({ reqTimeSec: '1796043731', reqMethod: 'GET', reqPath: '/', UA: ua })) as ParsedEvent).client.userAgent;
  assert.equal(parse('caf%C3%A9%20%F0%9F%98%80 ok'), 'café 😀 ok');
  assert.equal(parse('100% sure %zz'), '100% sure %zz');
  assert.equal(parse('a+b'), 'a+b');
});
