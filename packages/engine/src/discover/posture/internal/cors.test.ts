import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCors, siteOf } from './cors.js';

test('permissive CORS readings', () => {
  const acao = (value: string, credentials?: string): Record<string, string> =>
    credentials === undefined
      ? { 'access-control-allow-origin': value }
      : { 'access-control-allow-origin': value, 'access-control-allow-credentials': credentials };
  assert.equal(readCors({}, acao('*', 'true')), 'wildcard-with-credentials');
  assert.equal(readCors({}, acao('*')), 'wildcard');
  assert.equal(readCors({}, acao('null', 'TRUE')), 'null-with-credentials');
  assert.equal(readCors({ origin: 'https://app.example.com' }, acao('https://app.example.com', 'true')), 'echo-with-credentials');
  assert.equal(readCors({ origin: 'https://app.example.com' }, acao('https://app.example.com')), undefined);
  assert.equal(readCors({ origin: 'https://evil.example.net' }, acao('https://app.example.com', 'true')), undefined);
  assert.equal(readCors({}, acao('https://app.example.com', 'false')), undefined);
  assert.equal(readCors({}, {}), undefined);
});

test('sites of origins and hosts', () => {
  assert.equal(siteOf('https://app.example.com'), 'example.com');
  assert.equal(siteOf('api.example.com'), 'example.com');
  assert.equal(siteOf('https://shop.example.co.uk:8443'), 'example.co.uk');
  assert.equal(siteOf('http://203.0.113.9:8080'), '203.0.113.9');
  assert.equal(siteOf('http://[2001:db8::1]:8080'), '[2001:db8::1]');
  assert.equal(siteOf('http://localhost:3000'), 'localhost');
  assert.equal(siteOf('null'), 'null');
  assert.equal(siteOf(''), undefined);
});
