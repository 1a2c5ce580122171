import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isSkip, type ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { envoyJsonParser, envoyParser } from './index.js';

const fixtures = new URL('./fixtures/text/', import.meta.url).pathname;
const envoyLines = readFileSync(`${fixtures}envoy-default.txt`, 'utf8').trim().split('\n');
const istioLines = readFileSync(`${fixtures}istio.txt`, 'utf8').trim().split('\n');

testParserGolden(envoyParser, fixtures);
testParserFuzz(envoyParser, [...envoyLines, ...istioLines]);

test('envoy detects Envoy and Istio text lines, not CLF or Envoy JSON', () => {
  assert.equal(envoyParser.detect(envoyLines.slice(0, 5)), 1);
  assert.equal(envoyParser.detect(istioLines.slice(0, 5)), 1);
  assert.equal(envoyParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
  const json = readFileSync(new URL('./fixtures/json/istio.ndjson', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  assert.equal(envoyParser.detect(json.slice(0, 3)), 0);
  assert.equal(envoyJsonParser.detect(istioLines.slice(0, 3)), 0);
});

test('envoy reads the Istio tail by position, whatever the optional middle fields', () => {
  const records = envoyParser.open();
  const modern = records.parse(istioLines[0] as string) as ParsedEvent;
  const legacy = records.parse(istioLines[4] as string) as ParsedEvent;
  assert.equal(modern.upstream?.service, 'outbound|8000||httpbin.foo.svc.cluster.local');
  assert.equal(modern.upstream?.route, 'default');
  assert.equal(legacy.upstream?.service, 'outbound|9080||productpage.default.svc.cluster.local');
  assert.equal(legacy.client.peerIp, '203.0.113.50');
  assert.ok(isSkip(records.parse(istioLines[5] as string)));
});
