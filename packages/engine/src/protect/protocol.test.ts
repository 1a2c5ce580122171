import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from './detect/index.js';
import { requestInputs } from './inputs.js';
import { type RequestHead, requestFacts } from './protocol.js';
import { compileSignatures, parseSignatureRules, type SignatureSet } from './signatures.js';

test('the protocol facts name the method, version, Host and how a body is announced', () => {
  const facts = requestFacts({
    method: 'GET',
    httpVersion: '1.1',
    headers: { host: 'api.example.com', 'content-length': '7', 'content-type': 'application/json' },
  });
  assert.deepEqual(facts, [
    { location: 'request:method', value: 'GET' },
    { location: 'request:version', value: 'HTTP/1.1' },
    { location: 'request:host', value: 'api.example.com' },
    { location: 'request:body', value: 'GET length=7 typed' },
    { location: 'request:content-type', value: 'application/json' },
  ]);
  const chunked = requestFacts({ method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
  assert.deepEqual(chunked, [
    { location: 'request:method', value: 'POST' },
    { location: 'request:host', value: '' },
    { location: 'request:body', value: 'POST chunked untyped' },
  ]);
  assert.deepEqual(
    requestFacts({ method: 'GET', headers: { host: 'a', 'content-length': '0', 'content-type': 'text/plain' } }).map((f) => f.location),
    ['request:method', 'request:host'],
    'no body: neither framing nor a content type to judge',
  );
  assert.deepEqual(requestFacts({ headers: { host: 'a' } }), [], 'without a request line there are no facts');
});

test('multipart parts list their own headers, for the part charset and transfer-encoding rules', () => {
  const body = Buffer.from(
    '--b\r\nContent-Disposition: form-data; name="bio"\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+ADw-x\r\n' +
      '--b\r\nContent-Disposition: form-data; name="plain"\r\n\r\nhello\r\n--b--\r\n',
  );
  const { inputs } = requestInputs({ path: '/', query: '', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body });
  const headers = inputs.filter((i) => i.location.startsWith('part-header:'));
  assert.deepEqual(headers, [
    { location: 'part-header:bio', value: 'Content-Disposition: form-data; name="bio"\nContent-Type: text/plain; charset=utf-7' },
    { location: 'part-header:plain', value: 'Content-Disposition: form-data; name="plain"' },
  ]);
});

interface Probe extends RequestHead {
  path?: string;
  query?: string;
  body?: string;
}

async function protocolRules(paranoia = 1): Promise<SignatureSet> {
  const file = join(SHIPPED_SIGNATURES_DIR, 'protocol.yaml');
  const rules = parseSignatureRules(await readFile(file, 'utf8'), file, BUILTIN_DETECTORS);
  return compileSignatures(rules, BUILTIN_DETECTORS, { paranoia });
}

/** The protocol rules a request matches, as the sensor runs them (inputs of head and body, and the facts). */
function matched(set: SignatureSet, probe: Probe): string[] {
  const headers: Record<string, string | string[] | undefined> = { host: 'api.example.com', ...probe.headers };
  if (probe.body !== undefined && headers['content-length'] === undefined)
    headers['content-length'] = String(Buffer.byteLength(probe.body));
  const request = {
    path: probe.path ?? '/api/v1/items',
    query: probe.query ?? '',
    headers,
    body: probe.body === undefined ? undefined : Buffer.from(probe.body),
  };
  const inputs = [...requestInputs(request).inputs, ...requestFacts({ ...probe, headers })];
  return set.inspect(inputs).matches.map((m) => m.ruleId);
}

const multipart = (disposition: string, extra = '', content = 'x'): Probe => ({
  method: 'POST',
  headers: { 'content-type': 'multipart/form-data; boundary=b' },
  body: `--b\r\nContent-Disposition: form-data; ${disposition}\r\n${extra}\r\n${content}\r\n--b--\r\n`,
});
const form = (contentType: string, body = 'a=1'): Probe => ({ method: 'POST', headers: { 'content-type': contentType }, body });

test('protocol rules at paranoia 1 catch smuggling, charset evasion, parser confusion and header abuse', async () => {
  const set = await protocolRules();
  const attacks: Array<[string, Probe]> = [
    ['protocol/dangerous-method', { method: 'TRACE', headers: {} }],
    ['protocol/dangerous-method', { method: 'CONNECT', headers: {} }],
    ['protocol/body-on-head', { method: 'HEAD', headers: { 'content-type': 'text/plain' }, body: 'hello' }],
    ['protocol/chunked-get', { method: 'GET', headers: { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' } }],
    ['protocol/missing-host', { method: 'GET', httpVersion: '1.0', headers: { host: '' } }],
    ['protocol/content-type-not-allowed', form('application/foo-bar')],
    ['protocol/content-type-not-allowed', form('multipart/related; boundary=0000')],
    ['protocol/content-type-malformed', { method: 'GET', headers: { 'content-type': 'text/xml; junk' } }],
    ['protocol/content-type-malformed', form('multipart/form-data; boundary=   spaced')],
    ['protocol/charset-not-allowed', form('application/x-www-form-urlencoded; charset=ibm500')],
    ['protocol/charset-not-allowed', form('application/json; charset="utf-7"')],
    ['protocol/charset-repeated', form('application/json; charset=utf-8; Charset=utf-8')],
    ['protocol/content-type-in-parameter', { method: 'POST', headers: { 'content-type': 'text/plain; boundary="application/xml"' } }],
    ['protocol/accept-charset-not-allowed', { method: 'GET', headers: { accept: 'application/json; charset=utf-32' } }],
    ['protocol/accept-encoding-too-long', { method: 'GET', headers: { 'accept-encoding': `gzip, ${'x,'.repeat(60)}` } }],
    ['protocol/restricted-header', { method: 'GET', headers: { proxy: 'http://203.0.113.9:8080' } }],
    ['protocol/restricted-header', { method: 'GET', headers: { 'x-middleware-subrequest': 'middleware' } }],
    ['protocol/header-line-in-header', { method: 'GET', headers: { 'x-trace': 'abc%0d%0aX-Injected: 1' } }],
    ['protocol/restricted-extension', { method: 'GET', path: '/static/site.sql', headers: {} }],
    ['protocol/restricted-extension', { method: 'GET', path: '/config/prod%2Eenv', headers: {} }],
    ['protocol/editor-backup-file', { method: 'GET', path: '/admin/settings.py~', headers: {} }],
    ['protocol/line-break-in-path', { method: 'GET', path: '/files/a%0Db', headers: {} }],
    ['protocol/null-byte', { method: 'GET', query: 'file=report.pdf%00.php', headers: {} }],
    ['protocol/escaped-ascii', form('application/x-www-form-urlencoded', 'q=%5Cu0065val(1)')],
    ['protocol/request-line-in-argument', { method: 'GET', query: `next=${encodeURIComponent('x\nDELETE /admin HTTP/1.1')}`, headers: {} }],
    [
      'protocol/request-line-in-argument',
      { method: 'GET', query: `u=${encodeURIComponent('GET http://10.0.0.1/ HTTP/1.0')}`, headers: {} },
    ],
    ['protocol/html-after-line-break', { method: 'GET', headers: { cookie: 'lang=en%0d%0a%0d%0a<html><body>x' } }],
    ['protocol/unix-socket-proxy-target', { method: 'GET', query: 'unix:/run/app.sock|http://internal/', headers: {} }],
    ['protocol/legacy-cookie-syntax', { method: 'GET', headers: { cookie: '$Version=1; sid="a; admin=1"' } }],
    ['protocol/multipart-name-characters', multipart('name="user;role"')],
    ['protocol/multipart-name-characters', multipart('name="a\\b"')],
    ['protocol/file-name-characters', multipart('name="f"; filename="..\\..\\x.txt"')],
    ['protocol/file-name-characters', multipart('name="f"; filename="a.jpg;.php"')],
    ['protocol/form-charset-not-allowed', multipart('name="_charset_"', '', 'utf-7')],
    ['protocol/part-charset-not-allowed', multipart('name="bio"', 'Content-Type: text/plain; charset=utf-16\r\n')],
    ['protocol/part-transfer-encoding', multipart('name="bio"', 'Content-Transfer-Encoding: base64\r\n', 'PHN2Zz4=')],
  ];
  for (const [rule, probe] of attacks) assert.ok(matched(set, probe).includes(rule), `${rule}: ${JSON.stringify(probe)}`);
});

test('protocol rules at paranoia 1 pass ordinary API traffic', async () => {
  const set = await protocolRules();
  const benign: Probe[] = [
    { method: 'GET', httpVersion: '1.1', headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br, zstd' } },
    { method: 'DELETE', path: '/api/v1/items/42', headers: {} },
    { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' },
    { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"name":"x"}' },
    { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } },
    { method: 'GET', headers: { 'content-type': 'application/vnd.unknown-thing' } },
    form('application/x-www-form-urlencoded; charset=UTF-8'),
    form('application/json;charset="utf-8"'),
    form('application/vnd.api+json'),
    form('application/ld+json; profile="https://www.w3.org/ns/activitystreams"'),
    form('text/plain; charset = iso-8859-1'),
    form('application/octet-stream'),
    form('image/png'),
    form('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
    form('multipart/form-data; boundary= ----=_Part_0_1234.5678'),
    { method: 'GET', headers: { accept: 'text/html;q=0.9;charset="UTF-8",*/*;q=0.8' } },
    { method: 'POST', headers: { 'content-encoding': 'identity', 'content-type': 'text/plain' }, body: 'x' },
    { method: 'GET', headers: { 'if-none-match': '"abc"', 'if-modified-since': 'Mon, 07 Dec 2026 10:00:00 GMT', expect: '100-continue' } },
    { method: 'GET', path: '/api/v1/users/jane.doe/avatar.png', headers: {} },
    { method: 'GET', path: '/~jane/notes', headers: {} },
    { method: 'GET', path: '/api/v1/backups/latest', query: 'format=sql&since=2026-11-30', headers: {} },
    { method: 'GET', query: `filter=${encodeURIComponent('{"name":"Jos\\u00e9"}')}`, headers: {} },
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"doc":"Send GET /api/items HTTP/1.1 to list items"}' },
    { method: 'GET', headers: { cookie: 'sid=abc; theme=dark' } },
    multipart('name="user[address][street]"'),
    multipart('name="f"; filename="Tom & Jerry = best (2).pdf"', 'Content-Type: application/pdf\r\n'),
    multipart('name="f&auml;&ccedil;&amp;x"; filename="r&eacute;sum&eacute;.pdf"'),
    multipart('name="bio"', 'Content-Type: text/plain; charset="UTF-8"\r\nContent-Transfer-Encoding: 8bit\r\n'),
    multipart('name="_charset_"', '', 'UTF-8'),
    { method: 'POST', headers: { 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' }, body: 'x' },
    { method: 'POST', headers: {}, body: '{"event":"page_view"}' },
    { method: 'GET', headers: { referer: 'https://shop.example.com/search?q=a%00b' } },
    form('application/json, application/json', '{}'),
    form('application/x-www-form-urlencoded', `{"req":{"module":"a;b","p":"x=1"}}`),
    form('application/x-www-form-urlencoded', `msg=${encodeURIComponent('{"html":"\\u003cb\\u003e \\u0026 \\u0027"}')}`),
    { method: 'GET', path: '/assets/My97DatePicker/picker.js', headers: {} },
    { method: 'GET', path: '/logs/_search', headers: { 'content-type': 'application/json' }, body: '{"query":{"match_all":{}}}' },
  ];
  for (const probe of benign) assert.deepEqual(matched(set, probe), [], JSON.stringify(probe));
});

test('broader method, header and escape rules wait for paranoia 2; protocol inputs stay out of untargeted rules', async () => {
  const strict = await protocolRules(2);
  assert.ok(matched(strict, { method: 'PROPFIND', headers: {} }).includes('protocol/method-not-allowed'));
  assert.ok(matched(strict, { method: 'PATCH', headers: {}, body: '{"name":"x"}' }).includes('protocol/body-without-content-type'));
  assert.ok(
    matched(strict, { method: 'GET', headers: { 'content-type': 'application/json' }, body: '{}' }).includes('protocol/body-on-get'),
  );
  assert.ok(matched(strict, { method: 'POST', headers: { 'content-encoding': 'gzip' } }).includes('protocol/compressed-request-body'));
  assert.ok(
    matched(strict, { method: 'PUT', headers: { 'content-range': 'bytes 0-99/1000' } }).includes('protocol/restricted-header-extended'),
  );
  assert.ok(matched(strict, { method: 'GET', query: 'q=%5Cu0061lert', headers: {} }).includes('protocol/escaped-ascii-in-url'));
  const relaxed = await protocolRules(1);
  assert.deepEqual(matched(relaxed, { method: 'PROPFIND', headers: {} }), []);
  const anything = compileSignatures(
    parseSignatureRules(
      "rules:\n  - id: code/any\n    title: any\n    category: code\n    paranoia: 1\n    severity: critical\n    regex: 'GET'\n",
      't',
      {},
    ),
    {},
  );
  assert.deepEqual(matched(anything, { method: 'GET', headers: {} }), [], 'an untargeted rule never sees `request:method`');
});
