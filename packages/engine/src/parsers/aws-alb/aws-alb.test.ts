import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isReject, type ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { awsAlbParser } from './index.js';
import { splitAbsoluteUrl, splitHostPort } from './internal-cloud.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const samples = readFileSync(`${fixtures}access.log`, 'utf8').trim().split('\n');

testParserGolden(awsAlbParser, fixtures);
testParserFuzz(awsAlbParser, samples);

test('aws-alb detects its own lines and not other access logs', () => {
  assert.equal(awsAlbParser.detect(samples.slice(0, 5)), 1);
  assert.equal(awsAlbParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
  assert.equal(awsAlbParser.detect(['{"type":"http","time":"2018-07-02T22:23:00Z"}']), 0);
  // Classic ELB entries start with the timestamp, not the request type.
  assert.equal(
    awsAlbParser.detect([
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
    ]),
    0,
  );
});

test('aws-alb unescapes quotes inside quoted fields', () => {
  const line = samples[0]?.replace('"curl/7.46.0"', '"Mozilla \\"quoted\\" \\\\ agent"') as string;
  const event = awsAlbParser.open().parse(line) as ParsedEvent;
  assert.equal(event.client.userAgent, 'Mozilla "quoted" \\ agent');
});

test('aws-alb rejects junk after a closing quote as malformed', () => {
  const line = samples[0]?.replace('"curl/7.46.0"', '"curl/7.46.0"x') as string;
  const outcome = awsAlbParser.open().parse(line);
  assert.ok(isReject(outcome) && outcome.reject === 'malformed_line');
});

test('splitHostPort handles AWS IPv6, bracketed and bare addresses', () => {
  assert.deepEqual(splitHostPort('2001:db8::17:50599', true), { ip: '2001:db8::17', port: 50599 });
  assert.deepEqual(splitHostPort('2001:db8::17', false), { ip: '2001:db8::17' });
  assert.deepEqual(splitHostPort('[2001:db8::17]:443', false), { ip: '2001:db8::17', port: 443 });
  assert.deepEqual(splitHostPort('203.0.113.5:53663', false), { ip: '203.0.113.5', port: 53663 });
  assert.equal(splitHostPort('-', true), undefined);
});

test('splitAbsoluteUrl drops default ports and keeps others', () => {
  assert.deepEqual(splitAbsoluteUrl('https://api.example.com:443/a?b=1'), {
    scheme: 'https',
    host: 'api.example.com',
    path: '/a',
    query: 'b=1',
  });
  assert.deepEqual(splitAbsoluteUrl('http://10.0.2.105:773'), { scheme: 'http', host: '10.0.2.105:773', path: '/' });
  assert.deepEqual(splitAbsoluteUrl('http://h?x'), { scheme: 'http', host: 'h', path: '/', query: 'x' });
  assert.equal(splitAbsoluteUrl('/relative'), undefined);
});
