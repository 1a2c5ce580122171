import assert from 'node:assert/strict';
import { test } from 'node:test';
import maxmind, { type Response } from 'maxmind';
import { createGeoLookup, defaultCountryDatabasePath, isReservedAddress, openGeo } from './geo.js';

test('countries come from the bundled database, for IPv4, v4-mapped and IPv6 clients', async () => {
  const reader = await maxmind.open<{ country_code?: string } & Response>(defaultCountryDatabasePath());
  const geo = await openGeo();
  for (const ip of ['193.0.6.139', '2001:67c:2e8:22::c100:68b']) {
    const expected = reader.get(ip)?.country_code;
    assert.ok(expected !== undefined, `the database has no country for ${ip}`);
    assert.equal(geo.lookup(ip)?.country, expected, ip);
  }
  assert.equal(geo.lookup('::ffff:193.0.6.139')?.country, reader.get('193.0.6.139')?.country_code);
});

test('private and documentation addresses have no country; junk has nothing', async () => {
  const geo = await openGeo();
  for (const ip of ['10.1.2.3', '127.0.0.1', '192.168.1.1', '203.0.113.9', '2001:db8::1', 'fe80::1', '::1']) {
    assert.equal(geo.lookup(ip), undefined, ip);
    assert.ok(isReservedAddress(ip), ip);
  }
  assert.equal(geo.lookup('not an ip'), undefined);
  assert.ok(!isReservedAddress('193.0.6.139'));
});

test('ASNs come from the user ranges, innermost first, for any address', () => {
  const geo = createGeoLookup({ asnRanges: { '64496': ['10.0.0.0/8'], '64497': ['10.9.0.0/16'], '64498': ['2001:db8::/32'] } });
  assert.deepEqual(geo.lookup('10.1.1.1'), { asn: 64496 });
  assert.deepEqual(geo.lookup('10.9.1.1'), { asn: 64497 });
  assert.deepEqual(geo.lookup('::ffff:10.9.1.1'), { asn: 64497 });
  assert.deepEqual(geo.lookup('2001:db8::5'), { asn: 64498 });
  assert.equal(geo.lookup('11.0.0.1'), undefined);
  assert.deepEqual(geo.lookup('10.9.1.1'), { asn: 64497 }, 'cached answers are the same');
});
