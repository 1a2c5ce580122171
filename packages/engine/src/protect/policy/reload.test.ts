import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock, PalisadeError } from '@palisade/core';
import { createPolicies, type Policies } from './config.js';
import { factsOf, T0 } from './fixtures/request-facts.js';
import { type AccessReload, readAccessListFile, watchAccessLists } from './reload.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-access-'));
  dirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const DENY_198 = `
- id: abusers
  action: deny
  mode: block
  ips: [198.51.100.0/24]
`;

const DENY_203_JSON = JSON.stringify({ access: [{ id: 'abusers', action: 'deny', mode: 'block', ips: ['203.0.113.0/24'] }] });

function blocked(policies: Policies, ip: string): boolean {
  return policies.check(factsOf({ ip })).some((f) => f.action === 'block');
}

/** Collects watcher callbacks as promises to await, one per event. */
function events() {
  type Event = AccessReload | PalisadeError;
  const waiting: { kind: 'reload' | 'error'; wanted: (value: Event) => boolean; resolve: (value: Event) => void }[] = [];
  const seen: (AccessReload | PalisadeError)[] = [];
  const deliver = (kind: 'reload' | 'error', value: AccessReload | PalisadeError) => {
    seen.push(value);
    const at = waiting.findIndex((w) => w.kind === kind && w.wanted(value));
    if (at >= 0) waiting.splice(at, 1)[0]?.resolve(value);
  };
  return {
    seen,
    onReload: (reload: AccessReload) => deliver('reload', reload),
    onError: (error: PalisadeError) => deliver('error', error),
    /** The next event of `kind` that `wanted` accepts (a write may be seen half done first: that read fails, the next one succeeds). */
    next: (kind: 'reload' | 'error', wanted: (value: Event) => boolean = () => true) =>
      new Promise<Event>((resolve) => waiting.push({ kind, wanted, resolve })),
  };
}

describe('readAccessListFile', () => {
  test('reads a YAML list or a JSON mapping with access:', async () => {
    assert.equal(((await readAccessListFile(await tempFile('a.yaml', DENY_198))) as unknown[]).length, 1);
    assert.equal(((await readAccessListFile(await tempFile('a.json', DENY_203_JSON))) as unknown[]).length, 1);
  });

  test('an empty, unparsable, oddly shaped or missing file is unreadable', async () => {
    for (const text of ['', '# nothing\n', 'access: [', 'rules: []', '42']) {
      await assert.rejects(readAccessListFile(await tempFile('a.yaml', text)), { code: 'PAL_ERR_CONFIG_UNREADABLE' }, JSON.stringify(text));
    }
    await assert.rejects(readAccessListFile('/nonexistent/palisade/access.yaml'), { code: 'PAL_ERR_CONFIG_UNREADABLE' });
  });
});

describe('watchAccessLists', () => {
  test('loads the file, reloads it on change, and keeps the old rules when a change is invalid', { timeout: 20_000 }, async () => {
    const path = await tempFile('access.yaml', DENY_198);
    const policies = createPolicies({}, { clock: new ManualClock(T0) });
    const seen = events();
    const watcher = await watchAccessLists(path, policies, { ...seen, debounceMs: 20 });
    try {
      assert.ok(blocked(policies, '198.51.100.7'), 'the initial load is in force when the promise resolves');
      assert.deepEqual(seen.seen, []);

      const reloaded = seen.next('reload');
      await writeFile(path, DENY_203_JSON);
      assert.equal(((await reloaded) as AccessReload).rules, 1);
      assert.ok(!blocked(policies, '198.51.100.7'));
      assert.ok(blocked(policies, '203.0.113.7'));

      const invalid = seen.next('error', (e) => e instanceof PalisadeError && e.code === 'PAL_ERR_CONFIG_INVALID');
      await writeFile(path, '- id: abusers\n  action: deny\n  mode: block\n  ips: [203.0.113.0/33]\n');
      const error = (await invalid) as PalisadeError;
      assert.equal(error.code, 'PAL_ERR_CONFIG_INVALID');
      assert.match(error.message, /access\[0\]\.ips\[0\]/);
      assert.ok(error.message.includes(path), 'the message names the file');
      assert.ok(blocked(policies, '203.0.113.7'), 'the old rules stay in force');

      const broken = seen.next('error');
      await writeFile(path, '');
      assert.equal(((await broken) as PalisadeError).code, 'PAL_ERR_CONFIG_UNREADABLE');
      assert.ok(blocked(policies, '203.0.113.7'), 'an empty file does not wipe the lists');

      const replaced = seen.next('reload');
      const temporary = join(path, '..', '.access.yaml.tmp');
      await writeFile(temporary, DENY_198);
      await rename(temporary, path);
      await replaced;
      assert.ok(blocked(policies, '198.51.100.7'), 'a save by rename is seen too');
    } finally {
      watcher.close();
    }
  });

  test('an initial load that fails rejects and watches nothing', async () => {
    const path = await tempFile('access.yaml', '- id: x\n  action: deny\n');
    const policies = createPolicies({}, { clock: new ManualClock(T0) });
    await assert.rejects(watchAccessLists(path, policies), { code: 'PAL_ERR_CONFIG_INVALID' });
  });

  test('reload() reads the file on demand; close() is idempotent', async () => {
    const path = await tempFile('access.yaml', DENY_198);
    const policies = createPolicies({}, { clock: new ManualClock(T0) });
    const watcher = await watchAccessLists(path, policies, { debounceMs: 60_000 });
    await writeFile(path, DENY_203_JSON);
    assert.equal(await watcher.reload(), true);
    assert.ok(blocked(policies, '203.0.113.7'));
    watcher.close();
    watcher.close();
  });
});
