import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { nginxJsonParser } from '../nginx-json/index.js';
import { traefikParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const lines = readFileSync(`${fixtures}access.ndjson`, 'utf8').trim().split('\n');

testParserGolden(traefikParser, fixtures);
testParserFuzz(traefikParser, lines);

test('traefik-json detects Traefik access lines, also with few fields kept', () => {
  assert.ok(traefikParser.detect(lines.slice(0, 5)) > 0.9);
  assert.ok(traefikParser.detect(['{"ClientHost":"203.0.113.4","RequestMethod":"GET","RequestPath":"/","DownstreamStatus":200}']) > 0.9);
  assert.equal(nginxJsonParser.detect(lines.slice(0, 5)), 0);
});

test('traefik-json does not claim nginx JSON or CLF lines', () => {
  const nginx = readFileSync(new URL('../nginx-json/fixtures/basic.ndjson', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  assert.equal(traefikParser.detect(nginx.slice(0, 3)), 0);
  assert.equal(traefikParser.detect(['203.0.113.10 - - [10/Oct/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
  assert.equal(traefikParser.detect(['{"method":"GET","path":"/","status":200,"duration":12}']), 0);
});
