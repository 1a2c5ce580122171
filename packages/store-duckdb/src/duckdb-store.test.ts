import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isPalisadeError } from '@palisade/core';
import { sampleEvent, testStoreConformance } from '@palisade/testkit';
import { createDuckDbStore, SCHEMA_VERSION } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-duckdb-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

testStoreConformance('duckdb (file)', () => createDuckDbStore({ path: join(dir, `conformance-${n++}.duckdb`) }));
testStoreConformance('duckdb (memory)', () => createDuckDbStore({ path: ':memory:' }));

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
