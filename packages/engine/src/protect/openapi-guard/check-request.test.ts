import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readQueryPairs } from '../inputs.js';
import type { GuardRequest } from './check-request.js';
import { compileOpenApiGuard, loadOpenApiDocument, type OpenApiGuard } from './compile.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const BENCHMARK_SPECS = '/work/shared/benchmarks/openapi-specs';
const REQUEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

let guard: OpenApiGuard;
before(async () => {
  guard = compileOpenApiGuard([
    await loadOpenApiDocument(join(FIXTURES, 'shop-3.0.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'notes-3.1.yaml')),
    await loadOpenApiDocument(join(FIXTURES, 'legacy-2.0.yaml')),
  ]);
});

function request(method: string, target: string, headers: GuardRequest['headers'] = {}, body?: string): GuardRequest {
  const question = target.indexOf('?');
  return {
    method,
    path: question < 0 ? target : target.slice(0, question),
    query: question < 0 ? '' : target.slice(question + 1),
    headers,
    ...(body === undefined ? {} : { body: Buffer.from(body) }),
  };
}

/** The violations of a request as `kind location` lines. */
function violations(method: string, target: string, headers: GuardRequest['headers'] = {}, body?: string): string[] {
  return guard.checkRequest(request(method, target, headers, body)).violations.map((v) => `${v.kind} ${v.location}`);
}

describe('valid requests pass', () => {
  const valid: Array<[string, string, GuardRequest['headers'], string?]> = [
    [
      'GET',
      '/api/v1/pets?limit=10&tags=cat&tags=dog&ids=1,2,3&filter[minAge]=2&filter[name]=Rex',
      { 'x-request-id': REQUEST_ID, cookie: 'session=deadbeef' },
    ],
    ['GET', '/api/v1/pets?ids=1%2C2', { 'x-request-id': REQUEST_ID }],
    ['GET', '/api/v1/pets/42', {}],
    ['GET', '/api/v1/pets/42/', {}],
    ['GET', '/api/v1/pets/%34%32', {}],
    ['HEAD', '/api/v1/pets/42', {}],
    ['OPTIONS', '/api/v1/pets/42', { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' }],
    ['GET', '/api/v1/pets/4/photos/cute.jpg', {}],
    ['POST', '/api/v1/pets', { 'content-type': 'application/json; charset=utf-8' }, '{"name":"Rex","tag":null,"age":2}'],
    ['POST', '/api/v1/orders', JSON_TYPE, '{"kind":"pickup","store":3}'],
    ['POST', '/api/v1/orders', JSON_TYPE, '{"kind":"delivery","address":"1 Main St"}'],
    ['POST', '/api/v1/login', FORM_TYPE, 'user=alice&password=p%40ss+word&remember=true'],
    ['GET', '/notes-api/notes?before=2024-01-01T00:00:00Z&score=0.5&q=%7B%22field%22%3A%22a%22%7D', {}],
    ['GET', '/notes-api/notes?before=', {}],
    ['POST', '/notes-api/notes', JSON_TYPE, '{"title":"a","version":1,"point":[1.5,2]}'],
    ['POST', '/notes-api/notes', { 'content-type': 'text/plain' }, 'hello'],
    ['GET', '/notes-api/notes/abc123', {}],
    ['GET', '/v2/items?page=2&sort=a,b&tag=1&tag=2&api_key=k', { 'x-trace': 'abc' }],
    ['POST', '/v2/items', JSON_TYPE, '{"name":"a","note":null,"price":1}'],
    ['GET', `/v2/items/${REQUEST_ID}`, {}],
    ['POST', '/v2/upload', FORM_TYPE, 'title=t&size=5'],
  ];
  for (const [method, target, headers, body] of valid) {
    test(`${method} ${target}`, () => {
      const check = guard.checkRequest(request(method, target, headers, body));
      assert.deepEqual(check.violations, []);
      if (method !== 'OPTIONS') assert.ok(check.endpoint?.startsWith(method === 'HEAD' ? 'GET ' : `${method} `));
    });
  }
});

test('the endpoint and operationId name the matched operation', () => {
  const check = guard.checkRequest(request('GET', '/api/v1/pets/7'));
  assert.equal(check.endpoint, 'GET /api/v1/pets/{petId}');
  assert.equal(check.operationId, 'showPetById');
});

test('unknown paths and methods are reported without checking further', () => {
  assert.deepEqual(violations('GET', '/api/v1/nothing?x=1'), ['unknown-endpoint path']);
  assert.deepEqual(violations('GET', '/pets/42'), ['unknown-endpoint path'], 'the server base path is part of the route');
  const check = guard.checkRequest(request('PUT', '/api/v1/pets/42'));
  assert.equal(check.endpoint, undefined);
  assert.deepEqual(check.violations, [
    { kind: 'unknown-method', location: 'method', detail: 'method not declared for /api/v1/pets/{petId} (declared: GET, DELETE)' },
  ]);
});

test('path parameters are read as their declared types (OpenAPI 3.0, 3.1, Swagger 2.0)', () => {
  assert.deepEqual(violations('GET', '/api/v1/pets/abc'), ['invalid-parameter path:petId']);
  assert.deepEqual(violations('GET', '/api/v1/pets/0'), ['invalid-parameter path:petId']);
  assert.deepEqual(violations('GET', '/api/v1/pets/1.5'), ['invalid-parameter path:petId']);
  assert.deepEqual(violations('GET', '/api/v1/pets/4/photos/cute1.jpg'), ['invalid-parameter path:file']);
  assert.deepEqual(violations('GET', '/notes-api/notes/xyz'), ['invalid-parameter path:id']);
  assert.deepEqual(violations('GET', '/v2/items/7'), ['invalid-parameter path:itemId']);
});

test('query parameters: types, enums, styles, deepObject, JSON content, repetition and unknown names', () => {
  const headers = { 'x-request-id': REQUEST_ID };
  assert.deepEqual(violations('GET', '/api/v1/pets?limit=abc', headers), ['invalid-parameter query:limit']);
  assert.deepEqual(violations('GET', '/api/v1/pets?limit=1000', headers), ['invalid-parameter query:limit']);
  assert.deepEqual(violations('GET', '/api/v1/pets?limit=1&limit=2', headers), ['invalid-parameter query:limit']);
  assert.deepEqual(violations('GET', '/api/v1/pets?tags=cat&tags=fish', headers), ['invalid-parameter query:tags']);
  assert.deepEqual(violations('GET', '/api/v1/pets?ids=1,x', headers), ['invalid-parameter query:ids']);
  assert.deepEqual(violations('GET', '/api/v1/pets?filter[minAge]=old', headers), ['invalid-parameter query:filter']);
  assert.deepEqual(violations('GET', '/api/v1/pets?debug=1&limit=5', headers), ['unknown-parameter query:debug']);
  assert.deepEqual(violations('GET', '/notes-api/notes?before=yesterday&score=0&q=notjson'), [
    'invalid-parameter query:before',
    'invalid-parameter query:score',
    'invalid-parameter query:q',
  ]);
  assert.deepEqual(
    violations('GET', '/notes-api/notes?q=%7B%7D'),
    ['invalid-parameter query:q'],
    'JSON content checked against its schema',
  );
  assert.deepEqual(violations('GET', '/v2/items?page=0&tag=x&sort=a'), ['invalid-parameter query:page', 'invalid-parameter query:tag']);
});

test('undeclared query parameters can be allowed', async () => {
  const lenient = compileOpenApiGuard([await loadOpenApiDocument(join(FIXTURES, 'legacy-2.0.yaml'))], { additionalQuery: 'allow' });
  assert.deepEqual(lenient.checkRequest(request('GET', '/v2/items?utm_source=mail')).violations, []);
  assert.deepEqual(violations('GET', '/v2/items?utm_source=mail'), ['unknown-parameter query:utm_source'], 'the default reports them');
});

test('header and cookie parameters: required, format and pattern', () => {
  assert.deepEqual(violations('GET', '/api/v1/pets'), ['missing-parameter header:x-request-id']);
  assert.deepEqual(violations('GET', '/api/v1/pets', { 'x-request-id': 'nope' }), ['invalid-parameter header:x-request-id']);
  assert.deepEqual(violations('GET', '/api/v1/pets', { 'x-request-id': REQUEST_ID, cookie: 'theme=dark; session=zz' }), [
    'invalid-parameter cookie:session',
  ]);
  assert.deepEqual(violations('GET', '/v2/items', { 'x-trace': 'a'.repeat(17) }), ['invalid-parameter header:x-trace']);
});

test('bodies: media type, JSON syntax, schema, required and undeclared bodies', () => {
  assert.deepEqual(violations('POST', '/api/v1/pets', JSON_TYPE, '{"name":"Rex","isAdmin":true}'), ['invalid-body json:$.isAdmin']);
  assert.deepEqual(violations('POST', '/api/v1/pets', JSON_TYPE, '{"name":'), ['invalid-body body']);
  assert.deepEqual(
    violations('POST', '/api/v1/pets', JSON_TYPE, '{"name":"x","age":0}'),
    ['invalid-body json:$.age'],
    'exclusiveMinimum: true of 3.0',
  );
  assert.deepEqual(violations('POST', '/api/v1/pets', { 'content-type': 'application/xml' }, '<pet/>'), [
    'content-type header:content-type',
  ]);
  assert.deepEqual(violations('POST', '/api/v1/pets', {}, '{"name":"x"}'), ['content-type header:content-type']);
  assert.deepEqual(violations('POST', '/api/v1/pets', JSON_TYPE), ['missing-body body']);
  assert.deepEqual(violations('POST', '/api/v1/pets', JSON_TYPE, ''), ['missing-body body']);
  assert.deepEqual(violations('DELETE', '/api/v1/pets/3', { 'content-type': 'text/plain' }, 'x'), ['undeclared-body body']);
  assert.deepEqual(
    violations('POST', '/api/v1/orders', JSON_TYPE, '{"kind":"delivery","store":3}'),
    ['invalid-body json:$.address'],
    'discriminator picks the branch',
  );
  assert.deepEqual(violations('POST', '/api/v1/orders', JSON_TYPE, '{"kind":"drone"}'), ['invalid-body json:$.kind']);
  assert.deepEqual(violations('POST', '/api/v1/login', FORM_TYPE, 'user=al&remember=maybe'), ['invalid-body form:password']);
  assert.deepEqual(violations('POST', '/api/v1/login', FORM_TYPE, 'user=alice&password=x&remember=maybe'), ['invalid-body form:remember']);
  assert.deepEqual(
    violations('POST', '/notes-api/notes', JSON_TYPE, '{"version":1}'),
    ['invalid-body json:$.title'],
    '3.1 $ref siblings apply',
  );
  assert.deepEqual(violations('POST', '/notes-api/notes', JSON_TYPE, '{"title":"a","point":[1,2,3]}'), ['invalid-body json:$.point']);
  assert.deepEqual(violations('POST', '/notes-api/notes', JSON_TYPE, '{"title":"a","point":["x",2]}'), ['invalid-body json:$.point[0]']);
  assert.deepEqual(violations('POST', '/v2/items', JSON_TYPE, '{"note":1}'), ['invalid-body json:$.name']);
  assert.deepEqual(
    violations('POST', '/v2/items', JSON_TYPE, '{"name":"a","price":0}'),
    ['invalid-body json:$.price'],
    'exclusiveMinimum: true of 2.0',
  );
  assert.deepEqual(violations('POST', '/v2/upload', FORM_TYPE, 'size=5000&title=t'), ['invalid-body form:size']);
});

test('undeclared bodies can be allowed, and bodies over maxBodyBytes are not parsed', async () => {
  const lenient = compileOpenApiGuard([await loadOpenApiDocument(join(FIXTURES, 'shop-3.0.yaml'))], {
    undeclaredBody: 'allow',
    maxBodyBytes: 16,
  });
  assert.deepEqual(lenient.checkRequest(request('DELETE', '/api/v1/pets/3', { 'content-type': 'text/plain' }, 'x')).violations, []);
  assert.deepEqual(
    lenient.checkRequest(request('POST', '/api/v1/pets', JSON_TYPE, `{"name":"${'x'.repeat(20)}", "isAdmin": true}`)).violations,
    [],
  );
  assert.deepEqual(
    lenient.checkRequest(request('POST', '/api/v1/pets', { 'content-type': 'text/html' }, 'x'.repeat(40))).violations.map((v) => v.kind),
    ['content-type'],
  );
});

test('details never echo request values, and names from the request are made printable and short', () => {
  const marker = 'ZQXJ<script>';
  const encoded = encodeURIComponent(marker);
  const check = guard.checkRequest(
    request(
      'POST',
      `/api/v1/pets?${encodeURIComponent(`\n${'n'.repeat(100)}`)}=1&limit=${encoded}`,
      { ...JSON_TYPE, 'x-request-id': marker },
      `{"name":"${marker}","age":"${marker}"}`,
    ),
  );
  const text = JSON.stringify(check.violations);
  assert.ok(!text.includes('ZQXJ'), text);
  assert.deepEqual(
    check.violations.map((v) => v.location),
    [`query:?${'n'.repeat(63)}`, 'query:limit', 'json:$.age'],
  );
  const key = guard.checkRequest(request('POST', '/api/v1/pets', JSON_TYPE, '{"name":"x","<b>\\u0000":1}')).violations[0];
  assert.equal(key?.location, 'json:$.?b??');
  for (const path of [`/api/v1/pets/${encoded}`, `/api/v1/${encoded}`]) {
    assert.ok(!JSON.stringify(guard.checkRequest(request('GET', path)).violations).includes('ZQXJ'));
  }
});

test('at most maxViolations violations are reported', async () => {
  const strict = compileOpenApiGuard([await loadOpenApiDocument(join(FIXTURES, 'shop-3.0.yaml'))], { maxViolations: 2 });
  const check = strict.checkRequest(request('GET', '/api/v1/pets?a=1&b=2&c=3&limit=x'));
  assert.equal(check.violations.length, 2);
});

test('a real description: the OpenAPI petstore', async (t) => {
  const file = join(BENCHMARK_SPECS, 'oai-petstore.yaml');
  if (!existsSync(file)) {
    t.skip(`${file} is not on this machine`);
    return;
  }
  const petstore = compileOpenApiGuard([await loadOpenApiDocument(file)]);
  assert.deepEqual(petstore.checkRequest(request('GET', '/v1/pets?limit=20')).violations, []);
  assert.deepEqual(petstore.checkRequest(request('GET', '/v1/pets/12')).violations, []);
  assert.deepEqual(
    petstore.checkRequest(request('GET', '/v1/pets?limit=1%20OR%201=1')).violations.map((v) => `${v.kind} ${v.location}`),
    ['invalid-parameter query:limit'],
  );
  assert.deepEqual(petstore.checkRequest(request('POST', '/v1/pets', JSON_TYPE, '{"id":1,"name":"x"}')).violations, []);
  assert.deepEqual(
    petstore.checkRequest(request('POST', '/v1/pets', JSON_TYPE, '{"name":"x"}')).violations.map((v) => `${v.kind} ${v.location}`),
    ['invalid-body json:$.id'],
  );
  assert.deepEqual(
    petstore.checkRequest(request('PATCH', '/v1/pets/12')).violations.map((v) => v.kind),
    ['unknown-method'],
  );
});

test('a query read once by the caller is checked as the query string itself', () => {
  const many = Array.from({ length: 300 }, (_, i) => `p${i}=${i}`).join('&');
  const queries = [
    'limit=5&tags=cat&tags=dog&ids=1,2%2C3',
    'limit=abc&limit=7&unknown=1',
    'filter[minAge]=3&filter%5Bname%5D=rex+the+dog&x=%zz',
    'li%6Dit=%35&&tags=cat',
    'ids=1%2C2%2Cx&bad%=1',
    `limit=1&${many}`,
  ];
  for (const query of queries) {
    const asText = request('GET', `/pets?${query}`, { 'x-request-id': REQUEST_ID });
    const read = { ...asText, queryPairs: readQueryPairs(query) };
    assert.deepEqual(guard.checkRequest(read), guard.checkRequest(asText), query);
  }
});
