import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectLdapInjection } from './ldap.js';

const at = { location: 'query:user' };

describe('detectLdapInjection', () => {
  it('finds filter breakouts: a parenthesis the value never opened, then a new item or group', () => {
    for (const value of ['*)(uid=*))(|(uid=*', 'admin)(|', 'x)!(sn=*', 'val)&(cn=admin', 'val)|(uid=*', 'test) ( & ', 'admin)(&)']) {
      assert.equal(detectLdapInjection(value, at)?.detail, 'filter-breakout', value);
    }
  });

  it('finds filters only probes write', () => {
    assert.equal(detectLdapInjection('*(|(objectclass=*))', at)?.detail, 'presence-probe');
    assert.equal(detectLdapInjection('(&(uid=admin)(!(&(1=0)(userPassword=q))))', at)?.detail, 'constant-item');
    assert.equal(detectLdapInjection('(|(uid=bob)(userPassword=a*))', at)?.detail, 'password-item');
    assert.equal(detectLdapInjection('(&)', at)?.detail, 'absolute-filter');
  });

  it('finds a bare extensible match where a plain value belongs', () => {
    assert.equal(detectLdapInjection('userPassword:2.5.13.18:=123', at)?.detail, 'extensible-match');
    assert.equal(detectLdapInjection('cn:dn:=admin', at)?.detail, 'extensible-match');
  });

  it('reports the span of the breakout', () => {
    const value = 'bob)(uid=*';
    const found = detectLdapInjection(value, at);
    assert.equal(value.slice(found?.start, found?.end), ')(uid=');
  });

  it('passes complete filters of ordinary items, as directory search forms post them', () => {
    for (const value of [
      '(&(objectCategory=computer)(userAccountControl:1.2.840.113556.1.4.803:=8192))',
      '(&(objectClass=user)(cn=John*))',
      '(mail=bob@example.com)',
    ]) {
      assert.equal(detectLdapInjection(value, at), undefined, value);
    }
  });

  it('passes parentheses in prose and code', () => {
    for (const value of [
      '1) a-b=c',
      '(see above) and (below)',
      'f(x) (y = 2)',
      'a) first b) second',
      '(a|b)',
      ':)(',
      'x := 5',
      'Time: 10:30',
    ]) {
      assert.equal(detectLdapInjection(value, at), undefined, value);
    }
  });

  it('stays linear on long runs of parentheses', { timeout: 5_000 }, () => {
    assert.equal(detectLdapInjection(')('.repeat(50_000), at), undefined);
    assert.equal(detectLdapInjection('('.repeat(50_000) + ')'.repeat(50_000), at), undefined);
  });
});
