import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenizer, isToken } from './tokenize.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);
const TOKEN_SHAPE = /^tok_[A-Za-z0-9_-]{22}$/;

test('a token is tok_ followed by 22 base64url characters', () => {
  const tokenizer = createTokenizer(keyA);
  for (const secret of ['hunter2', 'x', 'sk_live_51H8xYzAbCdEf', 'ünïcødé 🔑', ' '.repeat(3), 'a'.repeat(100_000)]) {
    const token = tokenizer.token(secret);
    assert.match(token, TOKEN_SHAPE, secret.slice(0, 20));
    assert.equal(isToken(token), true);
  }
});

test('the same secret gives the same token under one key, also across tokenizer instances', () => {
  const one = createTokenizer(keyA);
  const two = createTokenizer(Buffer.from(keyA));
  assert.equal(one.token('hunter2'), one.token('hunter2'));
  assert.equal(one.token('hunter2'), two.token('hunter2'));
  // A small cache that keeps being cleared gives the same answers.
  const tiny = createTokenizer(keyA, 1);
  for (const secret of ['a', 'b', 'a', 'c', 'b']) assert.equal(tiny.token(secret), one.token(secret));
});

test('different secrets give different tokens; one secret gives different tokens under different keys', () => {
  const a = createTokenizer(keyA);
  const b = createTokenizer(keyB);
  assert.notEqual(a.token('hunter2'), a.token('hunter3'));
  assert.notEqual(a.token('hunter2'), a.token('Hunter2'));
  assert.notEqual(a.token('hunter2'), b.token('hunter2'));
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(a.token(`secret-${i}`));
  assert.equal(seen.size, 2000);
});

test('a token does not reveal its secret', () => {
  const tokenizer = createTokenizer(keyA);
  for (const secret of ['hunter2', 'abc', 'AAAAAAAAAAAAAAAAAAAAAA', 'sk_live_51H8xYzAbCdEf']) {
    const token = tokenizer.token(secret);
    assert.ok(!token.includes(secret), `${token} contains ${secret}`);
    assert.ok(!token.includes(Buffer.from(secret).toString('base64url')), `${token} encodes ${secret}`);
  }
  // Not a plain (unkeyed) hash either: it depends on the key.
  assert.notEqual(createTokenizer(keyA).token('hunter2'), createTokenizer(keyB).token('hunter2'));
});

test('tokenizing a token returns it unchanged (re-ingesting Palisade output is safe)', () => {
  const tokenizer = createTokenizer(keyA);
  const token = tokenizer.token('hunter2');
  assert.equal(tokenizer.token(token), token);
  assert.equal(createTokenizer(keyB).token(token), token);
  assert.equal(tokenizer.token(tokenizer.token(tokenizer.token('x'))), tokenizer.token('x'));
});

test('text that merely starts with tok_ is still tokenized', () => {
  const tokenizer = createTokenizer(keyA);
  assert.notEqual(tokenizer.token('tok_short'), 'tok_short');
  assert.notEqual(tokenizer.token(`tok_${'a'.repeat(40)}`), `tok_${'a'.repeat(40)}`);
  assert.equal(isToken('tok_short'), false);
});

test('empty input gives an empty string', () => {
  assert.equal(createTokenizer(keyA).token(''), '');
});

test('keys shorter than 32 bytes are rejected', () => {
  assert.throws(() => createTokenizer(Buffer.alloc(31, 1)), /at least 32 bytes/);
  assert.throws(() => createTokenizer(new Uint8Array(0)), /at least 32 bytes/);
  assert.doesNotThrow(() => createTokenizer(Buffer.alloc(64, 1)));
});
