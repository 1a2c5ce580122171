import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIPv6 } from 'node:net';
import { parseV6 as referenceV6 } from '../../../enrich/ip-ranges.js';
import { IpRangeTable, parseCidr, parseIp, parseV4, parseV6 } from './ip-table.js';

/** A small deterministic PRNG (xorshift32), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('parseIp folds v4-mapped addresses into IPv4 and rejects junk', () => {
  assert.equal(parseIp('198.51.100.7'), parseIp('::ffff:198.51.100.7'));
  assert.equal(parseIp('::FFFF:c633:6407'), parseIp('198.51.100.7'));
  assert.ok(parseIp('2001:db8::1') instanceof Uint32Array);
  for (const junk of ['', '1.2.3', '256.1.1.1', '1.2.3.4.5', 'example.com', '2001:db8::g']) assert.equal(parseIp(junk), undefined, junk);
});

test('parseV4 takes dotted quads only, without leading zeros', () => {
  assert.equal(parseV4('198.51.100.7'), 0xc6336407);
  assert.equal(parseV4('0.0.0.0'), 0);
  assert.equal(parseV4('255.255.255.255'), 0xffffffff);
  for (const bad of ['198.051.100.7', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '256.0.0.1', '1.2.3.4 ', '１.2.3.4'])
    assert.equal(parseV4(bad), undefined, bad);
});

test('parseV6 agrees with node:net on valid and near-valid addresses', () => {
  const next = random(12345);
  const alphabet = '0123456789abcdefABCDEF:::::..%';
  const samples = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:1.2.3.4', '64:ff9b::198.51.100.33'];
  samples.push(
    '1:2:3:4:5:6:1.2.3.4',
    '1::1.2.3.4',
    'fe80::1%eth0',
    ':1',
    '1:',
    '1:::2',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '::1.2.3',
    'g::',
  );
  for (let i = 0; i < 20_000; i++) {
    const base = samples[Math.floor(next() * samples.length)] as string;
    let text = base;
    const edits = Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (text.length + 1));
      const c = alphabet[Math.floor(next() * alphabet.length)] as string;
      text = next() < 0.5 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    samples.push(text);
  }
  for (const text of samples) {
    const valid = isIPv6(text) && !text.endsWith('%');
    const got = parseV6(text, true);
    assert.equal(got !== undefined, valid, `${JSON.stringify(text)}: node says ${valid}`);
    if (valid) assert.deepEqual(got, referenceV6(text), text);
  }
});

test('parseCidr masks host bits and maps v4-mapped ranges onto IPv4', () => {
  assert.deepEqual(parseCidr('198.51.100.77/24')?.v4, { start: parseIp('198.51.100.0'), end: parseIp('198.51.100.255') });
  assert.deepEqual(parseCidr('::ffff:198.51.100.0/120')?.v4, { start: parseIp('198.51.100.0'), end: parseIp('198.51.100.255') });
  assert.deepEqual(parseCidr('::/0')?.v4, { start: 0, end: 0xffffffff }, 'all of IPv6 includes the v4-mapped block');
  assert.equal(parseCidr('2001:db8::/32')?.v4, undefined);
  for (const bad of ['198.51.100.0/33', '198.51.100.0/', '2001:db8::/129', 'fe80::1%eth0/64', 'x/8', '198.51.100.0/-1']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('lookup and collect agree with a linear scan over random nested ranges', () => {
  const next = random(0x9e3779b9);
  const cidrs: string[] = [];
  for (let i = 0; i < 400; i++) {
    const bits = 8 + Math.floor(next() * 25);
    const a = [10, 198, 203][Math.floor(next() * 3)] as number;
    cidrs.push(`${a}.${Math.floor(next() * 4)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}/${bits}`);
    const v6bits = 16 + Math.floor(next() * 100);
    cidrs.push(`2001:db8:${Math.floor(next() * 4).toString(16)}::${Math.floor(next() * 65536).toString(16)}:0:0/${v6bits}`);
  }
  const entries = cidrs.map((cidr, value) => ({ range: parseCidr(cidr) as NonNullable<ReturnType<typeof parseCidr>>, value }));
  const table = new IpRangeTable(entries);
  const holds = (value: number, ip: ReturnType<typeof parseIp>): boolean => {
    const range = entries[value]?.range;
    if (typeof ip === 'number') return range?.v4 !== undefined && range.v4.start <= ip && ip <= range.v4.end;
    if (ip === undefined || range?.v6 === undefined) return false;
    const key = (w: Uint32Array) => Array.from(w, (x) => x.toString(16).padStart(8, '0')).join('');
    return key(range.v6.start) <= key(ip) && key(ip) <= key(range.v6.end);
  };
  for (let i = 0; i < 3000; i++) {
    const ip =
      i % 2 === 0
        ? parseIp(`${[10, 198, 203][i % 3]}.${Math.floor(next() * 4)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`)
        : parseIp(
            `2001:db8:${Math.floor(next() * 4).toString(16)}::${Math.floor(next() * 65536).toString(16)}:${Math.floor(next() * 65536).toString(16)}:1`,
          );
    const expected = entries.map((_, value) => value).filter((value) => holds(value, ip));
    const got: number[] = [];
    table.collect(ip as NonNullable<typeof ip>, got);
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      expected,
    );
    const smallest = table.lookup(ip as NonNullable<typeof ip>);
    assert.equal(smallest, got[0]);
  }
});
