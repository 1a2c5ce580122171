import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntityRef } from '@palisade/core';
import { testAlert } from '@palisade/testkit';
import { foldIncidents } from './incidents.js';

const T0 = Date.UTC(2026, 0, 10);
const HOUR = 3_600_000;

const user = (value: string): EntityRef => ({ kind: 'user', value });
const ip = (value: string): EntityRef => ({ kind: 'ip', value });
const session = (value: string): EntityRef => ({ kind: 'session', value });

test('an incident says how each alert joined: one link per join, also for an alert joined only through a later one', () => {
  const { incidents } = foldIncidents([
    testAlert('a1', 'bola/object-enumeration', [user('alice')], T0),
    // shares nothing with a1: it joins the incident only through a3
    testAlert('a2', 'scan/not-found-sweep', [ip('198.51.100.7')], T0 + HOUR),
    testAlert('a3', 'rate/user-surge', [session('tok_s1'), user('alice'), ip('198.51.100.7')], T0 + 2 * HOUR),
    // already joined through alice: no second link for what is joined already
    testAlert('a4', 'exfil/object-documents', [user('alice'), ip('198.51.100.7')], T0 + 3 * HOUR),
  ]);
  assert.equal(incidents.length, 1);
  const joined = incidents[0]?.links.filter((l) => l.reason.includes('both name')).map((l) => l.reason);
  assert.deepEqual(joined, [
    'bola/object-enumeration and rate/user-surge both name user alice',
    'scan/not-found-sweep and rate/user-surge both name ip 198.51.100.7',
  ]);
  const bridge = incidents[0]?.links.find((l) => l.reason.startsWith('scan/'));
  assert.deepEqual(bridge && { from: bridge.from, to: bridge.to }, { from: ip('198.51.100.7'), to: session('tok_s1') });
});

test('alerts of one acting entity join without a link from the entity to itself', () => {
  const { incidents } = foldIncidents([
    testAlert('b1', 'bola/object-enumeration', [user('bob')], T0),
    testAlert('b2', 'rate/user-surge', [user('bob')], T0 + HOUR),
  ]);
  assert.equal(incidents.length, 1);
  assert.deepEqual(incidents[0]?.alertIds, ['b1', 'b2']);
  assert.equal(incidents[0]?.links.filter((l) => l.reason.includes('both name')).length, 0);
});
