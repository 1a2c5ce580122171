import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntityExtractorConfig } from '@palisade/core';
import { compileEntityExtractors, type EntityInput } from './entities.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function input(overrides: Partial<EntityInput> = {}): EntityInput {
  return {
    host: 'api.example.com',
    path: '/',
    query: undefined,
    headers: {},
    jwt: undefined,
    body: undefined,
    bodyTruncated: false,
    ...overrides,
  };
}

test('no extractors give no entities', () => {
  assert.deepEqual(compileEntityExtractors([])(input({ path: '/accounts/1' })), {});
});

test('a path template matches whole segments anywhere in the path', () => {
  const extract = compileEntityExtractors([{ name: 'accountId', from: 'path', template: '/accounts/{accountId}' }]);
  assert.deepEqual(extract(input({ path: '/api/v2/accounts/8812/invoices' })), { accountId: '8812' });
  assert.deepEqual(extract(input({ path: '/accounts/8812' })), { accountId: '8812' });
  assert.deepEqual(extract(input({ path: '//accounts//77/' })), { accountId: '77' });
  // Whole segments only, and the parameter segment must exist.
  assert.deepEqual(extract(input({ path: '/myaccounts/8812' })), {});
  assert.deepEqual(extract(input({ path: '/accountsx/8812' })), {});
  assert.deepEqual(extract(input({ path: '/accounts' })), {});
  assert.deepEqual(extract(input({ path: '/accounts/' })), {});
  assert.deepEqual(extract(input({ path: '/' })), {});
});

test('a template with several parameters picks the one named like the entity', () => {
  const extract = compileEntityExtractors([
    { name: 'orderId', from: 'path', template: '/users/{userId}/orders/{orderId}' },
    { name: 'userId', from: 'path', template: '/users/{userId}/orders/{orderId}' },
    { name: 'first', from: 'path', template: '/users/{u}/orders/{o}' },
  ]);
  assert.deepEqual(extract(input({ path: '/v1/users/u-1/orders/o-9/items' })), { orderId: 'o-9', userId: 'u-1', first: 'u-1' });
  assert.deepEqual(extract(input({ path: '/v1/users/u-1/carts/o-9' })), {});
});

test('the first match from the left wins and percent-encoding is decoded (malformed kept raw)', () => {
  const extract = compileEntityExtractors([{ name: 'id', from: 'path', template: '/items/{id}' }]);
  assert.deepEqual(extract(input({ path: '/items/a%20b/items/second' })), { id: 'a b' });
  assert.deepEqual(extract(input({ path: '/items/100%' })), { id: '100%' });
});

test('a host restriction limits an extractor to that host, case-insensitively', () => {
  const extract = compileEntityExtractors([
    { name: 'tenant', from: 'path', template: '/t/{tenant}', host: 'partners.example.com' },
    { name: 'other', from: 'path', template: '/t/{other}', host: 'API.Example.com' },
  ]);
  assert.deepEqual(extract(input({ host: 'partners.example.com', path: '/t/acme' })), { tenant: 'acme' });
  assert.deepEqual(extract(input({ host: 'api.example.com', path: '/t/acme' })), { other: 'acme' });
  assert.deepEqual(extract(input({ host: undefined, path: '/t/acme' })), {});
  assert.deepEqual(extract(input({ host: 'evil.com', path: '/t/acme' })), {});
});

test('query extractor reads a parameter, the first value when repeated', () => {
  const extract = compileEntityExtractors([{ name: 'customerId', from: 'query', param: 'customer' }]);
  assert.deepEqual(extract(input({ query: { customer: 'c-1' } })), { customerId: 'c-1' });
  assert.deepEqual(extract(input({ query: { customer: ['c-1', 'c-2'] } })), { customerId: 'c-1' });
  assert.deepEqual(extract(input({ query: { customer: '' } })), {});
  assert.deepEqual(extract(input({ query: { other: 'x' } })), {});
  assert.deepEqual(extract(input()), {});
});

test('header extractor reads a header by case-insensitive name', () => {
  const extract = compileEntityExtractors([{ name: 'tenantId', from: 'header', header: 'X-Tenant-ID' }]);
  assert.deepEqual(extract(input({ headers: { 'x-tenant-id': 'acme' } })), { tenantId: 'acme' });
  assert.deepEqual(extract(input({ headers: { 'x-tenant': 'acme' } })), {});
});

test('jwt extractor reads a claim from the bearer token', () => {
  const token = `${b64({ alg: 'none' })}.${b64({ sub: 'u1', org: 'org-5', num: 77 })}.`;
  const extract = compileEntityExtractors([
    { name: 'org', from: 'jwt', claim: 'org' },
    { name: 'num', from: 'jwt', claim: 'num' },
    { name: 'missing', from: 'jwt', claim: 'nope' },
  ]);
  assert.deepEqual(extract(input({ jwt: token })), { org: 'org-5', num: '77' });
  assert.deepEqual(extract(input({ jwt: undefined })), {});
  assert.deepEqual(extract(input({ jwt: 'opaque' })), {});
});

test('body extractor follows a dotted path into a JSON body', () => {
  const extract = compileEntityExtractors([
    { name: 'accountId', from: 'body', path: 'order.accountId' },
    { name: 'first', from: 'body', path: 'lines.0.sku' },
  ]);
  assert.deepEqual(extract(input({ body: '{"order":{"accountId":4711},"lines":[{"sku":"S-1"}]}' })), { accountId: '4711', first: 'S-1' });
  assert.deepEqual(extract(input({ body: '{"order":{"accountId":{"x":1}}}' })), {});
  assert.deepEqual(extract(input({ body: '{"order":null}' })), {});
  assert.deepEqual(extract(input({ body: 'order.accountId=5' })), {});
  assert.deepEqual(extract(input({ body: '{"order":{"accountId":"a"' })), {});
  // A truncated body is not trusted for extraction.
  assert.deepEqual(extract(input({ body: '{"order":{"accountId":"a"}}', bodyTruncated: true })), {});
});

test('for one name, the first extractor that finds a value wins; later ones fill in when earlier find nothing', () => {
  const configs: EntityExtractorConfig[] = [
    { name: 'accountId', from: 'path', template: '/accounts/{accountId}' },
    { name: 'accountId', from: 'query', param: 'account' },
    { name: 'accountId', from: 'header', header: 'x-account' },
  ];
  const extract = compileEntityExtractors(configs);
  const headers = { 'x-account': 'from-header' };
  assert.deepEqual(extract(input({ path: '/accounts/from-path', query: { account: 'from-query' }, headers })), { accountId: 'from-path' });
  assert.deepEqual(extract(input({ path: '/x', query: { account: 'from-query' }, headers })), { accountId: 'from-query' });
  assert.deepEqual(extract(input({ path: '/x', query: { account: '' }, headers })), { accountId: 'from-header' });
});

test('values are capped at 256 characters', () => {
  const extract = compileEntityExtractors([
    { name: 'h', from: 'header', header: 'x-h' },
    { name: 'p', from: 'path', template: '/p/{p}' },
  ]);
  const out = extract(input({ headers: { 'x-h': 'a'.repeat(1000) }, path: `/p/${'b'.repeat(300)}` }));
  assert.equal(out.h, 'a'.repeat(256));
  assert.equal(out.p, 'b'.repeat(256));
});

test('each call returns its own result object', () => {
  const extract = compileEntityExtractors([{ name: 'id', from: 'path', template: '/i/{id}' }]);
  const first = extract(input({ path: '/i/1' }));
  const second = extract(input({ path: '/i/2' }));
  assert.deepEqual(first, { id: '1' });
  assert.deepEqual(second, { id: '2' });
});
