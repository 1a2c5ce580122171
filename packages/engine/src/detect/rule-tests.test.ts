import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDetectionSetup } from './setup.js';
import { runRuleTest, runRuleTests, SHIPPED_RULE_TESTS_DIR } from './rule-tests.js';

test('every shipped behaviour rule test case passes', async () => {
  const setup = await loadDetectionSetup();
  const results = await runRuleTests(SHIPPED_RULE_TESTS_DIR, setup);
  assert.ok(results.length >= 13);
  for (const r of results) assert.ok(r.passed, `${r.name}: ${r.problems.join('; ')}`);
});

test('every shipped rule has at least one case that expects its alert', async () => {
  const setup = await loadDetectionSetup();
  const results = await runRuleTests(SHIPPED_RULE_TESTS_DIR, setup);
  const covered = new Set(results.flatMap((r) => r.alerts.map((a) => a.ruleId)));
  const rules = [...setup.scenarios.map((s) => s.id), ...setup.detectors().flatMap((d) => d.ruleIds)];
  const missing = rules.filter((id) => !covered.has(id));
  assert.deepEqual(missing, []);
});

const CASE = `
description: a walk
rules: [bola/object-enumeration]
events:
  - at: 2026-11-02T10:00:00Z
    repeat: 60
    every: 10s
    request: { path: '/v2/invoices/{100 + i * 3}', user: u1, ip: 198.51.100.1 }
expect:
  - rule: bola/object-enumeration
    entities: [{ kind: user, value: u1 }]
`;

test('a case fails, saying why, when an expected alert is missing or an unexpected one is raised', async () => {
  const setup = await loadDetectionSetup();
  assert.equal(runRuleTest(CASE, 'walk', setup).passed, true);
  const wrongEntity = runRuleTest(CASE.replace('value: u1 }]', 'value: u2 }]'), 'walk', setup);
  assert.equal(wrongEntity.passed, false);
  assert.match(wrongEntity.problems.join('\n'), /expected an alert of bola\/object-enumeration naming user u2: none/);
  assert.match(wrongEntity.problems.join('\n'), /unexpected alert of bola\/object-enumeration: user u1 read/);
  const unreadable = runRuleTest('description: x\nrules: []\n', 'bad', setup);
  assert.equal(unreadable.passed, false);
  assert.match(unreadable.problems[0] ?? '', /^case.yaml: /);
  const unknown = runRuleTest(CASE.replace('rules: [bola/object-enumeration]', 'rules: [bola/nope]'), 'x', setup);
  assert.match(unknown.problems.join('\n'), /unknown rule bola\/nope/);
});
