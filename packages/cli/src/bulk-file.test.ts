import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BulkFile } from './bulk-file.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(parent: string): string {
  const dir = mkdtempSync(join(parent, 'palisade-bulk-'));
  dirs.push(dir);
  return dir;
}

/** Strings with non-ASCII text, byte chunks of odd sizes, and one chunk larger than the stage. */
function pieces(): Array<string | Uint8Array> {
  const out: Array<string | Uint8Array> = [];
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 400; i++) {
    if (i % 3 === 0) out.push(`{"line":${i},"city":"Zürich","note":"测试 🚀"}\n`.repeat(1 + next(50)));
    else {
      const bytes = Buffer.alloc(1 + next(70_000));
      for (let j = 0; j < bytes.length; j++) bytes[j] = 32 + ((i + j) % 90);
      out.push(bytes);
    }
  }
  out.splice(200, 0, Buffer.alloc((8 << 20) + 12_345, 0x61), 'x'.repeat(3 << 20));
  return out;
}

for (const [where, parent, direct] of [
  ['a disk file system', tmpdir(), true],
  ['a disk file system, through the page cache', tmpdir(), false],
  ['tmpfs', '/dev/shm', true],
] as const) {
  test(`a bulk file on ${where} holds exactly the bytes written, in order`, { skip: !existsSync(parent) }, () => {
    const path = join(scratch(parent), 'out.log');
    const file = new BulkFile(path, { direct });
    if (!direct) assert.equal(file.direct, false);
    const all = pieces();
    const started = file.direct;
    for (const piece of all) file.write(piece);
    // odd-sized pieces must not make a direct write fail over to the page cache
    assert.equal(file.direct, started);
    file.close();
    const expected = Buffer.concat(all.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    assert.equal(file.size, expected.length);
    assert.ok(readFileSync(path).equals(expected), `the file differs from what was written (direct I/O: ${file.direct})`);
  });
}

test('a bulk file shorter than a block, and an empty one, keep only their own bytes', () => {
  const dir = scratch(tmpdir());
  const small = new BulkFile(join(dir, 'small.log'));
  small.write('one line\n');
  small.close();
  assert.equal(readFileSync(join(dir, 'small.log'), 'utf8'), 'one line\n');
  const empty = new BulkFile(join(dir, 'empty.log'));
  empty.close();
  assert.equal(readFileSync(join(dir, 'empty.log')).length, 0);
});
