import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_API_KEY_QUERY, DEFAULT_SECRET_FIELDS } from '@palisade/core';
import { readQueryPairs } from '../protect/inputs.js';
import { parseQuery } from './query.js';
import { compileSecretNames } from './secret-names.js';
import { createTokenizer } from './tokenize.js';

const tokenizer = createTokenizer(Buffer.alloc(32, 3));
const secrets = compileSecretNames(DEFAULT_SECRET_FIELDS);
const apiKeyNames: ReadonlySet<string> = new Set(DEFAULT_API_KEY_QUERY);
const tok = (s: string) => tokenizer.token(s);
const parse = (raw: string) => parseQuery(raw, secrets, apiKeyNames, tokenizer);

test('plain parameters are parsed and the raw query is kept as is', () => {
  const result = parse('page=2&sort=name&empty=&flag');
  assert.deepEqual(result.params, { page: '2', sort: 'name', empty: '', flag: '' });
  assert.equal(result.raw, 'page=2&sort=name&empty=&flag');
  assert.equal(result.apiKey, undefined);
});

test('repeated names give arrays in order', () => {
  assert.deepEqual(parse('id=1&x=a&id=2&id=3').params, { id: ['1', '2', '3'], x: 'a' });
  assert.deepEqual(parse('tag=&tag=b').params, { tag: ['', 'b'] });
});

test('names and values are percent- and plus-decoded', () => {
  assert.deepEqual(parse('q=hello+world%21&na%6De=caf%C3%A9&a%20b=1%2B1').params, { q: 'hello world!', name: 'café', 'a b': '1+1' });
});

test('malformed percent-encoding keeps the raw text instead of failing', () => {
  const result = parse('bad=%E0%A4%A&pct=100%&ok=%41&half=%zz');
  assert.deepEqual(result.params, { bad: '%E0%A4%A', pct: '100%', ok: 'A', half: '%zz' });
  assert.equal(result.raw, 'bad=%E0%A4%A&pct=100%&ok=%41&half=%zz');
});

test('empty pieces are ignored', () => {
  assert.deepEqual(parse('&&a=1&&b=2&').params, { a: '1', b: '2' });
});

test('secret-named parameters are tokenized in the params and in the raw query', () => {
  const raw = 'user=alice&password=hunter2&access_token=AT-xyz&client_secret=cs%2Fvalue&Refresh-Token=RT1&sig=abc&page=1';
  const result = parse(raw);
  assert.deepEqual(result.params, {
    user: 'alice',
    password: tok('hunter2'),
    access_token: tok('AT-xyz'),
    client_secret: tok('cs/value'),
    'Refresh-Token': tok('RT1'),
    sig: tok('abc'),
    page: '1',
  });
  assert.equal(
    result.raw,
    `user=alice&password=${tok('hunter2')}&access_token=${tok('AT-xyz')}&client_secret=${tok('cs/value')}&Refresh-Token=${tok('RT1')}&sig=${tok('abc')}&page=1`,
  );
  for (const secret of ['hunter2', 'AT-xyz', 'cs%2Fvalue', 'cs/value', 'RT1']) {
    assert.ok(!result.raw.includes(secret), secret);
    assert.ok(!JSON.stringify(result.params).includes(secret), secret);
  }
});

test('a secret name hidden behind percent-encoding is still recognised', () => {
  const result = parse('pass%77ord=hunter2&PASSWORD=Hunter3');
  assert.deepEqual(result.params, { password: tok('hunter2'), PASSWORD: tok('Hunter3') });
  assert.equal(result.raw, `pass%77ord=${tok('hunter2')}&PASSWORD=${tok('Hunter3')}`);
});

test('every value of a repeated secret parameter is tokenized', () => {
  const result = parse('token=one&token=two');
  assert.deepEqual(result.params, { token: [tok('one'), tok('two')] });
  assert.ok(!result.raw.includes('one') && !result.raw.includes('two'));
});

test('API-key parameters are tokenized and the first one is reported', () => {
  const result = parse('key=AIzaFirst&api_key=second&apikey=third');
  assert.equal(result.apiKey, tok('AIzaFirst'));
  assert.deepEqual(result.params, { key: tok('AIzaFirst'), api_key: tok('second'), apikey: tok('third') });
  assert.equal(result.raw, `key=${tok('AIzaFirst')}&api_key=${tok('second')}&apikey=${tok('third')}`);
  // Names are matched case-insensitively, values decoded before tokenizing.
  assert.equal(parse('Subscription-Key=abc%2B1').apiKey, tok('abc+1'));
  // An empty API-key parameter is no key.
  assert.equal(parse('api_key=&key=real').apiKey, tok('real'));
});

test('only configured names are API keys', () => {
  const custom = parseQuery('key=k1&appkey=k2', secrets, new Set(['appkey']), tokenizer);
  assert.equal(custom.apiKey, tok('k2'));
  assert.equal(custom.params.key, 'k1');
});

test('a secret-named parameter with an empty value is left alone', () => {
  const result = parse('password=&x=1');
  assert.deepEqual(result.params, { password: '', x: '1' });
  assert.equal(result.raw, 'password=&x=1');
});

test('__proto__ and other Object.prototype names do not pollute or corrupt the params', () => {
  const result = parse('__proto__=x&__proto__[polluted]=1&constructor=c&toString=t&hasOwnProperty=h&valueOf=v&constructor=c2');
  assert.equal(Object.getPrototypeOf(result.params), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(result.params, '__proto__'), false);
  assert.deepEqual(
    { ...result.params },
    { '__proto__[polluted]': '1', constructor: ['c', 'c2'], toString: 't', hasOwnProperty: 'h', valueOf: 'v' },
  );
  // Every value is a string or an array of strings (serialises without nulls).
  assert.ok(!JSON.stringify(result.params).includes('null'));
  // The raw query keeps what the client sent.
  assert.ok(result.raw.startsWith('__proto__=x&'));
});

test('a secret in a __proto__-named pair still does not reach the raw query', () => {
  const names = compileSecretNames(['__proto__']);
  const result = parseQuery('__proto__=s3cr3t', names, new Set(), tokenizer);
  assert.equal(result.raw, `__proto__=${tok('s3cr3t')}`);
});

test('pairs read once by the inspection give the same params, raw query and API key as the query string', () => {
  const queries = [
    'q=running+shoes&page=2&sort=price&size=20',
    'a=1&&b=%41%42&c&=v&d=&a=2',
    'bad=%zz&also%=x&half=%4&utf=%E2%82%AC&broken=%E2%82+x',
    'plus+name=a+b%2Bc&%2B=%20',
    '__proto__=1&constructor=2&toString=3',
    'api_key=k1&token=t%2B1&password=&q=1',
    'API_KEY=k2&x=1',
    'pass%77ord=s&Pass-Word=%zz',
  ];
  for (const query of queries) {
    assert.deepEqual(parseQuery(query, secrets, apiKeyNames, tokenizer, readQueryPairs(query)), parse(query), query);
  }
});
