import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isPalisadeError } from '@palisade/core';
import { sampleEvent, testDetectionStoreConformance, testStoreConformance } from '@palisade/testkit';
import { createDuckDbStore, SCHEMA_VERSION } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-duckdb-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

testStoreConformance('duckdb (file)', () => createDuckDbStore({ path: join(dir, `conformance-${n++}.duckdb`) }));
testStoreConformance('duckdb (memory)', () => createDuckDbStore({ path: ':memory:' }));
testDetectionStoreConformance('duckdb (file)', () => createDuckDbStore({ path: join(dir, `conformance-${n++}.duckdb`) }));

test('events survive closing and reopening the file', async () => {
  const path = join(dir, 'reopen.duckdb');
  const first = await createDuckDbStore({ path });
  await first.append({ events: [sampleEvent(1)], checkpoints: [{ key: 'k', path: 'a', offset: 10, line: 1, updatedAt: 5 }] });
  await first.close();
  const second = await createDuckDbStore({ path });
  assert.deepStrictEqual(await second.query(), [sampleEvent(1)]);
  assert.equal((await second.checkpoint('k'))?.offset, 10);
  assert.equal(await second.schemaVersion(), SCHEMA_VERSION);
  await second.close();
});

test('documents are kept beside the events, one per kind, replaced by the next', async () => {
  const path = join(dir, 'documents.duckdb');
  const store = await createDuckDbStore({ path });
  assert.equal(await store.getDocument('inventory'), undefined);
  const big = JSON.stringify({ endpoints: Array.from({ length: 2000 }, (_, i) => ({ path: `/it's/${i}` })) });
  await store.putDocument('inventory', '{"v":1}', 1000);
  await store.putDocument('inventory', big, 2000);
  await store.close();
  const again = await createDuckDbStore({ path });
  assert.deepEqual(await again.getDocument('inventory'), { body: big, updatedAt: 2000 });
  await again.close();
});

test('a second process opening the same file gets PAL_ERR_STORE_LOCKED', async () => {
  const path = join(dir, 'locked.duckdb');
  const holder = await createDuckDbStore({ path });
  try {
    const script = `
      import { createDuckDbStore } from '@palisade/store-duckdb';
      try { await createDuckDbStore({ path: ${JSON.stringify(path)} }); console.log('opened'); }
      catch (e) { console.log(e.code); }`;
    const child = spawn(process.execPath, ['--conditions=palisade-src', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('.', import.meta.url).pathname,
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(out.trim(), 'PAL_ERR_STORE_LOCKED');
  } finally {
    await holder.close();
  }
});

test('a store written by a newer schema is refused', async () => {
  const path = join(dir, 'newer.duckdb');
  const store = await createDuckDbStore({ path });
  await store.sql(`UPDATE palisade_meta SET value = '99' WHERE key = 'schema_version'`);
  await store.close();
  await assert.rejects(createDuckDbStore({ path }), (e) => isPalisadeError(e) && e.code === 'PAL_ERR_STORE_SCHEMA');
});

test('a saved detection state survives reopening, in chunks past 16 MiB, and is replaced whole by the next', async () => {
  const path = join(dir, 'state.duckdb');
  const store = await createDuckDbStore({ path });
  assert.equal(await store.getState('detection'), undefined);
  const big = Buffer.alloc(40 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i += 4093) big[i] = i % 251;
  await store.putState('detection', big, 1_700_000_000_000, 1_800_000_000_000);
  await store.close();
  const again = await createDuckDbStore({ path });
  const got = await again.getState('detection');
  assert.equal(got?.clock, 1_700_000_000_000);
  assert.equal(got?.updatedAt, 1_800_000_000_000);
  assert.ok(got !== undefined && Buffer.from(got.state).equals(big));
  const small = Buffer.from([0, 1, 2, 255]);
  await again.putState('detection', small, 1_700_000_100_000, 1_800_000_100_000);
  assert.deepEqual(Buffer.from((await again.getState('detection'))?.state ?? []), small);
  assert.deepEqual(await again.sql('SELECT count(*)::INTEGER AS n FROM detection_state'), [{ n: 1 }]);
  await again.close();
});

test('alerts are stored and replaced by their later versions', async () => {
  const store = await createDuckDbStore({ path: ':memory:' });
  const alert = {
    id: 'a1',
    ruleId: 'bola/object-enumeration',
    category: 'bola' as const,
    severity: 'high' as const,
    confidence: 0.8,
    entities: [{ kind: 'user', value: "o'brien" }],
    firstSeen: 1_700_000_000_000,
    lastSeen: 1_700_000_060_000,
    raisedAt: 1_700_000_030_000,
    summary: 'user read 40 invoices',
    evidence: { features: { count: 40 }, baseline: {}, threshold: 'distinct object ≥ 30 within 1 h', sampleEventIds: ['e1'], timeline: [] },
  };
  await store.putAlerts([alert]);
  const later = { ...alert, lastSeen: 1_700_000_090_000, evidence: { ...alert.evidence, features: { count: 55 } } };
  await store.putAlerts([later, { ...alert, id: 'a2', raisedAt: 1_700_000_040_000 }]);
  assert.deepEqual(await store.alerts(), [later, { ...alert, id: 'a2', raisedAt: 1_700_000_040_000 }]);
  await store.close();
});

test('hourly entity rollups count each entity per hour and are recomputed, not doubled, when the hours are rolled up again', async () => {
  const store = await createDuckDbStore({ path: ':memory:' });
  // sampleEvent(n) is n seconds after an hour's start: 0..99 in one hour, 3600..3609 in the next
  const events = [...Array.from({ length: 100 }, (_, i) => sampleEvent(i)), ...Array.from({ length: 10 }, (_, i) => sampleEvent(3600 + i))];
  events[5] = { ...events[5], response: { ...events[5]?.response, status: 404 } } as (typeof events)[number];
  await store.append({ events, checkpoints: [] });
  const from = events[0]?.time as number;
  const to = events.at(-1)?.time as number;
  await store.rollUp(from, to);
  await store.rollUp(from, to);
  const sessions = await store.sql(
    `SELECT epoch_ms(hour)::DOUBLE AS hour, requests::INTEGER AS requests, not_found::INTEGER AS nf, addresses::INTEGER AS addresses
     FROM entity_hourly WHERE kind = 'session' ORDER BY hour`,
  );
  const hour = Math.floor(from / 3_600_000) * 3_600_000;
  assert.deepEqual(sessions, [
    { hour, requests: 100, nf: 1, addresses: 100 },
    { hour: hour + 3_600_000, requests: 10, nf: 0, addresses: 10 },
  ]);
  const users = await store.sql(`SELECT count(*)::INTEGER AS n, sum(requests)::INTEGER AS requests FROM entity_hourly WHERE kind = 'user'`);
  assert.deepEqual(users, [{ n: 110, requests: 110 }]);
  await store.close();
});
