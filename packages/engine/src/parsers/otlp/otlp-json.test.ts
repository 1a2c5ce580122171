import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isReject, isSkip, type ParsedEvent } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { otlpJsonParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const lines = (name: string): string[] => readFileSync(`${fixtures}${name}`, 'utf8').trim().split('\n');

testParserGolden(otlpJsonParser, fixtures);
testParserFuzz(otlpJsonParser, [...lines('current-conventions.ndjson'), ...lines('old-conventions.ndjson')]);

const span = (attributes: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [{ kind: 2, startTimeUnixNano: '1796043731000000000', endTimeUnixNano: '1796043731001000000', attributes, ...extra }],
          },
        ],
      },
    ],
  });

test('otlp-json detects trace export lines and not other JSON lines', () => {
  assert.equal(otlpJsonParser.detect(lines('old-conventions.ndjson').slice(0, 4)), 1);
  assert.equal(otlpJsonParser.detect(['{"resourceLogs":[]}']), 0);
  assert.equal(otlpJsonParser.detect(['{"log":{"version":"1.2","creator":{},"entries":[]}}']), 0);
  assert.equal(
    otlpJsonParser.detect(['{"remote_addr":"198.51.100.7","request":"GET / HTTP/1.1","time_iso8601":"2026-11-30T14:02:11+01:00"}']),
    0,
  );
});

test('otlp-json keeps nanosecond times beyond 2^53 exact to the microsecond', () => {
  const outcome = otlpJsonParser.open().parse(
    span(
      [
        { key: 'http.request.method', value: { stringValue: 'GET' } },
        { key: 'url.path', value: { stringValue: '/' } },
      ],
      {
        startTimeUnixNano: '1796043731123456789',
        endTimeUnixNano: '1796043731123457789',
      },
    ),
  );
  assert.ok(Array.isArray(outcome));
  const event = outcome[0] as ParsedEvent;
  assert.equal(Math.floor(event.time), 1796043731123);
  assert.equal(Math.round((event.time - 1796043731123) * 1000), 457);
  assert.equal(event.latencyMs, 0.001);
});

test('otlp-json gives no event for server spans that are not HTTP and rejects HTTP ones without a path', () => {
  const grpc = otlpJsonParser.open().parse(span([{ key: 'rpc.system', value: { stringValue: 'grpc' } }]));
  assert.ok(isSkip(grpc));
  const noPath = otlpJsonParser.open().parse(span([{ key: 'http.request.method', value: { stringValue: 'GET' } }]));
  assert.ok(Array.isArray(noPath) && noPath.length === 1 && isReject(noPath[0] as ParsedEvent));
});
