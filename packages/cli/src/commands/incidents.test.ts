import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyTriage, foldIncidents, loadTriage, triagePath } from '@palisade/engine';
import { testAlert } from '@palisade/testkit';
import { main } from '../main.js';

// The real `palisade incidents` command through `main`, on a report built here and a temporary data directory.
const dir = mkdtempSync(join(tmpdir(), 'palisade-incidents-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function palisade(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'palisade', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

const T0 = Date.UTC(2026, 0, 10);

/** What analyze detects in the logs: alice enumerating and sweeping, bob enumerating. */
function detection() {
  return foldIncidents([
    testAlert('al-1', 'bola/object-enumeration', [{ kind: 'user', value: 'alice' }], T0),
    testAlert('al-2', 'scan/not-found-sweep', [{ kind: 'user', value: 'alice' }], T0 + 60_000),
    testAlert('bo-1', 'bola/object-enumeration', [{ kind: 'user', value: 'bob' }], T0 + 120_000),
  ]);
}

function setup(): { data: string; report: string; alice: string; bob: string } {
  const data = join(dir, `d${n++}`);
  const report = join(dir, `report-${n}.json`);
  const result = detection();
  // the part of an analyze --json report that triage reads, beside a field it does not
  writeFileSync(report, `${JSON.stringify({ files: ['access.log'], alerts: result.alerts, incidents: result.incidents }, null, 2)}\n`);
  const alice = result.incidents.find((i) => i.alertIds.includes('al-1'))?.id;
  const bob = result.incidents.find((i) => i.alertIds.includes('bo-1'))?.id;
  assert.ok(alice !== undefined && bob !== undefined && alice !== bob);
  return { data, report, alice, bob };
}

test('incidents mark false-positive stores the suppressions, list shows them, and applying the triage drops the pattern', async () => {
  const { data, report, alice, bob } = setup();
  const fp = await palisade([
    'incidents',
    'mark',
    alice,
    'false-positive',
    '--report',
    report,
    '--note',
    'pentest',
    '--expires',
    '7d',
    '--data-dir',
    data,
  ]);
  assert.equal(fp.code, 0, fp.stderr);
  assert.match(fp.stdout, new RegExp(`Incident ${alice} marked false positive`));
  assert.match(fp.stdout, /2 patterns suppressed until/);
  const ack = await palisade(['incidents', 'mark', bob, 'acknowledged', '--by', 'ana', '--data-dir', data]);
  assert.equal(ack.code, 0, ack.stderr);

  const triage = loadTriage(triagePath(data));
  assert.deepEqual(
    triage.suppressions.map((s) => `${s.ruleId} ${s.entity.kind}:${s.entity.value} ${s.incidentId} ${s.expires - s.created}`).sort(),
    [`bola/object-enumeration user:alice ${alice} ${7 * 86_400_000}`, `scan/not-found-sweep user:alice ${alice} ${7 * 86_400_000}`],
  );
  assert.deepEqual(
    triage.statuses.map((s) => [s.incidentId, s.status, s.note, s.by]),
    [
      [alice, 'false_positive', 'pentest', undefined],
      [bob, 'acknowledged', undefined, 'ana'],
    ],
  );

  const list = await palisade(['incidents', 'list', '--data-dir', data]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /Incidents \(2 marked\)/);
  assert.match(list.stdout, new RegExp(`${bob}\\s+acknowledged\\s+.*by ana`));
  assert.match(list.stdout, /Suppressions \(2 active\)/);
  assert.match(
    list.stdout,
    new RegExp(`bola/object-enumeration\\s+user alice\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\s+${alice}`),
  );

  // what analyze will do with the same logs on its next run
  const next = applyTriage(detection(), triage);
  assert.deepEqual(next.suppressed.map((a) => a.id).sort(), ['al-1', 'al-2']);
  assert.deepEqual(
    next.incidents.map((i) => [i.id, i.status]),
    [[bob, 'acknowledged']],
  );
});

test('marking open again lifts a false positive and its suppressions', async () => {
  const { data, report, alice } = setup();
  assert.equal((await palisade(['incidents', 'mark', alice, 'false-positive', '--report', report, '--data-dir', data])).code, 0);
  const reopen = await palisade(['incidents', 'mark', alice, 'open', '--report', report, '--data-dir', data]);
  assert.equal(reopen.code, 0, reopen.stderr);
  assert.match(reopen.stdout, /2 suppressions of its false-positive mark lifted/);
  const list = await palisade(['incidents', 'list', '--data-dir', data]);
  assert.match(list.stdout, /Suppressions \(0 active\)/);
  assert.match(list.stdout, new RegExp(`${alice}\\s+open`));
});

test('incidents list on a data directory without marks says so', async () => {
  const run = await palisade(['incidents', 'list', '--data-dir', join(dir, 'empty')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /No incident has been marked/);
});

test('bad input exits 1 with a coded one-line error and writes no triage file', async () => {
  const { data, report, alice } = setup();
  const cases: Array<[string[], RegExp]> = [
    [
      ['incidents', 'mark', 'inc-00000000000000ff', 'false-positive', '--report', report],
      /incident inc-00000000000000ff is not in .* \(it holds 2 incidents\) \[PAL_ERR_USAGE\]/,
    ],
    [
      ['incidents', 'mark', alice, 'closed', '--report', report],
      /unknown status "closed"; use acknowledged, resolved, false-positive or open \[PAL_ERR_USAGE\]/,
    ],
    [
      ['incidents', 'mark', alice, 'false-positive', '--report', report, '--expires', 'a month'],
      /--expires a month is not a duration .*\[PAL_ERR_USAGE\]/,
    ],
    [['incidents', 'mark', alice, 'false-positive', '--report', report, '--expires', '0d'], /must be longer than 0 \[PAL_ERR_USAGE\]/],
    [['incidents', 'mark', alice, 'resolved', '--expires', '7d'], /--expires applies to false-positive marks only \[PAL_ERR_USAGE\]/],
    [['incidents', 'mark', alice, 'false-positive'], /false-positive needs --report .*\[PAL_ERR_USAGE\]/],
    [['incidents', 'mark', 'alice', 'resolved'], /"alice" is not an incident id .*\[PAL_ERR_USAGE\]/],
    [
      ['incidents', 'mark', alice, 'resolved', '--report', join(dir, 'missing.json')],
      /no report at .*missing\.json \[PAL_ERR_INPUT_NOT_FOUND\]/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await palisade([...args, '--data-dir', data]);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
  assert.deepEqual(loadTriage(triagePath(data)).statuses, [], 'a refused mark stores nothing');
});

test('a corrupt triage file makes mark and list fail with PAL_ERR_TRIAGE_INVALID and is left as it was', async () => {
  const { data, alice } = setup();
  const path = triagePath(data);
  assert.equal((await palisade(['incidents', 'mark', alice, 'acknowledged', '--data-dir', data])).code, 0);
  writeFileSync(path, '{"schemaVersion": 1, "statuses": [');
  for (const args of [
    ['incidents', 'list', '--data-dir', data],
    ['incidents', 'mark', alice, 'resolved', '--data-dir', data],
  ]) {
    const run = await palisade(args);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /triage file .*triage\.json is not valid JSON.*\[PAL_ERR_TRIAGE_INVALID\]/);
  }
  assert.equal(readFileSync(path, 'utf8'), '{"schemaVersion": 1, "statuses": [');
});
