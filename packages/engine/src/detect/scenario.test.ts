import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Alert } from '@palisade/core';
import { PalisadeError } from '@palisade/core';
import type { Observation } from './observation.js';
import { createDetectionRunner } from './runner.js';
import { loadScenarios, parseDuration, parseScenarios, SHIPPED_SCENARIOS_DIR } from './scenario.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;

let ids = 0;
function obs(parts: Partial<Observation> & { time: number }): Observation {
  const template = parts.template ?? '/v2/invoices/{invoiceId}';
  return {
    id: `ev-${++ids}`,
    host: 'api.shop.example',
    method: 'GET',
    template,
    endpoint: `${parts.method ?? 'GET'} api.shop.example${template}`,
    objectIds: [],
    attacks: [],
    entities: {},
    status: 200,
    ...parts,
  };
}

const ENUMERATION = `
rules:
  - id: test/enumeration
    category: bola
    severity: high
    description: many objects
    summary: '{entity} read {distinct} objects of {endpoints} within {window}'
    filter: { method: GET, objectIds: true }
    groupBy: [user]
    distinct: object
    window: 1h
    threshold: { distinct: 10 }
    cooldown: 1d
`;

function run(yaml: string, observations: Observation[]): Alert[] {
  const runner = createDetectionRunner({ scenarios: parseScenarios(yaml, 'test.yaml') });
  for (const o of observations) runner.add(o);
  return runner.finish().alerts;
}

test('durations read as milliseconds; anything else is refused', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('7d'), 7 * DAY);
  assert.throws(() => parseDuration('7 days'), /not a duration/);
});

test('every problem of a rule file is reported at once, naming the rule', () => {
  const bad = `
rules:
  - id: Not An Id
    category: bola
    severity: high
    description: x
    summary: x
    groupBy: [user]
    window: 1h
    threshold: { count: 5 }
  - id: test/two
    category: nonsense
    severity: extreme
    description: x
    summary: x
    groupBy: [user]
    window: forever
    threshold: { distinct: 5 }
  - id: test/three
    category: bola
    severity: low
    description: x
    summary: x
    filter: { colour: blue }
    groupBy: [user]
    window: 1h
    threshold: { count: 5 }
`;
  const error = (() => {
    try {
      parseScenarios(bad, 'bad.yaml');
    } catch (e) {
      return e as PalisadeError;
    }
    return undefined;
  })();
  assert.ok(error instanceof PalisadeError);
  assert.equal(error.code, 'PAL_ERR_RULES_INVALID');
  for (const part of [
    'rule Not An Id: id',
    'test/two: category',
    'test/two: severity',
    'test/two: window',
    'test/three: unknown field `colour`',
  ]) {
    assert.ok(error.message.includes(part), `${part} missing from: ${error.message}`);
  }
  const noDistinct = ENUMERATION.replace('    distinct: object\n', '');
  assert.throws(() => parseScenarios(noDistinct, 'x.yaml'), /threshold.distinct needs `distinct:`/);
});

test('the shipped scenarios load, and every one has a unique id', async () => {
  const scenarios = await loadScenarios([SHIPPED_SCENARIOS_DIR]);
  assert.ok(scenarios.length >= 8);
  assert.equal(new Set(scenarios.map((s) => s.id)).size, scenarios.length);
});

test('duplicate rule ids across files are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-scenarios-'));
  writeFileSync(join(dir, 'a.yaml'), ENUMERATION);
  writeFileSync(join(dir, 'b.yaml'), ENUMERATION);
  await assert.rejects(loadScenarios([dir]), /rule ids must be unique: test\/enumeration/);
});

test('an alert is raised when the distinct count crosses the threshold, with its evidence', () => {
  const walk = Array.from({ length: 15 }, (_, i) =>
    obs({
      time: T0 + i * MIN,
      user: 'user-7',
      ip: '203.0.113.7',
      fingerprint: 'ua:abc',
      objectIds: [String(5_000_000 + i)],
      bytesOut: 1000,
    }),
  );
  const alerts = run(ENUMERATION, walk);
  assert.equal(alerts.length, 1);
  const alert = alerts[0] as Alert;
  assert.equal(alert.ruleId, 'test/enumeration');
  assert.equal(alert.category, 'bola');
  assert.deepEqual(alert.entities[0], { kind: 'user', value: 'user-7' });
  assert.ok(alert.entities.some((e) => e.kind === 'ip' && e.value === '203.0.113.7'));
  assert.equal(alert.firstSeen, T0);
  // raised by the tenth distinct object, not before
  assert.equal(alert.raisedAt, T0 + 9 * MIN);
  assert.equal(alert.lastSeen, T0 + 14 * MIN);
  assert.equal(alert.evidence.features.distinct_object, 10);
  assert.equal(alert.evidence.features.peak_distinct_object, 15);
  assert.match(alert.evidence.threshold, /distinct object ≥ 10 within 1 h/);
  assert.deepEqual(alert.evidence.sampleEventIds.slice(0, 2), [walk[0]?.id, walk[1]?.id]);
  assert.ok(alert.evidence.sampleEventIds.includes(walk[14]?.id as string));
  assert.match(alert.evidence.timeline[0]?.what ?? '', /^GET \/v2\/invoices\/\{invoiceId\} 2xx ×\d+$/);
  assert.match(alert.summary, /^user user-7 read 10 objects of GET \/v2\/invoices\/\{invoiceId\} within 1 h$/);
});

test('below the threshold, outside the window, or repeated reads of the same objects: no alert', () => {
  const few = Array.from({ length: 9 }, (_, i) => obs({ time: T0 + i * MIN, user: 'u', objectIds: [String(i)] }));
  assert.equal(run(ENUMERATION, few).length, 0);
  const spread = Array.from({ length: 20 }, (_, i) => obs({ time: T0 + i * 10 * MIN, user: 'u', objectIds: [String(i)] }));
  assert.equal(run(ENUMERATION, spread).length, 0, 'ten distinct objects never fall within one hour');
  const same = Array.from({ length: 50 }, (_, i) => obs({ time: T0 + i * 10_000, user: 'u', objectIds: [String(i % 3)] }));
  assert.equal(run(ENUMERATION, same).length, 0);
  const others = Array.from({ length: 20 }, (_, i) => obs({ time: T0 + i * MIN, user: `u${i}`, objectIds: [String(i)] }));
  assert.equal(run(ENUMERATION, others).length, 0, 'groups are per user');
});

test('the cooldown keeps a second burst inside it quiet; after it, a new alert', () => {
  const burst = (start: number) =>
    Array.from({ length: 12 }, (_, i) => obs({ time: start + i * MIN, user: 'u', objectIds: [`${start}-${i}`] }));
  const alerts = run(ENUMERATION, [...burst(T0), ...burst(T0 + 3 * 3_600_000), ...burst(T0 + 2 * DAY)]);
  assert.equal(alerts.length, 2);
  assert.equal(alerts[1]?.firstSeen, T0 + 2 * DAY);
});

test('ratio, spread and regular timing must all hold', () => {
  const yaml = `
rules:
  - id: test/walk
    category: scraping
    severity: medium
    description: x
    summary: '{entity} {distinct} pages from {spread} addresses'
    groupBy: [fingerprint]
    distinct: target
    window: 1h
    threshold:
      distinct: 20
      spread: { of: ip, min: 5 }
      regular: 0.2
`;
  const regular = Array.from({ length: 30 }, (_, i) =>
    obs({ time: T0 + i * 1500, fingerprint: 'ua:bot', ip: `203.0.113.${i % 10}`, template: '/v2/products', query: `page=${i}` }),
  );
  assert.equal(run(yaml, regular).length, 1);
  const oneAddress = regular.map((o) => ({ ...o, ip: '203.0.113.1' }));
  assert.equal(run(yaml, oneAddress).length, 0);
  // bursts and pauses: two quick requests, then a long read
  const human = regular.map((o, i) => ({ ...o, time: T0 + Math.floor(i / 2) * 9_200 + (i % 2) * 200 }));
  assert.equal(run(yaml, human).length, 0);

  const ratio = `
rules:
  - id: test/fails
    category: credential_stuffing
    severity: high
    description: x
    summary: x
    filter: { login: any }
    groupBy: [ip]
    distinct: username
    window: 1h
    threshold: { distinct: 10, ratio: { filter: { login: failed }, min: 0.8 } }
`;
  const tries = (okEvery: number) =>
    Array.from({ length: 20 }, (_, i) =>
      obs({ time: T0 + i * 1000, ip: '203.0.113.9', login: { username: `n${i}`, ok: i % okEvery === 0 } }),
    );
  assert.equal(run(ratio, tries(20)).length, 1, '1 success in 20');
  assert.equal(run(ratio, tries(2)).length, 0, 'half succeed: a shared address, not stuffing');
});

test('an entity baseline: a user who always reads many objects is judged against its own history', () => {
  const yaml = ENUMERATION.replace('threshold: { distinct: 10 }', 'threshold: { distinct: 10, baseline: { of: entity, factor: 3 } }');
  const day = (d: number, user: string, n: number) =>
    Array.from({ length: n }, (_, i) => obs({ time: T0 + d * DAY + i * 30_000, user, objectIds: [`${d}-${i}`] }));
  // the accountant reads 25 objects an hour every day; on day 5, 40 is not 3 × 25
  const accountant = [...day(0, 'acct', 25), ...day(1, 'acct', 25), ...day(2, 'acct', 25), ...day(5, 'acct', 40)];
  const alerts = run(yaml, accountant);
  assert.equal(alerts.length, 1, 'only the very first day, before any history, crosses the floor');
  assert.equal(alerts[0]?.firstSeen, T0);
  const later = run(yaml, [...day(0, 'acct', 5), ...day(1, 'acct', 5), ...day(2, 'acct', 60)]);
  assert.equal(later.length, 1);
  assert.equal(later[0]?.evidence.baseline.entity_daily_max_30d, 5);
});

test("an entity's quiet day is kept for its baseline even when the group goes idle long before midnight", () => {
  const yaml = ENUMERATION.replace('threshold: { distinct: 10 }', 'threshold: { distinct: 10, baseline: { of: entity, factor: 3 } }');
  // someone else's steady traffic keeps the clock moving, so idle groups are swept within the hour
  const clock = Array.from({ length: 4 * 24 * 60 }, (_, i) => obs({ time: T0 - 60 * MIN + i * MIN, user: 'steady', objectIds: ['1'] }));
  const reads = (d: number, n: number) =>
    Array.from({ length: n }, (_, i) => obs({ time: T0 + d * DAY + i * 30_000 + 1, user: 'u', objectIds: [`${d}-${i}`] }));
  // 8 objects on days 0 and 1 (under the floor, no alert), then 20 on day 2: less than 3 × 8
  const all = [...clock, ...reads(0, 8), ...reads(1, 8), ...reads(2, 20)].sort((a, b) => a.time - b.time);
  assert.deepEqual(run(yaml, all), []);
  // the same 20 after two days of 3 objects (3 × 3 = 9 under the floor: such days are not kept) raise
  const small = [...clock, ...reads(0, 3), ...reads(1, 3), ...reads(2, 20)].sort((a, b) => a.time - b.time);
  const alerts = run(yaml, small);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.evidence.baseline.entity_daily_max_30d, 0);
});

test('a population baseline judges nobody while it is being learned', () => {
  const yaml = ENUMERATION.replace(
    'threshold: { distinct: 10 }',
    'threshold: { distinct: 10, baseline: { of: population, factor: 2, quantile: 0.99, minDays: 3 } }',
  );
  const day = (d: number, user: string, n: number) =>
    Array.from({ length: n }, (_, i) => obs({ time: T0 + d * DAY + i * 30_000, user, objectIds: [`${d}-${i}`] }));
  const population = [0, 1, 2, 3, 4].flatMap((d) => [...day(d, 'a', 8), ...day(d, 'b', 12), ...day(d, 'c', 10)]);
  const early = run(
    yaml,
    [...day(0, 'x', 50), ...population].sort((p, q) => p.time - q.time),
  );
  assert.equal(early.length, 0, 'day 0: no population yet');
  const late = run(
    yaml,
    [...population, ...day(5, 'x', 50)].sort((p, q) => p.time - q.time),
  );
  assert.equal(late.length, 1);
  assert.deepEqual(late[0]?.entities[0], { kind: 'user', value: 'x' });
  assert.ok(Number(late[0]?.evidence.baseline.population_p99) >= 12);
  const normal = run(
    yaml,
    [...population, ...day(5, 'y', 20)].sort((p, q) => p.time - q.time),
  );
  assert.equal(normal.length, 0, '20 is not twice the p99 of 12');
});

test('per endpoint: groups and populations are kept per endpoint', () => {
  const yaml = `
rules:
  - id: test/codes
    category: business_flow_abuse
    severity: high
    description: x
    summary: '{entity} made {count} attempts on {endpoints}'
    filter: { method: POST }
    groupBy: [user]
    per: endpoint
    window: 1h
    threshold: { count: 10, ratio: { filter: { status: [404] }, min: 0.7 } }
`;
  const attempts = (template: string, n: number, status: number) =>
    Array.from({ length: n }, (_, i) => obs({ time: T0 + i * 1000, user: 'u', method: 'POST', template, status }));
  assert.equal(run(yaml, [...attempts('/giftcards/redeem', 6, 404), ...attempts('/coupons/apply', 6, 404)]).length, 0);
  const alerts = run(yaml, attempts('/giftcards/redeem', 12, 404));
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]?.summary ?? '', /POST \/giftcards\/redeem/);
});

test('a stream delivered in pieces, with quiet periods, gives the same alerts as one batch', () => {
  const scenarios = parseScenarios(ENUMERATION, 'test.yaml');
  const observations = [0, 1, 2, 3].flatMap((d) =>
    Array.from({ length: 14 }, (_, i) => obs({ time: T0 + d * 5 * 3_600_000 + i * MIN, user: `u${d % 2}`, objectIds: [`${d}-${i}`] })),
  );
  const batch = createDetectionRunner({ scenarios });
  for (const o of observations) batch.add(o);
  const streamed: string[] = [];
  const stream = createDetectionRunner({ scenarios, onAlert: (a) => streamed.push(a.id) });
  for (const o of observations) {
    stream.advance(o.time - 1);
    stream.add(o);
  }
  stream.advance(T0 + 10 * DAY);
  const a = batch.finish();
  const b = stream.finish();
  assert.deepEqual(
    b.alerts.map((x) => [x.id, x.firstSeen, x.lastSeen, x.raisedAt, x.entities]),
    a.alerts.map((x) => [x.id, x.firstSeen, x.lastSeen, x.raisedAt, x.entities]),
  );
  assert.deepEqual(
    streamed,
    a.alerts.map((x) => x.id),
  );
  assert.equal(a.alerts.length, 2, 'one per user: the second bursts fall within the day-long cooldown');
});

test('a saved state goes on in a new runner; a rule changed since starts afresh and is named', () => {
  const reads = (user: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => obs({ time: T0 + from * MIN + i * 30_000, user, objectIds: [`${from}-${i}`] }));
  const first = createDetectionRunner({ scenarios: parseScenarios(ENUMERATION, 'test.yaml') });
  for (const o of reads('u', 0, 6)) first.add(o);
  const state = first.save();
  // six reads before the cut and six after: ten within the hour only when the first six are remembered
  const same = createDetectionRunner({ scenarios: parseScenarios(ENUMERATION, 'test.yaml') });
  assert.deepEqual(same.restore(state), { restored: ['test/enumeration'], fresh: [] });
  for (const o of reads('u', 10, 6)) same.add(o);
  assert.equal(same.finish().alerts.length, 1);
  const changed = createDetectionRunner({ scenarios: parseScenarios(ENUMERATION.replace('distinct: 10', 'distinct: 11'), 'test.yaml') });
  assert.deepEqual(changed.restore(state), { restored: [], fresh: ['test/enumeration'] });
  for (const o of reads('u', 10, 6)) changed.add(o);
  assert.equal(changed.finish().alerts.length, 0);
});

test("an alert's links count the requests that showed each entity; an incident says which entity joined its alerts", () => {
  const yaml = `
rules:
  - id: test/walk
    category: scraping
    severity: medium
    description: x
    summary: '{entity} {distinct} pages'
    groupBy: [fingerprint]
    distinct: target
    window: 1h
    threshold: { distinct: 20 }
  - id: test/user-walk
    category: bola
    severity: high
    description: x
    summary: '{entity} {distinct} pages'
    groupBy: [user]
    distinct: target
    window: 1h
    threshold: { distinct: 20 }
`;
  // one client walks pages from three addresses, 20 of its 30 requests from the first; its user reads along
  const walk = Array.from({ length: 30 }, (_, i) =>
    obs({
      time: T0 + i * 1000,
      fingerprint: 'ua:bot',
      ip: i < 20 ? '203.0.113.1' : `203.0.113.${i % 2 === 0 ? 2 : 3}`,
      user: 'u-7',
      template: '/v2/products',
      query: `page=${i}`,
    }),
  );
  const runner = createDetectionRunner({ scenarios: parseScenarios(yaml, 'test.yaml') });
  for (const o of walk) runner.add(o);
  const { alerts, incidents } = runner.finish();
  const byFingerprint = alerts.find((a) => a.ruleId === 'test/walk') as Alert;
  const links = new Map((byFingerprint.links ?? []).map((l) => [`${l.to.kind} ${l.to.value}`, l]));
  assert.equal(links.get('ip 203.0.113.1')?.events, 20);
  assert.equal(links.get('ip 203.0.113.2')?.events, 5);
  assert.equal(links.get('ip 203.0.113.3')?.events, 5);
  assert.equal(links.get('user u-7')?.events, 30);
  assert.equal(links.get('ip 203.0.113.1')?.reason, "the client's requests came from this address (test/walk)");
  assert.equal(links.get('user u-7')?.reason, "the client's requests were signed in as this user (test/walk)");
  assert.equal(links.get('ip 203.0.113.1')?.firstSeen, T0);
  assert.equal(links.get('ip 203.0.113.2')?.firstSeen, T0 + 20_000);

  assert.equal(incidents.length, 1, 'the user links both alerts');
  const joined = incidents[0]?.links.find((l) => l.reason.includes('both name'));
  assert.deepEqual(joined && { from: joined.from, to: joined.to, reason: joined.reason }, {
    from: { kind: 'fingerprint', value: 'ua:bot' },
    to: { kind: 'user', value: 'u-7' },
    reason: 'test/walk and test/user-walk both name user u-7',
  });
  assert.equal(joined?.events, 30, "the requests of the user's own alert, at its peak");
});
