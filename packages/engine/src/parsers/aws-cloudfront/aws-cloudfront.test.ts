import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isSkip, type ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { awsCloudfrontParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const standard = readFileSync(`${fixtures}standard.log`, 'utf8').trim().split('\n');

testParserGolden(awsCloudfrontParser, fixtures);
testParserFuzz(awsCloudfrontParser, standard.slice(2));

test('aws-cloudfront detects its files with and without the header', () => {
  assert.ok(awsCloudfrontParser.detect(standard.slice(0, 6)) > 0.9);
  assert.ok(awsCloudfrontParser.detect(standard.slice(2, 6)) > 0.9);
  assert.equal(awsCloudfrontParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
  // IIS W3C logs share the header style but not the fields.
  const iis = [
    '#Software: Microsoft Internet Information Services 10.0',
    '#Version: 1.0',
    '#Date: 2024-01-01 00:00:00',
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status',
    '2024-01-01 00:00:01 10.0.0.4 GET /default.htm - 80 - 203.0.113.5 Mozilla/5.0 200',
  ];
  assert.ok(awsCloudfrontParser.detect(iis) < 0.5);
});

test('aws-cloudfront keeps the #Fields layout for the rest of the stream', () => {
  const records = awsCloudfrontParser.open();
  assert.ok(isSkip(records.parse('#Fields: date time cs-method cs-uri-stem sc-status')));
  const event = records.parse('2025-06-01\t12:00:00\tGET\t/a\t200') as ParsedEvent;
  assert.equal(event.request.path, '/a');
  assert.equal(event.response?.status, 200);
  // A new parser starts again from the documented default order.
  const fresh = awsCloudfrontParser.open().parse('2025-06-01\t12:00:00\tGET\t/a\t200');
  assert.deepEqual(fresh, { reject: 'truncated' });
});
