import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TRUSTED_PROXIES } from '@palisade/core';
import { cleanAddress, resolveClientAddress, splitForwardedFor, splitForwardedHeader } from './client-address.js';
import { compileIpRanges } from './ip-ranges.js';

const trusted = compileIpRanges(DEFAULT_TRUSTED_PROXIES);

test('an untrusted peer is the client, whatever the forwarded chain claims', () => {
  assert.equal(resolveClientAddress('198.51.100.20', ['1.1.1.1', '2.2.2.2'], trusted), '198.51.100.20');
  assert.equal(resolveClientAddress('198.51.100.20', [], trusted), '198.51.100.20');
});

test('the chain is read right to left: the nearest untrusted hop is the client', () => {
  // client 203.0.113.9 → CDN 198.51.100.1 → our LB 10.0.0.2 → app (peer 10.0.0.3)
  assert.equal(resolveClientAddress('10.0.0.3', ['203.0.113.9', '198.51.100.1', '10.0.0.2'], trusted), '198.51.100.1');
  assert.equal(resolveClientAddress('10.0.0.3', ['203.0.113.9', '10.0.0.2'], trusted), '203.0.113.9');
});

test('a spoofed left-most X-Forwarded-For entry is never chosen when an untrusted hop is to its right', () => {
  // The attacker (198.51.100.66) sends `X-Forwarded-For: 10.0.0.1, 127.0.0.1` hoping to look internal or
  // to name a victim; our proxy appends the real address.
  assert.equal(resolveClientAddress('10.0.0.3', ['10.0.0.1', '127.0.0.1', '198.51.100.66'], trusted), '198.51.100.66');
  assert.equal(resolveClientAddress('10.0.0.3', ['8.8.8.8', '198.51.100.66'], trusted), '198.51.100.66');
  assert.equal(resolveClientAddress('10.0.0.3', ['8.8.8.8', '198.51.100.66', '10.0.0.2'], trusted), '198.51.100.66');
  assert.equal(resolveClientAddress(undefined, ['8.8.8.8', '198.51.100.66'], trusted), '198.51.100.66');
});

test('when every hop is trusted the left-most address is the client', () => {
  assert.equal(resolveClientAddress('10.0.0.3', ['192.168.1.5', '10.0.0.2'], trusted), '192.168.1.5');
  assert.equal(resolveClientAddress('127.0.0.1', ['::1'], trusted), '::1');
});

test('a trusted peer with no chain is the client; nothing at all gives undefined', () => {
  assert.equal(resolveClientAddress('10.0.0.3', [], trusted), '10.0.0.3');
  assert.equal(resolveClientAddress(undefined, [], trusted), undefined);
});

test('a v4-mapped trusted peer (as Node sockets report it) is treated as the proxy it is', () => {
  assert.equal(resolveClientAddress('::ffff:10.0.0.3', ['203.0.113.9'], trusted), '203.0.113.9');
});

test('with no trusted proxies the peer is always the client', () => {
  const none = compileIpRanges([]);
  assert.equal(resolveClientAddress('10.0.0.3', ['203.0.113.9'], none), '10.0.0.3');
  assert.equal(resolveClientAddress(undefined, ['8.8.8.8', '203.0.113.9'], none), '203.0.113.9');
});

test('X-Forwarded-For: ports and brackets are removed, non-addresses become unknown, order kept', () => {
  assert.deepEqual(
    splitForwardedFor(' 203.0.113.9:5120 , [2001:db8::1]:443,unknown, 2001:db8::2 ,, _hidden, 10.0.0.2, garbage:80, [::1]'),
    ['203.0.113.9', '2001:db8::1', 'unknown', '2001:db8::2', 'unknown', '10.0.0.2', 'unknown', '::1'],
  );
  assert.deepEqual(splitForwardedFor('unknown'), ['unknown']);
  assert.deepEqual(splitForwardedFor(''), []);
});

test('cleanAddress keeps bare addresses and rejects non-addresses', () => {
  assert.equal(cleanAddress('198.51.100.7'), '198.51.100.7');
  assert.equal(cleanAddress('198.51.100.7:8080'), '198.51.100.7');
  assert.equal(cleanAddress('[2001:db8::7]'), '2001:db8::7');
  assert.equal(cleanAddress('[2001:db8::7]:8443'), '2001:db8::7');
  assert.equal(cleanAddress('fe80::1'), 'fe80::1');
  assert.equal(cleanAddress('[198.51.100.7]'), undefined);
  assert.equal(cleanAddress('[2001:db8::7'), undefined);
  assert.equal(cleanAddress('example.com:80'), undefined);
  assert.equal(cleanAddress('unknown'), undefined);
  assert.equal(cleanAddress(''), undefined);
});

test('Forwarded (RFC 7239): for= values in order, quoted IPv6 with port, other parameters ignored', () => {
  assert.deepEqual(
    splitForwardedHeader('for=198.51.100.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", for="198.51.100.17:3000";host=x'),
    ['198.51.100.60', '2001:db8:cafe::17', '198.51.100.17'],
  );
  assert.deepEqual(splitForwardedHeader('proto=https;by=10.0.0.1'), []);
  assert.deepEqual(splitForwardedHeader('for=unknown, for=_hidden, for="_secret", FOR = 203.0.113.5'), [
    'unknown',
    'unknown',
    'unknown',
    '203.0.113.5',
  ]);
  assert.deepEqual(splitForwardedHeader('by=203.0.113.43;for="[::1]"'), ['::1']);
});

test('Forwarded chains resolve right to left like X-Forwarded-For', () => {
  const chain = splitForwardedHeader('for=8.8.8.8, for="[2001:db8::66]", for=10.0.0.2');
  assert.equal(resolveClientAddress('10.0.0.3', chain, trusted), '2001:db8::66');
});

test('an unknown hop to the right of every untrusted address means the client is unknown', () => {
  const trusted = compileIpRanges(['10.0.0.0/8']);
  assert.equal(resolveClientAddress('10.0.0.1', ['203.0.113.5', 'unknown', '10.0.0.9'], trusted), undefined);
  assert.equal(resolveClientAddress('10.0.0.1', ['unknown', '203.0.113.5', '10.0.0.9'], trusted), '203.0.113.5');
});
