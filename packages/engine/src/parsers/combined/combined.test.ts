import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type ParsedEvent, isReject } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { combinedParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const readLines = (name: string) => readFileSync(`${fixtures}${name}`, 'utf8').trim().split('\n');

testParserGolden(combinedParser, fixtures);
testParserFuzz(combinedParser, [...readLines('apache.log'), ...readLines('nginx.log'), ...readLines('ingress-traefik.log')]);

test('combined detects CLF lines and not HAProxy, JSON or syslog lines', () => {
  assert.ok(combinedParser.detect(readLines('nginx.log').slice(0, 9)) > 0.9);
  assert.ok(combinedParser.detect(readLines('apache.log').slice(0, 5)) > 0.9);
  assert.equal(
    combinedParser.detect([
      'Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"',
      '203.0.113.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"',
      '{"ClientHost":"203.0.113.4","RequestMethod":"GET","RequestPath":"/","DownstreamStatus":200}',
    ]),
    0,
  );
});

test('combined reads the nginx main layout X-Forwarded-For and the remote user, and rejects a word status', () => {
  const records = combinedParser.open();
  const full = records.parse(readLines('nginx.log')[1] as string) as ParsedEvent;
  assert.equal(full.client.forwardedFor, '203.0.113.9, 198.51.100.2');
  assert.deepEqual(full.identity, { user: 'bob' });
  assert.ok(isReject(records.parse('198.51.100.1 - - [30/Nov/2026:14:02:11 +0100] "GET / HTTP/1.1" 2OO 1')));
});
