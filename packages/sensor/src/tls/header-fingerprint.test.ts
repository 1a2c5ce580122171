import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { computeHeaderFingerprint } from './header-fingerprint.js';

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
const fp = (rawHeaders: string[], httpVersion = '1.1') => computeHeaderFingerprint({ httpVersion, rawHeaders });

const curl = ['Host', 'api.example.com', 'User-Agent', 'curl/8.5.0', 'Accept', '*/*'];
const browser = [
  'Host',
  'shop.example.com',
  'Connection',
  'keep-alive',
  'sec-ch-ua',
  '"Chromium";v="124"',
  'User-Agent',
  'Mozilla/5.0',
  'Accept',
  'text/html',
  'Referer',
  'https://shop.example.com/',
  'Accept-Encoding',
  'gzip, deflate, br, zstd',
  'Accept-Language',
  'fr-FR,fr;q=0.9,en;q=0.8',
  'Cookie',
  'session=203.0.113.7; theme=dark',
];

test('the documented format, computed by hand for curl', () => {
  assert.equal(fp(curl), `11t0300_${sha12('host,user-agent,accept')}_000000000000`);
});

test('a browser request: mixed case, language, encoding; cookie and referer neither counted nor hashed', () => {
  const expected = `11m07fr_${sha12('host,connection,sec-ch-ua,user-agent,accept,accept-encoding,accept-language')}_${sha12('gzip,deflate,br,zstd')}`;
  assert.equal(fp(browser), expected);
});

test('the same client gives the same fingerprint whatever its cookies, referrer, body or cache state', () => {
  const base = fp(browser);
  const other = browser.map((v, i) => (i === 17 ? 'cart=42' : i === 11 ? 'https://shop.example.com/cart' : v));
  assert.equal(fp(other), base);
  const post = [
    ...browser.slice(0, 4),
    'Content-Length',
    '12',
    'Content-Type',
    'application/json',
    'Origin',
    'https://a',
    ...browser.slice(4),
  ];
  assert.equal(fp(post), base);
  assert.equal(fp([...browser, 'If-None-Match', '"abc"']), base);
});

test('header order, name case, version and encoding each change the fingerprint', () => {
  const base = fp(curl);
  assert.notEqual(fp(['User-Agent', 'curl/8.5.0', 'Host', 'api.example.com', 'Accept', '*/*']), base, 'order');
  assert.notEqual(fp(['host', 'api.example.com', 'user-agent', 'curl/8.5.0', 'accept', '*/*']), base, 'case');
  assert.equal(fp(['host', 'a', 'user-agent', 'b', 'accept', '*/*']).slice(2, 3), 'l');
  assert.notEqual(fp(curl, '1.0'), base, 'version');
  assert.notEqual(fp([...curl, 'Accept-Encoding', 'gzip']), fp([...curl, 'Accept-Encoding', 'br']), 'encoding');
});

test('header values other than language and encoding do not matter', () => {
  assert.equal(fp(['Host', 'a.example', 'User-Agent', 'x', 'Accept', 'text/html']), fp(curl));
});

test('encoding white space and case are normalised; language needs two letters', () => {
  assert.equal(fp([...curl, 'Accept-Encoding', 'GZIP,  deflate']), fp([...curl, 'Accept-Encoding', 'gzip,deflate']));
  assert.equal(fp([...curl, 'Accept-Language', 'EN-us']).slice(5, 7), 'en');
  assert.equal(fp([...curl, 'Accept-Language', '*']).slice(5, 7), '00');
  assert.equal(fp([...curl, 'Accept-Language', 'x']).slice(5, 7), '00');
});

test('degenerate inputs: no headers, only excluded headers, pseudo-headers, odd arrays, huge counts', () => {
  assert.equal(fp([]), '1100000_000000000000_000000000000');
  assert.equal(fp(['Cookie', 'a=b', 'Referer', 'x']), '1100000_000000000000_000000000000');
  assert.equal(fp([':method', 'GET', ':path', '/', 'user-agent', 'x'], '2.0'), `20l0100_${sha12('user-agent')}_000000000000`);
  assert.equal(fp(['Host'], '0.9'), '0000000_000000000000_000000000000');
  const many = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? `X-H${i}` : 'v'));
  assert.equal(fp(many).slice(3, 5), '99');
});

test('long header lists still hash correctly past the memo bound', () => {
  const long = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `x-header-${i}` : 'v'));
  const names = long.filter((_, i) => i % 2 === 0).join(',');
  assert.equal(fp(long).split('_')[1], sha12(names));
  assert.equal(fp(long), fp(long));
});
