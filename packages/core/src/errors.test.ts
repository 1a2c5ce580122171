import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOGUE, PalisadeError } from './errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

test('docs/errors.md documents exactly the catalogued error codes', () => {
  const documented = [...doc.matchAll(/^\| `(PAL_ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CATALOGUE).sort());
});

test('docs/errors.md lists every record rejection reason', () => {
  const reasons = [
    'malformed_json',
    'malformed_line',
    'missing_field',
    'bad_timestamp',
    'bad_request_line',
    'bad_status',
    'bad_number',
    'truncated',
    'unsupported_record',
    'too_large',
    'enrich_failed',
  ];
  for (const reason of reasons) assert.match(doc, new RegExp(`\`${reason}\``));
});

test('a PalisadeError carries its code and message', () => {
  const error = new PalisadeError('PAL_ERR_USAGE', 'bad flag');
  assert.equal(error.code, 'PAL_ERR_USAGE');
  assert.equal(error.message, 'bad flag');
  assert.ok(error instanceof Error);
});
