import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isReject, isSkip, type ParsedEvent, type ParseOutcome } from '@palisade/core';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { HAR_BODY_SAMPLE_BYTES, harParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const read = (name: string): string => readFileSync(`${fixtures}${name}`, 'utf8');

testParserGolden(harParser, fixtures);
testParserFuzz(harParser, [read('chrome.har'), read('mitmproxy.har'), read('partial.har')]);

function harWith(entry: Record<string, unknown>): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [entry] } });
}

function only(outcome: ParseOutcome): ParsedEvent {
  assert.ok(Array.isArray(outcome) && outcome.length === 1, 'one item');
  const item = outcome[0];
  assert.ok(item !== undefined && !isReject(item), 'an event');
  return item as ParsedEvent;
}

const entry = (body: Record<string, unknown>): Record<string, unknown> => ({
  startedDateTime: '2026-11-30T13:00:00Z',
  time: 1,
  request: { method: 'POST', url: 'https://api.example.com/x', headers: [], cookies: [], postData: body },
  response: { status: 200, headers: [], content: { size: 0, mimeType: '' } },
});

test('har detects pretty-printed, one-line and long-pages documents, not other JSON', () => {
  assert.equal(harParser.detect(read('mitmproxy.har').split('\n').slice(0, 20)), 1);
  assert.equal(harParser.detect([read('partial.har').split('\n')[0] as string]), 1);
  assert.equal(harParser.detect(read('chrome.har').split('\n').slice(0, 12)), 0.9);
  assert.equal(harParser.detect(['{"log":"GET / 200","stream":"stdout","time":"2026-11-30T13:00:00Z"}']), 0);
  assert.equal(harParser.detect(['{"resourceSpans":[]}']), 0);
  assert.equal(harParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});

test('har caps bodies at 64 KiB of UTF-8 without splitting a character', () => {
  const big = `${'a'.repeat(HAR_BODY_SAMPLE_BYTES - 1)}é and more`;
  const body = only(harParser.open().parse(harWith(entry({ mimeType: 'text/plain', text: big })))).request.body;
  assert.equal(body?.truncated, true);
  assert.equal(body?.text, 'a'.repeat(HAR_BODY_SAMPLE_BYTES - 1));
  const exact = 'é'.repeat(HAR_BODY_SAMPLE_BYTES / 2);
  const fits = only(harParser.open().parse(harWith(entry({ mimeType: 'text/plain', text: exact })))).request.body;
  assert.equal(fits?.truncated, false);
  assert.equal(fits?.text, exact);
});

test('har keeps the good entries when every other one is bad, and skips an empty log', () => {
  const outcome = harParser.open().parse(read('partial.har'));
  assert.ok(Array.isArray(outcome));
  assert.deepEqual(
    outcome.map((item) => (isReject(item) ? item.reject : 'event')),
    ['event', 'missing_field', 'bad_timestamp', 'unsupported_record', 'bad_status', 'bad_request_line', 'event'],
  );
  const empty = harParser.open().parse('{"log":{"version":"1.2","creator":{},"entries":[]}}');
  assert.ok(isSkip(empty));
});

test('har builds the cookie header from cookies[] only when no cookie header was logged', () => {
  const cookies = [{ name: 'a', value: '1' }];
  const withHeader = only(
    harParser
      .open()
      .parse(
        harWith({ ...entry({}), request: { method: 'GET', url: 'https://h/', headers: [{ name: 'Cookie', value: 'b=2' }], cookies } }),
      ),
  );
  assert.equal(withHeader.request.headers?.cookie, 'b=2');
  const withoutHeader = only(
    harParser.open().parse(harWith({ ...entry({}), request: { method: 'GET', url: 'https://h/', headers: [], cookies } })),
  );
  assert.equal(withoutHeader.request.headers?.cookie, 'a=1');
});
