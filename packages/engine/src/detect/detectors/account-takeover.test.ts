import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '@palisade/core';
import { networkOf, type Observation } from '../observation.js';
import type { Detector } from '../runner.js';
import { ATO_AFTER_FAILURES, ATO_AFTER_STUFFING, createAccountTakeoverDetector } from './account-takeover.js';

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const HOME = '198.51.100.7';
const BROWSER = 'ua:browser';
const ATTACKER_IP = '203.0.113.181';
const ATTACKER_FP = 'ua:python-requests';

let seq = 0;
/** An observation with sensible defaults: a user reading an invoice from home. */
function obs(time: number, fields: Partial<Observation> = {}): Observation {
  const ip = fields.ip ?? HOME;
  return {
    id: `ev-${++seq}`,
    time,
    ip,
    network: networkOf(ip),
    fingerprint: BROWSER,
    host: 'api.shop.example',
    method: 'GET',
    template: '/v2/invoices/{invoiceId}',
    endpoint: 'GET api.shop.example/v2/invoices/{invoiceId}',
    objectIds: [String(5000 + seq)],
    status: 200,
    bytesOut: 1000,
    attacks: [],
    entities: {},
    ...fields,
  };
}

function login(time: number, username: string, ok: boolean, fields: Partial<Observation> = {}): Observation {
  return obs(time, {
    method: 'POST',
    template: '/v2/auth/login',
    endpoint: 'POST api.shop.example/v2/auth/login',
    objectIds: [],
    status: ok ? 200 : 401,
    login: { username, ok },
    ...fields,
  });
}

function stuffingAlert(
  time: number,
  entities = [
    { kind: 'ip', value: ATTACKER_IP },
    { kind: 'fingerprint', value: ATTACKER_FP },
  ],
): Alert {
  return {
    id: `stuffing-${time}`,
    ruleId: 'stuffing/many-usernames',
    category: 'credential_stuffing',
    severity: 'high',
    confidence: 0.9,
    entities,
    firstSeen: time - 5 * MIN,
    lastSeen: time,
    raisedAt: time,
    summary: 'many user names tried',
    evidence: { features: {}, baseline: {}, threshold: '', sampleEventIds: [], timeline: [] },
  };
}

/** Feeds observations and alerts in order, the way the runner does; returns what was raised. */
function run(detector: Detector, steps: Array<Observation | Alert>): Alert[] {
  const raised = new Map<string, Alert>();
  const raise = (a: Alert): void => {
    if (!raised.has(a.id)) raised.set(a.id, a);
  };
  for (const step of steps) {
    if ('ruleId' in step) detector.onAlert?.(step);
    else detector.observe(step, raise);
  }
  detector.finish?.(raise);
  return [...raised.values()];
}

/** Two weeks of a user's ordinary use from home, a few requests a day. */
function history(user: string, days = 14): Observation[] {
  const out: Observation[] = [];
  for (let d = 0; d < days; d++) for (let i = 0; i < 3; i++) out.push(obs(T0 + d * DAY + 9 * HOUR + i * MIN, { user }));
  return out;
}

describe('account takeover after credential stuffing', () => {
  it('raises one alert naming the user, the source and the business entities, updated while the use goes on', () => {
    const at = T0 + 14 * DAY + HOUR;
    const attack = [1, 2, 3, 4].map((i) =>
      obs(at + i * 1000, { user: 'user-1', ip: ATTACKER_IP, fingerprint: ATTACKER_FP, entities: { account: '100216' }, bytesOut: 50_000 }),
    );
    const alerts = run(createAccountTakeoverDetector(), [...history('user-1'), stuffingAlert(at), ...attack]);
    assert.equal(alerts.length, 1);
    const [alert] = alerts as [Alert];
    assert.equal(alert.category, 'account_takeover');
    assert.equal(alert.ruleId, ATO_AFTER_STUFFING);
    assert.deepEqual(alert.entities, [
      { kind: 'user', value: 'user-1' },
      { kind: 'ip', value: ATTACKER_IP },
      { kind: 'fingerprint', value: ATTACKER_FP },
      { kind: 'account', value: '100216' },
    ]);
    assert.equal(alert.firstSeen, at + 1000);
    assert.equal(alert.lastSeen, at + 4000);
    assert.equal(alert.evidence.features.requests, 4);
    assert.equal(alert.evidence.features.distinctObjects, 4);
    assert.equal(alert.evidence.features.bytesOut, 200_000);
    assert.equal(alert.evidence.baseline.knownNetworks, 1);
    assert.equal(alert.evidence.baseline.networkNewForUser, 'yes');
    assert.equal(alert.evidence.sampleEventIds.length, 4);
    assert.deepEqual(
      alert.evidence.timeline.map((t) => t.what),
      ['GET /v2/invoices/{invoiceId} 200 ×4'],
    );
  });

  it('gives the same alert id on a replay', () => {
    const at = T0 + 14 * DAY;
    const steps = [...history('user-1'), stuffingAlert(at), obs(at + 1000, { user: 'user-1', ip: ATTACKER_IP, fingerprint: ATTACKER_FP })];
    const first = run(
      createAccountTakeoverDetector(),
      steps.map((s) => ({ ...s })),
    );
    const second = run(
      createAccountTakeoverDetector(),
      steps.map((s) => ({ ...s })),
    );
    assert.equal(first.length, 1);
    assert.equal(first[0]?.id, second[0]?.id);
  });

  it('counts use from the stuffing source that came before the alert', () => {
    const at = T0 + 14 * DAY;
    const early = [
      obs(at - 60_000, { user: 'user-1', ip: ATTACKER_IP, fingerprint: ATTACKER_FP }),
      obs(at - 50_000, { user: 'user-1', ip: ATTACKER_IP, fingerprint: ATTACKER_FP }),
    ];
    const alerts = run(createAccountTakeoverDetector(), [...history('user-1'), ...early, stuffingAlert(at)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.firstSeen, at - 60_000);
    assert.equal(alerts[0]?.evidence.features.requests, 2);
  });

  it('follows the stuffing fingerprint to a network and client the user never used', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      stuffingAlert(at, [{ kind: 'fingerprint', value: ATTACKER_FP }]),
      obs(at + 1000, { user: 'user-1', ip: '2001:db8:118:89f9::2d1', fingerprint: ATTACKER_FP }),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.entities[0]?.value, 'user-1');
    assert.equal(alerts[0]?.entities[1]?.value, '2001:db8:118:89f9::2d1');
  });

  it('stays quiet for a travelling user on a new network without any stuffing', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      obs(at, { user: 'user-1', ip: '198.51.100.50', fingerprint: 'ua:hotel-laptop' }),
      obs(at + 1000, { user: 'user-1', ip: '198.51.100.50', fingerprint: 'ua:hotel-laptop' }),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('stays quiet for a user on the network and client they always use, when that address also stuffed (shared NAT)', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      stuffingAlert(at, [{ kind: 'ip', value: HOME }]),
      obs(at + 1000, { user: 'user-1' }),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('stays quiet for a stuffing fingerprint on a network the user already uses', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      stuffingAlert(at, [{ kind: 'fingerprint', value: BROWSER }]),
      obs(at + 1000, { user: 'user-1' }),
    ]);
    assert.deepEqual(alerts, []);
  });

  it('forgets a stuffing source after 24 hours', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      stuffingAlert(at),
      obs(at + 25 * HOUR, { user: 'user-1', ip: ATTACKER_IP, fingerprint: ATTACKER_FP }),
    ]);
    assert.deepEqual(alerts, []);
  });
});

describe('account takeover after failed logins', () => {
  const guess = (at: number, fields: Partial<Observation>): Observation[] => [
    ...[0, 1, 2, 3, 4].map((i) => login(at + i * 1000, 'digest-alice', false, fields)),
    login(at + 6000, 'digest-alice', true, fields),
  ];

  it('raises when the user then acts from that source on a network and client never used', () => {
    const at = T0 + 14 * DAY;
    const from = { ip: ATTACKER_IP, fingerprint: ATTACKER_FP };
    const alerts = run(createAccountTakeoverDetector(), [
      ...history('user-1'),
      ...guess(at, from),
      obs(at + 8000, { user: 'user-1', ...from }),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.ruleId, ATO_AFTER_FAILURES);
    assert.equal(alerts[0]?.entities[0]?.value, 'user-1');
  });

  it('stays quiet for a user who mistyped a password at home', () => {
    const at = T0 + 14 * DAY;
    const alerts = run(createAccountTakeoverDetector(), [...history('user-1'), ...guess(at, {}), obs(at + 8000, { user: 'user-1' })]);
    assert.deepEqual(alerts, []);
  });
});
