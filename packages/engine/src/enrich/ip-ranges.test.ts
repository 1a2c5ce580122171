import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TRUSTED_PROXIES } from '@palisade/core';
import { compileIpRanges, parseV4, parseV6 } from './ip-ranges.js';

test('an IPv4 CIDR contains exactly the addresses of its network', () => {
  const set = compileIpRanges(['10.0.0.0/8', '192.168.1.0/24']);
  assert.equal(set.has('10.0.0.0'), true);
  assert.equal(set.has('10.255.255.255'), true);
  assert.equal(set.has('11.0.0.0'), false);
  assert.equal(set.has('9.255.255.255'), false);
  assert.equal(set.has('192.168.1.77'), true);
  assert.equal(set.has('192.168.2.1'), false);
});

test('a CIDR written with host bits set still covers its whole network', () => {
  const set = compileIpRanges(['172.16.5.9/12']);
  assert.equal(set.has('172.16.0.1'), true);
  assert.equal(set.has('172.31.255.254'), true);
  assert.equal(set.has('172.32.0.1'), false);
  assert.equal(set.has('172.15.255.255'), false);
});

test('a single IPv4 address matches only itself', () => {
  const set = compileIpRanges(['203.0.113.7']);
  assert.equal(set.has('203.0.113.7'), true);
  assert.equal(set.has('203.0.113.8'), false);
  assert.equal(set.has('203.0.113.6'), false);
  const slash32 = compileIpRanges(['203.0.113.7/32']);
  assert.equal(slash32.has('203.0.113.7'), true);
  assert.equal(slash32.has('203.0.113.70'), false);
});

test('an IPv6 CIDR contains exactly the addresses of its network, at odd prefix lengths too', () => {
  const set = compileIpRanges(['2001:db8::/32']);
  assert.equal(set.has('2001:db8::1'), true);
  assert.equal(set.has('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), true);
  assert.equal(set.has('2001:db9::1'), false);
  assert.equal(set.has('2001:db7:ffff::1'), false);

  const fc = compileIpRanges(['fc00::/7']);
  assert.equal(fc.has('fd12:3456::1'), true);
  assert.equal(fc.has('fc00::1'), true);
  assert.equal(fc.has('fe00::1'), false);

  const deep = compileIpRanges(['2001:db8:0:0:8000::/65']);
  assert.equal(deep.has('2001:db8::8000:0:0:1'), true);
  assert.equal(deep.has('2001:db8::7fff:0:0:1'), false);
});

test('a single IPv6 address matches only itself, whatever its spelling', () => {
  const set = compileIpRanges(['2001:db8::1']);
  assert.equal(set.has('2001:db8::1'), true);
  assert.equal(set.has('2001:0db8:0000:0000:0000:0000:0000:0001'), true);
  assert.equal(set.has('2001:DB8::1'), true);
  assert.equal(set.has('2001:db8::2'), false);
  const loopback = compileIpRanges(['::1/128']);
  assert.equal(loopback.has('::1'), true);
  assert.equal(loopback.has('::2'), false);
  assert.equal(loopback.has('::'), false);
});

test('IPv4-mapped IPv6 addresses are checked against the IPv4 ranges', () => {
  const set = compileIpRanges(['10.0.0.0/8']);
  assert.equal(set.has('::ffff:10.1.2.3'), true);
  assert.equal(set.has('::ffff:a01:203'), true); // the same address, hex spelling
  assert.equal(set.has('::ffff:11.1.2.3'), false);
  // Not mapped: an IPv4-compatible or unrelated v6 address that happens to end in the same bits.
  assert.equal(set.has('::a01:203'), false);
  assert.equal(set.has('64:ff9b::a01:203'), false);
});

test('/0 matches every address of its family and only that family', () => {
  const v4 = compileIpRanges(['0.0.0.0/0']);
  assert.equal(v4.has('1.2.3.4'), true);
  assert.equal(v4.has('255.255.255.255'), true);
  assert.equal(v4.has('0.0.0.0'), true);
  assert.equal(v4.has('::ffff:8.8.8.8'), true);
  assert.equal(v4.has('2001:db8::1'), false);

  const v6 = compileIpRanges(['::/0']);
  assert.equal(v6.has('2001:db8::1'), true);
  assert.equal(v6.has('::'), true);
  assert.equal(v6.has('1.2.3.4'), false);
});

test('entries are trimmed; an empty list matches nothing', () => {
  const set = compileIpRanges([' 10.0.0.0/8 ', '\t2001:db8::/32']);
  assert.equal(set.has('10.9.9.9'), true);
  assert.equal(set.has('2001:db8::5'), true);
  const none = compileIpRanges([]);
  assert.equal(none.has('10.0.0.1'), false);
  assert.equal(none.has('::1'), false);
});

test('has() says false for anything that is not an address, and never throws', () => {
  const set = compileIpRanges(['0.0.0.0/0', '::/0']);
  for (const junk of [
    '',
    'unknown',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.4:80',
    '[::1]',
    '::g',
    'a'.repeat(10_000),
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    ' 1.2.3.4',
  ]) {
    assert.equal(set.has(junk), false, JSON.stringify(junk.slice(0, 20)));
  }
});

test('invalid entries are all reported at once, valid ones are not', () => {
  const bad = [
    '10.0.0.0/33',
    'not-an-ip',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/8.5',
    '300.1.1.1',
    '10.0.0.0/ 8',
    '10.0.0.0/8/24',
    '',
  ];
  let message = '';
  assert.throws(
    () => compileIpRanges(['10.0.0.0/8', ...bad, '::1']),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      message = error.message;
      return true;
    },
  );
  const listed = message
    .slice(message.indexOf(':') + 1)
    .split(',')
    .map((s) => s.trim());
  assert.deepEqual(listed, bad);
});

test('the default trusted proxies compile and cover loopback, private, CGNAT and link-local, not public', () => {
  const set = compileIpRanges(DEFAULT_TRUSTED_PROXIES);
  for (const inside of [
    '127.0.0.1',
    '10.3.4.5',
    '172.20.0.1',
    '192.168.0.10',
    '169.254.1.1',
    '100.64.0.1',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:192.168.0.1',
  ]) {
    assert.equal(set.has(inside), true, inside);
  }
  for (const outside of ['8.8.8.8', '203.0.113.9', '172.32.0.1', '100.128.0.1', '2001:db8::1', '::ffff:8.8.8.8']) {
    assert.equal(set.has(outside), false, outside);
  }
});

test('parseV4 and parseV6 read addresses into numbers', () => {
  assert.equal(parseV4('1.2.3.4'), 0x01020304);
  assert.equal(parseV4('255.255.255.255'), 0xffffffff);
  assert.equal(parseV4('1.2.3'), undefined);
  assert.equal(parseV4('1.2.3.256'), undefined);
  assert.equal(parseV4('1.2.3.4.5'), undefined);
  assert.deepEqual([...(parseV6('2001:db8::ffff:1.2.3.4') as Uint32Array)], [0x20010db8, 0, 0xffff, 0x01020304]);
  assert.deepEqual([...(parseV6('::') as Uint32Array)], [0, 0, 0, 0]);
  assert.equal(parseV6('1.2.3.4'), undefined);
  assert.equal(parseV6('2001:db8::1::2'), undefined);
});
