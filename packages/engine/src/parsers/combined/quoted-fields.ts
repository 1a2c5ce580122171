import { unescapeHexBytes } from '../internal/fields.js';

/**
 * Tokenizing for CLF-style text logs: quoted fields (`"…"` with `\"`, `\\` and `\xHH` escapes), bracketed
 * fields (`[…]`) and bare words. None of these functions throws.
 */

/** One field of the part of a log line after the fixed CLF fields. */
export interface Token {
  /** The field text; quoted fields are unquoted and unescaped. */
  value: string;
  quoted: boolean;
}

const ESCAPED_QUOTE_OR_BACKSLASH = /\\(["\\])/g;

/** Index of the quote closing the quoted field that opens at `start` (a `"`), or -1 when it is not closed. */
export function findQuoteEnd(line: string, start: number): number {
  for (let i = start + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return -1;
}

/** Unescapes the inside of a quoted field: Apache's `\"` and `\\`, then nginx/Apache `\xHH` bytes. */
export function decodeQuoted(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return unescapeHexBytes(raw.replace(ESCAPED_QUOTE_OR_BACKSLASH, '$1'));
}

/**
 * Splits `line` from `from` on into tokens; a bare `key="value"` stays one token (quotes kept). Returns
 * `undefined` when a quoted field is not closed (a truncated line).
 */
export function tokenize(line: string, from: number): Token[] | undefined {
  const tokens: Token[] = [];
  const n = line.length;
  let i = from;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c === 34) {
      const end = findQuoteEnd(line, i);
      if (end < 0) return undefined;
      tokens.push({ value: decodeQuoted(line.slice(i + 1, end)), quoted: true });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < n) {
      const d = line.charCodeAt(j);
      if (d === 32 || d === 9) break;
      if (d === 34) {
        if (line.charCodeAt(j - 1) !== 61 /* = */) break;
        const end = findQuoteEnd(line, j);
        if (end < 0) return undefined;
        j = end + 1;
        continue;
      }
      j++;
    }
    tokens.push({ value: line.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}
