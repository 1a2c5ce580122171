import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  goCanonicalHeaderKey,
  goPathEscape,
  goQueryEscape,
  goRequestTarget,
  goValidHeaderValue,
  jsUnicode,
  xmlEntity,
} from './go-encoding.js';

describe('Go encodings GoTestWAF depends on', () => {
  it('PathEscape escapes one path segment: / ; , ? and non-ASCII, keeps & = + $ : @', () => {
    assert.equal(goPathEscape("a b/c?d;e,f&g=h+i$j:k@l'"), 'a%20b%2Fc%3Fd%3Be%2Cf&g=h+i$j:k@l%27');
    assert.equal(goPathEscape('é<'), '%C3%A9%3C');
  });

  it('QueryEscape turns space into + and escapes every reserved byte', () => {
    assert.equal(goQueryEscape('a b&c=d/e'), 'a+b%26c%3Dd%2Fe');
  });

  it('the request target keeps a validly encoded path and the query as written, drops the fragment', () => {
    assert.equal(goRequestTarget('/a%2Fb?x=<script>#frag'), '/a%2Fb?x=<script>');
    assert.equal(goRequestTarget('/a b'), '/a%20b');
    assert.equal(goRequestTarget('/?'), '/?');
  });

  it('refuses what Go refuses to send: control characters and malformed escapes in the path', () => {
    assert.throws(() => goRequestTarget('/a\nb'), /control character/);
    assert.throws(() => goRequestTarget('/%zz'), /invalid URL escape/);
    assert.equal(goRequestTarget('/?q=%zz'), '/?q=%zz');
  });

  it('JSUnicode escapes every UTF-16 unit; XMLEntity wraps Go-escaped text in <string>', () => {
    assert.equal(jsUnicode('<a'), '\\u003c\\u0061');
    assert.equal(xmlEntity('<"&\'>'), '<string>&lt;&#34;&amp;&#39;&gt;</string>');
  });

  it('canonicalises header keys and rejects control bytes in values', () => {
    assert.equal(goCanonicalHeaderKey('x-abc-DEF'), 'X-Abc-Def');
    assert.equal(goValidHeaderValue('a\tb'), true);
    assert.equal(goValidHeaderValue('a\r\nb'), false);
  });
});
