import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LineRecord, LineSplitter, type OversizedLine } from './line-splitter.js';

const texts = (out: Array<LineRecord | OversizedLine>): string[] => out.map((r) => ('text' in r ? r.text : '<oversized>'));

test('offsets and line numbers are exact across chunk boundaries, CRLF and multi-byte characters', () => {
  const content = Buffer.from('ab\r\nçé☕\n\nlast line without newline', 'utf8');
  const splitter = new LineSplitter(100, 7);
  const out: Array<LineRecord | OversizedLine> = [];
  for (let i = 0; i < content.length; i += 3) splitter.push(content.subarray(i, i + 3), out);
  splitter.finish(out);
  assert.deepEqual(texts(out), ['ab', 'çé☕', '', 'last line without newline']);
  assert.deepEqual(
    out.map((r) => [r.offset, r.end, r.line]),
    [
      [100, 104, 8],
      [104, 112, 9],
      [112, 113, 10],
      [113, 138, 11],
    ],
  );
  assert.equal(splitter.offset, 100 + content.length);
});

test('a line longer than the limit is reported once, not decoded, and reading goes on after it', () => {
  const splitter = new LineSplitter(0, 0, 8);
  const out: Array<LineRecord | OversizedLine> = [];
  splitter.push(Buffer.from('ok\n0123456789'), out);
  splitter.push(Buffer.from('abcdef'), out);
  splitter.push(Buffer.from('ghi\nnext\n'), out);
  assert.deepEqual(texts(out), ['ok', '<oversized>', 'next']);
  assert.deepEqual(out[1], { oversized: true, offset: 3, end: 23, line: 2 });
  assert.equal(splitter.offset, 28);
});
