/**
 * Memory of behavioural detection per active entity: feeds the shipped rules and detectors one simulated day
 * (or more) of ordinary customers — each its own address, session and API-style reads of its own objects and
 * of the catalogue, a login a day — then measures the heap that the detection state holds, per customer and
 * per entity (a customer brings a user, an address and a session). Prints figures; never part of `npm test`.
 *
 * Usage: node --expose-gc --conditions=palisade-src --import tsx bench/detection/memory.ts [--entities 100000] [--days 2] [--requests 20] [--only RULE]
 */
import { parseArgs } from 'node:util';
import { createDetectionRunner, loadDetectionSetup, networkOf, type Observation } from '@palisade/engine';

const { values } = parseArgs({
  options: {
    entities: { type: 'string', default: '100000' },
    days: { type: 'string', default: '2' },
    requests: { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});
const customers = Number(values.entities);
const days = Number(values.days);
const perDay = Number(values.requests);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const setup = await loadDetectionSetup();
gc();
const before = process.memoryUsage().heapUsed;
// --only RULE: one scenario or detector alone (what each costs)
const only = values.only;
const runner = createDetectionRunner({
  scenarios: setup.scenarios.filter((s) => only === undefined || s.id === only),
  detectors: setup.detectors().filter((d) => only === undefined || d.ruleIds.includes(only)),
});

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T00:00:00Z');
const FINGERPRINTS = Array.from({ length: 50 }, (_, i) => `ua:${(0x1000 + i).toString(16)}`);
const ENDPOINTS = [
  { template: '/v2/invoices/{invoiceId}', method: 'GET' },
  { template: '/v2/invoices/{invoiceId}/pdf', method: 'GET' },
  { template: '/v2/accounts/{accountId}', method: 'GET' },
  { template: '/v2/products/{sku}', method: 'GET' },
];
let id = 0;
let seed = 12345;
const random = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const started = performance.now();
let observations = 0;
for (let day = 0; day < days; day++) {
  // one pass over the day: every customer's requests spread over the day, in time order
  const slots = customers * perDay;
  for (let k = 0; k < slots; k++) {
    const c = k % customers;
    const time = T0 + day * DAY + Math.floor((k / slots) * DAY);
    const ip = `2001:db8:${(c >>> 16).toString(16)}:${(c & 0xffff).toString(16)}::1`;
    const base = {
      id: `e${++id}`,
      time,
      ip,
      network: networkOf(ip),
      user: `user-${c}`,
      session: `tok_s${c}`,
      fingerprint: FINGERPRINTS[c % FINGERPRINTS.length] as string,
      host: 'api.shop.example',
      attacks: [],
      entities: {},
    };
    let o: Observation;
    if (k < customers) {
      o = {
        ...base,
        method: 'POST',
        template: '/v2/auth/login',
        endpoint: 'POST api.shop.example/v2/auth/login',
        objectIds: [],
        status: 200,
        login: { username: `n${c}`, ok: true },
      };
    } else {
      const e = ENDPOINTS[random(ENDPOINTS.length)] as (typeof ENDPOINTS)[number];
      const object = e.template.includes('products') ? `SKU-${random(2000)}` : String(5_000_000 + c * 10 + random(5));
      o = {
        ...base,
        method: e.method,
        template: e.template,
        endpoint: `${e.method} api.shop.example${e.template}`,
        objectIds: [object],
        status: 200,
        bytesOut: 2000,
      };
    }
    runner.add(o);
    observations++;
  }
}
const seconds = (performance.now() - started) / 1000;
gc();
const after = process.memoryUsage().heapUsed;
const bytes = after - before;
const alerts = runner.finish().alerts.length;
const kib = (n: number) => (n / 1024).toFixed(2);
console.log(
  `${customers.toLocaleString('en')} customers × ${perDay} requests × ${days} days = ${observations.toLocaleString('en')} observations in ${seconds.toFixed(1)} s (${Math.round(observations / seconds).toLocaleString('en')}/s); ${alerts} alerts`,
);
console.log(
  `detection state: ${(bytes / 1024 / 1024).toFixed(1)} MiB = ${kib(bytes / customers)} KiB per customer, ${kib(bytes / (customers * 3))} KiB per entity (user, address, session); ` +
    `1 million customers ≈ ${(((bytes / customers) * 1e6) / 1024 ** 3).toFixed(2)} GiB`,
);
