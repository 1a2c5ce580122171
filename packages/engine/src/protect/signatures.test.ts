import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileSignatures, loadSignatureRules, parseSignatureRules, requestConditions } from './signatures.js';
import type { Detector } from './types.js';

const quoteOr: Detector = (value) => {
  const at = value.indexOf("' or ");
  return at < 0 ? undefined : { detail: 's&', start: at, end: at + 5 };
};
const detectors = { 'quote-or': quoteOr };

const RULES = `
rules:
  - id: sqli/quote-or
    title: quote then or
    category: sqli
    paranoia: 1
    severity: critical
    detector: quote-or
  - id: scanner/ua
    title: attack tool
    category: scanner
    paranoia: 1
    severity: warning
    targets: [header:user-agent]
    phrases: [sqlmap]
  - id: rce/cat-passwd
    title: reads passwd
    category: rce
    paranoia: 1
    severity: warning
    exclude: [header]
    regex: '\\bcat\\s+/etc/passwd'
    flags: i
  - id: xss/strict-angle
    title: any angle bracket
    category: xss
    paranoia: 2
    severity: notice
    regex: '<'
`;

test('rules match decoded values, score once per rule, and record the place and a masked snippet', () => {
  const set = compileSignatures(parseSignatureRules(RULES, 'test.yaml', detectors), detectors);
  assert.equal(set.rules.length, 3, 'the paranoia-2 rule is not compiled at paranoia 1');
  const result = set.inspect([
    { location: 'query:id', value: '1%27%20or%20%271%27=%271' },
    { location: 'query:other', value: "x' or 2" },
    { location: 'header:user-agent', value: 'SQLMap/1.7 cat /etc/passwd' },
    { location: 'json:$.cmd', value: 'CAT /etc/passwd; card 4111111111111111' },
  ]);
  assert.equal(result.score, 5 + 3 + 3);
  assert.deepEqual(
    result.matches.map((m) => [m.ruleId, m.location, m.detail]),
    [
      ['sqli/quote-or', 'query:id', 's&'],
      ['scanner/ua', 'header:user-agent', 'phrase'],
      ['rce/cat-passwd', 'json:$.cmd', 'regex'],
    ],
  );
  assert.equal(result.matches[0]?.snippet, "1' or '1'='1", 'the snippet is of the decoded form');
  assert.equal(result.matches[2]?.snippet, 'CAT /etc/passwd; card ***11…', 'long digit runs are masked');
});

test('paranoia, disabled rules and exclusions narrow what runs; results accumulate across phases', () => {
  const rules = parseSignatureRules(RULES, 'test.yaml', detectors);
  const strict = compileSignatures(rules, detectors, { paranoia: 2, disabled: ['scanner/*', 'rce/cat-passwd'] });
  assert.deepEqual(
    strict.rules.map((r) => r.id),
    ['sqli/quote-or', 'xss/strict-angle'],
  );
  const first = strict.inspect([{ location: 'query:q', value: '<b>' }]);
  const both = strict.inspect(
    [
      { location: 'json:$.q', value: "a' or b" },
      { location: 'json:$.r', value: '<i>' },
    ],
    first,
    (rule, location) => rule === 'sqli/quote-or' && location === 'json:$.q',
  );
  assert.equal(both.score, 2, 'the excluded place does not count and xss counts once');
});

test('every problem of a rule file is reported at once, naming the file and the rule', () => {
  const bad = `
rules:
  - id: Bad Id
    title: ''
    category: sqli
    paranoia: 7
    severity: high
    detector: nope
    regex: '('
  - id: xss/ok
    title: fine
    category: xss
    paranoia: 1
    severity: critical
    targets: [headers]
    phrases: []
`;
  assert.throws(
    () => parseSignatureRules(bad, 'user/bad.yaml', detectors),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PAL_ERR_RULES_INVALID');
      for (const part of [
        'user/bad.yaml: rules[0]',
        'id must look like',
        'title is required',
        'paranoia must be',
        'severity must be',
        'exactly one of',
        'detector `nope`',
        'regex does not compile',
        'rules[1] (xss/ok): targets must list',
        'phrases must be',
      ]) {
        assert.ok(error.message.includes(part), `message mentions ${part}: ${error.message}`);
      }
      return true;
    },
  );
});

test('rule folders load in name order and ids must be unique across files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-rules-'));
  await writeFile(join(dir, 'a.yaml'), RULES);
  await writeFile(join(dir, 'b.yml'), RULES);
  await writeFile(join(dir, 'notes.txt'), 'ignored');
  await assert.rejects(loadSignatureRules([dir], detectors), /rule ids must be unique: sqli\/quote-or/);
  await assert.rejects(loadSignatureRules([join(dir, 'missing')], detectors), { code: 'PAL_ERR_RULES_UNREADABLE' });
});

test('a value is remembered as clean only when every rule looked at it: an exclusion or an earlier match does not stick', () => {
  let calls = 0;
  const counting: Detector = (value, context) => {
    calls++;
    return quoteOr(value, context);
  };
  const set = compileSignatures(parseSignatureRules(RULES, 'test.yaml', { 'quote-or': counting }), { 'quote-or': counting });
  const attack = [{ location: 'query:id', value: "1' or 1=1" }];
  const excluded = set.inspect(attack, undefined, (ruleId) => ruleId === 'sqli/quote-or');
  assert.equal(excluded.score, 0, 'excluded on this route');
  assert.equal(set.inspect(attack).score, 5, 'not remembered as clean: the next route without the exclusion still blocks it');

  const benign = [{ location: 'query:q', value: 'running shoes' }];
  set.inspect(benign);
  const before = calls;
  assert.equal(set.inspect(benign).score, 0);
  assert.equal(calls, before, 'a value every rule passed is not judged again');
  set.inspect([{ location: 'json:$.items[7].q', value: 'plain words' }]);
  const judged = calls;
  set.inspect([{ location: 'json:$.items[3].q', value: 'plain words' }]);
  assert.equal(calls, judged, 'array positions share what was remembered');
});

test('a long value is read in overlapping windows, so a detector that bounds what it reads still sees a padded attack', () => {
  // like a real reader, this detector gives up on values longer than it reads
  const bounded: Detector = (value) => {
    if (value.length > 16 * 1024) return undefined;
    const at = value.indexOf('evil()');
    return at < 0 ? undefined : { detail: 'call', start: at, end: at + 6 };
  };
  const rules = parseSignatureRules(
    'rules:\n  - { id: code/bounded, title: bounded reader, category: code, paranoia: 1, severity: critical, detector: bounded }\n',
    'bounded.yaml',
    { bounded },
  );
  const set = compileSignatures(rules, { bounded });
  for (const at of [0, 20_000, 16 * 1024 - 3, 100_000]) {
    const value = `${'x'.repeat(at)}evil()${'y'.repeat(1_000)}`;
    assert.equal(set.inspect([{ location: 'json:$.note', value }]).matches.length, 1, `attack at ${at}`);
  }
  assert.equal(set.inspect([{ location: 'json:$.note', value: 'x'.repeat(200_000) }]).matches.length, 0);
});

test('a request meets same-site-referer when its Referer is an http(s) URL naming the host it went to', () => {
  const sameSite = (referer: string | undefined, host: string | undefined) =>
    requestConditions({ ...(referer === undefined ? {} : { referer }), ...(host === undefined ? {} : { host }) }).sameSiteReferer;
  assert.equal(sameSite('https://shop.example/cart?x=1', 'shop.example'), true);
  assert.equal(sameSite('https://Shop.Example/cart', 'SHOP.example'), true);
  assert.equal(sameSite('http://shop.example:8080/a', 'shop.example:8080'), true);
  assert.equal(sameSite('https://shop.example/a', 'shop.example:443'), true, 'a Host naming the default port');
  assert.equal(sameSite('https://shop.example:8443/a', 'shop.example'), false, 'another port');
  assert.equal(sameSite('https://evil.example/shop.example', 'shop.example'), false);
  assert.equal(sameSite('https://shop.example.evil.example/', 'shop.example'), false);
  assert.equal(sameSite('javascript://shop.example/%0aalert(1)', 'shop.example'), false, 'not http(s)');
  assert.equal(sameSite('not a url', 'shop.example'), false);
  assert.equal(sameSite(undefined, 'shop.example'), false, 'no Referer');
  assert.equal(sameSite('https://shop.example/', undefined), false, 'no Host');
  assert.equal(
    requestConditions({ referer: 'https://api.shop.example/docs' }, 'api.shop.example').sameSiteReferer,
    true,
    'the host given apart',
  );
});

test('a rule with `unless: [same-site-referer]` does not run on a request that meets it; it runs on every other', () => {
  const rules = parseSignatureRules(
    `
rules:
  - id: session-fixation/session-id-parameter
    title: session id as a parameter
    category: session-fixation
    paranoia: 1
    severity: critical
    targets: [query-name]
    unless: [same-site-referer]
    phrases: [jsessionid]
`,
    'test.yaml',
    detectors,
  );
  const set = compileSignatures(rules, detectors);
  const input = [{ location: 'query-name:jsessionid', value: 'jsessionid' }];
  const run = (referer?: string) =>
    set.inspect(input, undefined, undefined, () =>
      requestConditions(referer === undefined ? { host: 'shop.example' } : { host: 'shop.example', referer }),
    ).matches.length;
  assert.equal(run('https://shop.example/catalogue'), 0, 'a link followed within the site');
  assert.equal(run('https://mail.example/inbox'), 1, 'a link from elsewhere');
  assert.equal(run(), 1, 'no Referer');
  assert.equal(run('https://shop.example/catalogue'), 0, 'the value was not remembered as clean by the same-site request');
  assert.equal(set.inspect(input).matches.length, 1, 'without conditions every rule runs');
  assert.equal(
    set.exempt('session-fixation/session-id-parameter', () => ({ sameSiteReferer: true })),
    true,
  );
  assert.equal(
    set.exempt('session-fixation/session-id-parameter', () => ({ sameSiteReferer: false })),
    false,
  );
  assert.throws(
    () => parseSignatureRules(rulesWithUnless('[from-mars]'), 'bad.yaml', detectors),
    /unless must list request conditions \(same-site-referer\)/,
  );
});

function rulesWithUnless(unless: string): string {
  return `
rules:
  - id: session-fixation/x
    title: x
    category: session-fixation
    paranoia: 1
    severity: critical
    unless: ${unless}
    phrases: [x]
`;
}
