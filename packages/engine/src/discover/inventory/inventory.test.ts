import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { API_EVENT_SCHEMA_VERSION, type ApiEvent, type AuthScheme, loadConfig, type ParsedEvent } from '@palisade/core';
import { createEnricher } from '../../enrich/enrich.js';
import { createTokenizer } from '../../enrich/tokenize.js';
import type { DeclaredApi } from '../types.js';
import { createEventEncoder, decodeEvents } from './event-encoder.js';
import { createInventory } from './inventory.js';
import { createInventoryStore } from './inventory-store.js';

const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
let n = 0;

interface EventSpec {
  path: string;
  method?: string;
  host?: string;
  status?: number;
  time?: number;
  query?: Record<string, string>;
  user?: string;
  auth?: AuthScheme;
  ip?: string;
  responseBody?: unknown;
  requestBody?: unknown;
  latencyMs?: number;
}

function event(spec: EventSpec): ApiEvent {
  n++;
  const e: ApiEvent = {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id: `e${String(n).padStart(31, '0')}`,
    time: spec.time ?? T0 + n * 1000,
    source: { kind: 'nginx-json', name: 'test.log' },
    request: { method: spec.method ?? 'GET', host: spec.host ?? 'api.example.com', path: spec.path, headers: {} },
    response: { status: spec.status ?? 200, headers: {} },
    client: { ip: spec.ip ?? `203.0.113.${n % 200}` },
    identity: { authScheme: spec.auth ?? (spec.user === undefined ? 'none' : 'bearer-jwt') },
    entities: {},
  };
  if (spec.user !== undefined) e.identity.user = spec.user;
  if (spec.query !== undefined) {
    e.request.queryParams = spec.query;
    e.request.query = new URLSearchParams(spec.query).toString();
  }
  if (spec.latencyMs !== undefined) e.latencyMs = spec.latencyMs;
  if (spec.responseBody !== undefined && e.response) {
    e.response.body = { text: JSON.stringify(spec.responseBody), truncated: false, contentType: 'application/json' };
  }
  if (spec.requestBody !== undefined)
    e.request.body = { text: JSON.stringify(spec.requestBody), truncated: false, contentType: 'application/json' };
  return e;
}

const report = (inventory: ReturnType<typeof createInventory>) =>
  inventory.report({ files: ['test.log'], rejected: 0, specs: [], now: T0 + 40 * DAY });

test('endpoints carry counts, statuses, consumers, auth, latency, and typed parameters', () => {
  const inventory = createInventory();
  for (let i = 0; i < 40; i++) {
    inventory.add(
      event({
        path: `/api/v2/users/${1000 + i}/orders`,
        query: { page: String(i % 5), sort: 'desc' },
        user: `user-${i % 8}`,
        status: i % 10 === 0 ? 403 : 200,
        latencyMs: 10 + i,
      }),
    );
  }
  inventory.add(event({ path: '/wp-login.php', status: 404 }));
  const r = report(inventory);
  assert.equal(r.input.events, 41);
  assert.equal(r.endpoints.length, 1);
  const e = r.endpoints[0];
  assert.ok(e);
  assert.equal(e.path, '/api/v2/users/{userId}/orders');
  assert.equal(e.requests, 40);
  assert.deepEqual(e.statuses, { '200': 36, '403': 4 });
  assert.equal(e.consumers, 8);
  assert.deepEqual(e.auth, [{ scheme: 'bearer-jwt', requests: 40 }]);
  assert.ok(e.latencyMs !== undefined && e.latencyMs.p50 > 25 && e.latencyMs.p50 < 35);
  const byName = Object.fromEntries(e.parameters.map((p) => [`${p.in}.${p.name}`, p]));
  assert.deepEqual(byName['path.userId']?.schema, { type: 'integer' });
  assert.deepEqual(byName['query.page']?.schema, { type: 'integer' });
  assert.equal(byName['query.sort']?.alwaysPresent, true);
  assert.ok(e.firstSeen !== null && e.lastSeen !== null && e.firstSeen < e.lastSeen);
  assert.equal(e.sampleEventIds.length, 5);
});

test('events recorded before a position became a parameter are counted under the final template', () => {
  const inventory = createInventory();
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
  // word-like values first (literal at first), then many values with digits make the position a parameter
  for (const name of names) inventory.add(event({ path: `/profiles/${name}` }));
  for (let i = 0; i < 150; i++) inventory.add(event({ path: `/profiles/${names[i % 10]}${i}x${i}` }));
  const r = report(inventory);
  assert.deepEqual(
    r.endpoints.map((e) => [e.path, e.requests]),
    [['/profiles/{profile}', 160]],
  );
  // the merge keeps its history: the templates these requests had before
  assert.ok(r.endpoints[0]?.mergedFrom?.includes('/profiles/alice'), JSON.stringify(r.endpoints[0]?.mergedFrom));
});

test('sensitive data in responses is found with its location', () => {
  const inventory = createInventory();
  for (let i = 0; i < 5; i++) {
    inventory.add(
      event({ path: `/customers/${i + 1}`, responseBody: { id: i, contact: { email: `c${i}@example.com` }, card: '4111 1111 1111 1111' } }),
    );
  }
  const e = report(inventory).endpoints[0];
  assert.ok(e);
  const found = e.sensitiveData.map((s) => `${s.type}@${s.location}`).sort();
  assert.deepEqual(found, ['email@response.body.$.contact.email', 'payment_card@response.body.$.card']);
  assert.equal(e.responses['200']?.type, 'object');
});

test('lifecycle: documented, shadow, zombie (deprecated or superseded version), orphan, new', () => {
  const spec: DeclaredApi = {
    source: 'spec.yaml',
    title: 'Shop',
    version: '1',
    specVersion: '3.0.3',
    hosts: ['api.example.com'],
    basePath: '',
    operations: [
      { method: 'GET', template: '/v2/orders/{orderId}', deprecated: false, parameters: [], responses: {}, security: [] },
      { method: 'GET', template: '/v2/legacy', deprecated: true, parameters: [], responses: {}, security: [] },
      { method: 'DELETE', template: '/v2/orders/{orderId}', deprecated: false, parameters: [], responses: {}, security: [] },
    ],
    securitySchemes: {},
  };
  const inventory = createInventory({ declared: [spec] });
  for (let i = 0; i < 30; i++) {
    inventory.add(event({ path: `/v2/orders/${i + 1}`, time: T0 + i * DAY }));
    inventory.add(event({ path: `/v1/orders/${i + 1}`, time: T0 + i * DAY }));
    inventory.add(event({ path: '/v2/legacy', time: T0 + i * DAY }));
    inventory.add(event({ path: '/internal/debug', time: T0 + i * DAY }));
  }
  inventory.add(event({ path: '/v2/brand-new', time: T0 + 29 * DAY }));
  const r = report(inventory);
  const lifecycle = Object.fromEntries(r.endpoints.map((e) => [`${e.method} ${e.path}`, e.lifecycle]));
  assert.deepEqual(lifecycle, {
    'GET /v2/orders/{orderId}': 'documented',
    'GET /v1/orders/{orderId}': 'zombie',
    'GET /v2/legacy': 'zombie',
    'GET /internal/debug': 'shadow',
    'GET /v2/brand-new': 'new',
    'DELETE /v2/orders/{orderId}': 'orphan',
  });
  assert.deepEqual(r.summary.byLifecycle, { documented: 1, shadow: 1, zombie: 2, orphan: 1, new: 1 });
  const orphan = r.endpoints.find((e) => e.lifecycle === 'orphan');
  assert.equal(orphan?.firstSeen, null);
  assert.ok(r.findings.some((f) => f.id === 'posture/zombie-endpoint' && f.endpoint?.path === '/v1/orders/{orderId}'));
  assert.ok(r.findings.some((f) => f.id === 'posture/shadow-endpoint' && f.endpoint?.path === '/internal/debug'));
});

test('overrides shape endpoints without making them documented; custom sensitive patterns are reported', () => {
  const inventory = createInventory({
    overrides: [{ template: '/settings/{key}' }],
    sensitive: { custom: [{ name: 'employee_id', pattern: '^E\\d{6}$' }] },
  });
  for (const key of ['theme', 'locale']) inventory.add(event({ path: `/settings/${key}`, query: { owner: 'E123456' } }));
  const e = report(inventory).endpoints[0];
  assert.ok(e);
  assert.equal(e.path, '/settings/{key}');
  assert.equal(e.lifecycle, 'shadow');
  assert.deepEqual(
    e.sensitiveData.map((d) => `${d.type}@${d.location}`),
    ['employee_id@request.query.owner'],
  );
});

test("findings feed each endpoint's risk, and the report counts them by severity", () => {
  const inventory = createInventory();
  for (let i = 0; i < 10; i++) inventory.add(event({ path: '/partner/export', query: { api_key: `tok_${'A'.repeat(22)}` } }));
  const r = report(inventory);
  const e = r.endpoints[0];
  assert.ok(e);
  assert.ok(e.risk.score > 0);
  assert.deepEqual(e.risk.findings, ['posture/credentials-in-url']);
  assert.equal(r.summary.findingsBySeverity.high, 1);
  assert.equal(r.alerts.length, 0);
});

test('the inventory store feeds events to the inventory as they are added and re-reads inputs in full', async () => {
  const inventory = createInventory();
  const store = createInventoryStore(inventory);
  const writer = store.begin();
  writer.add(event({ path: '/a' }));
  writer.add(event({ path: '/b' }));
  assert.equal(inventory.events, 2, 'events reach the inventory at once, not held until the commit');
  assert.equal(writer.size, 2);
  assert.deepEqual(await writer.commit([]), { inserted: 2, duplicates: 0, insertedByKind: { 'nginx-json': 2 } });
  assert.equal(inventory.events, 2, 'the commit adds nothing twice');
  await assert.rejects(writer.commit([]), /already committed/);
  assert.equal(await store.checkpoint('any'), undefined);
});

/** Every parsed event in the parsers' fixture answers (`*.expected.json`), enriched as ingestion does. */
function fixtureEvents(): ApiEvent[] {
  const parsersDir = fileURLToPath(new URL('../../parsers/', import.meta.url));
  const enrich = createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 5)));
  const out: ApiEvent[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) collect(item);
    else if (typeof value === 'object' && value !== null && 'request' in value && 'time' in value) {
      const id = createHash('sha256').update(String(out.length)).digest('hex').slice(0, 32);
      out.push(enrich(value as ParsedEvent, { kind: 'fixture', name: 'fixtures' }, id));
    }
  };
  for (const format of readdirSync(parsersDir)) {
    const dir = join(parsersDir, format, 'fixtures');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true }) as string[]) {
      if (file.endsWith('.expected.json')) collect(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    }
  }
  return out;
}

test('an inventory fed through the parse-worker encoding reports exactly what one fed directly does', async () => {
  const events = fixtureEvents();
  assert.ok(events.length >= 50, `fixtures give ${events.length} events`);
  // and events that exercise every posture check: CORS, unsigned JWTs, credentials in URLs, custom headers, bodies
  for (let i = 0; i < 30; i++) {
    const e = event({
      path: `/v1/accounts/${1000 + i}`,
      method: i % 3 === 0 ? 'POST' : 'GET',
      status: i % 7 === 0 ? 500 : 200,
      query: { api_key: `sk_live_${'x'.repeat(20)}${i}`, page: String(i) },
      requestBody: { email: `user${i}@example.com`, role: 'admin' },
      responseBody: { id: 1000 + i, card: '4111111111111111', ssn: '123-45-6789' },
      auth: i % 2 === 0 ? 'bearer-jwt' : 'none',
      user: i % 2 === 0 ? `user-${i}` : undefined,
    });
    const origin = `https://site${i % 5}.example.net`;
    e.request.headers = { 'x-tenant-id': `t-${i}`, origin, 'content-type': 'application/json', referer: 'https://example.com/' };
    if (e.response !== undefined) {
      e.response.headers = {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        server: 'nginx/1.24.0',
        'x-powered-by': 'Express',
      };
      if (i % 7 === 0) e.response.body = { text: 'Traceback (most recent call last):\n  File "app.py", line 1', truncated: false };
    }
    if (i % 2 === 0) e.identity.jwt = i % 4 === 0 ? { alg: 'none', sub: `user-${i}` } : { sub: `user-${i}` };
    e.request.scheme = i % 5 === 0 ? 'http' : 'https';
    events.push(e);
  }
  const direct = createInventory();
  for (const e of events) direct.add(e);
  const encoder = await createEventEncoder();
  for (const e of events) encoder.add(e);
  const encoded = encoder.take();
  assert.equal(encoded.count, events.length);
  const viaWorker = createInventory();
  for (const e of decodeEvents(encoded)) viaWorker.add(e);
  assert.deepEqual(report(viaWorker), report(direct));
  const findings = report(direct).findings.map((f) => f.id);
  for (const id of [
    'posture/permissive-cors',
    'posture/jwt-none-accepted',
    'posture/credentials-in-url',
    'posture/credentials-over-http',
    'posture/verbose-errors',
    'posture/version-disclosure',
    'posture/unauthenticated-sensitive-data',
    'posture/missing-security-headers',
  ])
    assert.ok(findings.includes(id), `${id} among the findings`);
});
