import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testParserFuzz, testParserGolden } from '@palisade/testkit';
import { awsApiGatewayParser } from './index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const read = (name: string): string[] => readFileSync(`${fixtures}${name}`, 'utf8').trim().split('\n');

testParserGolden(awsApiGatewayParser, fixtures);
testParserFuzz(awsApiGatewayParser, [
  ...read('rest-extended.ndjson'),
  ...read('http-api.ndjson'),
  ...read('cloudwatch-message.ndjson'),
  ...read('nested-context.ndjson'),
]);

test('aws-apigateway detects REST, HTTP API, wrapped and nested records, and not other JSON logs', () => {
  assert.equal(awsApiGatewayParser.detect(read('rest-api.ndjson').slice(0, 3)), 1);
  assert.equal(awsApiGatewayParser.detect(read('http-api.ndjson')), 1);
  assert.equal(awsApiGatewayParser.detect(read('cloudwatch-message.ndjson').slice(0, 2)), 1);
  assert.equal(awsApiGatewayParser.detect(read('nested-context.ndjson')), 1);
  assert.equal(
    awsApiGatewayParser.detect(['{"time_iso8601":"2026-11-30T14:02:11+01:00","remote_addr":"198.51.100.7","request":"GET / HTTP/1.1"}']),
    0,
  );
  assert.equal(
    awsApiGatewayParser.detect(['{"httpRequest":{"requestMethod":"GET","requestUrl":"/"},"timestamp":"2026-06-05T10:00:00Z"}']),
    0,
  );
});

test('aws-apigateway rejects a bad field map with every problem at once', () => {
  assert.throws(
    () => awsApiGatewayParser.open({ options: { fieldMap: { httpMethod: '', sourceIp: 'ip' } } }),
    /fieldMap.httpMethod.*fieldMap.sourceIp/,
  );
});
