/**
 * Cross-site scripting: a value that, reflected into a page, makes the browser run the attacker's script.
 * The value is read the way a browser would read it in each context it may land in:
 *
 * - as markup (`internal/xss-html.ts` tokenizes tags and attributes as the HTML standard does): a `script`
 *   element, an event handler attribute (`<img src=x onerror=…>`, `<svg/onload=…>`), an element that loads
 *   active content (`<iframe src=…>`, `<object>`, `<embed>`, `<base href>`), a script or HTML-document URL in
 *   an attribute (`href="java&#9;script:…"`, `src="data:text/html,…"`), a style that runs script
 *   (`internal/xss-css.ts`), and the legacy IE and Netscape ways (`&{…}` entities, XML data islands, VML
 *   frames, `<?import implementation=…>`); a handler of any event name (`onbeforehellfreezes`) whose value is
 *   code, or cut off at the end of the value (`<x onend=`); a foreign `xsi:schemaLocation`;
 * - spelled to slip past filters: element names with spaces between the letters (`<f o r m`), markup with the
 *   top bit set (`¼script¾…¼/script¾`, read by US-ASCII pages), fullwidth markup (`＜script＞`, folded by
 *   best-fit decoders);
 * - inside an attribute it breaks out of (`" autofocus onfocus=alert(1) x="`): an event handler whose value is
 *   code, or a handler cut off right after the breakout (`"onzoom=`, `'formaction=`);
 * - as a URL: a `javascript:` (or `vbscript:`) URL whose body does something or whose scheme is broken up
 *   (`ja\tvascript:`), a `data:` URL of markup; as CSS: `x:url(javascript…`, `-moz-binding:`;
 * - inside a script (`internal/xss-script.ts`): code after a string or expression breakout that calls the
 *   functions injected code uses (`';alert(1)//`, `"-prompt(1)-"`, `top['al'+'ert'](1)`, `document.cookie`),
 *   globals reached through comments and strings (`self /**\/ ["alert"]`), calls by tagged template
 *   (``[].sort.call`${alert}` ``) and JSFuck (`(![]+[])[+!+[]]`).
 *
 * Harmless markup passes: formatting tags (`<b>`, `<i>`, `<p>`, `<a href="https://…">`), comparisons
 * (`a < b and c > d`), addresses in angle brackets (`<john@example.com>`), prose that names `alert` or
 * `script`, and inert links (`javascript:void(0)`).
 *
 * `xss-strict` (for higher paranoia) also reports any `on…` attribute name, elements that merely carry
 * injections (`<svg>`, `<form>`, `<meta>`, `<style>`), foreign style sheets and looser uses of script sinks.
 *
 * The engine decodes URL, HTML-entity, JavaScript and base64 layers before calling a detector; this one
 * undoes only what a browser itself ignores (tabs and newlines inside URLs, control characters in tag
 * names, CSS escapes and comments) and UTF-7. Every step is linear in the value's length.
 */
import type { Detector, DetectorHit } from '../types.js';
import { decodeUtf7 } from './internal/markup-utf7.js';
import { findCssScript, judgeCss } from './internal/xss-css.js';
import { type HtmlAttribute, type HtmlTag, nextTag, readAttribute } from './internal/xss-html.js';
import {
  ACTIVE_ELEMENTS,
  isAsciiLetter,
  isEventHandlerName,
  isHandlerShapedName,
  isHtmlSpace,
  SCRIPT_SCHEMES,
  SPACED_ELEMENTS,
  SUSPECT_ELEMENTS,
  URL_ATTRIBUTES,
} from './internal/xss-names.js';
import { findScriptSink, hasScriptCode, isInertScriptBody } from './internal/xss-script.js';

/**
 * Cheap pre-check: every construct this detector reports needs one of these characters (a tag, an
 * attribute's `=`, a call, a template, a URL scheme's `:`, a computed member) or a UTF-7 `<`.
 */
const MAYBE_XSS = /[<(=`:[\u00bc\uff1c]|\+ADw/;

/** What `xss-expression` looks for in values the main gate lets pass: the page's secrets and address. */
const MAYBE_BARE = /cookie|location/i;

/** Media types of `data:` URLs that a browser renders as a document able to run script. */
const ACTIVE_DATA_TYPES =
  /^data:(?:text\/html|text\/xml|text\/xsl|text\/javascript|text\/ecmascript|application\/(?:xhtml\+xml|xml|javascript|ecmascript|x-shockwave-flash)|image\/svg\+xml)[;,]/;

/** What the inside of a `&{…}` entity is made of when it is code rather than noise in binary data. */
const ENTITY_CODE = /^[\w$.\s'"(),=+\-[\]]*$/;

/** Most characters of a name looked at before an `=` when searching for an attribute outside a tag. */
const NAME_LOOK = 64;

/** Most characters of an event handler outside a tag that are read and judged. */
const HANDLER_WINDOW = 512;

/** Most `on…=` outside a tag judged in one value (an injection needs one; a list of them is no worse). */
const MAX_LOOSE_HANDLERS = 64;

/** Most characters of a `javascript:` URL's body that are judged. */
const URL_BODY_WINDOW = 256;

/** Most script-scheme URLs judged in one value (their bodies overlap when they follow each other). */
const MAX_SCHEMES = 16;

/** A value longer than this has its markup judged once; attribute values inside it are not re-tokenized. */
const MAX_NESTED = 64 * 1024;

/** Judges one value at paranoia 1; see the module comment. */
export const detectXss: Detector = (value) => judge(value, false);

/** The stricter variant for paranoia 2 and above: everything `xss` reports, and the suspicious rest. */
export const detectXssStrict: Detector = (value) => judge(value, true);

/**
 * A value that is script without any of the characters `xss` gates on: `document.cookie`,
 * `window.location`, `document /**\/ . cookie`, as a value or an argument name. Its rule leaves out inputs
 * where such a name is a plain name (a path segment may be a file called `document.cookie`).
 */
export const detectXssExpression: Detector = (value) => {
  if (value.length < 3 || MAYBE_XSS.test(value) || !MAYBE_BARE.test(value)) return undefined;
  return findScriptSink(value, false);
};

/** The XSS detectors by the names rules use: `xss` and `xss-expression` (paranoia 1), `xss-strict` (paranoia 2+). */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  xss: detectXss,
  'xss-expression': detectXssExpression,
  'xss-strict': detectXssStrict,
};

function judge(value: string, strict: boolean): DetectorHit | undefined {
  if (value.length < 3 || !MAYBE_XSS.test(value)) return undefined;
  return (
    judgeMarkup(value, 0, strict, true) ??
    findSpacedTag(value) ??
    findLooseHandler(value, strict) ??
    findScriptUrl(value, strict) ??
    findLooseCss(value) ??
    findScriptSink(value, strict) ??
    findScriptEntity(value) ??
    judgeUtf7(value, strict) ??
    judgeHighBit(value) ??
    judgeFullwidth(value, strict)
  );
}

/** Tags in `text` from `from` on; `nested` allows one more look into attribute values that hold markup. */
function judgeMarkup(text: string, from: number, strict: boolean, nested: boolean): DetectorHit | undefined {
  if (text.indexOf('<', from) < 0) return undefined;
  for (let tag = nextTag(text, from); tag !== undefined; tag = nextTag(text, tag.end)) {
    const found = judgeTag(text, tag, strict, nested && text.length <= MAX_NESTED);
    if (found !== undefined) return found;
  }
  return undefined;
}

function judgeTag(text: string, tag: HtmlTag, strict: boolean, nested: boolean): DetectorHit | undefined {
  const whole = { start: tag.start, end: tag.end };
  const name = tag.name;
  if (name === 'script' || name.endsWith(':script')) {
    // `<script>`, `<script src=…`, `</script>`; not a search for `<script` or prose like `a<script is …`
    const complete = tag.closed || tag.attributes.some((attribute) => attribute.value !== undefined);
    return complete ? { detail: 'script-tag', ...whole } : undefined;
  }
  if (tag.closing) return undefined;
  const local = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name;
  if ((ACTIVE_ELEMENTS.has(name) || ACTIVE_ELEMENTS.has(local)) && (tag.attributes.length > 0 || strict))
    return { detail: 'active-element', ...whole };
  // IE's `<?import namespace=… implementation=…>`, an HTML component, however the two are run together
  if (/^\??import/.test(name) && (name.includes('implementation') || tag.attributes.some((a) => a.name.startsWith('implementation'))))
    return { detail: 'active-element', ...whole };
  if (strict && SUSPECT_ELEMENTS.has(name) && (tag.attributes.length > 0 || tag.closed)) return { detail: 'suspect-element', ...whole };
  if (name === 'style') {
    const found = judgeStyleElement(text, tag, strict);
    if (found !== undefined) return found;
  }
  for (const attribute of tag.attributes) {
    const detail = judgeAttribute(name, attribute, strict) ?? judgeCutHandler(text, tag, attribute);
    if (detail !== undefined) return { detail, start: attribute.nameStart, end: attribute.end };
    const inside = attribute.value;
    if (nested && inside?.includes('<')) {
      const inner = judgeMarkup(inside, 0, strict, false);
      if (inner !== undefined)
        return { detail: inner.detail, start: attribute.valueStart + inner.start, end: attribute.valueStart + inner.end };
    }
  }
  return undefined;
}

/** The reason an attribute of element `element` runs script, or undefined. */
function judgeAttribute(element: string, attribute: HtmlAttribute, strict: boolean): string | undefined {
  const { name, value } = attribute;
  if (value === undefined) return undefined;
  if (isEventHandlerName(name, strict) && value.trim() !== '') return 'event-handler';
  // an event this list does not know yet (`onbeforehellfreezes=`), told from a word by its value being code
  if (isHandlerShapedName(name) && isCode(value, strict)) return 'event-handler';
  if (name === 'style') return judgeCss(value, false, strict);
  // `xsi:schemaLocation="http://a.b/ http://evil.example/x.xsd"` on an injected element: the parser fetches a schema
  if (name.endsWith(':schemalocation') && hasForeignSchema(value)) return 'xml-schema';
  const url = urlText(value);
  const scheme = scriptScheme(url, 0);
  if (scheme >= 0 && (strict || !isInertScriptBody(url, scheme))) return 'script-url';
  if (URL_ATTRIBUTES.has(name) && ACTIVE_DATA_TYPES.test(url)) return 'data-url';
  if (value.startsWith('&{')) return 'script-entity';
  if (name === 'dataformatas' && value.trim().toLowerCase() === 'html') return 'data-binding';
  if (name === 'type' && (element === 'style' || element === 'link') && url.includes('javascript')) return 'script-style';
  // `<meta http-equiv=refresh|set-cookie|link …>`: a redirect, a planted cookie, a foreign style sheet
  if (element === 'meta' && name === 'http-equiv' && /^\s*(?:refresh|set-cookie|link)\b/i.test(value)) return 'meta-http-equiv';
  // an IE XML data island fetched from elsewhere, bound into the page as HTML
  if (element === 'xml' && name === 'src') return 'data-island';
  if (element === 'link' && name === 'rel' && /\b(?:stylesheet|import)\b/i.test(value)) return 'foreign-sheet';
  if (element === 'meta' && name === 'content') {
    // `<meta http-equiv=refresh content="0;url=javascript:…">`
    const at = url.indexOf('url=');
    if (at >= 0 && (scriptScheme(url, at + 4) >= 0 || ACTIVE_DATA_TYPES.test(url.slice(at + 4)))) return 'script-url';
  }
  if (strict && name === 'rel' && url === 'import') return 'html-import';
  return undefined;
}

/** The host of an absolute URL, lower-case. */
const URL_HOST = /^(?:https?|ftp):\/\/([^/:?#\s]+)/i;

/**
 * A `schemaLocation` (namespace, schema URL pairs) that fetches a schema from another site than the one that
 * names the namespace: `http://a.b/ http://collaborator.example/a.xsd`. Real documents keep the two together
 * (`http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/…`, `www.opengis.net` and `schemas.opengis.net`).
 */
function hasForeignSchema(value: string): boolean {
  const parts = value.trim().split(/\s+/, 16);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const schema = URL_HOST.exec(parts[i + 1] as string)?.[1];
    if (schema === undefined) continue;
    const namespace = URL_HOST.exec(parts[i] as string)?.[1];
    if (namespace === undefined || siteOf(namespace) !== siteOf(schema)) return true;
  }
  return false;
}

/** The last two labels of a host name (`schemas.opengis.net` → `opengis.net`), near enough to a site. */
function siteOf(host: string): string {
  const labels = host.toLowerCase().split('.');
  return labels.slice(-2).join('.');
}

/** Whether an attribute or handler value is code: a call, an assignment or a script sink. */
function isCode(value: string, strict: boolean): boolean {
  return hasScriptCode(value, 0) || findScriptSink(value, strict) !== undefined;
}

/**
 * An event handler cut off at the end of the value (`<x onend=`, `<x onclick=  `): a probe of whether the
 * handler survives, whatever the event is named.
 */
function judgeCutHandler(text: string, tag: HtmlTag, attribute: HtmlAttribute): string | undefined {
  if (tag.closed || attribute.value === undefined || attribute.value.trim() !== '' || !isRestBlank(text, attribute.end)) return undefined;
  return isEventHandlerName(attribute.name, false) || isHandlerShapedName(attribute.name) ? 'event-handler' : undefined;
}

/** Only whitespace from `from` to the end of `text`. */
function isRestBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) if (!isHtmlSpace(text.charCodeAt(i))) return false;
  return true;
}

/** Most `<` looked at for an element name spelled with characters between its letters. */
const MAX_SPACED_LOOKS = 64;

/**
 * An element name spelled with characters between all its letters (`<f o r m`, `<s/c/r/i/p/t>`), which
 * some filters and lenient parsers collapse and no markup or prose writes. Each `<` costs a bounded look.
 */
function findSpacedTag(value: string): DetectorHit | undefined {
  let looks = 0;
  for (let lt = value.indexOf('<'); lt >= 0 && looks < MAX_SPACED_LOOKS; lt = value.indexOf('<', lt + 1)) {
    looks++;
    let at = lt + 1;
    while (at < value.length && at - lt <= 4 && isSpacer(value.charCodeAt(at))) at++;
    for (const name of SPACED_ELEMENTS) {
      const end = spacedNameEnd(value, at, name);
      if (end >= 0) return { detail: 'spaced-tag', start: lt, end };
    }
  }
  return undefined;
}

/** Where `name` spelled at `at` with one to three spacers between every two letters ends, or -1. */
function spacedNameEnd(value: string, at: number, name: string): number {
  let i = at;
  for (let k = 0; k < name.length; k++) {
    if ((value.charCodeAt(i) | 0x20) !== name.charCodeAt(k)) return -1;
    i++;
    if (k === name.length - 1) break;
    const gap = i;
    while (i < value.length && i - gap < 3 && isSpacer(value.charCodeAt(i))) i++;
    if (i === gap) return -1;
  }
  return i < value.length && isAsciiLetter(value.charCodeAt(i)) ? -1 : i;
}

/** What may stand between the letters of a spaced element name: whitespace, `/`, control characters. */
function isSpacer(c: number): boolean {
  return c <= 0x20 || c === 0x2f || c === 0x7f;
}

/** A style that runs script written into any value (`x:url(javascript`, `-moz-binding:url(…)`). */
function findLooseCss(value: string): DetectorHit | undefined {
  const detail = findCssScript(value);
  return detail === undefined ? undefined : { detail, start: 0, end: value.length };
}

/**
 * Markup spelled with the top bit set (`¼script¾alert(¢XSS¢)¼/script¾`), which a page served as US-ASCII
 * reads as `<script>alert("XSS")</script>` in browsers that drop the eighth bit. Reported when an element is
 * both opened and closed in that spelling (UTF-8 lead bytes read as Latin-1, `Â¼`, may stand before the
 * brackets): `¼ cup … ¾ cup` in a recipe is not.
 */
function judgeHighBit(value: string): DetectorHit | undefined {
  if (!value.includes('\u00bc') || !value.includes('\u00be')) return undefined;
  return HIGH_BIT_ELEMENT.test(value) ? { detail: 'high-bit-markup', start: 0, end: value.length } : undefined;
}

/** An element opened and closed with top-bit `<` and `>`: `¼x¾…¼/x¾` (UTF-8 lead bytes between allowed). */
const HIGH_BIT_ELEMENT =
  /\u00bc[a-z][a-z0-9]{0,15}[\u00c0-\u00df]?\u00be[^\u00bc]{0,256}\u00bc[\u00c0-\u00df]?\/[a-z][a-z0-9]{0,15}[\u00c0-\u00df]?\u00be/i;

/**
 * Markup spelled in fullwidth forms (`＜script src=…＞`), which "best fit" decoders (IIS, ASP.NET, some
 * databases) fold to ASCII before the page is built. Only markup is judged in the folded text: fullwidth
 * punctuation is ordinary in CJK prose, so the value must also hold a fullwidth `＜`.
 */
function judgeFullwidth(value: string, strict: boolean): DetectorHit | undefined {
  if (!value.includes('\uff1c')) return undefined;
  const folded = value.replace(FULLWIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const found = judgeMarkup(folded.replaceAll('\u3000', ' '), 0, strict, false);
  return found === undefined ? undefined : { detail: `fullwidth-${found.detail}`, start: 0, end: value.length };
}

/** The fullwidth forms of ASCII `!` to `~`. */
const FULLWIDTH = /[\uff01-\uff5e]/g;

/** A `<style>` element's sheet (up to `</style` or the end of the value) judged as CSS. */
function judgeStyleElement(text: string, tag: HtmlTag, strict: boolean): DetectorHit | undefined {
  const close = text.toLowerCase().indexOf('</style', tag.end);
  const end = close < 0 ? text.length : close;
  const detail = judgeCss(text.slice(tag.end, end), true, strict);
  return detail === undefined ? undefined : { detail, start: tag.start, end };
}

/**
 * An event handler outside any tag, as a value that breaks out of an attribute writes it
 * (`" onmouseover=alert(1) x="`, `' autofocus onfocus='alert(1)`): an `on…` name after whitespace, a quote
 * or `/`, then `=` and a value that is code. Each `=` costs a bounded look back, so this is linear.
 */
function findLooseHandler(text: string, strict: boolean): DetectorHit | undefined {
  let judged = 0;
  for (let eq = text.indexOf('='); eq >= 0 && judged < MAX_LOOSE_HANDLERS; eq = text.indexOf('=', eq + 1)) {
    let nameEnd = eq;
    while (nameEnd > 0 && eq - nameEnd < 8 && isHtmlSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > 0 && nameEnd - nameStart < NAME_LOOK && isAsciiLetter(text.charCodeAt(nameStart - 1))) nameStart--;
    if (nameEnd - nameStart < 4) continue;
    if (nameStart > 0 && !isAttributeSeparator(text.charCodeAt(nameStart - 1))) continue;
    const name = text.slice(nameStart, nameEnd).toLowerCase();
    const known = isEventHandlerName(name, strict);
    if (!known && !isHandlerShapedName(name) && !CUT_ATTRIBUTES.has(name)) continue;
    judged++;
    // a bounded window, so that many handlers with unclosed quotes cost no more than one
    const handler = readAttribute(text.slice(nameStart, nameStart + HANDLER_WINDOW), 0);
    if (handler?.value === undefined) continue;
    const code = handler.value;
    // `" onmouseover=alert(1)`; or a handler cut off at the end of the value (`"onzoom=`, `  onload= `,
    // `'formaction=`), as a probe of what a filter lets through writes it: after a quote or whitespace,
    // or alone when it names a known event
    const separated = nameStart > 0 ? isCutSeparator(text.charCodeAt(nameStart - 1)) : known;
    const cut = separated && code.trim() === '' && isRestBlank(text, nameStart + handler.end);
    if (cut || (!CUT_ATTRIBUTES.has(name) && isCode(code, strict))) {
      return { detail: 'event-handler', start: nameStart, end: nameStart + handler.end };
    }
  }
  return undefined;
}

/** Attributes besides handlers whose name alone, cut off after a breakout, is the probe (`'formaction=`). */
const CUT_ATTRIBUTES: ReadonlySet<string> = new Set(['formaction', 'srcdoc']);

/** What stands before a handler cut off at the end: whitespace, a quote or `<` (not the `/` of base64). */
function isCutSeparator(c: number): boolean {
  return isHtmlSpace(c) || c === 0x22 || c === 0x27 || c === 0x60 || c === 0x3c;
}

/** What may stand before an attribute name a value injects: whitespace, a quote, `/`, or a control character. */
function isAttributeSeparator(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x2f || c === 0x60;
}

/**
 * A script URL anywhere in the value (`javascript:alert(1)`, `x=vbscript:msgbox(1)`, `jav\tascript:…`)
 * whose body does something, or (at the start of the value or after `=` or a quote) a `data:` URL of an
 * HTML or SVG document.
 */
function findScriptUrl(value: string, strict: boolean): DetectorHit | undefined {
  let judged = 0;
  for (let at = value.indexOf(':'); at >= 0 && judged < MAX_SCHEMES; at = value.indexOf(':', at + 1)) {
    const scheme = schemeEnding(value, at);
    if (scheme === undefined) continue;
    if (SCRIPT_SCHEMES.includes(scheme.name)) {
      judged++;
      // `ja\tvascript:`, `v\nb\ts…`: a scheme broken up so that a filter misses it, whatever follows
      if (scheme.broken) return { detail: 'script-url', start: scheme.start, end: at + 1 };
      const code = urlBody(value, scheme.start, at + 1);
      if (!isInertScriptBody(code, 0) && (strict || isScriptBody(code))) {
        return { detail: 'script-url', start: scheme.start, end: Math.min(value.length, at + 1 + code.length) };
      }
      continue;
    }
    if (scheme.name === 'data' && isMarkupDataUrl(value, scheme.start, at)) {
      return { detail: 'data-url', start: scheme.start, end: Math.min(value.length, at + 32) };
    }
    if (!isUrlStart(value, scheme.start, strict)) continue;
    if (scheme.name === 'mhtml') return { detail: 'mhtml-url', start: scheme.start, end: at + 1 };
    if (scheme.name === 'data' && ACTIVE_DATA_TYPES.test(urlText(value.slice(scheme.start, scheme.start + 64)))) {
      return { detail: 'data-url', start: scheme.start, end: Math.min(value.length, at + 32) };
    }
  }
  return undefined;
}

/** A `javascript:` body that runs code, or starts with an escape (`javascript:\u0061lert(1)`). */
function isScriptBody(code: string): boolean {
  return hasScriptCode(code, 0) || hasScriptCode(percentDecoded(code), 0) || code.trimStart().startsWith('\\');
}

/** `data:[type],` then markup, at the start of the value (whitespace aside) or of an attribute: ` data:,<x>`. */
function isMarkupDataUrl(value: string, start: number, colon: number): boolean {
  let lead = start;
  while (lead > 0 && isHtmlSpace(value.charCodeAt(lead - 1))) lead--;
  if (lead > 0 && !isUrlStart(value, start, false)) return false;
  return DATA_MARKUP.test(value.slice(colon + 1, colon + 96));
}

/** The rest of a `data:` URL whose body is markup: an optional media type and parameters, `,`, a tag. */
const DATA_MARKUP = /^\s*[\w.+/-]{0,48}(?:;[\w.+=-]{1,32}){0,4}\s*,\s*<[a-z!/?]/i;

/**
 * A `javascript:` body as the browser runs it: percent-decoded after the URL was parsed, so
 * `javascript://%0aalert(1)` ends its comment at the line feed. Malformed escapes stay.
 */
function percentDecoded(code: string): string {
  if (!code.includes('%')) return code;
  return code.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * The body of a URL whose scheme starts at `start` (at most `URL_BODY_WINDOW` characters, up to the
 * closing quote when a quote opens the URL), without the tabs and newlines a URL parser drops.
 */
function urlBody(value: string, start: number, body: number): string {
  let window = value.slice(body, body + URL_BODY_WINDOW);
  const quote = start > 0 ? value[start - 1] : undefined;
  if (quote === '"' || quote === "'") {
    const close = window.indexOf(quote);
    // an escaped quote inside a JSON or JavaScript string ends it too: `\"javascript:;\"`
    if (close >= 0) window = window.slice(0, window.charCodeAt(close - 1) === 0x5c ? close - 1 : close);
  }
  return URL_SPACE.test(window) ? window.replace(URL_SPACES, '') : window;
}

/** A URL starts at `start`: the value's start, or after `=`, a quote or `(` (anywhere when `strict`). */
function isUrlStart(value: string, start: number, strict: boolean): boolean {
  if (start === 0 || strict) return true;
  const before = value.charCodeAt(start - 1);
  return before === 0x3d || before === 0x22 || before === 0x27 || before === 0x28;
}

/**
 * The lower-case scheme whose `:` is at `colon` and where it starts, when it is a whole word (not the tail
 * of a longer name). Tabs, newlines and NULs inside it are skipped, as a URL parser drops them; `broken`
 * tells that there were some.
 */
function schemeEnding(value: string, colon: number): { name: string; start: number; broken: boolean } | undefined {
  let start = colon;
  let letters = 0;
  while (start > 0 && colon - start < 24 && letters < 12) {
    const c = value.charCodeAt(start - 1);
    if (isAsciiLetter(c)) letters++;
    else if (c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0) break;
    start--;
  }
  while (start < colon && !isAsciiLetter(value.charCodeAt(start))) start++;
  if (letters === 0) return undefined;
  if (start > 0) {
    const before = value.charCodeAt(start - 1);
    if (isAsciiLetter(before) || (before >= 0x30 && before <= 0x39) || before === 0x2d || before === 0x2e || before === 0x2b)
      return undefined;
  }
  const raw = value.slice(start, colon);
  return { name: urlText(raw), start, broken: URL_SPACE.test(raw) };
}

/**
 * The position just past the `:` of a script scheme that starts the URL at `from` (leading spaces and
 * control characters aside), or -1.
 */
function scriptScheme(url: string, from: number): number {
  let i = from;
  while (i < url.length && url.charCodeAt(i) <= 0x20) i++;
  for (const scheme of SCRIPT_SCHEMES) {
    if (url.startsWith(scheme, i) && url.charCodeAt(i + scheme.length) === 0x3a) return i + scheme.length + 1;
  }
  return -1;
}

/** Tabs, newlines and NULs, which a URL parser drops wherever they are. */
const URL_SPACE = /[\t\n\r\0]/;
const URL_SPACES = /[\t\n\r\0]+/g;

/**
 * A URL's text as its scheme is read: lower-case, tabs, newlines and NULs removed anywhere
 * (`java\tscript:` is `javascript:`). Used where only the scheme and media type matter.
 */
function urlText(value: string): string {
  const out = value.toLowerCase();
  return URL_SPACE.test(out) ? out.replace(URL_SPACES, '') : out;
}

/**
 * A Netscape JavaScript entity, `&{alert(1)};`, anywhere (it ran inside attribute values); also the
 * classic XSS locator probe `'';!--"<x>=&{()}`. Needs a call or assignment inside the braces.
 */
function findScriptEntity(value: string): DetectorHit | undefined {
  for (let at = value.indexOf('&{'); at >= 0; at = value.indexOf('&{', at + 2)) {
    const close = value.indexOf('}', at + 2);
    if (close < 0) return undefined;
    if (close - at > 128) continue;
    const inside = value.slice(at + 2, close);
    if (ENTITY_CODE.test(inside) && (inside.includes('(') || /[^=!<>]=(?!=)/.test(inside)))
      return { detail: 'script-entity', start: at, end: close + 1 };
  }
  return undefined;
}

/** Markup spelled in UTF-7 (`+ADw-script+AD4-`), which IE used to sniff from the page. */
function judgeUtf7(value: string, strict: boolean): DetectorHit | undefined {
  if (!value.includes('+ADw')) return undefined;
  const found = judgeMarkup(decodeUtf7(value), 0, strict, false);
  return found === undefined ? undefined : { detail: `utf7-${found.detail}`, start: 0, end: value.length };
}
