import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { combinedParser } from '../combined/index.js';
import { haproxyParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const readLines = (name: string) => readFileSync(`${fixtures}${name}`, 'utf8').trim().split('\n');

testParserGolden(haproxyParser, fixtures);
testParserFuzz(haproxyParser, [...readLines('httplog.log'), ...readLines('httpslog.log'), ...readLines('captures.log')]);

test('haproxy detects httplog lines, with or without syslog prefix, and not CLF lines', () => {
  assert.ok(haproxyParser.detect(readLines('httplog.log').slice(0, 8)) > 0.9);
  assert.ok(haproxyParser.detect(readLines('httpslog.log')) > 0.9, 'error-log lines do not lower the score');
  assert.equal(combinedParser.detect(readLines('httplog.log').slice(0, 8)), 0);
  assert.equal(
    haproxyParser.detect([
      '203.0.113.10 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "curl/8.5.0"',
      '{"ClientHost":"203.0.113.4","RequestMethod":"GET","RequestPath":"/","DownstreamStatus":200}',
    ]),
    0,
  );
});

test('haproxy reads the accept date in the configured zone', () => {
  const line = readLines('httplog.log')[1] as string;
  const utc = haproxyParser.open().parse(line) as ParsedEvent;
  const shifted = haproxyParser.open({ options: { utcOffset: '-05:00' } }).parse(line) as ParsedEvent;
  assert.equal(shifted.time - utc.time, 5 * 3_600_000);
});

test('haproxy rejects bad options with every problem at once', () => {
  assert.throws(() => haproxyParser.open({ options: { utcOffset: 'CET', requestHeaders: 'Host' } }), /utcOffset.*requestHeaders/);
});
