import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCrlfAnyHeader, detectCrlfInjection, detectCrlfInName, detectCrlfInText } from './crlf.js';

const at = { location: 'query:next' };

describe('detectCrlfInjection', () => {
  it('finds a line break followed by a header that changes what the client does', () => {
    for (const value of [
      '\r\nSet-Cookie:crlf=injection',
      '\n\rSet-cookie: a=b',
      '/home\r\nLocation: https://attacker.example/',
      'x\r\n Content-Type: text/html',
      'en\r\nRemote-addr: foo.bar.com',
      'a\r\n\r\nHTTP/1.1 200 OK',
    ]) {
      assert.equal(detectCrlfInjection(value, at)?.detail, 'header-injection', JSON.stringify(value));
    }
  });

  it('finds a wide character whose low byte is a line break, followed by a header', () => {
    assert.equal(detectCrlfInjection('\u560dSet-cookie:crlf=injection', at)?.detail, 'unicode-header-injection');
  });

  it('passes line breaks before ordinary lines and the wide characters in text', () => {
    for (const value of ['line one\r\nline two', 'Note:\nremember this', 'Brno \u010dsk\u00e1', '\u560d\u560a text', 'Location: Paris']) {
      assert.equal(detectCrlfInjection(value, at), undefined, JSON.stringify(value));
    }
  });
});

describe('detectCrlfInText', () => {
  it('finds Set-Cookie, a framing header alone on its line, or a status line in multi-line text', () => {
    assert.ok(detectCrlfInText('hello\r\nSet-Cookie: sid=1', at));
    assert.ok(detectCrlfInText('x\r\nContent-Length: 0\r\n', at));
    assert.ok(detectCrlfInText('x\r\n\r\nHTTP/1.1 302 Found', at));
  });

  it('passes prose lines that look like headers', () => {
    for (const value of [
      'Title: Engineer\r\nLocation: Remote\r\nContent-Type: full time',
      'Dear team,\nContent-Length: about 300 words please',
    ]) {
      assert.equal(detectCrlfInText(value, at), undefined, JSON.stringify(value));
    }
  });
});

describe('detectCrlfAnyHeader and detectCrlfInName', () => {
  it('finds any header-like line after a line break', () => {
    assert.equal(detectCrlfAnyHeader('a\r\nX-Anything: 1', at)?.detail, 'header-line');
    assert.equal(detectCrlfAnyHeader('a X-Anything: 1', at), undefined);
  });

  it('finds a line break in a name', () => {
    assert.deepEqual(detectCrlfInName('a\nb', { location: 'query-name:a\nb' }), { detail: 'line-break-in-name', start: 1, end: 2 });
    assert.equal(detectCrlfInName('page[size]', { location: 'query-name:page[size]' }), undefined);
  });
});
