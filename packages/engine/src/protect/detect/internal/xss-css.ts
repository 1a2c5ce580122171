/**
 * Style sheets and `style` attributes that run script: IE's `expression(…)` and `behavior:`, Mozilla's
 * `-moz-binding`, script URLs in `url(…)` or `@import`, and (in a `<style>` element) any `@import` of a
 * foreign sheet. CSS hides these behind comments (`expr/**\/ession`), escapes (`\65xpression`, `@im\port`)
 * and whitespace, so the text is first reduced to what a CSS parser would see.
 */

/** The reason when `css` (a style sheet or a `style` attribute) runs script, else undefined. */
export function judgeCss(css: string, inStyleElement: boolean, strict: boolean): string | undefined {
  if (!mayRunScript(css)) return undefined;
  // `@\69mport`: an at-rule spelled with escapes, which only a filter evasion does
  if (ESCAPED_AT_RULE.test(css)) return 'css-escape';
  const plain = reduceCss(css);
  if (CSS_SCRIPT.some((word) => hasWord(plain, word))) return 'css-script';
  // the pre-standard `binding: url(…)` that `-moz-binding` came from
  if (hasWord(plain, 'binding:url(')) return 'css-script';
  if (inStyleElement && plain.includes('@import')) return 'css-import';
  if (strict && (plain.includes('@import') || hasWord(plain, 'binding:') || plain.includes('url(data:'))) return 'css-script';
  return undefined;
}

/** An at-keyword with an escape in its name: `@\69mport`, `@im\port`. */
const ESCAPED_AT_RULE = /@[a-z-]{0,12}\\/i;

/** Cheap test before `findCssScript` reduces a value: the words its constructs contain. */
const MAYBE_CSS_SCRIPT = /url|binding|behavio/i;

/**
 * CSS that runs script anywhere in a value, as a value injected into a style sheet or `style` attribute
 * writes it: `-moz-binding:…`, `behavior:url(…)`, and a declaration whose value is a script URL
 * (`x:url(javascript…`, `background:URL("vbscript:…`), even cut short after the scheme.
 */
export function findCssScript(value: string): string | undefined {
  if (!MAYBE_CSS_SCRIPT.test(value)) return undefined;
  const plain = reduceCss(value);
  if (plain.includes('-moz-binding:') || hasWord(plain, 'behavior:url(') || hasWord(plain, 'behaviour:url(')) return 'css-script';
  for (let at = plain.indexOf('url('); at >= 0; at = plain.indexOf('url(', at + 4)) {
    if (at > 0 && plain.charCodeAt(at - 1) !== 0x3a /* : */ && plain.charCodeAt(at - 1) !== 0x2c /* , */) continue;
    let body = at + 4;
    if (plain.charCodeAt(body) === 0x22 || plain.charCodeAt(body) === 0x27) body++;
    if (plain.startsWith('javascript', body) || plain.startsWith('vbscript', body)) return 'css-script';
  }
  return undefined;
}

/** Constructs that run script from CSS, as `reduceCss` spells them. */
const CSS_SCRIPT = ['expression(', 'javascript:', 'vbscript:', '-moz-binding', 'behavior:', 'behaviour:'];

/** Whether `word` occurs in `text` not as the tail of a longer name (`scroll-behavior:` is not `behavior:`). */
function hasWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text.charCodeAt(at - 1) : 0;
    const partOfName = (before >= 0x61 && before <= 0x7a) || (before >= 0x30 && before <= 0x39) || before === 0x2d || before === 0x5f;
    if (!partOfName || word.charCodeAt(0) === 0x2d) return true;
  }
  return false;
}

/** Cheap test before reducing: every dangerous construct needs one of these characters. */
function mayRunScript(css: string): boolean {
  return css.includes('(') || css.includes(':') || css.includes('@') || css.includes('\\');
}

/**
 * The CSS as a parser sees it, lower-case, without comments (strings are kept, so `"*/ /*"` opens no
 * comment), whitespace, control characters or escapes (`\65 ` is `e`, `\:` is `:`). Linear.
 */
function reduceCss(css: string): string {
  let out = '';
  const n = css.length;
  let quote = 0;
  for (let i = 0; i < n; i++) {
    let c = css.charCodeAt(i);
    if (quote === 0 && c === 0x2f /* / */ && css.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = css.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (c === 0x22 || c === 0x27) {
      if (quote === 0) quote = c;
      else if (quote === c) quote = 0;
    }
    if (c === 0x5c /* \ */) {
      let hex = 0;
      let digits = 0;
      while (digits < 6 && i + 1 + digits < n && isHex(css.charCodeAt(i + 1 + digits))) {
        hex = hex * 16 + Number.parseInt(css[i + 1 + digits] as string, 16);
        digits++;
      }
      if (digits > 0) {
        i += digits;
        if (i + 1 < n && isCssSpace(css.charCodeAt(i + 1))) i++;
        if (hex > 0x20 && hex <= 0x10ffff) out += String.fromCodePoint(hex).toLowerCase();
        continue;
      }
      // `\x` is `x`; a backslash before a newline is a line continuation
      continue;
    }
    if (c <= 0x20 || c === 0x7f) continue;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += String.fromCharCode(c);
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function isCssSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}
