import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { azureParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const read = (name: string) => readFileSync(`${fixtures}${name}`, 'utf8').trim().split('\n');
const frontDoor = read('front-door.ndjson');
const appGateway = read('app-gateway.ndjson');
const apiManagement = read('api-management.ndjson');
const documents = read('records-documents.ndjson');

testParserGolden(azureParser, fixtures);
testParserFuzz(azureParser, [...frontDoor, ...appGateway, ...apiManagement, ...documents]);

test('azure detects each access-log category and records documents', () => {
  assert.ok(azureParser.detect(frontDoor.slice(0, 2)) > 0.9);
  assert.ok(azureParser.detect(appGateway.slice(0, 3)) > 0.9);
  assert.ok(azureParser.detect(apiManagement.slice(0, 3)) > 0.9);
  assert.ok(azureParser.detect(documents.slice(0, 1)) > 0.9);
});

test('azure does not claim other JSON formats or text', () => {
  assert.equal(azureParser.detect(['{"ClientIP":"203.0.113.5","ClientRequestMethod":"GET","EdgeStartTimestamp":1796043731}']), 0);
  assert.equal(
    azureParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(azureParser.detect(['{"time":"2026-11-30T13:00:00Z","category":"Administrative","properties":{}}']), 0);
  assert.equal(azureParser.detect(['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']), 0);
});
