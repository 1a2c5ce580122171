import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, PalisadeError } from '@palisade/core';
import maxmind, { type Response } from 'maxmind';
import { AccessList, type AccessRuleConfig } from './access-list.js';
import { createPolicies } from './config.js';
import { factsOf, T0 } from './fixtures/request-facts.js';
import { createGeoLookup, defaultCountryDatabasePath, openGeo } from './geo.js';
import type { PolicyFinding, RequestFacts } from './request-facts.js';

function verdict(list: AccessList, facts: RequestFacts): string[] {
  return list.check(facts).map((f) => `${f.action} ${f.ruleId}`);
}

const deny = (id: string, rest: Partial<AccessRuleConfig>): AccessRuleConfig => ({ id, action: 'deny', mode: 'block', ...rest });
const allow = (id: string, rest: Partial<AccessRuleConfig>): AccessRuleConfig => ({ id, action: 'allow', ...rest });

describe('IP and CIDR lists', () => {
  const list = new AccessList([
    deny('v4-range', { ips: ['198.51.100.0/24'] }),
    deny('v4-host', { ips: ['203.0.113.77'] }),
    deny('v6-range', { ips: ['2001:db8::/32'] }),
    deny('mapped', { ips: ['::ffff:203.0.113.128/121'] }),
  ]);

  test('IPv4 ranges and single addresses', () => {
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.0' })), ['block access/v4-range']);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.255' })), ['block access/v4-range']);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.101.0' })), []);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.77' })), ['block access/v4-host']);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.78' })), []);
  });

  test('IPv6 ranges, any spelling', () => {
    assert.deepEqual(verdict(list, factsOf({ ip: '2001:db8:ffff::1' })), ['block access/v6-range']);
    assert.deepEqual(verdict(list, factsOf({ ip: '2001:DB8:0:0::1' })), ['block access/v6-range']);
    assert.deepEqual(verdict(list, factsOf({ ip: '2001:db9::1' })), []);
  });

  test('a v4-mapped client matches IPv4 rules, and a v4-mapped rule matches IPv4 clients', () => {
    assert.deepEqual(verdict(list, factsOf({ ip: '::ffff:198.51.100.9' })), ['block access/v4-range']);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.200' })), ['block access/mapped']);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.127' })), []);
  });

  test('nested ranges each report their rule', () => {
    const nested = new AccessList([deny('wide', { ips: ['198.51.0.0/16'] }), deny('narrow', { ips: ['198.51.100.0/24'] })]);
    assert.deepEqual(verdict(nested, factsOf({ ip: '198.51.100.1' })).sort(), ['block access/narrow', 'block access/wide']);
    assert.deepEqual(verdict(nested, factsOf({ ip: '198.51.7.1' })), ['block access/wide']);
  });

  test('an unreadable client address matches no IP rule', () => {
    assert.deepEqual(verdict(list, factsOf({ ip: 'unknown' })), []);
    assert.deepEqual(verdict(list, factsOf({ ip: '' })), []);
  });

  test('100k ranges load and answer', () => {
    const ips: string[] = [];
    for (let i = 0; i < 100_000; i++) ips.push(`${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`);
    const big = new AccessList([deny('big', { ips })]);
    assert.equal(big.size, 100_000);
    assert.deepEqual(verdict(big, factsOf({ ip: '11.134.159.7' })), ['block access/big']);
    assert.deepEqual(verdict(big, factsOf({ ip: '12.0.0.1' })), []);
  });
});

describe('country and ASN lists', () => {
  test('country rules use the bundled database; the expected country is read from the database itself', async () => {
    const reader = await maxmind.open<{ country_code?: string } & Response>(defaultCountryDatabasePath());
    const address = '193.0.6.139';
    const country = reader.get(address)?.country_code;
    assert.ok(typeof country === 'string' && /^[A-Z]{2}$/.test(country), `the database has no country for ${address}`);
    const other = country === 'AQ' ? 'BV' : 'AQ';

    const geo = await openGeo();
    const policies = createPolicies(
      { access: [deny('embargo', { countries: [country.toLowerCase()] }), deny('elsewhere', { countries: [other] })] },
      { clock: new ManualClock(T0), geo },
    );
    const facts = factsOf({ ip: address });
    assert.deepEqual(
      policies.check(facts).map((f) => [f.ruleId, f.detail]),
      [['access/embargo', `country ${country} on the deny list`]],
    );
    assert.equal(facts.country, country, 'the lookup fills the facts for the event');
    assert.deepEqual(
      policies.check(factsOf({ ip: `::ffff:${address}` })).map((f) => f.ruleId),
      ['access/embargo'],
    );
    assert.deepEqual(policies.check(factsOf({ ip: '203.0.113.5' })), [], 'documentation addresses have no country');
  });

  test('ASN rules match through the user ASN → CIDR list', () => {
    const geo = createGeoLookup({ asnRanges: { '64496': ['198.51.100.0/25', '2001:db8:1::/48'], '64497': ['198.51.100.128/25'] } });
    const policies = createPolicies({ access: [deny('hosting', { asns: [64496] })] }, { clock: new ManualClock(T0), geo });
    const check = (ip: string) => policies.check(factsOf({ ip })).map((f: PolicyFinding) => `${f.ruleId} ${f.detail}`);
    assert.deepEqual(check('198.51.100.5'), ['access/hosting AS64496 on the deny list']);
    assert.deepEqual(check('2001:db8:1:2::3'), ['access/hosting AS64496 on the deny list']);
    assert.deepEqual(check('198.51.100.200'), []);
  });

  test('facts that already carry a country or ASN are judged without a lookup', () => {
    const list = new AccessList([deny('c', { countries: ['KP'] }), deny('a', { asns: [64500] })]);
    assert.ok(list.needsGeo);
    assert.deepEqual(verdict(list, factsOf({ country: 'kp' })), ['block access/c']);
    assert.deepEqual(verdict(list, factsOf({ asn: 64500 })), ['block access/a']);
  });
});

describe('identity lists', () => {
  const list = new AccessList([
    deny('users', { users: ['mallory'] }),
    deny('keys', { apiKeys: ['tok_leaked'] }),
    deny('bots', { fingerprints: ['t13d1516h2_8daaf6152771_02713d6af862', 'http_fp_1'] }),
  ]);

  test('user, API key token and fingerprint (any of JA4, JA3, HTTP)', () => {
    assert.deepEqual(verdict(list, factsOf({ user: 'mallory' })), ['block access/users']);
    assert.deepEqual(verdict(list, factsOf({ user: 'alice' })), []);
    assert.deepEqual(verdict(list, factsOf({ apiKey: 'tok_leaked' })), ['block access/keys']);
    assert.deepEqual(verdict(list, factsOf({ fingerprints: { ja4: 't13d1516h2_8daaf6152771_02713d6af862' } })), ['block access/bots']);
    assert.deepEqual(verdict(list, factsOf({ fingerprints: { ja4: 'other', http: 'http_fp_1' } })), ['block access/bots']);
  });

  test('findings never carry more than the entity the rule names', () => {
    const [finding] = list.check(factsOf({ apiKey: 'tok_leaked' }));
    assert.deepEqual(finding?.entity, { kind: 'api_key', value: 'tok_leaked' });
    assert.equal(finding?.detail, 'api key on the deny list');
  });
});

describe('allow and deny', () => {
  const list = new AccessList([
    allow('office', { ips: ['198.51.100.0/28'] }),
    allow('partner', { users: ['partner-bot'] }),
    deny('net', { ips: ['198.51.100.0/24'] }),
    deny('bad-user', { users: ['partner-bot'] }),
  ]);

  test('an enforced allow rule beats every deny rule', () => {
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.3' })), ['allow access/office']);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.30', user: 'partner-bot' })), ['allow access/partner']);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.30' })), ['block access/net']);
  });

  test('a monitored allow rule only reports; deny rules still apply', () => {
    const trial = new AccessList([
      allow('trial', { ips: ['198.51.100.0/28'], mode: 'monitor' }),
      deny('net', { ips: ['198.51.100.0/24'] }),
    ]);
    const findings = trial.check(factsOf({ ip: '198.51.100.3' }));
    assert.deepEqual(
      findings.map((f) => [f.action, f.ruleId, f.detail]),
      [
        ['monitor', 'access/trial', 'would allow: ip in 198.51.100.0/28 on the allow list'],
        ['block', 'access/net', 'ip in 198.51.100.0/24 on the deny list'],
      ],
    );
  });

  test('a monitored deny rule reports without blocking', () => {
    const watch = new AccessList([deny('watch', { ips: ['198.51.100.0/24'], mode: 'monitor' })]);
    assert.deepEqual(verdict(watch, factsOf({ ip: '198.51.100.3' })), ['monitor access/watch']);
  });

  test('an empty list judges nothing', () => {
    assert.deepEqual(verdict(new AccessList(), factsOf()), []);
  });
});

describe('hot replace', () => {
  test('replace swaps the rules; an unreadable range throws and keeps the old ones', () => {
    const list = new AccessList([deny('old', { ips: ['198.51.100.0/24'] })]);
    list.replace([deny('new', { ips: ['203.0.113.0/24'] })]);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.1' })), []);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.1' })), ['block access/new']);
    assert.throws(() => list.replace([deny('ok', { ips: ['198.51.100.0/24'] }), deny('bad', { ips: ['198.51.100.0/33'] })]), RangeError);
    assert.deepEqual(verdict(list, factsOf({ ip: '203.0.113.1' })), ['block access/new']);
    assert.deepEqual(verdict(list, factsOf({ ip: '198.51.100.1' })), [], 'no half of the bad update is in force');
  });

  test('Policies.replaceAccess validates, reports every problem, and keeps the old rules', () => {
    const policies = createPolicies({ access: [deny('old', { ips: ['198.51.100.0/24'] })] }, { clock: new ManualClock(T0) });
    const error = (() => {
      try {
        policies.replaceAccess([
          { id: 'x', action: 'deny', mode: 'block', ips: ['nope'] },
          { id: 'y', action: 'maybe', users: ['u'] },
        ]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof PalisadeError);
    assert.equal(error.code, 'PAL_ERR_CONFIG_INVALID');
    assert.match(error.message, /access\[0\]\.ips\[0\]: "nope" is not an IP address/);
    assert.match(error.message, /access\[1\]\.action: "maybe" is not one of allow, deny/);
    assert.deepEqual(
      policies.check(factsOf({ ip: '198.51.100.1' })).map((f) => f.ruleId),
      ['access/old'],
    );
    policies.replaceAccess([deny('new', { users: ['mallory'] })]);
    assert.deepEqual(policies.check(factsOf({ ip: '198.51.100.1' })), []);
    assert.deepEqual(
      policies.check(factsOf({ user: 'mallory' })).map((f) => f.ruleId),
      ['access/new'],
    );
  });
});
