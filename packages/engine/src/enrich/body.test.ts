import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BodySample, DEFAULT_SECRET_FIELDS } from '@palisade/core';
import { sampleBody } from './body.js';
import { compileSecretNames } from './secret-names.js';
import { createTokenizer } from './tokenize.js';

const tokenizer = createTokenizer(Buffer.alloc(32, 4));
const secrets = compileSecretNames(DEFAULT_SECRET_FIELDS);
const tok = (s: string) => tokenizer.token(s);
const sample = (body: BodySample, maxBytes = 8192) => sampleBody(body, maxBytes, secrets, tokenizer);
const json = (text: string, truncated = false): BodySample => ({ text, truncated, contentType: 'application/json' });

test('secret fields of a JSON body are tokenized, other fields are untouched', () => {
  const text = '{"username":"alice","password":"hunter2","remember":true,"note":"password reset"}';
  const out = sample(json(text));
  assert.deepEqual(out, {
    text: `{"username":"alice","password":"${tok('hunter2')}","remember":true,"note":"password reset"}`,
    truncated: false,
    contentType: 'application/json',
  });
  // The result is still valid JSON.
  assert.deepEqual(JSON.parse(out?.text ?? ''), { username: 'alice', password: tok('hunter2'), remember: true, note: 'password reset' });
});

test('nested and array members, spacing and name spellings are all covered', () => {
  const text = `{
  "user": {"name": "bob", "credentials": {"client_secret" : "cs-123", "Api-Key": "ak-456"}},
  "cards": [{"cvv": "987", "last4": "4242"}, {"CVV": "123"}],
  "accessToken":"at-789"
}`;
  const out = sample(json(text))?.text ?? '';
  for (const secret of ['cs-123', 'ak-456', '987', '"123"', 'at-789']) assert.ok(!out.includes(secret), `${secret} left in ${out}`);
  const parsed = JSON.parse(out) as {
    user: { name: string; credentials: Record<string, string> };
    cards: Record<string, string>[];
    accessToken: string;
  };
  assert.equal(parsed.user.name, 'bob');
  assert.equal(parsed.user.credentials.client_secret, tok('cs-123'));
  assert.equal(parsed.user.credentials['Api-Key'], tok('ak-456'));
  assert.equal(parsed.cards[0]?.cvv, tok('987'));
  assert.equal(parsed.cards[0]?.last4, '4242');
  assert.equal(parsed.cards[1]?.CVV, tok('123'));
  assert.equal(parsed.accessToken, tok('at-789'));
});

test('numeric secrets are tokenized too', () => {
  const out = sample(json('{"pin": 1234, "otp":-0.5e3, "amount": 1234}'))?.text;
  assert.equal(out, `{"pin":"${tok('1234')}", "otp":"${tok('-0.5e3')}", "amount": 1234}`);
});

test('escaped quotes inside a secret value do not leak the rest of it', () => {
  const out = sample(json('{"password":"a\\"b\\\\c\\"d","x":1}'))?.text ?? '';
  assert.ok(!out.includes('b\\\\c'), out);
  assert.ok(out.endsWith(',"x":1}'), out);
});

test('a JSON body cut by the source is still scanned; a secret cut in half does not leak its prefix', () => {
  const secret = 'correct-horse-battery-staple';
  const full = `{"user":"bob","password":"${secret}","pin":98765}`;
  for (let cut = full.indexOf(secret) + 4; cut < full.length; cut++) {
    const out = sample(json(full.slice(0, cut), true));
    assert.ok(out !== undefined);
    assert.equal(out.truncated, true);
    const inSecret = full.slice(full.indexOf(secret), cut).slice(0, secret.length);
    assert.ok(!out.text.includes(inSecret), `cut ${cut}: ${out.text}`);
    assert.ok(out.text.startsWith('{"user":"bob"'), out.text);
  }
});

test('cutting at maxBytes marks the sample truncated and never leaves part of a secret', () => {
  const text = '{"id":42,"password":"supersecretvalue","note":"x"}';
  const cut = text.indexOf('supersecret') + 5; // inside the secret
  const out = sample(json(text), cut);
  assert.ok(out !== undefined);
  assert.equal(out.truncated, true);
  assert.ok(!out.text.includes('super'), out.text);
  assert.ok(out.text.startsWith('{"id":42,"password":"tok_'), out.text);
  assert.equal(out.text, `{"id":42,"password":"${tok('super')}"`);
});

test('bodies within maxBytes are kept whole; the source truncated flag is kept', () => {
  const small = sample({ text: 'hello world', truncated: false, contentType: 'text/plain' }, 11);
  assert.deepEqual(small, { text: 'hello world', truncated: false, contentType: 'text/plain' });
  const cut = sample({ text: 'hello world', truncated: false, contentType: 'text/plain' }, 5);
  assert.deepEqual(cut, { text: 'hello', truncated: true, contentType: 'text/plain' });
  const already = sample({ text: 'hello', truncated: true }, 100);
  assert.deepEqual(already, { text: 'hello', truncated: true });
});

test('maxBytes 0 or an empty body gives no sample', () => {
  assert.equal(sample(json('{"a":1}'), 0), undefined);
  assert.equal(sample(json('')), undefined);
});

test('JSON is recognised by its first character when there is no content type', () => {
  const out = sample({ text: '  [{"token":"abc"}]', truncated: false });
  assert.equal(out?.text, `  [{"token":"${tok('abc')}"}]`);
  assert.equal(out?.contentType, undefined);
});

test('form bodies: secret fields tokenized, others untouched', () => {
  const out = sample({
    text: 'grant_type=password&username=alice&password=hunter%232&client_secret=cs1&scope=read',
    truncated: false,
    contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
  });
  assert.equal(out?.text, `grant_type=password&username=alice&password=${tok('hunter%232')}&client_secret=${tok('cs1')}&scope=read`);
  assert.ok(!out?.text.includes('hunter'));
});

test('form bodies are recognised without a content type, encoded names too', () => {
  const out = sample({ text: 'user=bob&pass%77ord=s3cret&empty_token=&pin=', truncated: false });
  assert.equal(out?.text, `user=bob&pass%77ord=${tok('s3cret')}&empty_token=&pin=`);
});

test('a truncated form body does not leak the cut secret', () => {
  const out = sample({ text: 'a=1&password=abcdefghij', truncated: false, contentType: 'application/x-www-form-urlencoded' }, 18);
  assert.equal(out?.truncated, true);
  assert.ok(!out?.text.includes('abcde'), out?.text);
});

test('other text bodies are kept (up to the cut) without rewriting', () => {
  const xml = '<login><user>a</user></login>';
  assert.equal(sample({ text: xml, truncated: false, contentType: 'application/xml' })?.text, xml);
  const prose = 'password=secret is what we told you & more';
  assert.equal(sample({ text: prose, truncated: false, contentType: 'text/plain' })?.text, prose);
});

test('base64 bodies are left alone (only cut), with their encoding kept', () => {
  const text = Buffer.from('{"password":"hunter2"}').toString('base64');
  const body: BodySample = {
    text: `eyJwYXNzd29yZCI6Imh1bnRlcjIifQ==`,
    truncated: false,
    encoding: 'base64',
    contentType: 'application/json',
  };
  assert.equal(body.text, text);
  assert.deepEqual(sample(body), body);
  const raw: BodySample = { text: '{"password":"hunter2"}', truncated: false, encoding: 'base64' };
  assert.equal(sample(raw)?.text, '{"password":"hunter2"}');
  assert.deepEqual(sample(body, 8), { text: 'eyJwYXNz', truncated: true, encoding: 'base64', contentType: 'application/json' });
});

test('the input sample is not modified', () => {
  const body = json('{"password":"hunter2"}');
  sample(body, 5);
  assert.deepEqual(body, json('{"password":"hunter2"}'));
});

test('text inside a string value that reads like a member is left alone; the real member after it is tokenized', () => {
  const text = '{"note":"say \\"password\\": \\"not-a-secret\\"","password":"s3cret","n":[1,"pin",2]}';
  const out = sample(json(text))?.text ?? '';
  assert.equal(out, `{"note":"say \\"password\\": \\"not-a-secret\\"","password":"${tok('s3cret')}","n":[1,"pin",2]}`);
  assert.equal((JSON.parse(out) as { note: string }).note, 'say "password": "not-a-secret"');
});

test('a JSON body handed over parsed gives the same sample as the scan, whatever it holds', () => {
  const texts = [
    '{"orders":[{"id":"o1","customer":{"name":"ann","email":"a@example.com"},"at":"2025-03-01T10:00:00Z"}],"note":"a: b"}',
    '{"user":"bob","password":"hunter2"}',
    // a member lost to a repeated name still holds a secret in the text
    '{"card":{"cvv":"987"},"card":1}',
    '{"a":{"token":"t1"},"a":{"b":"c:d"}}',
    // escapes: a name as sent is not the name as parsed
    '{"pass\\u0077ord":"hunter2","x":"y"}',
    '{"note":"say \\"password\\": 1","ok":true}',
    // escaped colons in what is kept make up for the colons of what was dropped
    '{"a":{"cvv":"1"},"a":"\\u003a\\u003a"}',
    '{"weird:name":"v","nested":[{"k:":":"},[]],"empty":{}}',
    '[1,"two",{"three":3}]',
    '"just a string: with a colon"',
    '{"__proto__":{"secret":"s"}}',
    '{"Api-Key":"ak","client_secret" : "cs"}',
    ' { "spaced" : "out" , "pin" : 1234 } ',
  ];
  for (const text of texts) {
    const parsed = { value: JSON.parse(text) as unknown };
    for (const maxBytes of [8192, 20, 9]) {
      const body = json(text);
      assert.deepEqual(
        sampleBody(body, maxBytes, secrets, tokenizer, parsed),
        sampleBody(body, maxBytes, secrets, tokenizer),
        `${text} cut at ${maxBytes}`,
      );
    }
  }
});

test('a secret in a member that a repeated name dropped from the parsed document is still tokenized', () => {
  const text = '{"card":{"cvv":"987"},"card":1}';
  const out = sampleBody(json(text), 8192, secrets, tokenizer, { value: JSON.parse(text) })?.text ?? '';
  assert.equal(out, `{"card":{"cvv":"${tok('987')}"},"card":1}`);
  const escaped = '{"a":{"cvv":"1"},"a":"\\u003a\\u003a"}';
  const same = sampleBody(json(escaped), 8192, secrets, tokenizer, { value: JSON.parse(escaped) })?.text ?? '';
  assert.equal(same, `{"a":{"cvv":"${tok('1')}"},"a":"\\u003a\\u003a"}`);
});
