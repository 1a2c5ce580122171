import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTransactionId } from './transaction-id.js';

test('transaction ids are version 4 UUIDs in 32 hex digits, never repeated', () => {
  const seen = new Set<string>();
  // more than one pool of random bytes
  for (let i = 0; i < 2_000; i++) {
    const id = newTransactionId();
    assert.match(id, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    assert.equal(seen.has(id), false);
    seen.add(id);
  }
});
