import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '@palisade/core';
import { networkOf, type Observation } from '../observation.js';
import { createKeyDriftDetector, KEY_DRIFT } from './key-drift.js';

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PARTNER_IP = '198.51.100.20';
const KEY = 'partner-globex';
const USUAL = ['/partner/v1/orders', '/partner/v1/stock', '/partner/v1/prices'];

let seq = 0;
/** A partner's request: its usual network, an endpoint it always calls. */
function obs(time: number, fields: Partial<Observation> = {}, template = USUAL[seq % USUAL.length] as string): Observation {
  const ip = fields.ip ?? PARTNER_IP;
  seq++;
  return {
    id: `ev-${seq}`,
    time,
    ip,
    network: networkOf(ip),
    apiKey: KEY,
    fingerprint: 'ua:partner-client',
    host: 'partner.shop.example',
    method: 'GET',
    template,
    endpoint: `GET partner.shop.example${template}`,
    objectIds: [],
    status: 200,
    bytesOut: 2000,
    attacks: [],
    entities: {},
    ...fields,
  };
}

/** `days` of the partner's office-hours traffic: `perHour` requests each hour from 08:00 to 18:00 UTC. */
function history(days: number, perHour = 6): Observation[] {
  const out: Observation[] = [];
  for (let d = 0; d < days; d++) {
    for (let h = 8; h < 18; h++) for (let i = 0; i < perHour; i++) out.push(obs(T0 + d * DAY + h * HOUR + i * (MIN * 5)));
  }
  return out;
}

function run(steps: Observation[]): Alert[] {
  const detector = createKeyDriftDetector();
  const raised = new Map<string, Alert>();
  for (const o of steps) detector.observe(o, (a) => raised.set(a.id, a));
  detector.finish?.((a) => raised.set(a.id, a));
  return [...raised.values()];
}

describe('API key drift', () => {
  it('raises once for a new network at night calling endpoints the key never called', () => {
    const at = T0 + 8 * DAY + 3 * HOUR;
    const attack = Array.from({ length: 20 }, (_, i) =>
      obs(at + i * 1000, { ip: '2001:db8:bad:a030::29', fingerprint: 'ua:curl' }, '/partner/v1/export'),
    );
    const alerts = run([...history(8), ...attack]);
    assert.equal(alerts.length, 1);
    const [alert] = alerts as [Alert];
    assert.equal(alert.ruleId, KEY_DRIFT);
    assert.equal(alert.category, 'credential_compromise');
    assert.deepEqual(alert.entities.slice(0, 3), [
      { kind: 'api_key', value: KEY },
      { kind: 'ip', value: '2001:db8:bad:a030::29' },
      { kind: 'network', value: '2001:db8:bad::/48' },
    ]);
    assert.equal(alert.firstSeen, at);
    assert.equal(alert.lastSeen, at + 19_000);
    assert.equal(alert.evidence.features.signals, 'new network, new endpoints, rare hour');
    assert.equal(alert.evidence.features.requestsFromNetwork, 20);
    assert.equal(alert.evidence.features.newEndpoints, 'GET partner.shop.example/partner/v1/export');
    assert.match(String(alert.evidence.features.rareHours), /^3:00 UTC \(0\.00 % of history\)$/);
    assert.equal(alert.evidence.baseline.knownNetworks, 1);
    assert.equal(alert.evidence.baseline.historyDays, 7);
    assert.equal(alert.evidence.baseline.maxDailyRequests, 60);
  });

  it('stays quiet for a month-end batch five times the usual volume from the usual network', () => {
    const at = T0 + 9 * DAY;
    const batch = Array.from({ length: 300 }, (_, i) => obs(at + 2 * HOUR + i * 10_000));
    assert.deepEqual(run([...history(9), ...batch]), []);
  });

  it('stays quiet for the partner adding an endpoint from its usual network', () => {
    const at = T0 + 9 * DAY + 10 * HOUR;
    const added = Array.from({ length: 20 }, (_, i) => obs(at + i * 1000, {}, '/partner/v1/returns'));
    assert.deepEqual(run([...history(9), ...added]), []);
  });

  it('stays quiet for a new network in office hours calling the usual endpoints, then learns it', () => {
    const at = T0 + 9 * DAY + 10 * HOUR;
    const moved = Array.from({ length: 20 }, (_, i) => obs(at + i * 1000, { ip: '198.51.100.44' }));
    const later = Array.from({ length: 5 }, (_, i) => obs(at + 2 * HOUR + i * 1000, { ip: '198.51.100.44' }, '/partner/v1/returns'));
    assert.deepEqual(run([...history(9), ...moved, ...later]), []);
  });

  it('stays quiet for a key with less than 5 days of history', () => {
    const at = T0 + 4 * DAY + 3 * HOUR;
    const attack = Array.from({ length: 20 }, (_, i) => obs(at + i * 1000, { ip: '2001:db8:bad:a030::29' }, '/partner/v1/export'));
    assert.deepEqual(run([...history(4), ...attack]), []);
  });
});
