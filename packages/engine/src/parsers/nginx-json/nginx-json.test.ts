import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { nginxJsonParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;

testParserGolden(nginxJsonParser, fixtures);
testParserFuzz(nginxJsonParser, readFileSync(`${fixtures}basic.ndjson`, 'utf8').trim().split('\n'));

test('nginx-json detects its own lines and not plain text', () => {
  const lines = readFileSync(`${fixtures}basic.ndjson`, 'utf8').trim().split('\n').slice(0, 3);
  assert.ok(nginxJsonParser.detect(lines) > 0.9);
  assert.equal(nginxJsonParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});

test('nginx-json rejects a bad field map with every problem at once', () => {
  assert.throws(() => nginxJsonParser.open({ options: { fieldMap: { a: 1, b: '' } } }), /fieldMap.a.*fieldMap.b/);
});
