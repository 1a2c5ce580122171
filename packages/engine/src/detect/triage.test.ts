import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type EntityRef, isPalisadeError } from '@palisade/core';
import { testAlert } from '@palisade/testkit';
import { foldIncidents } from './incidents.js';
import {
  applyTriage,
  currentStatuses,
  DEFAULT_SUPPRESSION_MS,
  emptyTriage,
  loadTriage,
  markIncident,
  saveTriage,
  TRIAGE_SCHEMA_VERSION,
  triagePath,
} from './triage.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-triage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);

const user = (value: string): EntityRef => ({ kind: 'user', value });
const ip = (value: string): EntityRef => ({ kind: 'ip', value });

/** Two actors: alice (two rules, one address) and bob (one rule). */
function detected() {
  return foldIncidents([
    testAlert('a1', 'bola/object-enumeration', [user('alice'), ip('198.51.100.7')], T0),
    testAlert('a2', 'scan/not-found-sweep', [ip('198.51.100.7')], T0 + 3_600_000),
    testAlert('b1', 'bola/object-enumeration', [user('bob'), ip('203.0.113.9')], T0 + 7_200_000),
  ]);
}

function incidentOf(result: ReturnType<typeof detected>, alertId: string) {
  const incident = result.incidents.find((i) => i.alertIds.includes(alertId));
  assert.ok(incident, `no incident holds ${alertId}`);
  return incident;
}

test('acknowledged and resolved marks set the status of the same incident on the next run; the last mark wins', () => {
  const first = detected();
  const alice = incidentOf(first, 'a1');
  let triage = markIncident(emptyTriage(), alice, first.alerts, 'acknowledged', { now: T0 + DAY, note: 'looking', by: 'ana' });
  let out = applyTriage(detected(), triage);
  assert.equal(out.incidents.find((i) => i.id === alice.id)?.status, 'acknowledged');
  assert.equal(out.incidents.find((i) => i.id !== alice.id)?.status, 'open');
  assert.equal(out.suppressed.length, 0);
  assert.equal(out.alerts.length, 3);

  triage = markIncident(triage, alice, first.alerts, 'resolved', { now: T0 + 2 * DAY });
  out = applyTriage(detected(), triage);
  assert.equal(out.incidents.find((i) => i.id === alice.id)?.status, 'resolved');
  assert.equal(triage.statuses.length, 2, 'history is kept');
  assert.deepEqual(
    triage.statuses.map((s) => s.status),
    ['acknowledged', 'resolved'],
  );
  assert.equal(currentStatuses(triage).get(alice.id)?.status, 'resolved');
  assert.equal(triage.suppressions.length, 0, 'only a false-positive mark suppresses');
});

test('markIncident leaves the triage it is given unchanged', () => {
  const result = detected();
  const before = emptyTriage();
  markIncident(before, incidentOf(result, 'a1'), result.alerts, 'false_positive', { now: T0 });
  assert.deepEqual(before, emptyTriage());
});

test('a false-positive mark adds one suppression per rule and acting entity of the incident, expiring 30 days later by default', () => {
  const result = detected();
  const alice = incidentOf(result, 'a1');
  const triage = markIncident(emptyTriage(), alice, result.alerts, 'false_positive', { now: T0 + DAY, note: 'pentest' });
  assert.deepEqual(
    triage.suppressions.map((s) => [s.ruleId, s.entity.kind, s.entity.value, s.expires, s.incidentId, s.note]).sort(),
    [
      ['bola/object-enumeration', 'user', 'alice', T0 + DAY + DEFAULT_SUPPRESSION_MS, alice.id, 'pentest'],
      ['scan/not-found-sweep', 'ip', '198.51.100.7', T0 + DAY + DEFAULT_SUPPRESSION_MS, alice.id, 'pentest'],
    ].sort(),
  );
  assert.equal(DEFAULT_SUPPRESSION_MS, 30 * DAY);
});

test('a suppressed pattern is removed from alerts and incidents; another entity or another rule is not suppressed', () => {
  const result = detected();
  const alice = incidentOf(result, 'a1');
  const triage = markIncident(emptyTriage(), alice, result.alerts, 'false_positive', { now: T0 + DAY });
  const next = foldIncidents([
    // the same patterns again on a later run
    testAlert('a3', 'bola/object-enumeration', [user('alice'), ip('198.51.100.1')], T0 + 5 * DAY),
    testAlert('a4', 'scan/not-found-sweep', [ip('198.51.100.7')], T0 + 5 * DAY),
    // same rule, another entity
    testAlert('b1', 'bola/object-enumeration', [user('bob'), ip('203.0.113.9')], T0 + 5 * DAY),
    // same entity, another rule
    testAlert('a5', 'exfil/object-documents', [user('alice')], T0 + 5 * DAY),
    // alice only as a non-acting entity of someone else's alert
    testAlert('c1', 'bola/object-enumeration', [ip('198.51.100.99'), user('alice')], T0 + 5 * DAY),
  ]);
  const out = applyTriage(next, triage);
  assert.deepEqual(out.suppressed.map((a) => a.id).sort(), ['a3', 'a4']);
  assert.deepEqual(out.alerts.map((a) => a.id).sort(), ['a5', 'b1', 'c1']);
  const inIncidents = out.incidents.flatMap((i) => i.alertIds).sort();
  assert.deepEqual(inIncidents, ['a5', 'b1', 'c1']);
});

test('expiry is judged on the alert time: an alert raised before the expiry is suppressed, one raised at or after it is not', () => {
  const result = detected();
  const alice = incidentOf(result, 'a1');
  const triage = markIncident(emptyTriage(), alice, result.alerts, 'false_positive', { now: T0 + DAY, expiresMs: 7 * DAY });
  const expires = T0 + 8 * DAY;
  const next = foldIncidents([
    testAlert('early', 'bola/object-enumeration', [user('alice')], T0 - 90 * DAY),
    testAlert('before', 'bola/object-enumeration', [user('alice')], expires - 1),
    testAlert('at', 'bola/object-enumeration', [user('alice')], expires),
    testAlert('after', 'bola/object-enumeration', [user('alice')], expires + DAY),
  ]);
  const out = applyTriage(next, triage);
  assert.deepEqual(out.suppressed.map((a) => a.id).sort(), ['before', 'early']);
  assert.deepEqual(out.alerts.map((a) => a.id).sort(), ['after', 'at']);
});

test('re-folding: an incident that lost its earliest alert to a suppression gets a new id and only the remaining alerts', () => {
  const result = foldIncidents([
    testAlert('x1', 'scan/not-found-sweep', [ip('198.51.100.5')], T0),
    testAlert('x2', 'bola/object-enumeration', [user('carol'), ip('198.51.100.5')], T0 + 1000),
  ]);
  assert.equal(result.incidents.length, 1);
  const whole = result.incidents[0];
  assert.ok(whole);
  // suppress only the scan pattern, marked through a one-alert incident of an earlier run
  const earlier = foldIncidents([testAlert('old', 'scan/not-found-sweep', [ip('198.51.100.5')], T0 - DAY)]);
  const triage = markIncident(emptyTriage(), earlier.incidents[0] as (typeof earlier.incidents)[0], earlier.alerts, 'false_positive', {
    now: T0 - DAY,
  });
  const out = applyTriage(result, triage);
  assert.deepEqual(
    out.suppressed.map((a) => a.id),
    ['x1'],
  );
  assert.equal(out.incidents.length, 1);
  const refolded = out.incidents[0];
  assert.ok(refolded);
  assert.deepEqual(refolded.alertIds, ['x2']);
  assert.notEqual(refolded.id, whole.id);
  assert.equal(refolded.id, foldIncidents([testAlert('x2', 'bola/object-enumeration', [user('carol')], T0 + 1000)]).incidents[0]?.id);
  assert.equal(out.alerts[0]?.incidentId, refolded.id);
  assert.equal(result.alerts.find((a) => a.id === 'x2')?.incidentId, whole.id, 'the input result is not changed');
  assert.equal(out.suppressed[0]?.incidentId, whole.id, 'a suppressed alert keeps the incident it was in');
});

test('an incident keeps its id and status as later alerts join; a resolved one with new alerts is open again', () => {
  const first = testAlert('y1', 'stuffing/many-usernames', [ip('203.0.113.9')], T0);
  const before = foldIncidents([first]).incidents[0];
  assert.ok(before);
  const acknowledged = markIncident(emptyTriage(), before, [first], 'acknowledged', { now: T0 + 1 });
  const resolved = markIncident(emptyTriage(), before, [first], 'resolved', { now: T0 + 1 });
  const later = () =>
    foldIncidents([{ ...first }, testAlert('y2', 'ato/login-after-stuffing', [user('dave'), ip('203.0.113.9')], T0 + DAY)]);
  const grown = later().incidents[0];
  assert.equal(grown?.id, before.id);
  assert.deepEqual(grown?.alertIds, ['y1', 'y2']);
  assert.equal(applyTriage(later(), acknowledged).incidents[0]?.status, 'acknowledged');
  assert.equal(applyTriage(later(), resolved).incidents[0]?.status, 'open');
  assert.equal(applyTriage(foldIncidents([{ ...first }]), resolved).incidents[0]?.status, 'resolved');
});

test('marking a false positive again as open lifts its suppressions', () => {
  const result = detected();
  const alice = incidentOf(result, 'a1');
  const fp = markIncident(emptyTriage(), alice, result.alerts, 'false_positive', { now: T0 });
  assert.equal(applyTriage(detected(), fp).suppressed.length, 2);
  const reopened = markIncident(fp, alice, result.alerts, 'open', { now: T0 + 1 });
  assert.equal(reopened.suppressions.length, 0);
  const out = applyTriage(detected(), reopened);
  assert.equal(out.suppressed.length, 0);
  assert.equal(out.incidents.find((i) => i.id === alice.id)?.status, 'open');
});

test('a false-positive mark needs every alert of the incident', () => {
  const result = detected();
  const alice = incidentOf(result, 'a1');
  assert.throws(
    () =>
      markIncident(
        emptyTriage(),
        alice,
        result.alerts.filter((a) => a.id !== 'a2'),
        'false_positive',
        { now: T0 },
      ),
    /alert a2/,
  );
});

test('save then load gives the same triage, through a temporary file renamed into place', () => {
  const path = triagePath(join(dir, 'roundtrip'));
  assert.equal(path, join(dir, 'roundtrip', 'detection', 'triage.json'));
  assert.deepEqual(loadTriage(path), emptyTriage(), 'a missing file is an empty triage');
  const result = detected();
  const triage = markIncident(
    markIncident(emptyTriage(), incidentOf(result, 'b1'), result.alerts, 'acknowledged', { now: T0, by: 'ana' }),
    incidentOf(result, 'a1'),
    result.alerts,
    'false_positive',
    { now: T0 + 1, note: 'load test', expiresMs: DAY },
  );
  saveTriage(path, triage);
  assert.deepEqual(loadTriage(path), triage);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).schemaVersion, TRIAGE_SCHEMA_VERSION);
  saveTriage(path, emptyTriage());
  assert.deepEqual(loadTriage(path), emptyTriage(), 'a second save replaces the file');
  assert.deepEqual(readdirSync(join(dir, 'roundtrip', 'detection')), ['triage.json'], 'no temporary file is left behind');
});

test('a save that cannot write leaves the old file and says PAL_ERR_TRIAGE_WRITE', () => {
  const path = triagePath(join(dir, 'blocked'));
  saveTriage(path, emptyTriage());
  // the target is a directory now: the rename fails
  const blocked = join(dir, 'blocked', 'detection', 'dir.json');
  saveTriage(join(blocked, 'inner.json'), emptyTriage());
  assert.throws(
    () => saveTriage(blocked, emptyTriage()),
    (error) => isPalisadeError(error) && error.code === 'PAL_ERR_TRIAGE_WRITE',
  );
  assert.deepEqual(readdirSync(join(dir, 'blocked', 'detection')).sort(), ['dir.json', 'triage.json']);
});

test('a corrupt, invalid or newer triage file gives PAL_ERR_TRIAGE_INVALID with the path', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['truncated.json', '{"schemaVersion":1,"statuses":[', /not valid JSON/],
    [
      'wrong-shape.json',
      JSON.stringify({ schemaVersion: 1, statuses: [{ incidentId: 'inc-1', status: 'closed', at: 1 }], suppressions: [] }),
      /statuses\.0\.status/,
    ],
    ['no-version.json', JSON.stringify({ statuses: [], suppressions: [] }), /schemaVersion/],
    ['newer.json', JSON.stringify({ schemaVersion: 99, statuses: [], suppressions: [] }), /newer Palisade/],
  ];
  for (const [name, text, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    assert.throws(
      () => loadTriage(path),
      (error) =>
        isPalisadeError(error) && error.code === 'PAL_ERR_TRIAGE_INVALID' && message.test(error.message) && error.message.includes(path),
      name,
    );
  }
});
