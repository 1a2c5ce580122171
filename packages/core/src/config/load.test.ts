import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_TRUSTED_PROXIES } from './schema.js';
import { loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('defaults apply with no file and no environment, and the result is frozen', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.dataDir, 'palisade-data');
  assert.equal(config.store.retentionDays, 90);
  assert.deepEqual(config.ingest.trustedProxies, DEFAULT_TRUSTED_PROXIES);
  assert.ok(Object.isFrozen(config.ingest.trustedProxies));
  assert.throws(() => {
    (config as { dataDir: string }).dataDir = 'x';
  });
});

test('file, then PALISADE_* variables, then command-line overrides', () => {
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    'dataDir: /from/file\nstore:\n  retentionDays: 30\ningest:\n  entities:\n    - { name: accountId, from: path, template: "/accounts/{accountId}" }\n',
  );
  const config = loadConfig({
    file,
    env: { PALISADE_RETENTION_DAYS: '7', PALISADE_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32' },
    overrides: { dataDir: '/from/flag' },
  });
  assert.equal(config.dataDir, '/from/flag');
  assert.equal(config.store.retentionDays, 7);
  assert.deepEqual(config.ingest.trustedProxies, ['10.0.0.0/8', '2001:db8::/32']);
  assert.equal(config.ingest.entities[0]?.name, 'accountId');
});

test('every problem is reported at once with its path, as PAL_ERR_CONFIG_INVALID', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    'store:\n  retentionDays: 0\ningest:\n  batchSize: lots\n  entities:\n    - { name: "1bad", from: path, template: "accounts" }\nunknownKey: 1\n',
  );
  assert.throws(
    () => loadConfig({ file, env: {} }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PAL_ERR_CONFIG_INVALID');
      for (const path of ['store.retentionDays', 'ingest.batchSize', 'ingest.entities.0.name', 'ingest.entities.0.template']) {
        assert.match(error.message, new RegExp(path.replaceAll('.', '\\.')));
      }
      assert.match(error.message, /unknownKey/);
      return true;
    },
  );
});

test('an unreadable or non-YAML file gives its own code', () => {
  assert.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), { code: 'PAL_ERR_CONFIG_UNREADABLE' });
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'a: [unclosed\n');
  assert.throws(() => loadConfig({ file, env: {} }), { code: 'PAL_ERR_CONFIG_INVALID' });
});
