import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PalisadeError } from '@palisade/core';
import { loadOrCreateSecretKey, SECRET_KEY_FILE } from './secret-key.js';
import { createTokenizer } from './tokenize.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-secret-key-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

const isSecretKeyError = (error: unknown): boolean => {
  assert.ok(error instanceof PalisadeError, String(error));
  assert.equal(error.code, 'PAL_ERR_SECRET_KEY');
  return true;
};

test('the key is created on first run: 32 random bytes, hex, mode 0600, in a directory made for it', () => {
  const dir = join(freshDir(), 'nested', 'data');
  const key = loadOrCreateSecretKey(dir);
  assert.equal(key.length, 32);
  const path = join(dir, SECRET_KEY_FILE);
  assert.equal(readFileSync(path, 'utf8'), `${Buffer.from(key).toString('hex')}\n`);
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  // Usable as a tokenization key.
  assert.doesNotThrow(() => createTokenizer(key));
});

test('the key is reused on later runs, so tokens stay stable', () => {
  const dir = freshDir();
  const first = loadOrCreateSecretKey(dir);
  const second = loadOrCreateSecretKey(dir);
  assert.deepEqual(Buffer.from(second), Buffer.from(first));
  assert.equal(createTokenizer(second).token('hunter2'), createTokenizer(first).token('hunter2'));
});

test('two deployments get different keys', () => {
  const a = loadOrCreateSecretKey(freshDir());
  const b = loadOrCreateSecretKey(freshDir());
  assert.notDeepEqual(Buffer.from(a), Buffer.from(b));
});

test('an existing key file written by hand is read (surrounding whitespace ignored, longer keys allowed)', () => {
  const dir = freshDir();
  loadOrCreateSecretKey(dir);
  const hex = 'ab'.repeat(48);
  writeFileSync(join(dir, SECRET_KEY_FILE), `  ${hex}\r\n`);
  assert.deepEqual(Buffer.from(loadOrCreateSecretKey(dir)), Buffer.from(hex, 'hex'));
});

test('a corrupt key file gives PAL_ERR_SECRET_KEY and is not overwritten', () => {
  for (const content of ['', 'not a key', 'ab'.repeat(31), `${'AB'.repeat(32)}`, `${'ab'.repeat(32)}zz`]) {
    const dir = freshDir();
    loadOrCreateSecretKey(dir);
    const path = join(dir, SECRET_KEY_FILE);
    writeFileSync(path, content);
    assert.throws(() => loadOrCreateSecretKey(dir), isSecretKeyError, JSON.stringify(content));
    assert.equal(readFileSync(path, 'utf8'), content);
  }
});

test('the error message names the file but never holds its content', () => {
  const dir = freshDir();
  loadOrCreateSecretKey(dir);
  writeFileSync(join(dir, SECRET_KEY_FILE), 'leaked-looking-content');
  assert.throws(
    () => loadOrCreateSecretKey(dir),
    (error: unknown) => {
      isSecretKeyError(error);
      assert.ok((error as Error).message.includes(SECRET_KEY_FILE));
      assert.ok(!(error as Error).message.includes('leaked-looking-content'));
      return true;
    },
  );
});

test('an unusable data directory gives PAL_ERR_SECRET_KEY', () => {
  const file = join(freshDir());
  writeFileSync(file, 'I am a file, not a directory');
  assert.throws(() => loadOrCreateSecretKey(file), isSecretKeyError);
  assert.throws(() => loadOrCreateSecretKey(join(file, 'below')), isSecretKeyError);
});

test('an unreadable key file gives PAL_ERR_SECRET_KEY rather than a new key', {
  skip: process.platform === 'win32' || process.getuid?.() === 0,
}, () => {
  const dir = freshDir();
  const original = loadOrCreateSecretKey(dir);
  const path = join(dir, SECRET_KEY_FILE);
  chmodSync(path, 0o000);
  try {
    assert.throws(() => loadOrCreateSecretKey(dir), isSecretKeyError);
  } finally {
    chmodSync(path, 0o600);
  }
  assert.deepEqual(Buffer.from(loadOrCreateSecretKey(dir)), Buffer.from(original));
});
