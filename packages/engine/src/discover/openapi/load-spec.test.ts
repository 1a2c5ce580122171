import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPalisadeError } from '@palisade/core';
import type { DeclaredApi, DeclaredOperation } from '../types.js';
import { loadSpec, parseSpec } from './load-spec.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const BENCHMARK_SPECS = '/work/shared/benchmarks/openapi-specs';

function operation(api: DeclaredApi, method: string, template: string): DeclaredOperation {
  const found = api.operations.find((op) => op.method === method && op.template === template);
  assert.ok(found, `${method} ${template} in ${api.operations.map((op) => `${op.method} ${op.template}`).join(', ')}`);
  return found;
}

/** Asserts that `run` rejects with PAL_ERR_SPEC_INVALID and a one-line message naming `source`. */
async function assertSpecInvalid(run: () => Promise<unknown>, source: string, pattern: RegExp): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isPalisadeError(error));
    assert.equal(error.code, 'PAL_ERR_SPEC_INVALID');
    assert.ok(error.message.includes(source), error.message);
    assert.ok(!error.message.includes('\n'), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

const MINIMAL_PATHS = 'paths: {/a: {get: {responses: {"200": {description: ok}}}}}';

test('an OpenAPI 3.0 YAML document gives its operations with the base path of the first server', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  assert.equal(api.title, 'Pet Shop');
  assert.equal(api.specVersion, '3.0.3');
  assert.equal(api.basePath, '/v1');
  assert.deepEqual(
    api.operations.map((op) => `${op.method} ${op.template}`),
    ['GET /v1/pets', 'POST /v1/pets', 'GET /v1/pets/{petId}', 'DELETE /v1/pets/{petId}', 'GET /v1/pets/{petId}/family/'],
  );
  assert.equal(operation(api, 'GET', '/v1/pets').operationId, 'listPets');
});

test('an unquoted version number keeps the text written in the YAML', async () => {
  assert.equal((await loadSpec(`${fixtures}pets-oas30.yaml`)).version, '1.0');
  const api = await parseSpec(`openapi: 3.0\ninfo: {title: t, version: 1.10}\n${MINIMAL_PATHS}\n`, 'numbers.yaml');
  assert.equal(api.specVersion, '3.0');
  assert.equal(api.version, '1.10');
});

test('server variables take their defaults; hosts are lower case without default ports; relative servers give no host', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  assert.deepEqual(api.hosts, ['api.example.com', 'staging.example.com:8080']);
  const variables = await parseSpec(
    [
      'openapi: 3.0.0',
      'info: {title: t, version: "1"}',
      'servers:',
      '  - url: "https://{region}.example.com/{stage}"',
      '    variables:',
      '      region: {enum: [eu, us]}',
      '      stage: {default: prod}',
      MINIMAL_PATHS,
    ].join('\n'),
    'variables.yaml',
  );
  assert.deepEqual(variables.hosts, ['eu.example.com']);
  assert.equal(variables.operations[0]?.template, '/prod/a');
  const relative = await parseSpec(
    `openapi: 3.0.0\ninfo: {title: t, version: "1"}\nservers: [{url: /api/v3/}]\n${MINIMAL_PATHS}\n`,
    'relative.yaml',
  );
  assert.deepEqual(relative.hosts, []);
  assert.equal(relative.basePath, '/api/v3');
  assert.equal(relative.operations[0]?.template, '/api/v3/a');
});

test('templates keep a trailing slash only where the spec path has one', async () => {
  const pets = await loadSpec(`${fixtures}pets-oas30.yaml`);
  operation(pets, 'GET', '/v1/pets/{petId}/family/');
  const books = await loadSpec(`${fixtures}books-oas31.json`);
  assert.equal(books.basePath, '/api');
  operation(books, 'GET', '/api/');
  const root = await parseSpec(
    `openapi: 3.0.0\ninfo: {title: t, version: "1"}\nservers: [{url: "https://api.example.com/"}]\n${MINIMAL_PATHS}\n`,
    'root.yaml',
  );
  assert.equal(root.basePath, '');
  assert.equal(root.operations[0]?.template, '/a');
});

test('path-level parameters are merged into each operation, the operation winning on name and location', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  assert.deepEqual(operation(api, 'GET', '/v1/pets/{petId}').parameters, [
    { name: 'petId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    { name: 'X-Trace-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } },
  ]);
  assert.deepEqual(operation(api, 'DELETE', '/v1/pets/{petId}').parameters, [
    { name: 'petId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    { name: 'X-Trace-Id', in: 'header', required: false, schema: { type: 'string' } },
  ]);
  // A path parameter is required even when the spec forgets to say so.
  assert.equal(operation(api, 'GET', '/v1/pets/{petId}/family/').parameters[0]?.required, true);
});

test('deprecated operations are flagged', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  assert.equal(operation(api, 'DELETE', '/v1/pets/{petId}').deprecated, true);
  assert.equal(operation(api, 'GET', '/v1/pets/{petId}').deprecated, false);
});

test('request and response bodies are the JSON media type schemas, with $refs resolved', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  const pet = {
    type: 'object',
    required: ['id', 'name'],
    properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, tag: { type: 'string' } },
  };
  const create = operation(api, 'POST', '/v1/pets');
  assert.deepEqual(create.requestBody, pet);
  assert.deepEqual(create.responses, { '201': undefined, '401': undefined });
  const list = operation(api, 'GET', '/v1/pets');
  assert.deepEqual(list.responses['200'], { type: 'array', items: pet });
  // A $ref'd response with an `application/problem+json` body.
  assert.deepEqual(list.responses.default, { type: 'object', properties: { code: { type: 'string' } } });
});

test('a `+json` media type is preferred to others, and a media type without schema gives no body', async () => {
  const api = await loadSpec(`${fixtures}books-oas31.json`);
  assert.equal(operation(api, 'PUT', '/api/books/{isbn}').requestBody?.type, 'object');
  assert.equal(operation(api, 'PATCH', '/api/books/{isbn}').requestBody, undefined);
  assert.deepEqual(Object.keys(operation(api, 'GET', '/api/books/{isbn}').responses), ['200', '4XX']);
});

test('circular schemas are expanded once and refer to themselves by pointer, leaving no cycle', async () => {
  const pets = await loadSpec(`${fixtures}pets-oas30.yaml`);
  const tree = operation(pets, 'GET', '/v1/pets/{petId}/family/').responses['200'] as { properties: Record<string, unknown> };
  assert.deepEqual(tree.properties.children, { type: 'array', items: { $ref: '#/components/schemas/Node' } });
  assert.equal((tree.properties.pet as { type: string }).type, 'object');
  const library = await loadSpec(`${fixtures}library-swagger20.yaml`);
  // Loan is not recursive, only reaches the recursive Book: it is resolved, Book's self-reference is not.
  const loan = operation(library, 'POST', '/api/v2/members/{memberId}/loans').requestBody as { properties: Record<string, unknown> };
  assert.deepEqual(loan.properties.book, {
    type: 'object',
    properties: { title: { type: 'string' }, sequel: { $ref: '#/definitions/Book' } },
  });
  for (const api of [pets, library, await loadSpec(`${fixtures}books-oas31.json`)]) assert.doesNotThrow(() => JSON.stringify(api));
});

test('an OpenAPI 3.1 JSON document: protocol-relative servers, parameters described by content, 3.1 schema types', async () => {
  const api = await loadSpec(`${fixtures}books-oas31.json`);
  assert.equal(api.specVersion, '3.1.0');
  assert.deepEqual(api.hosts, ['books.example.com']);
  assert.deepEqual(
    api.operations.map((op) => `${op.method} ${op.template}`),
    ['GET /api/', 'GET /api/books/{isbn}', 'PUT /api/books/{isbn}', 'PATCH /api/books/{isbn}'],
  );
  assert.deepEqual(operation(api, 'GET', '/api/books/{isbn}').parameters, [
    { name: 'isbn', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9-]{10,17}$' } },
    { name: 'filter', in: 'query', required: false, schema: { type: 'object' } },
    { name: 'session', in: 'cookie', required: false, schema: { type: ['string', 'null'] } },
  ]);
  assert.deepEqual(api.securitySchemes, { mtls: { type: 'mutualTLS' }, oidc: { type: 'openIdConnect' } });
});

test('security is the operation requirement, else the root one, as alternatives of scheme names', async () => {
  const api = await loadSpec(`${fixtures}pets-oas30.yaml`);
  assert.deepEqual(operation(api, 'GET', '/v1/pets').security, [['bearer']]);
  assert.deepEqual(operation(api, 'POST', '/v1/pets').security, [['bearer'], ['apiKey']]);
  assert.deepEqual(operation(api, 'GET', '/v1/pets/{petId}').security, []);
  assert.deepEqual(api.securitySchemes, {
    bearer: { type: 'http', scheme: 'bearer' },
    apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
  });
});

test('a Swagger 2.0 document: host, schemes, basePath, body and formData parameters, security definitions', async () => {
  const api = await loadSpec(`${fixtures}library-swagger20.yaml`);
  assert.equal(api.specVersion, '2.0');
  assert.equal(api.basePath, '/api/v2');
  // Port 80 is the default for http only.
  assert.deepEqual(api.hosts, ['library.example.com', 'library.example.com:80']);
  assert.deepEqual(
    api.operations.map((op) => `${op.method} ${op.template}`),
    ['GET /api/v2/members/{memberId}/loans', 'POST /api/v2/members/{memberId}/loans', 'PUT /api/v2/members/{memberId}/avatar'],
  );
  const list = operation(api, 'GET', '/api/v2/members/{memberId}/loans');
  assert.deepEqual(list.parameters, [
    { name: 'memberId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } },
    { name: 'page', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
    { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'returned'] } },
  ]);
  assert.equal((list.responses['200'] as { type: string }).type, 'array');
  assert.equal(list.responses['404'], undefined);
  assert.deepEqual(list.security, [['key']]);
  const create = operation(api, 'POST', '/api/v2/members/{memberId}/loans');
  assert.equal(create.requestBody?.type, 'object');
  assert.ok(!create.parameters.some((p) => (p.in as string) === 'body'));
  assert.deepEqual(create.security, [['basicAuth', 'key']]);
  const avatar = operation(api, 'PUT', '/api/v2/members/{memberId}/avatar');
  assert.equal(avatar.deprecated, true);
  assert.deepEqual(avatar.requestBody, {
    type: 'object',
    properties: { image: { type: 'string', format: 'binary' }, caption: { type: 'string', maxLength: 80 } },
    required: ['image'],
  });
  assert.deepEqual(api.securitySchemes, {
    basicAuth: { type: 'basic' },
    key: { type: 'apiKey', in: 'query', name: 'api_key' },
    oauth: { type: 'oauth2' },
  });
});

test('OpenAPI versions newer than swagger-parser knows are read, and keep their version', async () => {
  const api = await parseSpec(`openapi: 3.2.0\ninfo: {title: t, version: "1"}\n${MINIMAL_PATHS}\n`, 'new.yaml');
  assert.equal(api.specVersion, '3.2.0');
  assert.equal(api.operations.length, 1);
});

test('a file that is not an API description is PAL_ERR_SPEC_INVALID naming the file', async () => {
  await assertSpecInvalid(() => loadSpec(`${fixtures}not-a-spec.yaml`), 'not-a-spec.yaml', /not an OpenAPI 3\.x or Swagger 2\.0 document/);
  await assertSpecInvalid(() => parseSpec('[1, 2]', 'list.json'), 'list.json', /not an OpenAPI/);
  await assertSpecInvalid(() => parseSpec('', 'empty.yaml'), 'empty.yaml', /not an OpenAPI/);
  await assertSpecInvalid(() => parseSpec('swagger: "1.2"\ninfo: {}\n', 'old.yaml'), 'old.yaml', /not an OpenAPI/);
});

test('unreadable, malformed and unresolvable documents are PAL_ERR_SPEC_INVALID with one line', async () => {
  await assertSpecInvalid(() => loadSpec(join(fixtures, 'missing.yaml')), 'missing.yaml', /cannot read .*: ENOENT$/);
  await assertSpecInvalid(
    () => parseSpec('openapi: 3.0.0\ninfo: [\n', 'broken.yaml'),
    'broken.yaml',
    /not valid JSON or YAML: .* at line \d+/,
  );
  await assertSpecInvalid(() => parseSpec('{"openapi": "3.0.0", ', 'broken.json'), 'broken.json', /not valid JSON or YAML/);
  await assertSpecInvalid(
    () =>
      parseSpec(
        'openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths: {/a: {get: {responses: {"200": {$ref: "#/nope"}}}}}\n',
        'dangling.yaml',
      ),
    'dangling.yaml',
    /not a valid API description: .*#\/nope/,
  );
  await assertSpecInvalid(
    () => parseSpec('openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths: [1]\n', 'paths.yaml'),
    'paths.yaml',
    /`paths` is not an object/,
  );
});

test('external $refs to local files resolve relative to the spec file', async () => {
  const api = await loadSpec(`${fixtures}split-api.yaml`);
  const owner = operation(api, 'GET', '/owners/{ownerId}');
  assert.deepEqual(owner.parameters, [{ name: 'ownerId', in: 'path', required: true, schema: { type: 'integer' } }]);
  assert.deepEqual(owner.responses['200'], { type: 'object', properties: { name: { type: 'string' } } });
});

test('external $refs to URLs are not fetched', async () => {
  const text =
    'openapi: 3.0.0\ninfo: {title: t, version: "1"}\npaths: {/a: {get: {responses: {"200": {$ref: "https://api.example.com/r.yaml"}}}}}\n';
  await assertSpecInvalid(() => parseSpec(text, 'remote.yaml'), 'remote.yaml', /Unable to resolve \$ref/);
});

test('YAML alias bombs are refused', async () => {
  const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [name, previous] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
    ['f', 'e'],
  ]) {
    rows.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  await assertSpecInvalid(() => parseSpec(rows.join('\n'), 'bomb.yaml'), 'bomb.yaml', /not valid YAML/);
});

test('every shared benchmark spec loads with operations whose templates start with /', async (t) => {
  if (!existsSync(BENCHMARK_SPECS)) {
    t.skip(`${BENCHMARK_SPECS} is not on this machine`);
    return;
  }
  const files = readdirSync(BENCHMARK_SPECS).filter((name) => /\.(json|ya?ml)$/.test(name) && name !== 'manifest.json');
  assert.ok(files.length > 0);
  for (const file of files) {
    const api = await loadSpec(join(BENCHMARK_SPECS, file));
    assert.ok(api.operations.length >= 1, file);
    for (const op of api.operations) assert.ok(op.template.startsWith('/'), `${file}: ${op.template}`);
  }
});
