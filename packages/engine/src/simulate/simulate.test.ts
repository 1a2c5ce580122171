import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReject, isSkip, loadConfig, type ParsedEvent } from '@palisade/core';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import { createCompany } from './company.js';
import type { SimExchange } from './exchange.js';
import { Random } from './random.js';
import { type SimulationLabels, simulate } from './simulate.js';
import { SIM_WRITERS } from './writers/index.js';

const DAY = 86_400_000;

function run(days: number, seed: number): { exchanges: SimExchange[]; labels: SimulationLabels } {
  const exchanges: SimExchange[] = [];
  const labels = simulate({ days, seed, scale: 'small' }, (e) => exchanges.push(e));
  return { exchanges, labels };
}

// One simulated fortnight shared by the property tests (about 200,000 requests).
const { exchanges, labels } = run(14, 11);

const userOf = (e: SimExchange): string | undefined => {
  const auth = e.request.headers.authorization;
  if (auth === undefined || !auth.startsWith('Bearer ')) return undefined;
  const payload = JSON.parse(Buffer.from(auth.split('.')[1] as string, 'base64url').toString()) as { sub: string };
  return payload.sub;
};

test('the same seed gives the same traffic and labels; another seed other traffic', () => {
  const a = run(2, 5);
  const b = run(2, 5);
  assert.equal(a.exchanges.length, b.exchanges.length);
  assert.deepEqual(a.exchanges.slice(0, 500), b.exchanges.slice(0, 500));
  assert.deepEqual(a.exchanges.at(-1), b.exchanges.at(-1));
  assert.deepEqual(a.labels, b.labels);
  const c = run(2, 6);
  assert.notDeepEqual(c.exchanges.slice(0, 50), a.exchanges.slice(0, 50));
});

test('exchanges come in time order with unique ids, inside the simulated days', () => {
  const from = Date.parse(labels.from);
  const to = Date.parse(labels.to);
  const ids = new Set<string>();
  let last = 0;
  for (const e of exchanges) {
    assert.ok(e.time >= last, 'time order');
    last = e.time;
    ids.add(e.id);
  }
  assert.equal(ids.size, exchanges.length);
  assert.equal(labels.requests, exchanges.length);
  assert.ok((exchanges[0] as SimExchange).time >= from);
  // sessions that start late on the last day may end a little after it
  assert.ok(last < to + DAY / 24);
  assert.ok(exchanges.length > 100_000, `${exchanges.length} requests`);
});

test('customers follow a daily rhythm: the busiest hour has several times the traffic of the quietest', () => {
  const byHour = new Array<number>(24).fill(0);
  for (const e of exchanges)
    if (e.request.host === 'api.shop.example' && e.route !== '/health')
      byHour[new Date(e.time).getUTCHours()] = (byHour[new Date(e.time).getUTCHours()] ?? 0) + 1;
  const max = Math.max(...byHour);
  const min = Math.min(...byHour);
  assert.ok(max > 4 * min, `busiest ${max}, quietest ${min}`);
  // partners work office hours (UTC): their nights are quiet
  const partnerNight = exchanges.filter(
    (e) => e.consumer !== undefined && new Date(e.time).getUTCHours() === 3 && e.route !== '/partner/v1/export',
  ).length;
  const partnerNoon = exchanges.filter((e) => e.consumer !== undefined && new Date(e.time).getUTCHours() === 11).length;
  assert.ok(partnerNoon > 5 * partnerNight, `partners at noon ${partnerNoon}, at 03:00 ${partnerNight}`);
});

test('carrier NAT: many customers share one address; monitors probe every minute', () => {
  const usersByIp = new Map<string, Set<string>>();
  for (const e of exchanges) {
    const user = userOf(e);
    if (user === undefined) continue;
    let users = usersByIp.get(e.client.ip);
    if (users === undefined) {
      users = new Set();
      usersByIp.set(e.client.ip, users);
    }
    users.add(user);
  }
  const shared = [...usersByIp.values()].filter((users) => users.size >= 3).length;
  assert.ok(shared >= 20, `${shared} addresses used by three or more customers`);
  assert.ok(labels.population.natSharedUsers > 100);
  // benign entity-days: every active customer and address counted once per day
  assert.ok(labels.benignEntityDays.user > 14 * 100 && labels.benignEntityDays.user <= 14 * labels.population.users);
  assert.ok(labels.benignEntityDays.ip > 14 * 50);
  assert.equal(labels.benignEntityDays.api_key, 14 * labels.population.partners);
  const probes = exchanges.filter((e) => e.route === '/health').length;
  assert.equal(probes, 14 * 1440 * labels.population.monitors);
});

test('customers read their own invoices; only the BOLA campaigns read other customers\u2019', () => {
  const company = createCompany(new Random(11, 1), 'small');
  const owner = new Map<number, string>();
  for (const user of company.users)
    for (const invoices of user.invoices.values()) for (const id of invoices) owner.set(id, `user-${user.id}`);
  const attackers = new Set(
    labels.campaigns
      .filter((c) => ['bola', 'data_exfiltration'].includes(c.category))
      .flatMap((c) => c.entities.filter((x) => x.kind === 'user').map((x) => x.value)),
  );
  let own = 0;
  let foreign = 0;
  for (const e of exchanges) {
    const m = /^\/v2\/invoices\/(\d+)/.exec(e.request.path);
    const user = userOf(e);
    if (m === null || user === undefined || e.response.status !== 200) continue;
    const mine = owner.get(Number(m[1])) === user;
    if (mine) own++;
    else {
      foreign++;
      assert.ok(attackers.has(user), `${user} read invoice ${m[1]} of ${owner.get(Number(m[1]))}`);
    }
  }
  assert.ok(own > 1_000 && foreign > 100, `own ${own}, foreign ${foreign}`);
});

test('every campaign is labelled with its entities, and those entities are in the traffic', () => {
  const categories = new Set(labels.campaigns.map((c) => c.category));
  for (const category of [
    'bola',
    'scraping',
    'credential_stuffing',
    'account_takeover',
    'credential_compromise',
    'injection',
    'business_flow_abuse',
    'data_exfiltration',
  ]) {
    assert.ok(categories.has(category as never), `a ${category} campaign`);
  }
  const ips = new Set(exchanges.map((e) => e.client.ip));
  const users = new Set(exchanges.map(userOf));
  const consumers = new Set(exchanges.map((e) => e.consumer));
  const fingerprints = new Set(exchanges.map((e) => e.client.tls.ja4));
  for (const c of labels.campaigns) {
    assert.ok(c.requests > 0 && Date.parse(c.start) <= Date.parse(c.end), c.id);
    for (const entity of c.entities) {
      if (entity.kind === 'ip') assert.ok(ips.has(entity.value), `${c.id} ${entity.value}`);
      if (entity.kind === 'user') assert.ok(users.has(entity.value), `${c.id} ${entity.value}`);
      if (entity.kind === 'api_key') assert.ok(consumers.has(entity.value), `${c.id} ${entity.value}`);
      if (entity.kind === 'fingerprint') assert.ok(fingerprints.has(entity.value), `${c.id} ${entity.value}`);
    }
  }
  // the scraper rotates addresses behind one fingerprint
  const scraping = labels.campaigns.find((c) => c.category === 'scraping');
  assert.ok(scraping !== undefined);
  assert.equal(scraping.entities.filter((e) => e.kind === 'fingerprint').length, 1);
  assert.ok(scraping.entities.filter((e) => e.kind === 'ip').length > 50);
});

test('every output format parses back through Palisade\u2019s parsers with zero rejections', () => {
  const sample = exchanges.filter((_, i) => i % 97 === 0).slice(0, 1_500);
  // campaign traffic too (payloads, odd headers)
  sample.push(...exchanges.filter((e) => e.route === '/{unknown}' || e.request.headers['x-forwarded-host'] !== undefined).slice(0, 100));
  const registry = createDefaultParserRegistry();
  const enrich = createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 1)));
  for (const writer of SIM_WRITERS.values()) {
    let text = writer.begin();
    sample.forEach((e, i) => {
      text += writer.write(e, i === 0);
    });
    text += writer.end();
    const format = registry.get(writer.format);
    const parser = format.open();
    const outcomes = (
      format.framing === 'line'
        ? text
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => parser.parse(l))
        : [parser.parse(text)]
    ).flat();
    const events = outcomes.filter((o) => !isReject(o) && !isSkip(o));
    const rejected = outcomes.filter((o) => isReject(o));
    assert.deepEqual(rejected, [], writer.format);
    assert.equal(events.length, sample.length, writer.format);
    const first = enrich(events[0] as ParsedEvent, { kind: writer.format, name: 'sim' }, 'x'.repeat(32));
    assert.equal(first.request.path, (sample[0] as SimExchange).request.path, writer.format);
  }
});
