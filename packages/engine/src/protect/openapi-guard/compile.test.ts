import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PalisadeError } from '@palisade/core';
import { compileOpenApiGuard, hasNestedQuantifier, loadOpenApiDocument, parseOpenApiDocument } from './compile.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

test('OpenAPI 3.0, 3.1 and Swagger 2.0 descriptions compile with their base paths and no problems', async () => {
  const guard = compileOpenApiGuard([
    await loadOpenApiDocument(join(FIXTURES, 'shop-3.0.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'notes-3.1.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'legacy-2.0.yaml')),
  ]);
  assert.deepEqual(guard.problems, []);
  assert.ok(guard.endpoints.includes('GET /api/v1/pets/{petId}'), 'servers[0].url path of an absolute URL');
  assert.ok(guard.endpoints.includes('POST /notes-api/notes'), 'relative server URL');
  assert.ok(guard.endpoints.includes('GET /v2/items/{itemId}'), 'Swagger basePath without its trailing slash');
  assert.equal(guard.endpoints.length, 16);
});

test('every server URL variable value gives a base path, and the first description of an endpoint wins', async () => {
  const spec = (title: string, type: string) =>
    JSON.stringify({
      openapi: '3.0.3',
      info: { title, version: '1' },
      servers: [
        {
          url: 'https://{region}.example.com/{version}',
          variables: { region: { default: 'eu' }, version: { default: 'v1', enum: ['v1', 'v2'] } },
        },
      ],
      paths: { '/a/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type } }], responses: {} } } },
    });
  const guard = compileOpenApiGuard([
    await parseOpenApiDocument(spec('first', 'integer'), 'first.json'),
    await parseOpenApiDocument(spec('second', 'string'), 'second.json'),
  ]);
  assert.deepEqual([...guard.endpoints].sort(), ['GET /v1/a/{id}', 'GET /v2/a/{id}']);
  assert.equal(guard.checkRequest({ method: 'GET', path: '/v2/a/x', query: '', headers: {} }).violations[0]?.location, 'path:id');
});

test('a pattern that may backtrack exponentially or does not compile is listed in problems and not enforced', async () => {
  const text = JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'patterns', version: '1' },
    paths: {
      '/r': {
        get: {
          parameters: [
            { name: 'slow', in: 'query', schema: { type: 'string', pattern: '^(a+)+$' } },
            { name: 'broken', in: 'query', schema: { type: 'string', pattern: '^(?<x$' } },
            { name: 'fine', in: 'query', schema: { type: 'string', pattern: '^[a-z]{2}$' } },
          ],
          responses: {},
        },
      },
    },
  });
  const guard = compileOpenApiGuard([await parseOpenApiDocument(text, 'patterns.json')]);
  assert.equal(guard.problems.length, 2);
  assert.match(guard.problems[0] ?? '', /^patterns\.json: pattern "\^\(a\+\)\+\$" may backtrack exponentially; not checked$/);
  assert.match(guard.problems[1] ?? '', /is not a JavaScript regular expression/);
  const attack = `slow=${'a'.repeat(40)}!&broken=x&fine=abc`;
  const check = guard.checkRequest({ method: 'GET', path: '/r', query: attack, headers: {} });
  assert.deepEqual(
    check.violations.map((v) => v.location),
    ['query:fine'],
  );
});

test('hasNestedQuantifier flags variable repetitions inside repeated groups, not fixed counts', () => {
  for (const risky of ['(a+)+', '(?:\\w*,)*', '(x?){2,}', '((ab)*c)*', '^([a-z0-9]+(-[a-z0-9]+)*\\.)+[a-z]{2,}$', '(\\d+){1,20}']) {
    assert.equal(hasNestedQuantifier(risky), true, risky);
  }
  for (const safe of [
    '^[a-z]+$',
    '^#(([0-9a-fA-F]{2}){3}|([0-9a-fA-F]){3})$',
    '^(\\d+\\.)?\\d+$',
    '[(a+)]+',
    '\\(a+\\)+',
    '(a{2})*',
    '(a+){2}',
  ]) {
    assert.equal(hasNestedQuantifier(safe), false, safe);
  }
});

test('a text that is not an API description is rejected with PAL_ERR_SPEC_INVALID naming it', async () => {
  await assert.rejects(parseOpenApiDocument('{"hello": "world"}', 'hello.json'), (error: unknown) => {
    assert.ok(error instanceof PalisadeError);
    assert.equal(error.code, 'PAL_ERR_SPEC_INVALID');
    assert.match(error.message, /hello\.json/);
    return true;
  });
  await assert.rejects(loadOpenApiDocument(join(FIXTURES, 'absent.yaml')), /cannot read .*absent\.yaml: ENOENT/);
});
