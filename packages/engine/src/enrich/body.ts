import type { BodySample } from '@palisade/core';
import type { SecretNames } from './secret-names.js';
import type { Tokenizer } from './tokenize.js';

/**
 * Turns a body into a sample: cut to `maxBytes` (marked `truncated`), and the values of secret fields
 * replaced by tokens in JSON and form bodies — also when the body was cut mid-way, since the JSON is
 * scanned pair by pair rather than parsed. Multipart and binary bodies keep their text up to the cut.
 * `json` is `body.text` parsed whole, when the caller parsed it already: a document that surely has no
 * secret member spares the scan of a sample that is the whole body (the sample is the same either way).
 */
export function sampleBody(
  body: BodySample,
  maxBytes: number,
  secrets: SecretNames,
  tokenizer: Tokenizer,
  json?: { value: unknown },
): BodySample | undefined {
  if (maxBytes === 0 || body.text === '') return undefined;
  let text = body.text;
  let truncated = body.truncated;
  if (text.length > maxBytes) {
    text = text.slice(0, maxBytes);
    truncated = true;
  }
  if (body.encoding !== 'base64') {
    const type = body.contentType?.toLowerCase() ?? '';
    const first = text.trimStart()[0];
    if (type.includes('json') || first === '{' || first === '[') {
      // the parsed document spares the scan of a whole text without secret members; a sample cut from a longer
      // body is scanned, which reads less than the document would (the sample is the same either way)
      const whole = text.length === body.text.length;
      if (json === undefined || !whole || !lacksSecretMembers(body.text, json.value, secrets))
        text = tokenizeJsonSecrets(text, secrets, tokenizer);
    } else if (type.includes('x-www-form-urlencoded') || (type === '' && /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(text.slice(0, 256)))) {
      text = text
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          if (eq < 0) return pair;
          const name = pair.slice(0, eq);
          let decoded = name;
          try {
            decoded = decodeURIComponent(name);
          } catch {
            // keep the raw name
          }
          return secrets.has(decoded) && eq < pair.length - 1 ? `${name}=${tokenizer.token(pair.slice(eq + 1))}` : pair;
        })
        .join('&');
    }
  }
  const sample: BodySample = { text, truncated };
  if (body.encoding !== undefined) sample.encoding = body.encoding;
  if (body.contentType !== undefined) sample.contentType = body.contentType;
  return sample;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MAX_NAME = 128;

/** The index of the quote that closes the JSON string opened at `open`, or -1 when the text ends first. */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let escapes = 0;
    for (let b = quote - 1; b > open && text.charCodeAt(b) === BACKSLASH; b--) escapes++;
    if (escapes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  return i;
}

/** The end of the JSON number starting at `at` (`-?\d[\d.eE+-]*`), or `at` when none starts there. */
function numberEnd(text: string, at: number): number {
  let i = at;
  if (text.charCodeAt(i) === 0x2d) i++;
  const first = text.charCodeAt(i);
  if (!(first >= 0x30 && first <= 0x39)) return at;
  for (
    let c = text.charCodeAt(++i);
    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
    c = text.charCodeAt(++i)
  );
  return i;
}

/**
 * Replaces the string or number value of every member whose name is a secret by its token, walking the
 * text string by string (names are strings followed by `:`) rather than parsing it, so that a document cut
 * anywhere is still covered: a value the cut leaves unterminated runs to the end of the text. The text is
 * copied only when a secret is found.
 */
function tokenizeJsonSecrets(text: string, secrets: SecretNames, tokenizer: Tokenizer): string {
  let out = '';
  let copied = 0;
  let at = text.indexOf('"');
  while (at >= 0) {
    const close = closingQuote(text, at);
    if (close < 0) break;
    const after = skipSpace(text, close + 1);
    if (text.charCodeAt(after) !== COLON) {
      at = text.indexOf('"', close + 1);
      continue;
    }
    const name = close - at - 1 <= MAX_NAME && close > at + 1 ? text.slice(at + 1, close) : undefined;
    const start = skipSpace(text, after + 1);
    let end = start;
    let value: string | undefined;
    if (name !== undefined && secrets.has(name)) {
      if (text.charCodeAt(start) === QUOTE) {
        const valueClose = closingQuote(text, start);
        if (valueClose >= 0) {
          value = text.slice(start + 1, valueClose);
          end = valueClose + 1;
        } else {
          // cut mid-value: the rest of the text is the value (a dangling escape character excluded)
          end = text.length;
          value = text.slice(start + 1, text.charCodeAt(end - 1) === BACKSLASH ? end - 1 : end);
        }
      } else {
        end = numberEnd(text, start);
        if (end > start) value = text.slice(start, end);
      }
    }
    if (value !== undefined) {
      out += `${text.slice(copied, at)}"${name}":"${tokenizer.token(value)}"`;
      copied = end;
      at = text.indexOf('"', end);
    } else at = text.indexOf('"', start);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * True when `text`, whose parse is `document`, surely has no member named as a secret, so that
 * `tokenizeJsonSecrets` would leave it as it is. Sure only when the text has no escape (a name as sent is
 * then the name as parsed) and no member was lost to a repeated name (the parse keeps the last one and drops
 * what the others held). In a text without escapes, a colon is either the one after a member name or inside
 * a string, so the text has exactly as many colons as the document's names and strings account for only when
 * every member of the text is in the document. False, to be safe, past `MAX_MEMBER_DEPTH` levels.
 */
function lacksSecretMembers(text: string, document: unknown, secrets: SecretNames): boolean {
  if (text.includes('\\')) return false;
  const colons = colonsOf(document, secrets, 0);
  if (colons < 0) return false;
  let inText = 0;
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) inText++;
  return inText === colons;
}

const MAX_MEMBER_DEPTH = 64;

/**
 * The colons the text of `value` has, one after each member name plus those inside its names and strings;
 * -1 when a member is named as a secret or the value nests too deep.
 */
function colonsOf(value: unknown, secrets: SecretNames, depth: number): number {
  if (typeof value === 'string') return colonsIn(value);
  if (typeof value !== 'object' || value === null) return 0;
  if (depth >= MAX_MEMBER_DEPTH) return -1;
  let colons = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      const inner = colonsOf(item, secrets, depth + 1);
      if (inner < 0) return -1;
      colons += inner;
    }
    return colons;
  }
  for (const name in value) {
    if (secrets.has(name)) return -1;
    const inner = colonsOf((value as Record<string, unknown>)[name], secrets, depth + 1);
    if (inner < 0) return -1;
    colons += 1 + colonsIn(name) + inner;
  }
  return colons;
}

function colonsIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) count++;
  return count;
}
