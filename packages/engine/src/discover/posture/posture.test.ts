import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { API_EVENT_SCHEMA_VERSION, type ApiEvent, type AuthScheme, type BodySample, type JwtClaims } from '@palisade/core';
import type { EndpointRecord, Finding } from '../report-types.js';
import type { DeclaredOperation } from '../types.js';
import { POSTURE_RULES } from './catalogue.js';
import { createPostureObserver, type PostureObserver, riskOf } from './posture.js';

const HOST = 'api.example.com';
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const token = (seed: string) => `tok_${seed.repeat(22).slice(0, 22)}`;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
// Assembled at run time so that no full token literal sits in the source.
const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'user-1' })}.${'s'.repeat(43)}`;

interface EventSpec {
  id?: string;
  time?: number;
  host?: string;
  method?: string;
  path?: string;
  scheme?: 'http' | 'https';
  query?: Record<string, string | string[]>;
  rawQuery?: string;
  requestHeaders?: Record<string, string>;
  requestBody?: string | BodySample;
  /** `null`: the source saw no response. */
  status?: number | null;
  responseHeaders?: Record<string, string>;
  responseBody?: string | BodySample;
  auth?: AuthScheme;
  jwt?: JwtClaims;
  ip?: string;
}

let counter = 0;

/** A small, complete event: GET https://api.example.com/ answered 200, unauthenticated, unless told otherwise. */
function event(spec: EventSpec = {}): ApiEvent {
  counter++;
  const body = (value: string | BodySample | undefined): BodySample | undefined =>
    typeof value === 'string' ? { text: value, truncated: false, contentType: 'application/json' } : value;
  const requestBody = body(spec.requestBody);
  const responseBody = body(spec.responseBody);
  const e: ApiEvent = {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id: spec.id ?? counter.toString(16).padStart(32, '0'),
    time: spec.time ?? T0 + counter,
    source: { kind: 'test', name: 'posture.test' },
    request: {
      method: spec.method ?? 'GET',
      host: spec.host ?? HOST,
      path: spec.path ?? '/',
      headers: spec.requestHeaders ?? {},
    },
    client: { ip: spec.ip ?? '203.0.113.10' },
    identity: { authScheme: spec.auth ?? 'none' },
    entities: {},
  };
  if (spec.scheme !== undefined) e.request.scheme = spec.scheme;
  if (spec.query !== undefined) e.request.queryParams = spec.query;
  if (spec.rawQuery !== undefined) e.request.query = spec.rawQuery;
  if (requestBody !== undefined) e.request.body = requestBody;
  if (spec.jwt !== undefined) e.identity.jwt = spec.jwt;
  if (spec.status !== null) {
    e.response = { status: spec.status ?? 200, headers: spec.responseHeaders ?? {} };
    if (responseBody !== undefined) e.response.body = responseBody;
  }
  return e;
}

/** An endpoint record as the inventory would write it; 1 unauthenticated 200 unless told otherwise. */
function record(spec: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    host: HOST,
    method: 'GET',
    path: '/',
    lifecycle: 'documented',
    declared: false,
    deprecated: false,
    requests: 1,
    firstSeen: T0,
    lastSeen: T0,
    statuses: { '200': 1 },
    consumers: 1,
    auth: [{ scheme: 'none', requests: 1 }],
    parameters: [],
    responses: {},
    sensitiveData: [],
    risk: { score: 0, findings: [] },
    sampleEventIds: [],
    ...spec,
  };
}

function operation(spec: Partial<DeclaredOperation> = {}): DeclaredOperation {
  return { method: 'GET', template: '/', deprecated: false, parameters: [], responses: {}, security: [], ...spec };
}

/** Observes events of one endpoint (the record's key) and returns the findings for that record. */
function judge(
  events: readonly ApiEvent[],
  rec: EndpointRecord,
  options: { declared?: DeclaredOperation; declaredHosts?: ReadonlySet<string>; posture?: PostureObserver } = {},
): Finding[] {
  const posture = options.posture ?? createPostureObserver();
  for (const e of events) posture.observe(e, { host: rec.host, method: rec.method, path: rec.path }, options.declared);
  return posture.findings([rec], { declaredHosts: options.declaredHosts ?? new Set([HOST]) });
}

const ids = (findings: readonly Finding[]) => findings.map((f) => f.id);
function only(findings: readonly Finding[], id: string): Finding {
  const matching = findings.filter((f) => f.id === id);
  assert.equal(matching.length, 1, `${id} in ${JSON.stringify(ids(findings))}`);
  return matching[0] as Finding;
}
const none = (findings: readonly Finding[], id: string) =>
  assert.ok(!ids(findings).includes(id), `${id} unexpected: ${JSON.stringify(findings)}`);
const repeat = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

describe('posture/unauthenticated-sensitive-data', () => {
  const ssn = { type: 'ssn', location: 'response.body.$.user.ssn', count: 3, confidence: 'high' as const };
  const rec = record({
    path: '/users/{userId}',
    sensitiveData: [ssn, { type: 'email', location: 'request.query.email', count: 1, confidence: 'high' }],
  });

  test('2xx to unauthenticated requests whose bodies carry the sensitive path', () => {
    const events = repeat(3, () => event({ path: '/users/7', responseBody: '{"user":{"id":7,"ssn":"078-05-1120"}}' }));
    const finding = only(judge(events, rec), 'posture/unauthenticated-sensitive-data');
    assert.equal(finding.severity, 'high');
    assert.equal(finding.owasp, 'API2:2023 Broken Authentication');
    assert.deepEqual(finding.endpoint, { method: 'GET', path: '/users/{userId}' });
    assert.equal(finding.evidence.requests, 3);
    assert.deepEqual(finding.evidence.details?.types, ['ssn']);
    // Request-side sensitive data is not what this rule is about.
    assert.deepEqual(finding.evidence.details?.locations, ['response.body.$.user.ssn']);
    assert.ok(!JSON.stringify(finding).includes('078-05-1120'));
  });

  test('without any unauthenticated body sample, the endpoint-level sensitive data is the evidence', () => {
    const finding = only(judge([event({ path: '/users/7' })], rec), 'posture/unauthenticated-sensitive-data');
    assert.equal(finding.evidence.details?.matchedOnUnauthenticatedResponses, false);
  });

  test('near-misses: sensitive data only on authenticated responses, refused or authenticated requests', () => {
    // Anonymous callers get a public view without the path that carries the SSN.
    const publicView = [
      event({ responseBody: '{"user":{"id":7}}' }),
      event({ auth: 'bearer-opaque', responseBody: '{"user":{"id":7,"ssn":"x"}}' }),
    ];
    none(judge(publicView, rec), 'posture/unauthenticated-sensitive-data');
    none(judge([event({ status: 401 })], rec), 'posture/unauthenticated-sensitive-data');
    none(judge([event({ auth: 'cookie' })], rec), 'posture/unauthenticated-sensitive-data');
    none(
      judge([event()], record({ sensitiveData: [{ ...ssn, location: 'request.body.$.ssn' }] })),
      'posture/unauthenticated-sensitive-data',
    );
  });
});

describe('posture/credentials-in-url', () => {
  const rec = record({ path: '/v1/reports' });

  test('credential-named parameters, tokenized values and JWTs in the query', () => {
    const events = [
      event({ query: { api_key: token('A'), format: 'csv' } }),
      event({ query: { access_token: 'abc123opaque' } }),
      event({ query: { q: jwt } }),
      event({ query: { key: token('B') } }),
      event({ rawQuery: `X-Amz-Signature=deadbeef&sort=asc` }),
    ];
    const finding = only(judge(events, rec), 'posture/credentials-in-url');
    assert.equal(finding.severity, 'high');
    assert.equal(finding.evidence.requests, 5);
    assert.deepEqual(finding.evidence.details?.parameters, ['X-Amz-Signature', 'access_token', 'api_key', 'key', 'q']);
    assert.deepEqual(finding.evidence.details?.recognisedBy, ['jwt', 'name', 'token']);
    const text = JSON.stringify(finding);
    for (const secret of [token('A'), token('B'), jwt, 'abc123opaque', 'deadbeef']) assert.ok(!text.includes(secret), secret);
  });

  test('near-misses: generic keys, cursors, credential metadata and trivial values', () => {
    const events = [
      event({ query: { sort_key: 'date', key: 'name', page_token: 'CgwI8LiGpAYQ0Lq7_AE', nextPageToken: 'abc' } }),
      event({ query: { token_type: 'bearer', api_key_id: '12', auth: 'false', session: '1', password: '' } }),
      event({ query: { keyword: 'password reset', monkey: 'tok_short' } }),
    ];
    none(judge(events, rec), 'posture/credentials-in-url');
  });

  test('parameter names that themselves look like secrets are redacted', () => {
    const finding = only(judge([event({ query: { [jwt]: token('C') } })], rec), 'posture/credentials-in-url');
    assert.deepEqual(finding.evidence.details?.parameters, ['<redacted>']);
  });
});

describe('posture/jwt-none-accepted', () => {
  const rec = record({ path: '/v1/me' });

  test('alg none (any case) or missing, answered 2xx', () => {
    const events = [
      event({ auth: 'bearer-jwt', jwt: { sub: 'u1', alg: 'none' } }),
      event({ auth: 'bearer-jwt', jwt: { sub: 'u1', alg: 'NoNe' } }),
      event({ auth: 'bearer-jwt', jwt: { sub: 'u2' } }),
    ];
    const finding = only(judge(events, rec), 'posture/jwt-none-accepted');
    assert.equal(finding.severity, 'critical');
    assert.equal(finding.evidence.requests, 3);
    assert.deepEqual(finding.evidence.details?.algorithms, ['missing', 'none']);
  });

  test('near-misses: refused, signed, undecoded, not a JWT', () => {
    const events = [
      event({ auth: 'bearer-jwt', jwt: { alg: 'none' }, status: 401 }),
      event({ auth: 'bearer-jwt', jwt: { alg: 'RS256' } }),
      event({ auth: 'bearer-jwt' }),
      event({ auth: 'bearer-opaque' }),
    ];
    none(judge(events, rec), 'posture/jwt-none-accepted');
  });
});

describe('posture/credentials-over-http', () => {
  const rec = record({ path: '/v1/orders' });

  test('credentials on a request the source says came over http', () => {
    const events = [event({ scheme: 'http', auth: 'basic' }), event({ scheme: 'http', auth: 'api-key', status: 401 })];
    const finding = only(judge(events, rec), 'posture/credentials-over-http');
    assert.equal(finding.evidence.requests, 2);
    assert.deepEqual(finding.evidence.details?.authSchemes, ['api-key', 'basic']);
  });

  test('near-misses: https, no credentials, unknown scheme', () => {
    const events = [event({ scheme: 'https', auth: 'basic' }), event({ scheme: 'http' }), event({ auth: 'cookie' })];
    none(judge(events, rec), 'posture/credentials-over-http');
  });
});

describe('posture/excessive-data-exposure and posture/sensitive-data-in-response', () => {
  const userSchema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      email: { type: 'string' },
      cards: { type: 'array', items: { type: 'object', properties: { last4: {} } } },
    },
  };
  const declared = operation({ template: '/users/{userId}', responses: { '200': userSchema, '404': undefined } });
  const data = (type: string, path: string, count = 4) => ({ type, location: `response.body.${path}`, count, confidence: 'high' as const });

  test('sensitive data at paths the declared response schema does not declare', () => {
    const rec = record({
      path: '/users/{userId}',
      declared: true,
      requests: 10,
      sampleEventIds: ['e1', 'e2'],
      sensitiveData: [
        data('email', '$.email'),
        data('ssn', '$.ssn', 6),
        data('payment_card', '$.cards[].number', 2),
        data('email', '$.cards[].last4'),
      ],
    });
    const finding = only(judge([event({ path: '/users/1', auth: 'bearer-opaque' })], rec, { declared }), 'posture/excessive-data-exposure');
    assert.equal(finding.owasp, 'API3:2023 Broken Object Property Level Authorization');
    assert.deepEqual(finding.evidence.details?.locations, ['response.body.$.cards[].number', 'response.body.$.ssn']);
    assert.deepEqual(finding.evidence.details?.types, ['payment_card', 'ssn']);
    assert.equal(finding.evidence.requests, 6);
    assert.deepEqual(finding.evidence.sampleEventIds, ['e1', 'e2']);
    none(judge([event()], rec, { declared }), 'posture/sensitive-data-in-response');
  });

  test('near-misses: declared paths, free-form objects, compositions, additionalProperties maps', () => {
    const open = operation({
      responses: {
        '200': {
          allOf: [
            { type: 'object', properties: { id: {} } },
            { type: 'object', properties: { profile: { type: 'object' }, labels: { additionalProperties: { type: 'string' } } } },
          ],
        },
      },
    });
    const rec = record({
      declared: true,
      sensitiveData: [
        data('email', '$.id'),
        data('ssn', '$.profile.ssn'),
        data('email', '$.labels.owner'),
        { type: 'ssn', location: 'response.header.x-user-ssn', count: 1, confidence: 'high' },
      ],
    });
    assert.deepEqual(judge([event({ auth: 'bearer-opaque' })], rec, { declared: open }), []);
  });

  test('without a declared schema, only high-risk types are reported', () => {
    const rec = record({
      path: '/export',
      sensitiveData: [data('email', '$.email'), data('iban', '$.account.iban'), data('secret', '$.apiKey', 1)],
    });
    const finding = only(judge([event()], rec), 'posture/sensitive-data-in-response');
    assert.deepEqual(finding.evidence.details?.types, ['iban', 'secret']);
    none(
      judge([event()], record({ sensitiveData: [data('email', '$.email'), data('phone', '$.phone')] })),
      'posture/sensitive-data-in-response',
    );
  });
});

describe('posture/mass-assignment-candidate', () => {
  const declared = operation({
    method: 'PATCH',
    template: '/users/{userId}',
    requestBody: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        id: { type: 'string', readOnly: true },
        address: { type: 'object', properties: { city: {} } },
      },
    },
  });
  const rec = record({ method: 'PATCH', path: '/users/{userId}', declared: true });
  const patch = (body: string | BodySample, status = 200) => event({ method: 'PATCH', path: '/users/9', requestBody: body, status });

  test('accepted bodies with undeclared properties, nested ones included', () => {
    const events = [
      patch('{"name":"Ann","role":"admin","address":{"city":"Oslo","geo":{"lat":1}}}'),
      patch('{"id":"u9","name":"Ann","isAdmin":true}', 204),
    ];
    const finding = only(judge(events, rec, { declared }), 'posture/mass-assignment-candidate');
    assert.equal(finding.evidence.requests, 2);
    assert.deepEqual(finding.evidence.details?.properties, ['$.address.geo', '$.isAdmin', '$.role']);
    assert.deepEqual(finding.evidence.details?.readOnlyProperties, ['$.id']);
    assert.ok(!JSON.stringify(finding).includes('admin"'));
  });

  test('near-misses: refused, truncated, declared-only, not JSON, no schema', () => {
    const events = [
      patch('{"name":"Ann","role":"admin"}', 400),
      patch({ text: '{"name":"Ann","role":"adm', truncated: true, contentType: 'application/json' }),
      patch('{"name":"Ann","address":{"city":"Oslo"}}'),
      patch({ text: 'role=admin', truncated: false, contentType: 'application/x-www-form-urlencoded' }),
    ];
    none(judge(events, rec, { declared }), 'posture/mass-assignment-candidate');
    none(judge([patch('{"role":"admin"}')], rec, { declared: operation({ method: 'PATCH' }) }), 'posture/mass-assignment-candidate');
    none(judge([patch('{"role":"admin"}')], rec), 'posture/mass-assignment-candidate');
  });
});

describe('posture/bola-prone', () => {
  const busy = {
    path: '/v1/invoices/{invoiceId}',
    requests: 80,
    consumers: 12,
    statuses: { '200': 75, '404': 5 },
    auth: [{ scheme: 'bearer-jwt' as const, requests: 80 }],
    sampleEventIds: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  };

  test('an authenticated object endpoint used by many consumers that never refused anyone', () => {
    const finding = only(judge([], record(busy)), 'posture/bola-prone');
    assert.equal(finding.owasp, 'API1:2023 Broken Object Level Authorization');
    assert.match(finding.evidence.summary, /never refused a caller/);
    assert.deepEqual(finding.evidence.details?.pathParameters, ['invoiceId']);
    assert.deepEqual(finding.evidence.sampleEventIds, ['a', 'b', 'c', 'd', 'e']);
  });

  test('near-misses: a 403 seen, few consumers, few requests, no path parameter, public objects', () => {
    none(judge([], record({ ...busy, statuses: { '200': 79, '403': 1 } })), 'posture/bola-prone');
    none(judge([], record({ ...busy, statuses: { '200': 79, '401': 1 } })), 'posture/bola-prone');
    none(judge([], record({ ...busy, consumers: 4 })), 'posture/bola-prone');
    none(judge([], record({ ...busy, requests: 49 })), 'posture/bola-prone');
    none(judge([], record({ ...busy, path: '/v1/invoices' })), 'posture/bola-prone');
    none(judge([], record({ ...busy, auth: [{ scheme: 'none', requests: 80 }] })), 'posture/bola-prone');
  });
});

describe('posture/auth-endpoint-without-rate-limit', () => {
  const login = (i: number, ip: string, spacingMs: number) =>
    event({ method: 'POST', path: '/v1/auth/login', ip, time: T0 + i * spacingMs, status: i % 5 === 0 ? 200 : 401 });
  const rec = (statuses: Record<string, number>) => record({ method: 'POST', path: '/v1/auth/login', requests: 120, statuses });

  test('a client bursting 25 requests in 50 seconds, never answered 429', () => {
    const events = [...repeat(25, (i) => login(i, '203.0.113.7', 2000)), ...repeat(95, (i) => login(i, `198.51.100.${i}`, 30_000))];
    const finding = only(judge(events, rec({ '200': 24, '401': 96 })), 'posture/auth-endpoint-without-rate-limit');
    assert.equal(finding.owasp, 'API4:2023 Unrestricted Resource Consumption');
    assert.equal(finding.evidence.details?.maxRequestsPerMinute, 25);
    assert.equal(finding.evidence.details?.clientsOverThreshold, 1);
    assert.ok(!JSON.stringify(finding).includes('203.0.113.7'));
  });

  test('near-misses: a 429 seen, requests spread out, not POST, not an authentication path, too few requests', () => {
    const burst = repeat(120, (i) => login(i, '203.0.113.7', 2000));
    none(judge(burst, rec({ '200': 100, '429': 20 })), 'posture/auth-endpoint-without-rate-limit');
    // One request every 4 s: at most 15 in any minute.
    none(
      judge(
        repeat(120, (i) => login(i, '203.0.113.7', 4000)),
        rec({ '401': 120 }),
      ),
      'posture/auth-endpoint-without-rate-limit',
    );
    none(judge(burst, record({ method: 'POST', path: '/v1/auth/login', requests: 99 })), 'posture/auth-endpoint-without-rate-limit');
    const get = burst.map((e) => ({ ...e, request: { ...e.request, method: 'GET' } }));
    none(judge(get, record({ method: 'GET', path: '/v1/auth/login', requests: 120 })), 'posture/auth-endpoint-without-rate-limit');
    none(judge(burst, record({ method: 'POST', path: '/v1/orders', requests: 120 })), 'posture/auth-endpoint-without-rate-limit');
  });
});

describe('posture/verbose-errors and posture/version-disclosure', () => {
  const rec = record({ path: '/v1/search' });
  const javaTrace =
    '{"error":"java.lang.NullPointerException","trace":"at com.example.search.SearchService.run(SearchService.java:88)\\n\\tat com.example.Api.handle(Api.java:12)"}';

  test('stack traces and SQL errors in error bodies', () => {
    const events = [
      event({ status: 500, responseBody: javaTrace }),
      event({
        status: 400,
        responseBody: { text: 'ERROR: syntax error at or near "OR" SQLSTATE 42601', truncated: true, contentType: 'text/plain' },
      }),
    ];
    const finding = only(judge(events, rec), 'posture/verbose-errors');
    assert.equal(finding.owasp, 'API8:2023 Security Misconfiguration');
    assert.equal(finding.evidence.requests, 2);
    assert.deepEqual(finding.evidence.details?.kinds, ['java-exception', 'java-stack-trace', 'sql-error']);
    assert.deepEqual(finding.evidence.details?.statuses, ['400', '500']);
    assert.ok(!JSON.stringify(finding).includes('SearchService'));
  });

  test('near-misses: plain error messages, traces in successful responses, binary bodies', () => {
    const events = [
      event({ status: 500, responseBody: { text: 'Internal Server Error', truncated: false } }),
      event({ status: 404, responseBody: '{"error":"not found","path":"/v1/search/12"}' }),
      event({ status: 422, responseBody: '{"error":"field at position 3 is invalid"}' }),
      event({ status: 200, responseBody: javaTrace }),
      event({ status: 500, responseBody: { text: Buffer.from(javaTrace).toString('base64'), encoding: 'base64', truncated: false } }),
    ];
    none(judge(events, rec), 'posture/verbose-errors');
  });

  test('version headers give one finding per host', () => {
    const posture = createPostureObserver();
    posture.observe(event({ path: '/a', responseHeaders: { server: 'nginx/1.25.3' } }), { host: HOST, method: 'GET', path: '/a' });
    posture.observe(event({ path: '/b', responseHeaders: { 'x-powered-by': 'Express' } }), { host: HOST, method: 'GET', path: '/b' });
    posture.observe(event({ path: '/c', responseHeaders: { server: 'nginx' } }), { host: HOST, method: 'GET', path: '/c' });
    const findings = posture.findings([record({ path: '/a' }), record({ path: '/b' }), record({ path: '/c' })], {
      declaredHosts: new Set([HOST]),
    });
    const finding = only(findings, 'posture/version-disclosure');
    assert.equal(finding.endpoint, undefined);
    assert.equal(finding.severity, 'low');
    assert.deepEqual(finding.evidence.details, { headers: ['server', 'x-powered-by'], endpoints: 2 });
    assert.ok(!JSON.stringify(finding).includes('1.25.3'));
  });
});

describe('posture/permissive-cors', () => {
  const rec = record({ path: '/v1/account' });
  const cors = (origin: string | undefined, allowOrigin: string, credentials: boolean, auth: AuthScheme = 'cookie') =>
    event({
      auth,
      requestHeaders: origin === undefined ? {} : { origin },
      responseHeaders: credentials
        ? { 'access-control-allow-origin': allowOrigin, 'access-control-allow-credentials': 'true' }
        : { 'access-control-allow-origin': allowOrigin },
    });

  test('wildcard or null with credentials is high', () => {
    const finding = only(
      judge([cors('https://app.example.com', '*', true), cors(undefined, 'null', true)], rec),
      'posture/permissive-cors',
    );
    assert.equal(finding.severity, 'high');
    assert.deepEqual(finding.evidence.details?.reasons, ['null-with-credentials', 'wildcard-with-credentials']);
  });

  test('echoing origins of other sites with credentials is high', () => {
    const events = [
      cors('https://app.example.com', 'https://app.example.com', true),
      cors('https://evil.example.net', 'https://evil.example.net', true),
    ];
    const finding = only(judge(events, rec), 'posture/permissive-cors');
    assert.equal(finding.severity, 'high');
    assert.deepEqual(finding.evidence.details?.reasons, ['echo-with-credentials']);
    assert.equal(finding.evidence.details?.echoedOrigins, 2);
  });

  test('wildcard without credentials on an endpoint that requires authentication is low', () => {
    const finding = only(judge([cors(undefined, '*', false, 'bearer-opaque'), event({ status: 401 })], rec), 'posture/permissive-cors');
    assert.equal(finding.severity, 'low');
  });

  test('near-misses: allow-lists of the own site, one echoed origin, wildcard on a public endpoint', () => {
    const ownSite = [
      cors('https://app.example.com', 'https://app.example.com', true),
      cors('https://admin.example.com', 'https://admin.example.com', true),
    ];
    assert.deepEqual(judge(ownSite, rec), []);
    assert.deepEqual(judge([cors('https://partner.example.org', 'https://partner.example.org', true)], rec), []);
    assert.deepEqual(judge([cors(undefined, '*', false, 'none'), cors(undefined, '*', false, 'bearer-opaque')], rec), []);
    assert.deepEqual(judge([cors('https://evil.example.net', 'https://app.example.com', true)], rec), []);
  });
});

describe('posture/missing-security-headers', () => {
  const full = {
    'content-type': 'application/json',
    'strict-transport-security': 'max-age=63072000',
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };

  test('one finding per host naming the headers missing and how many endpoints lack them', () => {
    const posture = createPostureObserver();
    const observe = (path: string, spec: EventSpec) => posture.observe(event({ path, ...spec }), { host: HOST, method: 'GET', path });
    observe('/a', {
      scheme: 'https',
      auth: 'bearer-opaque',
      responseHeaders: { 'content-type': 'application/json; charset=utf-8', date: 'x' },
    });
    observe('/b', { scheme: 'https', auth: 'bearer-opaque', responseHeaders: { ...full, 'cache-control': 'max-age=60' } });
    observe('/c', { scheme: 'https', auth: 'bearer-opaque', responseHeaders: full });
    const findings = posture.findings([record({ path: '/a' }), record({ path: '/b' }), record({ path: '/c' })], {
      declaredHosts: new Set([HOST]),
    });
    const finding = only(findings, 'posture/missing-security-headers');
    assert.equal(finding.endpoint, undefined);
    assert.deepEqual(finding.evidence.details?.missing, ['strict-transport-security', 'x-content-type-options', 'cache-control-no-store']);
    assert.equal(finding.evidence.details?.endpoints, 2);
    assert.equal(finding.evidence.details?.endpointsJudged, 3);
    assert.equal(finding.evidence.details?.['endpointsWithout:cache-control-no-store'], 2);
    assert.equal(finding.evidence.details?.['endpointsWithout:strict-transport-security'], 1);
  });

  test('near-misses: headers not logged, only the content type logged, not JSON or HTML, no HSTS judged on http, anonymous caching', () => {
    const events = [
      event({ scheme: 'https', responseHeaders: {} }),
      event({ scheme: 'https', responseHeaders: { 'content-type': 'application/json' } }),
      event({ scheme: 'https', responseHeaders: { 'content-type': 'image/png', server: 'edge' } }),
      event({ scheme: 'http', responseHeaders: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } }),
      event({
        responseHeaders: { 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=600' },
      }),
      event({ scheme: 'https', auth: 'cookie', status: 500, responseHeaders: { 'content-type': 'application/json', via: 'lb' } }),
    ];
    assert.deepEqual(judge(events, record()), []);
  });
});

describe('posture/ssrf-prone-parameter', () => {
  const rec = record({ method: 'POST', path: '/v1/webhooks' });

  test('URLs in query parameters and JSON body properties of accepted requests', () => {
    const events = [
      event({ method: 'POST', query: { callback: 'https://hooks.example.net/x' } }),
      event({ method: 'POST', requestBody: '{"target":{"url":"http://203.0.113.5/latest/meta-data"},"retries":3}', status: 201 }),
      event({ method: 'POST', requestBody: '{"files":[{"src":"file:///etc/passwd"}]}' }),
    ];
    const finding = only(judge(events, rec), 'posture/ssrf-prone-parameter');
    assert.equal(finding.owasp, 'API7:2023 Server Side Request Forgery');
    assert.equal(finding.evidence.requests, 3);
    assert.deepEqual(finding.evidence.details?.queryParameters, ['callback']);
    assert.deepEqual(finding.evidence.details?.bodyProperties, ['$.files[].src', '$.target.url']);
    assert.ok(!JSON.stringify(finding).includes('meta-data'));
  });

  test('near-misses: redirect targets, refused requests, URLs inside text, other schemes', () => {
    const events = [
      event({ method: 'POST', query: { redirect_uri: 'https://app.example.com/cb', returnTo: 'https://app.example.com/' } }),
      event({ method: 'POST', query: { callback: 'https://hooks.example.net/x' }, status: 400 }),
      event({ method: 'POST', requestBody: '{"note":"see https://docs.example.com","mail":"mailto:a@example.com"}' }),
    ];
    none(judge(events, rec), 'posture/ssrf-prone-parameter');
  });
});

describe('posture/shadow-endpoint, posture/undocumented-api and posture/zombie-endpoint', () => {
  test('a shadow endpoint on a documented host is reported per endpoint', () => {
    const finding = only(judge([], record({ path: '/internal/debug', lifecycle: 'shadow', requests: 12 })), 'posture/shadow-endpoint');
    assert.equal(finding.owasp, 'API9:2023 Improper Inventory Management');
    assert.equal(finding.severity, 'medium');
  });

  test('a host without a spec gets one undocumented-api finding, no per-endpoint shadow findings', () => {
    const posture = createPostureObserver();
    const records = [
      record({ host: 'legacy.example.com', path: '/a', lifecycle: 'shadow', requests: 3, sampleEventIds: ['s1'] }),
      record({ host: 'legacy.example.com', path: '/b', lifecycle: 'shadow', requests: 4, sampleEventIds: ['s2'] }),
    ];
    const findings = posture.findings(records, { declaredHosts: new Set([HOST]) });
    assert.deepEqual(ids(findings), ['posture/undocumented-api']);
    const finding = findings[0] as Finding;
    assert.equal(finding.host, 'legacy.example.com');
    assert.equal(finding.severity, 'low');
    assert.equal(finding.evidence.requests, 7);
    assert.deepEqual(finding.evidence.sampleEventIds, ['s1', 's2']);
    // A spec without servers (`*`) covers every host.
    assert.deepEqual(ids(posture.findings(records, { declaredHosts: new Set(['*']) })), [
      'posture/shadow-endpoint',
      'posture/shadow-endpoint',
    ]);
  });

  test('a zombie endpoint with traffic is high', () => {
    const finding = only(
      judge([], record({ path: '/v1/users', lifecycle: 'zombie', deprecated: true, requests: 40, consumers: 3 })),
      'posture/zombie-endpoint',
    );
    assert.equal(finding.severity, 'high');
    assert.equal(finding.evidence.details?.deprecated, true);
  });

  test('near-misses: documented, new and orphan endpoints', () => {
    for (const lifecycle of ['documented', 'new', 'orphan'] as const)
      assert.deepEqual(judge([], record({ lifecycle, requests: lifecycle === 'orphan' ? 0 : 5 })), []);
    assert.deepEqual(judge([], record({ lifecycle: 'zombie', requests: 0, firstSeen: null, lastSeen: null })), []);
  });
});

describe('riskOf', () => {
  const f = (id: string, severity: Finding['severity']): Finding => ({
    id,
    severity,
    owasp: 'API8:2023 Security Misconfiguration',
    title: id,
    host: HOST,
    evidence: { summary: id },
  });

  test('sums severity weights, caps at 100, lists ids heaviest first', () => {
    assert.deepEqual(riskOf([]), { score: 0, findings: [] });
    assert.deepEqual(riskOf([f('posture/b', 'low'), f('posture/a', 'high'), f('posture/c', 'medium'), f('posture/i', 'info')]), {
      score: 38,
      findings: ['posture/a', 'posture/c', 'posture/b', 'posture/i'],
    });
    assert.deepEqual(riskOf([f('posture/x', 'critical'), f('posture/y', 'critical'), f('posture/z', 'high')]).score, 100);
  });
});

describe('the observer', () => {
  test('evidence observed under a literal path is credited to the template that covers it', () => {
    const posture = createPostureObserver();
    posture.observe(event({ path: '/users/42', query: { api_key: token('D') } }), { host: HOST, method: 'get', path: '/users/42' });
    posture.observe(event({ path: '/users/43', query: { api_key: token('E') } }), { host: HOST, method: 'GET', path: '/users/43' });
    const findings = posture.findings([record({ path: '/users/{userId}' }), record({ path: '/users/me' })], {
      declaredHosts: new Set([HOST]),
    });
    const finding = only(findings, 'posture/credentials-in-url');
    assert.deepEqual(finding.endpoint, { method: 'GET', path: '/users/{userId}' });
    assert.equal(finding.evidence.requests, 2);
  });

  test('samples and listed names are capped; findings can be asked for again', () => {
    const posture = createPostureObserver({ maxSamples: 2 });
    const events = repeat(200, (i) => event({ query: { [`secret_${i}`]: token('F') } }));
    const rec = record({ path: '/x' });
    const first = judge(events, rec, { posture });
    const finding = only(first, 'posture/credentials-in-url');
    assert.equal(finding.evidence.requests, 200);
    assert.equal(finding.evidence.sampleEventIds?.length, 2);
    assert.equal((finding.evidence.details?.parameters as string[] | undefined)?.length, 20);
    assert.deepEqual(posture.findings([rec], { declaredHosts: new Set([HOST]) }), first);
  });

  test('findings are ordered by severity, then host and endpoint', () => {
    const records = [
      record({ path: '/b', lifecycle: 'shadow', requests: 2 }),
      record({ path: '/a', lifecycle: 'zombie', requests: 2 }),
      record({ path: '/a', method: 'POST', lifecycle: 'shadow', requests: 2 }),
    ];
    const findings = createPostureObserver().findings(records, { declaredHosts: new Set([HOST]) });
    assert.deepEqual(
      findings.map((f) => `${f.id} ${f.endpoint?.method} ${f.endpoint?.path}`),
      ['posture/zombie-endpoint GET /a', 'posture/shadow-endpoint POST /a', 'posture/shadow-endpoint GET /b'],
    );
  });

  test('odd and hostile content never throws and stays fast', () => {
    const posture = createPostureObserver();
    const key = { host: HOST, method: 'POST', path: '/v1/auth/token' };
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const wide = JSON.stringify(Object.fromEntries(repeat(2000, (i) => [`k${i}`, 'https://example.com'])));
    assert.ok(deep.length < 65_536 && wide.length < 65_536);
    const hostile = [
      event({ status: null }),
      event({ requestBody: deep, responseBody: deep, status: 500 }),
      event({ method: 'POST', requestBody: deep, responseBody: deep }),
      event({ method: 'POST', requestBody: wide }),
      event({ requestBody: '{"a":', responseBody: '{not json' }),
      event({ status: 500, responseBody: { text: `at ${'/a'.repeat(40_000)}`, truncated: true } }),
      event({ status: 500, responseBody: { text: `${'at x'.repeat(20_000)}.java:1`, truncated: true } }),
      event({ rawQuery: '%E0%A4%A&=&&a=%zz&__proto__=1', time: Number.NaN }),
      event({ query: { constructor: 'x', toString: ['y', token('G')] }, requestHeaders: { origin: '' } }),
      { ...event(), client: {}, response: { status: 200, headers: { 'access-control-allow-origin': '' } } },
    ];
    const declared = operation({ requestBody: { type: 'object', properties: { a: { $ref: '#/x' } }, allOf: [{}] } });
    const started = process.hrtime.bigint();
    for (const e of hostile) posture.observe(e, key, declared);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 2000, `${ms} ms`);
    assert.doesNotThrow(() => posture.findings([record({ method: 'POST', path: '/v1/auth/token' })], { declaredHosts: new Set() }));
  });
});

test('the README describes every rule, and the catalogue has every rule the README names', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const named = new Set([...readme.matchAll(/`(posture\/[a-z0-9-]+)`/g)].map((m) => m[1] as string));
  assert.deepEqual([...named].sort(), Object.keys(POSTURE_RULES).sort());
  for (const [id, rule] of Object.entries(POSTURE_RULES)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${id}\``));
    assert.ok(row !== undefined, `${id} has a table row`);
    assert.ok(row.includes(rule.owasp.slice(0, 4)) && row.includes(rule.severity), `${id}: ${rule.owasp} ${rule.severity}`);
  }
});
