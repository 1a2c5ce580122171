import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isReject, type ParsedEvent } from '@palisade/core';
import { parseAll, testParserFuzz, testParserGolden } from '@palisade/testkit';
import { zeekHttpParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const tsv = readFileSync(`${fixtures}http.tsv`, 'utf8');
const tsvLines = tsv.trim().split('\n');
const jsonLines = readFileSync(`${fixtures}http.json.ndjson`, 'utf8').trim().split('\n');

testParserGolden(zeekHttpParser, fixtures);
testParserFuzz(zeekHttpParser, [...tsvLines, ...jsonLines]);

test('zeek-http detects TSV headers and JSON http.log, not conn.log or other JSON', () => {
  assert.equal(zeekHttpParser.detect(tsvLines.slice(0, 12)), 1);
  assert.equal(zeekHttpParser.detect(jsonLines.slice(0, 1)), 1);
  assert.equal(zeekHttpParser.detect(jsonLines.slice(1, 2)), 0);
  assert.ok(zeekHttpParser.detect(['#separator \\x09', '#set_separator\t,', '#path\tconn']) < 0.5);
  assert.equal(zeekHttpParser.detect(['{"start_time":"2022-10-23T22:15:39.663Z","method":"GET","path":"/"}']), 0);
});

test('zeek-http never puts the Basic-auth password anywhere in the event', () => {
  for (const outcome of [...parseAll(zeekHttpParser, tsv), ...parseAll(zeekHttpParser, jsonLines.join('\n'))]) {
    assert.ok(!JSON.stringify(outcome).includes('hunter2'));
  }
  const event = zeekHttpParser.open().parse(jsonLines[2] as string) as ParsedEvent;
  assert.deepEqual(event.identity, { user: 'alice', authScheme: 'basic' });
});

test('zeek-http uses the latest #fields header of a concatenated stream', () => {
  const outcomes = parseAll(zeekHttpParser, tsv).filter((o) => !isReject(o) && !('skip' in o)) as ParsedEvent[];
  const legacy = outcomes[outcomes.length - 1] as ParsedEvent;
  assert.equal(legacy.request.method, 'PUT');
  assert.equal(legacy.request.httpVersion, undefined);
  assert.equal(legacy.response?.status, 204);
  assert.equal(legacy.client.userAgent, 'legacy-client/0.9');
});
