import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ApiEvent, loadConfig, ManualClock, SensorConfigSchema } from '@palisade/core';
import { compileOpenApiGuard, createEnricher, createPolicies, createTokenizer, parseOpenApiDocument } from '@palisade/engine';
import type { SensorProtections } from './inspection.js';
import { type Sensor, startSensor } from './sensor.js';

const SPEC = `
openapi: 3.0.3
info: { title: shop, version: '1' }
paths:
  /orders/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer } }
      responses:
        '200':
          description: an order
          content:
            application/json:
              schema:
                type: object
                properties: { id: { type: integer }, total: { type: number } }
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [item]
              additionalProperties: false
              properties: { item: { type: string }, quantity: { type: integer, minimum: 1 } }
      responses: { '201': { description: created } }
`;

let upstream: Server;
let upstreamPort: number;
let forwarded = 0;

before(async () => {
  upstream = createServer((req, res) => {
    forwarded++;
    req.resume();
    req.on('end', () => {
      // the order carries a customer email its description does not declare
      const body = JSON.stringify({ id: 7, total: 12.5, contact: 'jane.doe@example.com' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function withSensor(
  settings: Record<string, unknown>,
  protections: SensorProtections,
  run: (base: string, events: ApiEvent[], sensor: Sensor) => Promise<void>,
): Promise<void> {
  const config = SensorConfigSchema.parse({ listen: '127.0.0.1:0', upstream: `http://127.0.0.1:${upstreamPort}`, ...settings });
  const events: ApiEvent[] = [];
  const sensor = await startSensor(config, {
    protections,
    enrich: createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(randomBytes(32))),
    onEvent: (event) => events.push(event),
  });
  try {
    await run(`http://127.0.0.1:${sensor.address().port}`, events, sensor);
  } finally {
    await sensor.close(100);
  }
}

test('requests that break the API description are refused with the violation recorded; undeclared emails in answers are masked', {
  timeout: 15_000,
}, async () => {
  const guard = compileOpenApiGuard([await parseOpenApiDocument(SPEC, 'shop.yaml')], { maskResponses: true });
  await withSensor({ openapi: { responses: 'mask' } }, { openapi: guard }, async (base, events) => {
    forwarded = 0;
    const wrongType = await fetch(`${base}/orders/abc`);
    assert.equal(wrongType.status, 403);
    const unknown = await fetch(`${base}/admin/export`);
    assert.equal(unknown.status, 403);
    const badBody = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'book', quantity: 0 }),
    });
    assert.equal(badBody.status, 403);
    assert.equal(forwarded, 0, 'nothing that breaks the description reached the upstream');
    assert.deepEqual(
      events.map((e) => e.protection?.findings.map((f) => `${f.ruleId}@${f.location}`)),
      [['openapi/invalid-parameter@path:id'], ['openapi/unknown-endpoint@path'], ['openapi/invalid-body@json:$.quantity']],
    );

    const order = await fetch(`${base}/orders/7`);
    assert.equal(order.status, 200);
    const body = (await order.json()) as Record<string, unknown>;
    assert.equal(body.total, 12.5, 'declared fields pass untouched');
    assert.notEqual(body.contact, 'jane.doe@example.com', 'the undeclared email is masked');
    const last = events.at(-1) as ApiEvent;
    assert.equal(last.protection?.action, 'allow');
    assert.deepEqual(
      last.protection?.findings.map((f) => [f.ruleId, f.location]),
      [['openapi/undeclared-sensitive-field', 'json:$.contact']],
    );
  });
});

test('an answer longer than the inspection bound streams through whole and unread', { timeout: 15_000 }, async () => {
  const guard = compileOpenApiGuard([await parseOpenApiDocument(SPEC, 'shop.yaml')], { maskResponses: true });
  await withSensor(
    { openapi: { responses: 'mask' }, limits: { maxResponseInspectBytes: 10 } },
    { openapi: guard },
    async (base, events) => {
      const order = await fetch(`${base}/orders/7`);
      assert.equal(order.status, 200);
      assert.deepEqual(await order.json(), { id: 7, total: 12.5, contact: 'jane.doe@example.com' }, 'passed as it came');
      const last = events.at(-1) as ApiEvent;
      assert.equal(last.response?.status, 200);
      assert.deepEqual(last.protection?.findings, [], 'a body past the bound is not read');
    },
  );
});

test('a rate limit answers 429 with Retry-After; a honeypot marks its visitor, who then gets a fake success', {
  timeout: 15_000,
}, async () => {
  const clock = new ManualClock(Date.parse('2026-12-07T10:00:00Z'));
  const policies = createPolicies(
    {
      rateLimits: [
        {
          id: 'orders-per-ip',
          key: 'ip',
          limit: 2,
          window: '1m',
          algorithm: 'sliding-window',
          mode: 'block',
          match: { paths: ['/orders/*'] },
        },
      ],
      deception: { mode: 'block', treatment: 'deceive', honeypots: [{ id: 'env-file', paths: ['/.env'] }], mark: ['ip'] },
    },
    { clock },
  );
  await withSensor({}, { policies }, async (base, events) => {
    forwarded = 0;
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/orders/1`, from('203.0.113.5'))).status);
    const limited = await fetch(`${base}/orders/1`, from('203.0.113.5'));
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(((await limited.json()) as { code: string }).code, 'PAL_ERR_SENSOR_RATE_LIMITED');
    assert.equal((await fetch(`${base}/orders/1`, from('198.51.100.7'))).status, 200, 'another client has its own allowance');
    assert.equal(forwarded, 3);

    const bait = await fetch(`${base}/.env`, from('198.51.100.66'));
    assert.equal(bait.status, 200, 'the honeypot answers like a real endpoint');
    const after = await fetch(`${base}/orders/2`, from('198.51.100.66'));
    assert.equal(after.status, 200);
    assert.deepEqual(await after.json(), { status: 'ok' }, 'the marked actor gets the fake answer');
    assert.equal(forwarded, 3, 'neither reached the upstream');
    assert.deepEqual(
      events.slice(-2).map((e) => [e.protection?.action, e.protection?.findings[0]?.ruleId]),
      [
        ['deceive', 'deception/env-file'],
        ['deceive', 'deception/marked'],
      ],
    );
  });
});

test('with TLS on, every event carries its connection JA3/JA4 and the header-order fingerprint', { timeout: 15_000 }, async () => {
  const fixtures = join(import.meta.dirname, 'tls', 'fixtures');
  const tls = { cert: join(fixtures, 'test-only-cert.pem'), key: join(fixtures, 'test-only-key.pem') };
  await withSensor({ tls }, {}, async (_base, events, sensor) => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: sensor.address().port, path: '/orders/1', rejectUnauthorized: false, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    const event = events[0] as ApiEvent;
    assert.equal(event.request.scheme, 'https');
    assert.match(event.client.tls?.ja4 ?? '', /^t1[23][di]\d{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
    assert.match(event.client.tls?.ja3 ?? '', /^[0-9a-f]{32}$/);
    assert.match(String(event.attributes?.['client.header_fingerprint']), /^\w+_[0-9a-f]{12}_[0-9a-f]{12}$/);
  });
});
