import assert from 'node:assert/strict';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { EndpointRecord } from '../report-types.js';
import type { DeclaredApi } from '../types.js';
import { diffInventory } from './diff.js';
import { exportOpenApi } from './export.js';

function endpoint(overrides: Partial<EndpointRecord>): EndpointRecord {
  return {
    host: 'api.example.com',
    method: 'GET',
    path: '/v1/users/{userId}',
    lifecycle: 'shadow',
    declared: false,
    deprecated: false,
    requests: 120,
    firstSeen: 1,
    lastSeen: 2,
    statuses: { '200': 100, '404': 20 },
    consumers: 12,
    auth: [
      { scheme: 'bearer-jwt', requests: 100 },
      { scheme: 'none', requests: 20 },
    ],
    parameters: [
      { name: 'userId', in: 'path', schema: { type: 'integer' }, seen: 120, alwaysPresent: true, declared: false },
      { name: 'fields', in: 'query', schema: { type: 'string' }, seen: 30, alwaysPresent: false, declared: false },
      { name: 'x-tenant', in: 'header', schema: { type: 'string', format: 'uuid' }, seen: 120, alwaysPresent: true, declared: false },
    ],
    responses: {
      '200': {
        type: 'object',
        properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' }, ssn: { type: 'string' } },
        required: ['id', 'email'],
        'x-palisade-samples': 100,
      },
    },
    sensitiveData: [],
    risk: { score: 0, findings: [] },
    sampleEventIds: [],
    ...overrides,
  };
}

test('the export is a valid OpenAPI 3.1 document of the host, with inferred schemas and no traffic values', async () => {
  const endpoints = [
    endpoint({}),
    endpoint({
      method: 'POST',
      path: '/v1/users',
      statuses: { '201': 10 },
      parameters: [],
      requestBody: { type: 'object', properties: { name: { type: 'string' } } },
      responses: {},
    }),
    endpoint({ host: 'other.example.com', path: '/elsewhere' }),
    endpoint({ path: '/v1/old', lifecycle: 'zombie', parameters: [], responses: {} }),
    endpoint({ path: '/v1/never', lifecycle: 'orphan', requests: 0, parameters: [], responses: {}, statuses: {} }),
  ];
  const doc = exportOpenApi('api.example.com', endpoints);
  await SwaggerParser.validate(structuredClone(doc) as never);
  const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
  assert.deepEqual(Object.keys(paths).sort(), ['/v1/old', '/v1/users', '/v1/users/{userId}']);
  const get = paths['/v1/users/{userId}']?.get;
  assert.ok(get);
  assert.deepEqual(get.security, [{ bearerJwt: [] }, {}]);
  assert.deepEqual(
    (get.parameters as Array<{ name: string; in: string; required: boolean }>).map((p) => [p.in, p.name, p.required]),
    [
      ['path', 'userId', true],
      ['query', 'fields', false],
      ['header', 'x-tenant', true],
    ],
  );
  assert.equal(paths['/v1/old']?.get?.deprecated, true);
  assert.ok(!JSON.stringify(doc).includes('x-palisade-samples'));
  assert.deepEqual(Object.keys((doc.components as { securitySchemes: object }).securitySchemes), ['bearerJwt']);
});

test('the diff against a spec names what traffic does that the spec does not say', () => {
  const spec: DeclaredApi = {
    source: 'users.yaml',
    title: 'Users',
    version: '1',
    specVersion: '3.1.0',
    hosts: ['api.example.com'],
    basePath: '/v1',
    operations: [
      {
        method: 'GET',
        template: '/v1/users/{userId}',
        deprecated: false,
        parameters: [
          { name: 'userId', in: 'path', required: true, schema: { type: 'integer' } },
          { name: 'expand', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { type: 'object', properties: { id: { type: 'integer' }, email: { type: 'string' } } } },
        security: [['bearerJwt']],
      },
      { method: 'DELETE', template: '/v1/users/{userId}', deprecated: false, parameters: [], responses: {}, security: [] },
    ],
    securitySchemes: { bearerJwt: { type: 'http', scheme: 'bearer' } },
  };
  const endpoints = [
    endpoint({ declared: true, lifecycle: 'documented' }),
    endpoint({ path: '/v1/admin/export', parameters: [], responses: {} }),
    endpoint({ method: 'DELETE', requests: 0, declared: true, lifecycle: 'orphan', parameters: [], responses: {}, statuses: {}, auth: [] }),
  ];
  const kinds = diffInventory(endpoints, [spec]).map((d) => `${d.kind} ${d.method} ${d.path}${d.location ? ` ${d.location}` : ''}`);
  assert.deepEqual(kinds.sort(), [
    'auth-mismatch GET /v1/users/{userId}',
    'missing-required-parameter GET /v1/users/{userId} query.expand',
    'response-body GET /v1/users/{userId} response.200/ssn',
    'undocumented-endpoint GET /v1/admin/export',
    'undocumented-parameter GET /v1/users/{userId} header.x-tenant',
    'undocumented-parameter GET /v1/users/{userId} query.fields',
    'undocumented-status GET /v1/users/{userId} response.404',
    'unused-endpoint DELETE /v1/users/{userId}',
  ]);
});
