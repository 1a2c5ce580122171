import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readQueryPairs, requestInputs } from './inputs.js';

const at = (inputs: Array<{ location: string; value: string }>, location: string): string[] =>
  inputs.filter((i) => i.location === location).map((i) => i.value);

test('path segments, query names and values, headers and cookies are listed with their places', () => {
  const { inputs, leftOut } = requestInputs({
    path: '/v2/users/1%27%20or%201=1/orders',
    query: 'q=union+select&tag=a&tag=b%20c&flag&bad=%zz',
    headers: {
      host: 'api.example',
      'user-agent': 'sqlmap/1.7',
      cookie: 'sid=abc; theme=dark=1',
      'x-forwarded-for': ['203.0.113.9', '198.51.100.1'],
      'content-length': '0',
    },
  });
  assert.equal(leftOut, 0);
  assert.deepEqual(at(inputs, 'path:2'), ['1%27%20or%201=1']);
  assert.deepEqual(at(inputs, 'query:q'), ['union select']);
  assert.deepEqual(at(inputs, 'query:tag'), ['a', 'b c']);
  assert.deepEqual(at(inputs, 'query:flag'), ['']);
  assert.deepEqual(at(inputs, 'query:bad'), ['%zz'], 'a malformed escape stays for the decoders');
  assert.deepEqual(at(inputs, 'header:user-agent'), ['sqlmap/1.7']);
  assert.deepEqual(at(inputs, 'header:x-forwarded-for'), ['203.0.113.9', '198.51.100.1']);
  assert.deepEqual(at(inputs, 'cookie:theme'), ['dark=1']);
  assert.deepEqual(at(inputs, 'cookie-name:theme'), ['theme'], "a cookie's name is an input of its own");
  assert.deepEqual(at(inputs, 'header:host'), [], 'transport headers are not client data');
  assert.deepEqual(at(inputs, 'header:cookie'), [], 'cookies are listed one by one');
});

test('a JSON body is walked key by key and value by value, at any depth', () => {
  const document = JSON.stringify({ user: { name: "x' or 1=1", tags: ['a', { $gt: '' }] }, n: 5, ok: true, none: null });
  // written as text: in an object literal `__proto__` would set the prototype instead of a key
  const body = Buffer.from(`${document.slice(0, -1)},"__proto__":{"admin":true}}`);
  const { inputs } = requestInputs({ path: '/', query: '', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
  assert.deepEqual(at(inputs, 'json:$.user.name'), ["x' or 1=1"]);
  assert.deepEqual(at(inputs, 'json-key:$.user.tags[1]'), ['$gt']);
  assert.deepEqual(at(inputs, 'json-key:$'), ['user', 'n', 'ok', 'none', '__proto__']);
  assert.deepEqual(at(inputs, 'json:$.n'), [], 'numbers, booleans and null carry no payload and are not inputs');
  assert.deepEqual(at(inputs, 'json:$.ok'), []);
  assert.deepEqual(at(inputs, 'json:$.none'), []);
  assert.deepEqual(at(inputs, 'json-key:$.__proto__'), ['admin'], 'a __proto__ key is walked like any other');
});

test('JSON values in arrays and a document that is a string alone have their places', () => {
  const values = (text: string): string[] =>
    requestInputs({ path: '/', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(text) })
      .inputs.filter((i) => i.kind === 'json')
      .map((i) => `${i.location} ${i.place} ${i.value}`);
  assert.deepEqual(values('"x"'), ['json:$ json:$ x']);
  assert.deepEqual(values('[["a"],{"b":["c"]}]'), ['json:$[0][0] json:$[][] a', 'json:$[1].b[0] json:$[].b[] c']);
});

test('vendor JSON types and forms are read; other bodies and broken JSON are listed whole', () => {
  const json = requestInputs({
    path: '/',
    query: '',
    headers: { 'content-type': 'application/vnd.api+json' },
    body: Buffer.from('{"a":"b"}'),
  });
  assert.deepEqual(at(json.inputs, 'json:$.a'), ['b']);
  const form = requestInputs({
    path: '/',
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from('comment=%3Cscript%3E&x'),
  });
  assert.deepEqual(at(form.inputs, 'form:comment'), ['<script>']);
  const broken = requestInputs({ path: '/', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":') });
  assert.equal(broken.unreadableBody, true);
  assert.deepEqual(at(broken.inputs, 'body'), ['{"a":']);
  const text = requestInputs({ path: '/', query: '', headers: { 'content-type': 'text/plain' }, body: Buffer.from('<a>1</a>') });
  assert.deepEqual(at(text.inputs, 'body'), ['<a>1</a>']);
});

test('a request with too many inputs or too deep a body lists up to the bounds and counts the rest', () => {
  const query = Array.from({ length: 800 }, (_, i) => `p${i}=${i}`).join('&');
  const wide = requestInputs({ path: '/', query, headers: {} }, 1_000);
  assert.equal(wide.inputs.length, 1_000);
  assert.equal(wide.leftOut, 600);
  assert.equal(wide.overflow, 600, 'what the bound left out is overflow: never inspected');
  assert.equal(requestInputs({ path: '/', query, headers: {} }).overflow, 0, 'the default bound is higher');
  let deep: unknown = 'bottom';
  for (let i = 0; i < 100; i++) deep = [deep];
  const nested = requestInputs({
    path: '/',
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(deep)),
  });
  assert.equal(nested.inputs.filter((i) => i.location.startsWith('json')).length, 0);
  assert.equal(nested.leftOut, 1);
  assert.equal(nested.overflow, 1);
  const xml = requestInputs({
    path: '/',
    query: '',
    headers: { 'content-type': 'application/xml' },
    body: Buffer.from(`${'<a>'.repeat(40)}deep${'</a>'.repeat(40)}`),
  });
  assert.equal(xml.overflow, 1, 'XML nested past the bound is overflow too');
  const part = (i: number) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv${i}\r\n`;
  const parts = (count: number) => Buffer.from(`${Array.from({ length: count }, (_, i) => part(i)).join('')}--b--\r\n`);
  const multipart = { path: '/', query: '', headers: { 'content-type': 'multipart/form-data; boundary=b' } };
  const threeParts = requestInputs({ ...multipart, body: parts(3) }).inputs.length;
  assert.equal(requestInputs({ ...multipart, body: parts(3) }, threeParts).overflow, 0, 'exactly the bound is not overflow');
  assert.equal(requestInputs({ ...multipart, body: parts(5) }, threeParts).overflow > 0, true, 'parts past the bound are overflow');
});

test('multipart fields and uploaded files are listed by name, with file names; binary files are counted, not read', () => {
  const body = Buffer.concat([
    Buffer.from('--b0und\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello\r\nworld\r\n'),
    Buffer.from(
      '--b0und\r\nContent-Disposition: form-data; name="upload"; filename="shell.php"\r\nContent-Type: text/plain\r\n\r\n<?php system($_GET[1]); ?>\r\n',
    ),
    Buffer.from('--b0und\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n\r\n'),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
    Buffer.from('\r\n--b0und--\r\n'),
  ]);
  const { inputs, leftOut, unreadableBody } = requestInputs({
    path: '/upload',
    query: '',
    headers: { 'content-type': 'multipart/form-data; boundary=b0und' },
    body,
  });
  assert.equal(unreadableBody, false);
  assert.deepEqual(at(inputs, 'form:comment'), ['hello\r\nworld']);
  assert.deepEqual(at(inputs, 'form:upload'), ['<?php system($_GET[1]); ?>']);
  assert.deepEqual(at(inputs, 'filename:upload'), ['shell.php']);
  assert.deepEqual(at(inputs, 'form-name:avatar'), ['avatar']);
  assert.deepEqual(at(inputs, 'form:avatar'), []);
  assert.equal(leftOut, 1, 'the binary file is counted as not inspected');
  assert.equal(
    requestInputs({ path: '/upload', query: '', headers: { 'content-type': 'multipart/form-data; boundary=b0und' }, body }).overflow,
    0,
    'a binary file is not overflow',
  );
});

test('a multipart body without its boundary is listed whole', () => {
  const { inputs, unreadableBody } = requestInputs({
    path: '/upload',
    query: '',
    headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
    body: Buffer.from('name=1 union select 1'),
  });
  assert.equal(unreadableBody, true);
  assert.deepEqual(at(inputs, 'body'), ['name=1 union select 1']);
});

test('XML element texts, attributes and the document type are listed with paths; XML that does not parse is listed whole', () => {
  const { inputs } = requestInputs({
    path: '/orders',
    query: '',
    headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: Buffer.from('<?xml version="1.0"?><order id="7"><item sku="a&lt;b">book</item><note><![CDATA[<b>hi</b>]]></note></order>'),
  });
  assert.deepEqual(at(inputs, 'xml:/order/@id'), ['7']);
  assert.deepEqual(at(inputs, 'xml:/order/item/@sku'), ['a&lt;b']);
  assert.deepEqual(at(inputs, 'xml:/order/item'), ['book']);
  assert.deepEqual(at(inputs, 'xml:/order/note'), ['<b>hi</b>']);
  const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>';
  const external = requestInputs({ path: '/', query: '', headers: { 'content-type': 'text/xml' }, body: Buffer.from(xxe) });
  assert.equal(external.unreadableBody, true);
  assert.deepEqual(at(external.inputs, 'body'), [xxe]);
  const internal = requestInputs({
    path: '/',
    query: '',
    headers: { 'content-type': 'text/xml' },
    body: Buffer.from('<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'),
  });
  assert.deepEqual(at(internal.inputs, 'xml:!doctype'), ['<!DOCTYPE r [<!ENTITY a "aaaa">]>']);
});

test('JSON inputs carry their place (array positions left out) and kind, the same for every request', () => {
  const body = Buffer.from(JSON.stringify({ items: [{ sku: 'a' }, { sku: 'b' }], note: 'n' }));
  const read = () => requestInputs({ path: '/', query: '', headers: { 'content-type': 'application/json' }, body }).inputs;
  const inputs = read();
  const sku = inputs.filter((i) => i.location.endsWith('.sku') && !i.location.startsWith('json-key'));
  assert.deepEqual(
    sku.map((i) => [i.location, i.place, i.kind]),
    [
      ['json:$.items[0].sku', 'json:$.items[].sku', 'json'],
      ['json:$.items[1].sku', 'json:$.items[].sku', 'json'],
    ],
  );
  assert.deepEqual(
    inputs.filter((i) => i.kind === 'json-key').map((i) => [i.location, i.place, i.value]),
    [
      ['json-key:$', 'json-key:$', 'items'],
      ['json-key:$.items[0]', 'json-key:$.items[]', 'sku'],
      ['json-key:$.items[1]', 'json-key:$.items[]', 'sku'],
      ['json-key:$', 'json-key:$', 'note'],
    ],
  );
  assert.deepEqual(
    read().map((i) => i.place),
    inputs.map((i) => i.place),
  );
});

/** Queries with what makes decoding differ: `+`, escapes good and malformed, empty parts, no `=`, repeats. */
const QUERIES = [
  '',
  'q=running+shoes&page=2&sort=price&size=20',
  'a=1&&b=%41%42&c&=v&d=&a=2',
  'bad=%zz&also%=x&half=%4&utf=%E2%82%AC&broken=%E2%82',
  'plus+name=a+b%2Bc&%2B=%20',
  'x=1=2&y==&z=a%26b',
];

test('query pairs are read once: names and values decoded as a form, empty parts left out', () => {
  assert.deepEqual(readQueryPairs('a=1&&b=%41+c&flag&bad=%zz+1'), [
    { rawName: 'a', rawValue: '1', name: 'a', value: '1' },
    { rawName: 'b', rawValue: '%41+c', name: 'b', value: 'A c' },
    { rawName: 'flag', rawValue: '', name: 'flag', value: '' },
    { rawName: 'bad', rawValue: '%zz+1', name: 'bad', value: '%zz 1' },
  ]);
  assert.deepEqual(readQueryPairs(''), []);
});

test('the query inputs are the same whether the caller hands over the pairs or not', () => {
  for (const query of QUERIES) {
    const request = { path: '/search', query, headers: { 'user-agent': 'x' } };
    assert.deepEqual(requestInputs({ ...request, queryPairs: readQueryPairs(query) }), requestInputs(request), query);
  }
});
