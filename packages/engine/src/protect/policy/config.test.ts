import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, PalisadeError } from '@palisade/core';
import { parse as parseYaml } from 'yaml';
import { createPolicies, formatConfigProblem, type PolicyConfig, validatePolicyConfig } from './config.js';
import { factsOf, T0 } from './fixtures/request-facts.js';
import type { GeoLookup } from './geo.js';

const clock = () => new ManualClock(T0);

const EXAMPLE = `
access:
  - id: office
    action: allow
    ips: [203.0.113.0/28]
    bypass: [rate-limit]
  - id: abusers
    action: deny
    mode: block
    ips: [198.51.100.0/24, "2001:db8:bad::/48"]
    countries: [KP]
geo:
  asnRanges:
    "64496": [198.18.0.0/15]
deception:
  mode: block
  treatment: tarpit
  honeypots:
    - id: env-file
      paths: [/.env, /**/.env]
  tarpit: { min: 1s, max: 5s }
rateLimits:
  - id: login-per-ip
    key: ip
    limit: 5
    window: 1m
    algorithm: sliding-window
    match: { methods: [POST], paths: [/login] }
    mode: block
  - id: api-per-key
    key: [api_key, endpoint]
    limit: 100
    window: 10s
    burst: 20
    algorithm: token-bucket
    mode: monitor
flows:
  - id: checkout
    key: session
    within: 30m
    mode: block
    steps:
      - { name: checkout, method: POST, path: /orders }
      - { name: pay, method: POST, path: "/orders/{id}/pay" }
`;

describe('validation', () => {
  test('the documented example is valid', () => {
    assert.deepEqual(validatePolicyConfig(parseYaml(EXAMPLE)), []);
  });

  test('every problem is reported at once, each with its path', () => {
    const problems = validatePolicyConfig(
      {
        access: [
          { id: 'a', action: 'deny', ips: ['10.0.0.0/33', 7], countries: ['Korea'], asns: [-1] },
          { id: 'a', action: 'allow', bypass: ['signatures'] },
          { id: 'c', action: 'deny', mode: 'block', users: ['x'], bypass: ['flow'], color: 'red' },
        ],
        geo: { asnRanges: { AS1: ['1.2.3.0/24'], '64496': ['nope'] } },
        deception: {
          mode: 'on',
          treatment: 'tarpit',
          honeypots: [{ id: 'marked', paths: ['env'] }],
          mark: ['ip', 'ip', 'cookie'],
          ttl: '1 hour',
          tarpit: { min: '5s', max: '1m' },
          response: { status: 99, headers: { 'bad name': 'x', 'x-ok': 'a\nb', 'x-t': '{{secret}}' }, body: '{{nope}}' },
        },
        rateLimits: [
          { id: 'r', key: ['ip', 'ip', 'cookie'], limit: 0, window: '5 minutes', algorithm: 'sliding-window', burst: 3, mode: 'block' },
          {
            id: 'bad id!',
            key: 'business:',
            limit: 1.5,
            window: '1m',
            algorithm: 'leaky',
            match: { methods: ['GE T'], paths: ['/a/**b'] },
          },
        ],
        flows: [{ id: 'f', key: 'cookie', within: 'soon', mode: 'block', steps: [{ name: 'only', method: 'POST', path: 'orders' }] }],
        extra: true,
      },
      'policies',
    );
    const lines = problems.map(formatConfigProblem);
    const expected: [string, RegExp][] = [
      ['policies.extra', /unknown key/],
      ['policies.access[0].mode', /is required/],
      ['policies.access[0].ips[0]', /"10.0.0.0\/33" is not an IP address or CIDR range/],
      ['policies.access[0].ips[1]', /7 is not a non-empty string/],
      ['policies.access[0].countries[0]', /"Korea" is not an ISO 3166 country code/],
      ['policies.access[0].asns[0]', /-1 is not an AS number/],
      ['policies.access[1].id', /"a" is used twice/],
      ['policies.access[1]', /lists nothing/],
      ['policies.access[1].bypass[0]', /"signatures" is not one of deception, rate-limit, flow/],
      ['policies.access[2].color', /unknown key/],
      ['policies.access[2].bypass', /only allow rules/],
      ['policies.geo.asnRanges.AS1', /is not an AS number/],
      ['policies.geo.asnRanges.64496[0]', /"nope" is not an IP address or CIDR range/],
      ['policies.deception.mode', /"on" is not one of block, monitor/],
      ['policies.deception.honeypots[0].id', /"marked" is reserved/],
      ['policies.deception.honeypots[0].paths[0]', /"env" is not a path starting with \//],
      ['policies.deception.mark[1]', /ip is listed twice/],
      ['policies.deception.mark[2]', /"cookie" is not one of/],
      ['policies.deception.ttl', /"1 hour" is not a duration/],
      ['policies.deception.tarpit.max', /over the 30s/],
      ['policies.deception.response.status', /99 is not an HTTP status/],
      ['policies.deception.response.headers', /"bad name" is not a header name/],
      ['policies.deception.response.headers.x-ok', /one-line/],
      ['policies.deception.response.headers.x-t', /unknown placeholder \{\{secret\}\}/],
      ['policies.deception.response.body', /unknown placeholder \{\{nope\}\}/],
      ['policies.rateLimits[0].key[1]', /ip is listed twice/],
      ['policies.rateLimits[0].key[2]', /"cookie" is not an entity key/],
      ['policies.rateLimits[0].limit', /0 is not a whole number ≥ 1/],
      ['policies.rateLimits[0].window', /"5 minutes" is not a duration/],
      ['policies.rateLimits[0].burst', /token-bucket algorithm only/],
      ['policies.rateLimits[1].id', /"bad id!" is not an id/],
      ['policies.rateLimits[1].key', /"business:" is not an entity key/],
      ['policies.rateLimits[1].limit', /1.5 is not a whole number/],
      ['policies.rateLimits[1].algorithm', /"leaky" is not one of token-bucket, sliding-window/],
      ['policies.rateLimits[1].mode', /is required/],
      ['policies.rateLimits[1].match.methods[0]', /"GE T" is not an HTTP method/],
      ['policies.rateLimits[1].match.paths[0]', /\*\* must be a whole segment/],
      ['policies.flows[0].key', /"cookie" is not one of session, user, api_key, ip/],
      ['policies.flows[0].within', /"soon" is not a duration/],
      ['policies.flows[0].steps[0].path', /is not a path starting with \//],
      ['policies.flows[0].steps', /at least two steps/],
    ];
    for (const [path, message] of expected) {
      assert.ok(
        problems.some((p) => p.path === path && message.test(p.message)),
        `missing ${path} ${message}\n${lines.join('\n')}`,
      );
    }
    assert.equal(problems.length, expected.length, `unexpected problems:\n${lines.join('\n')}`);
  });

  test('a problem is reported once, not echoed by the checks that depend on it', () => {
    assert.deepEqual(validatePolicyConfig({ deception: { mode: 'block', treatment: 'block', honeypots: 'x' } }).map(formatConfigProblem), [
      'deception.honeypots: must be a list, not "x"',
    ]);
    assert.deepEqual(
      validatePolicyConfig({ access: [{ id: 'x', action: 'deny', mode: 'block', ips: '10.0.0.1' }] }).map(formatConfigProblem),
      ['access[0].ips: must be a list, not "10.0.0.1"'],
    );
  });

  test('accessFile is a path, and not together with inline rules', () => {
    assert.deepEqual(validatePolicyConfig({ accessFile: '/etc/palisade/access.yaml' }), []);
    assert.deepEqual(
      validatePolicyConfig({ accessFile: 'a.yaml', access: [] }).map((p) => p.path),
      ['accessFile'],
    );
  });

  test('createPolicies refuses an invalid config with every problem', () => {
    assert.throws(
      () => createPolicies({ rateLimits: [{ id: 'r' }] } as unknown as PolicyConfig, { clock: clock() }),
      (error: unknown) =>
        error instanceof PalisadeError &&
        error.code === 'PAL_ERR_CONFIG_INVALID' &&
        /rateLimits\[0\]\.key: is required/.test(error.message) &&
        /rateLimits\[0\]\.window: is required/.test(error.message),
    );
  });
});

describe('evaluation', () => {
  const config = () => parseYaml(EXAMPLE) as PolicyConfig;
  const login = { method: 'POST', path: '/login' };

  test('a typical request gets no finding', () => {
    const policies = createPolicies(config(), { clock: clock() });
    assert.deepEqual(policies.check(factsOf({ ip: '198.18.0.5', path: '/products', session: 's' })), []);
  });

  test('an allow rule ends the access checks and skips what it bypasses', () => {
    const policies = createPolicies(config(), { clock: clock() });
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(
        policies.check(factsOf({ ip: '203.0.113.2', ...login })).map((f) => f.action),
        ['allow'],
      );
    }
    assert.deepEqual(
      policies.check(factsOf({ ip: '203.0.113.2', path: '/.env' })).map((f) => f.ruleId),
      ['access/office', 'deception/env-file'],
      'the office bypasses rate limits only',
    );
  });

  test('a blocked request is not counted by later policies', () => {
    const policies = createPolicies(config(), { clock: clock() });
    for (let i = 0; i < 10; i++) assert.equal(policies.check(factsOf({ ip: '198.51.100.1', ...login }))[0]?.ruleId, 'access/abusers');
    assert.equal(policies.rateLimits.stats()[0]?.keys, 0);
  });

  test('tarpit and monitor findings do not end the evaluation', () => {
    const policies = createPolicies(config(), { clock: clock() });
    const ip = '198.18.0.9';
    policies.check(factsOf({ ip, path: '/.env' }));
    for (let i = 0; i < 5; i++)
      assert.deepEqual(
        policies.check(factsOf({ ip, ...login })).map((f) => f.action),
        ['tarpit'],
      );
    assert.deepEqual(
      policies.check(factsOf({ ip, ...login })).map((f) => `${f.action} ${f.ruleId}`),
      ['tarpit deception/marked', 'block rate-limit/login-per-ip'],
    );
  });

  test('the geo lookup runs only when an access rule needs it, and fills the facts', () => {
    const looked: string[] = [];
    const geo: GeoLookup = {
      lookup(ip) {
        looked.push(ip);
        return ip === '198.18.0.1' ? { country: 'KP', asn: 64496 } : undefined;
      },
    };
    const policies = createPolicies(config(), { clock: clock(), geo });
    const facts = factsOf({ ip: '198.18.0.1' });
    assert.deepEqual(
      policies.check(facts).map((f) => `${f.ruleId} ${f.detail}`),
      ['access/abusers country KP on the deny list'],
    );
    assert.equal(facts.asn, 64496);
    const noGeo = createPolicies({ rateLimits: config().rateLimits }, { clock: clock(), geo });
    noGeo.check(factsOf({ ip: '198.18.0.2' }));
    assert.deepEqual(looked, ['198.18.0.1']);
  });
});
