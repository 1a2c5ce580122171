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

test('nginx-json: records whose keys change order or set read the same as each record read alone', () => {
  const base: Record<string, string> = {
    time_iso8601: '2026-11-01T00:00:16.557Z',
    remote_addr: '10.0.0.13',
    request: 'POST /v2/auth/refresh?x=1 HTTP/1.1',
    status: '200',
    sent_http_content_type: 'application/json',
    http_user_agent: 'okhttp/4.12.0',
    http_authorization: 'Bearer abc',
    http_x_api_key: '',
    http_cookie: 'sid=1',
    http_content_type: 'application/json',
  };
  const keys = Object.keys(base);
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const order = i % 3 === 0 ? [...keys].reverse() : i % 3 === 1 ? keys : [...keys.slice(3), ...keys.slice(0, 3)];
    const record: Record<string, string> = {};
    for (const key of order) record[key] = base[key] as string;
    if (i % 4 === 0) record.http_x_extra = `v${i}`;
    if (i % 5 === 0) record.request_body = '{"a":1}';
    lines.push(JSON.stringify(record));
  }
  const records = nginxJsonParser.open();
  for (const line of lines) assert.deepEqual(records.parse(line), nginxJsonParser.open().parse(line), line);
  const custom = nginxJsonParser.open({ options: { fieldMap: { http_user_agent: 'ua', remote_addr: 'client.ip' } } });
  const line = JSON.stringify({ ...base, ua: 'curl/8', client: { ip: '203.0.113.5' }, http_user_agent: undefined });
  const event = custom.parse(line) as { client: { peerIp?: string; userAgent?: string }; request: { headers: Record<string, string> } };
  assert.equal(event.client.userAgent, 'curl/8');
  assert.equal(event.client.peerIp, '203.0.113.5');
  assert.deepEqual(event.request.headers, { authorization: 'Bearer abc', cookie: 'sid=1', 'content-type': 'application/json' });
});
