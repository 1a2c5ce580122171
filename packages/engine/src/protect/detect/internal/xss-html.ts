/**
 * A small HTML tokenizer for judging injected markup: it reads tags and their attributes the way the HTML
 * standard's tokenizer does (tag names end at whitespace, `/` or `>`; attribute names may hold quotes and
 * `<`; `"`, `'` or nothing around values; `/` between attributes), and nothing else. Text, comments,
 * `<!…>` and CDATA sections are transparent: the scanner looks for tags inside them too, because a filter
 * or a lenient parser in front of the page may not see them as a browser does.
 *
 * Every function moves forward only, so tokenizing a value is linear in its length.
 */

import { isAsciiLetter, isHtmlSpace } from './xss-names.js';

/** One attribute of a tag, with its place in the text. */
export interface HtmlAttribute {
  /** Lower-case, control characters removed. */
  name: string;
  nameStart: number;
  /** The value as written, quotes aside; undefined when the attribute has no `=`. */
  value: string | undefined;
  valueStart: number;
  /** Just past the attribute (past the closing quote, if any). */
  end: number;
}

/** A start tag, an end tag, or a processing instruction (`<?import …>`, name `?import`). */
export interface HtmlTag {
  /** Lower-case, control characters removed (`<scr\0ipt>` is `script`). */
  name: string;
  closing: boolean;
  /** Where `<` is. */
  start: number;
  /** Just past `>`, or the end of the text when the tag is not closed. */
  end: number;
  /** Whether `>` was seen. */
  closed: boolean;
  attributes: HtmlAttribute[];
}

const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const QUESTION = 0x3f;
const COLON = 0x3a;

/** The first tag at or after `from`, read from the data state; undefined when there is none. */
export function nextTag(text: string, from: number): HtmlTag | undefined {
  const n = text.length;
  let i = from;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt + 2 > n) return undefined;
    const c = text.charCodeAt(lt + 1);
    if (isAsciiLetter(c)) return readTag(text, lt, lt + 1, false);
    // `<:vmlframe …>`: an empty namespace prefix, which old IE still read as a tag
    if (c === COLON && lt + 2 < n && isAsciiLetter(text.charCodeAt(lt + 2))) return readTag(text, lt, lt + 1, false);
    if ((c === SLASH || c === QUESTION) && lt + 2 < n && isAsciiLetter(text.charCodeAt(lt + 2))) {
      return c === SLASH ? readTag(text, lt, lt + 2, true) : readTag(text, lt, lt + 1, false);
    }
    i = lt + 1;
  }
  return undefined;
}

function readTag(text: string, start: number, nameStart: number, closing: boolean): HtmlTag {
  const n = text.length;
  let i = nameStart;
  let name = '';
  let plain = true;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isHtmlSpace(c) || c === SLASH || c === GT) break;
    if (c < 0x20 || c === 0x7f) plain = false;
    i++;
  }
  name = text.slice(nameStart, i).toLowerCase();
  if (!plain) name = stripControls(name);
  const tag: HtmlTag = { name, closing, start, end: n, closed: false, attributes: [] };
  readAttributes(text, i, tag);
  return tag;
}

/**
 * Reads attributes from `from` in the "before attribute name" state until `>` or the end of the text,
 * appending them to `tag.attributes` and setting `tag.end` and `tag.closed`.
 */
export function readAttributes(text: string, from: number, tag: HtmlTag): void {
  let i = from;
  for (;;) {
    const attribute = readAttribute(text, i);
    if (attribute === undefined) break;
    tag.attributes.push(attribute);
    i = attribute.end;
  }
  i = skipSeparators(text, i);
  tag.closed = i < text.length;
  tag.end = tag.closed ? i + 1 : text.length;
}

/**
 * The one attribute at or after `from` (separators skipped), or undefined at `>` or the end of the text.
 * Also the entry point for a value that breaks out of an attribute in the middle of a tag (`" onmouseover=…`).
 */
export function readAttribute(text: string, from: number): HtmlAttribute | undefined {
  const n = text.length;
  let i = skipSeparators(text, from);
  if (i >= n || text.charCodeAt(i) === GT) return undefined;
  const nameStart = i;
  // the first character belongs to the name whatever it is, `=` included
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isHtmlSpace(c) || c === SLASH || c === GT || c === EQUALS) break;
    i++;
  }
  const name = lowerName(text.slice(nameStart, i));
  while (i < n && isHtmlSpace(text.charCodeAt(i))) i++;
  if (i >= n || text.charCodeAt(i) !== EQUALS) return { name, nameStart, value: undefined, valueStart: i, end: i };
  i++;
  while (i < n && isHtmlSpace(text.charCodeAt(i))) i++;
  const c = i < n ? text.charCodeAt(i) : 0;
  if (c === QUOTE || c === APOSTROPHE) {
    const close = text.indexOf(c === QUOTE ? '"' : "'", i + 1);
    const valueEnd = close < 0 ? n : close;
    return { name, nameStart, value: text.slice(i + 1, valueEnd), valueStart: i + 1, end: close < 0 ? n : close + 1 };
  }
  const valueStart = i;
  while (i < n) {
    const d = text.charCodeAt(i);
    if (isHtmlSpace(d) || d === GT) break;
    i++;
  }
  return { name, nameStart, value: text.slice(valueStart, i), valueStart, end: i };
}

function skipSeparators(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!isHtmlSpace(c) && c !== SLASH) break;
    i++;
  }
  return i;
}

function lowerName(raw: string): string {
  const name = raw.toLowerCase();
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return stripControls(name);
  }
  return name;
}

function stripControls(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) out += text[i];
  }
  return out;
}
