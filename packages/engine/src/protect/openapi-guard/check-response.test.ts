import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { MASK } from './check-response.js';
import { compileOpenApiGuard, loadOpenApiDocument, type OpenApiDocument, type OpenApiGuard } from './compile.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const USER = 'GET /api/v1/users/{id}';
const GITHUB_TOKEN = `ghp_${'a1B2c3D4e5F6g7H8i9J0'}${'k1L2m3N4o5P6q7R8'}`;

let specs: OpenApiDocument[];
let guard: OpenApiGuard;
before(async () => {
  specs = [
    await loadOpenApiDocument(join(FIXTURES, 'shop-3.0.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'notes-3.1.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'legacy-2.0.yaml')),
  ];
  guard = compileOpenApiGuard(specs);
});

/** The findings of a response as `type location` lines, sorted. */
function findings(endpoint: string | undefined, status: number, body: unknown, contentType = 'application/json'): string[] {
  return guard
    .checkResponse(endpoint, status, contentType, body)
    .findings.map((f) => `${f.type} ${f.location}`)
    .sort();
}

test('sensitive values in declared fields are the contract and are not reported', () => {
  const check = guard.checkResponse(USER, 200, 'application/json', {
    id: 'u1',
    name: 'Ann',
    contact: { email: 'ann@example.com' },
    roles: [{ name: 'admin' }],
  });
  assert.deepEqual(check, { findings: [], declared: true, truncated: false });
});

test('sensitive values in undeclared fields are reported where they are, at any depth and in arrays', () => {
  const body = {
    id: 'u1',
    contact: { email: 'ann@example.com', phone: '+14155550100' },
    password: 'hunter2',
    ssn: '123-45-6789',
    roles: [
      { name: 'admin', apiKey: GITHUB_TOKEN },
      { name: 'x', apiKey: GITHUB_TOKEN },
    ],
    billing: { card: '4111 1111 1111 1111', note: 'paid' },
    nickname: 'annie',
  };
  assert.deepEqual(findings(USER, 200, body), [
    'password json:$.password',
    'payment_card json:$.billing.card',
    'phone json:$.contact.phone',
    'secret json:$.roles[].apiKey',
    'ssn json:$.ssn',
  ]);
  const secret = guard.checkResponse(USER, 200, 'application/json', body).findings.find((f) => f.type === 'secret');
  assert.equal(secret?.subtype, 'github_token');
});

test('card-like numbers that fail the Luhn check and password metadata are not reported', () => {
  assert.deepEqual(
    findings(USER, 200, { orderNumber: '4111 1111 1111 1112', passwordExpiresAt: '2025-01-01', passwordRequired: true, password: '' }),
    [],
  );
});

test('with maskResponses a masked copy replaces each reported value; the body passed in is untouched', async () => {
  const masking = compileOpenApiGuard(specs, { maskResponses: true });
  const body = { id: 'u1', name: 'Ann', secret: { pin: 1, password: 'hunter2' }, extra: ['ann@example.com', 'hello'] };
  const before = structuredClone(body);
  const check = masking.checkResponse(USER, 200, 'application/json; charset=utf-8', body);
  assert.deepEqual(check.masked, { id: 'u1', name: 'Ann', secret: { pin: 1, password: MASK }, extra: [MASK, 'hello'] });
  assert.deepEqual(body, before);
  assert.equal(guard.checkResponse(USER, 200, 'application/json', body).masked, undefined, 'no copy without maskResponses');
  assert.equal(masking.checkResponse(USER, 200, 'application/json', { id: 'u1' }).masked, undefined, 'no copy without findings');
});

test('free-form objects declare everything under them', () => {
  assert.deepEqual(findings('GET /api/v1/users/{id}/settings', 200, { email: 'ann@example.com', nested: { password: 'x1' } }), []);
});

test('the schema is chosen by status (exact, range, default) and media type', () => {
  assert.deepEqual(findings(USER, 500, { message: 'boom', stack: 'card 4111 1111 1111 1111' }), ['payment_card json:$.stack']);
  assert.deepEqual(findings(USER, 500, { message: 'ann@example.com' }), [], 'declared by the default response');
  assert.deepEqual(
    findings('GET /notes-api/notes/{id}', 203, { title: 'ann@example.com', owner: 'bob@example.org' }),
    ['email json:$.owner'],
    '2XX',
  );
  assert.deepEqual(
    findings('GET /v2/items/{itemId}', 200, { name: 'x', owner_email: 'bob@example.org' }),
    ['email json:$.owner_email'],
    'Swagger 2.0',
  );
  assert.deepEqual(findings(USER, 200, '<p>ann@example.com</p>', 'text/html'), [], 'only JSON is inspected');
});

test('a response of an unknown endpoint or an undocumented status has every field undeclared', () => {
  const check = guard.checkResponse(undefined, 200, 'application/json', { email: 'ann@example.com' });
  assert.equal(check.declared, false);
  assert.deepEqual(
    check.findings.map((f) => f.location),
    ['json:$.email'],
  );
  assert.equal(guard.checkResponse('DELETE /api/v1/pets/{petId}', 204, undefined, { email: 'ann@example.com' }).declared, false);
});

test('a body given as bytes or text is parsed as JSON; unparsable or oversized bodies are skipped', async () => {
  assert.deepEqual(findings(USER, 200, Buffer.from('{"id":"u1","leak":"ann@example.com"}')), ['email json:$.leak']);
  assert.deepEqual(findings(USER, 200, '{"id":"u1","leak":"ann@example.com"}'), ['email json:$.leak']);
  assert.deepEqual(findings(USER, 200, Buffer.from('{"id":')), []);
  const small = compileOpenApiGuard(specs, { maxResponseBytes: 10 });
  assert.deepEqual(small.checkResponse(USER, 200, 'application/json', Buffer.from('{"leak":"ann@example.com"}')), {
    findings: [],
    declared: false,
    truncated: true,
  });
});

test('OpenAPI 3.1: tuple items and nullable types declare their members', () => {
  const endpoint = 'GET /notes-api/notes';
  assert.deepEqual(findings(endpoint, 200, { items: [{ title: 'ann@example.com', point: [1, 2] }], next: null }), []);
  assert.deepEqual(findings(endpoint, 200, { items: [{ title: 'a', author: { email: 'ann@example.com' } }] }), [
    'email json:$.items[].author.email',
  ]);
});

test('work is bounded by maxResponseValues and reported as truncated', async () => {
  const bounded = compileOpenApiGuard(specs, { maxResponseValues: 10 });
  const body = { list: Array.from({ length: 1000 }, (_, i) => ({ email: `user${i}@example.com` })) };
  const check = bounded.checkResponse(USER, 200, 'application/json', body);
  assert.equal(check.truncated, true);
  assert.deepEqual(
    check.findings.map((f) => f.location),
    ['json:$.list[].email'],
  );
});

test('responseTypes chooses what is reported', async () => {
  const emailsOnly = compileOpenApiGuard(specs, { responseTypes: ['email'] });
  const check = emailsOnly.checkResponse(USER, 200, 'application/json', { a: 'ann@example.com', password: 'hunter2', ssn: '123-45-6789' });
  assert.deepEqual(
    check.findings.map((f) => f.type),
    ['email'],
  );
});
