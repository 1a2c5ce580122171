import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { envoyJsonParser } from './index.js';

const fixtures = new URL('./fixtures/json/', import.meta.url).pathname;
const lines = readFileSync(`${fixtures}istio.ndjson`, 'utf8').trim().split('\n');

testParserGolden(envoyJsonParser, fixtures);
testParserFuzz(envoyJsonParser, lines);

test('envoy-json detects Istio and Envoy Gateway JSON, not nginx JSON or Kong', () => {
  assert.equal(envoyJsonParser.detect(lines.slice(0, 5)), 1);
  assert.equal(
    envoyJsonParser.detect([
      '{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1","status":"200"}',
    ]),
    0,
  );
  assert.equal(
    envoyJsonParser.detect([
      '{"request":{"method":"GET","uri":"/"},"response":{"status":200},"latencies":{"request":3},"started_at":1726783839538}',
    ]),
    0,
  );
});

test('envoy-json treats a verified peer certificate as mTLS and keeps the subject', () => {
  const event = envoyJsonParser.open().parse(lines[1] as string) as ParsedEvent;
  assert.deepEqual(event.identity, { authScheme: 'mtls' });
  assert.equal(event.client.tls?.clientCertSubject, 'O=example,CN=checkout');
  const plain = envoyJsonParser.open().parse(lines[0] as string) as ParsedEvent;
  assert.equal(plain.identity, undefined);
});
