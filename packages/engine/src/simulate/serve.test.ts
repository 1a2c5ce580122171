import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { createCompany } from './company.js';
import type { SimExchange } from './exchange.js';
import { sendLive } from './live.js';
import { Random } from './random.js';
import { startShopServer } from './serve.js';
import { simulate } from './simulate.js';

const company = createCompany(new Random(4, 1), 'small');
const shop = await startShopServer(company);
after(() => shop.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, shop.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = { authorization: 'Bearer aaa.bbb.ccc' };

test('the shop serves its customers\u2019 data and is vulnerable to BOLA and excessive exposure, as the simulation assumes', async () => {
  const [alice, bob] = company.users as [(typeof company.users)[0], (typeof company.users)[0]];
  const bobsInvoice = [...bob.invoices.values()].flat()[0] ?? [...alice.invoices.values()].flat()[0];
  assert.ok(bobsInvoice !== undefined);
  assert.equal((await get(`/v2/invoices/${bobsInvoice}`)).status, 401, 'no token, no data');
  const stolen = await get(`/v2/invoices/${bobsInvoice}`, bearer);
  assert.equal(stolen.status, 200, 'any token reads any invoice (BOLA)');
  assert.match(stolen.body, /"card":"4111111111111111"/);
  assert.equal((await get('/v2/invoices/1', bearer)).status, 404);
  assert.equal((await get('/partner/v1/orders')).status, 401);
  assert.equal((await get('/partner/v1/orders', { 'x-api-key': company.partners[0]?.apiKey ?? '' })).status, 200);
  assert.equal((await get('/v2/internal/debug/config')).status, 200, 'the undocumented debug endpoint leaks to anyone');
});

test('simulated traffic sent live gets the answers the simulation logged', async () => {
  const exchanges: SimExchange[] = [];
  const stop = new Error('stop');
  try {
    simulate({ days: 1, seed: 4, scale: 'small' }, (e) => {
      exchanges.push(e);
      if (exchanges.length >= 800) throw stop;
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  const result = await sendLive(exchanges, { target: shop.url, concurrency: 8, durationMs: 30_000 });
  assert.equal(result.sent, 800);
  assert.equal(result.statuses.error, undefined);
  const expected: Record<string, number> = {};
  for (const e of exchanges) expected[String(e.response.status)] = (expected[String(e.response.status)] ?? 0) + 1;
  // every 2xx the simulation logged is a 2xx from the server, and the server's 4xx are the simulation's
  const ok = (r: Record<string, number>) =>
    Object.entries(r)
      .filter(([c]) => c.startsWith('2'))
      .reduce((a, [, n]) => a + n, 0);
  assert.ok(ok(result.statuses) >= ok(expected) - 5, `${JSON.stringify(result.statuses)} vs ${JSON.stringify(expected)}`);
});
