import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64Text, decodedForms, htmlEntityDecode, jsUnescape, urlDecode } from './decode.js';

test('URL decoding reads %XX as UTF-8, %uXXXX, and + as a space; malformed escapes stay', () => {
  assert.equal(urlDecode('%3Cscript%3E'), '<script>');
  assert.equal(urlDecode('caf%C3%A9+cr%C3%A8me'), 'café crème');
  assert.equal(urlDecode('%u003cimg%u003e'), '<img>');
  assert.equal(urlDecode('100%', false), '100%');
  assert.equal(urlDecode('%zz%4'), '%zz%4');
  assert.equal(urlDecode('a+b', false), 'a+b');
  assert.equal(urlDecode('plain'), 'plain');
  assert.equal(urlDecode('%C0%BCscript%C0%BE'), '<script>');
  assert.equal(urlDecode('%c0%ae%c0%ae%c0%afetc'), '../etc');
  assert.equal(urlDecode('%C0x'), '\ufffdx');
});

test('HTML entities: named, decimal, hex, with and without the semicolon; unknown names stay', () => {
  assert.equal(htmlEntityDecode('&lt;svg onload=alert&lpar;1&rpar;&gt;'), '<svg onload=alert(1)>');
  assert.equal(htmlEntityDecode('&#60;&#x3C;&#X3c'), '<<<');
  assert.equal(htmlEntityDecode('AT&T &unknown; &#0; &#x110000;'), 'AT&T &unknown; &#0; &#x110000;');
});

test('JavaScript escapes: \\uXXXX, \\u{…} and \\xXX; other backslashes stay', () => {
  assert.equal(jsUnescape('\\u003cscript\\u003e'), '<script>');
  assert.equal(jsUnescape('\\u{1F680} \\x3c'), '🚀 <');
  assert.equal(jsUnescape('C:\\temp\\new'), 'C:\\temp\\new');
});

test('base64 counts only when it decodes to text: ids and tokens in the alphabet are left alone', () => {
  assert.equal(base64Text(Buffer.from("' or 1=1 --").toString('base64')), "' or 1=1 --");
  assert.equal(base64Text(Buffer.from('<script>alert(1)</script>').toString('base64url')), '<script>alert(1)</script>');
  // padding stripped (GoTestWAF's Base64Flat)
  assert.equal(base64Text(Buffer.from('../../etc/passwd').toString('base64').replace(/=+$/, '')), '../../etc/passwd');
  assert.equal(base64Text('550e8400e29b41d4a716446655440000'), undefined, 'a hex id');
  assert.equal(base64Text(Buffer.from([0, 1, 2, 250, 251, 252, 3, 4, 5]).toString('base64')), undefined, 'binary');
  assert.equal(base64Text('abc'), undefined, 'too short');
  assert.equal(base64Text('hello world!'), undefined, 'not the alphabet');
});

test('decoded forms peel nested layers, keep the original first, and stay bounded', () => {
  const doubled = encodeURIComponent(encodeURIComponent('<script>'));
  assert.deepEqual(decodedForms(doubled), [doubled, '%3Cscript%3E', '<script>']);
  const layered = encodeURIComponent('&lt;img src=x onerror=alert(1)&gt;');
  assert.ok(decodedForms(layered).includes('<img src=x onerror=alert(1)>'));
  const hidden = Buffer.from('union select password from users').toString('base64');
  assert.ok(decodedForms(encodeURIComponent(hidden)).includes('union select password from users'));
  assert.deepEqual(decodedForms('plain text'), ['plain text']);
  // fifty layers of URL encoding: no more than the round limit is peeled
  let deep = '<x>';
  for (let i = 0; i < 50; i++) deep = encodeURIComponent(deep);
  const forms = decodedForms(deep);
  assert.ok(forms.length <= 16);
  assert.ok(!forms.includes('<x>'));
});

// a backtracking pattern would take minutes on these; the timeout only stops a hang
test('long values in the base64 alphabet are decoded without backtracking', { timeout: 10_000 }, () => {
  assert.equal(base64Text(`${'A'.repeat(200_000)}!`), undefined);
  assert.deepEqual(decodedForms('a'.repeat(100_000)), ['a'.repeat(100_000)]);
});

test('quoted base64 strings inside short structured values (JSON, PHP serialized) are decoded too', () => {
  const inner = Buffer.from('1 || whoami || ').toString('base64');
  assert.ok(decodedForms(`{"id":"${inner}"}`).includes('1 || whoami || '));
  assert.ok(
    decodedForms(encodeURIComponent(`s:11:"avatar_link";s:16:"${Buffer.from('/etc/passwd').toString('base64')}";`)).includes('/etc/passwd'),
  );
  assert.deepEqual(decodedForms('{"id":"order-2026-11"}'), ['{"id":"order-2026-11"}'], 'ids that are not base64 text stay as they are');
});
