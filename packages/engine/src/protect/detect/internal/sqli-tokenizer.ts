/**
 * A SQL tokenizer over one value, forgiving the way database lexers are: strings with backslash and doubled
 * quote escapes (unterminated ones run to the end), numbers (hex, binary, decimals, exponents, and MySQL's
 * `1e1union` split), qualified names (`master..xp_cmdshell`), variables, symbolic operators, comments.
 * Inline comments count as whitespace, MySQL versioned comments (`/*!50000 … *\/`) as code, and a word cut
 * in two by an inline comment (`UN/**\/ION`) is joined when only the whole is a keyword.
 *
 * Tokens go into a reusable struct of arrays: no allocation per token, one pass, linear in the value.
 */
import { Flag, keywordOf, LONGEST_KEYWORD, Op, Tok } from './sqli-lexicon.js';

/** Tokens as parallel arrays; `count` of them are valid. Reused from one value to the next. */
export class SqlTokens {
  count = 0;
  /** True when tokenizing stopped at its token limit with more of the value unread. */
  limited = false;
  /** Set when a reader asked for a token past the limit: its reading of a limited stream does not stand. */
  overran = false;
  kind = new Uint8Array(64);
  info = new Uint16Array(64);
  flags = new Uint8Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);

  /** The kind of token `i`, 0 past the end (noting an overrun when the stream was cut at its limit). */
  kindAt(i: number): number {
    if (i < this.count) return this.kind[i] ?? 0;
    if (this.limited) this.overran = true;
    return 0;
  }

  /** True when token `i` does not exist (noting an overrun when the stream was cut at its limit). */
  isPast(i: number): boolean {
    if (i < this.count) return false;
    if (this.limited) this.overran = true;
    return true;
  }

  infoAt(i: number): number {
    return i < this.count ? (this.info[i] ?? 0) : 0;
  }

  flagsAt(i: number): number {
    return i < this.count ? (this.flags[i] ?? 0) : 0;
  }

  startAt(i: number): number {
    return this.start[i] ?? 0;
  }

  endAt(i: number): number {
    return this.end[i] ?? 0;
  }

  /** True when token `i` is a word with keyword id `kw`. */
  isKeyword(i: number, kw: number): boolean {
    return this.kindAt(i) === Tok.WORD && this.info[i] === kw;
  }

  push(kind: number, info: number, flags: number, start: number, end: number): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.info[i] = info;
    this.flags[i] = flags;
    this.start[i] = start;
    this.end[i] = end;
  }

  private grow(): void {
    const size = this.kind.length * 2;
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    this.kind = kind;
    const info = new Uint16Array(size);
    info.set(this.info);
    this.info = info;
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
    const start = new Int32Array(size);
    start.set(this.start);
    this.start = start;
    const end = new Int32Array(size);
    end.set(this.end);
    this.end = end;
  }
}

/** Character classes, by code unit below 128. */
const SPACE = 1;
const WORD = 2;
const DIGIT = 4;
const CLASS = new Uint8Array(128);
for (const c of ' \t\n\r\v\f') CLASS[c.charCodeAt(0)] = SPACE;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = WORD;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = WORD;
CLASS[0x5f] = WORD; // _
CLASS[0x24] = WORD; // $
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = WORD | DIGIT;

function isSpace(c: number): boolean {
  return c < 128 ? CLASS[c] === SPACE : c === 0xa0 || c === 0x3000 || c === 0x2028 || c === 0x2029;
}

/** Letters, digits, `_`, `$`, and anything beyond ASCII that is not a space (identifiers in any script). */
function isWordChar(c: number): boolean {
  return c < 128 ? ((CLASS[c] ?? 0) & WORD) !== 0 : !isSpace(c) && c !== 0xfeff;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;

/**
 * Tokenizes `value` into `out` (cleared first). With `quote` (`'` or `"`), the value is read as if that
 * quote had opened a string just before it: token 0 is that string, up to the first unescaped closing quote.
 * Tokenizing stops after the first junk token (a character no SQL dialect reads there), or once `maxTokens`
 * are read (then `out.limited` is set).
 */
export function tokenizeSql(value: string, quote: number, out: SqlTokens, maxTokens = Number.POSITIVE_INFINITY): void {
  out.count = 0;
  out.limited = false;
  out.overran = false;
  const n = value.length;
  let i = 0;
  if (quote !== 0) {
    const close = stringEnd(value, 0, quote);
    out.push(Tok.STRING, quote, close.terminated ? Flag.TERMINATED : 0, 0, close.end);
    i = close.end;
  }
  let pendingFlags = 0;
  let versioned = false;
  let braces = 0;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (out.count >= maxTokens) {
      out.limited = true;
      return;
    }
    const base = pendingFlags | (versioned ? Flag.VERSIONED : 0);
    pendingFlags = 0;
    const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
    if (c === QUOTE || c === DOUBLE_QUOTE) {
      const close = stringEnd(value, i + 1, c);
      out.push(Tok.STRING, c, base | (close.terminated ? Flag.TERMINATED : 0), i, close.end);
      i = close.end;
      continue;
    }
    if (c === BACKTICK) {
      const close = value.indexOf('`', i + 1);
      let end = close < 0 ? n : close + 1;
      // `schema`.table, `db`.`table`: a quoted name that qualifies the next
      while (
        end + 1 < n &&
        value.charCodeAt(end) === 0x2e &&
        (isWordChar(value.charCodeAt(end + 1)) || value.charCodeAt(end + 1) === BACKTICK)
      ) {
        if (value.charCodeAt(end + 1) === BACKTICK) {
          const next = value.indexOf('`', end + 2);
          end = next < 0 ? n : next + 1;
        } else {
          end++;
          while (end < n && isWordChar(value.charCodeAt(end))) end++;
        }
      }
      out.push(Tok.WORD, 0, base | Flag.TECHNICAL | (close < 0 ? 0 : Flag.TERMINATED), i, end);
      i = end;
      continue;
    }
    if (c === 0x23 /* # */ && (next === 0x3e /* > */ || (next === 0x2d /* - */ && quoteFollows(value, i + 2)))) {
      // PostgreSQL's JSON path operators `#>`, `#>>` and `#-`, not a MySQL comment
      const length = next === 0x3e && value.charCodeAt(i + 2) === 0x3e ? 3 : 2;
      out.push(Tok.OPERATOR, Op.ARROW, base, i, i + length);
      i += length;
      continue;
    }
    if (c === 0x2d /* - */ && next === 0x2d) {
      i = lineComment(value, i, base, out, 0);
      continue;
    }
    if (c === 0x23 /* # */) {
      const after = i + 1 < n ? value.charCodeAt(i + 1) : 0x20;
      i = lineComment(value, i, base, out, isSpace(after) || after === 0x23 ? Flag.CLEAN_HASH : 0);
      continue;
    }
    if (c === 0x2f /* / */ && next === 0x2a /* * */) {
      if (i + 2 < n && value.charCodeAt(i + 2) === 0x21 /* ! */) {
        // a versioned comment: its content is code, after an optional version number
        i += 3;
        while (i < n && isDigit(value.charCodeAt(i))) i++;
        versioned = true;
        pendingFlags = Flag.AFTER_COMMENT;
        continue;
      }
      const close = value.indexOf('*/', i + 2);
      if (close < 0) {
        out.push(Tok.COMMENT, 0, base, i, n);
        return;
      }
      i = close + 2;
      pendingFlags = Flag.AFTER_COMMENT;
      continue;
    }
    if (c === 0x2a /* * */ && next === 0x2f) {
      // the end of a versioned comment, or of a comment opened before the value (the value is its tail)
      versioned = false;
      i += 2;
      pendingFlags = Flag.AFTER_COMMENT;
      continue;
    }
    if (isDigit(c) && isEmptyExponent(value, i)) {
      // MySQL skips `1.e` glued to `(`, `,` or `)`: `1.e(ascii …` hides a call from filters
      while (isDigit(value.charCodeAt(i))) i++;
      i += 2;
      pendingFlags = base | Flag.EVASION;
      continue;
    }
    if (isDigit(c) || (c === 0x2e /* . */ && isDigit(next))) {
      i = number(value, i, base, out);
      continue;
    }
    if (isWordChar(c)) {
      i = word(value, i, base, out);
      continue;
    }
    if (c === 0x40 /* @ */ && (isSpace(next) || i + 1 === n)) {
      // PostgreSQL's prefix `@` (absolute value) and the old containment test
      out.push(Tok.OPERATOR, Op.CONTAINS, base, i, i + 1);
      i++;
      continue;
    }
    if (
      c === 0x40 /* @ */ &&
      next !== 0x3e &&
      next !== 0x3f &&
      !(next === 0x40 && !isWordChar(i + 2 < n ? value.charCodeAt(i + 2) : 0x20))
    ) {
      i = variable(value, i, base, out);
      continue;
    }
    if (c === 0x7b /* { */ && isWordChar(next)) {
      // an ODBC escape `{fn …}` / `{a 1}`: MySQL reads `{identifier expr}` as expr
      i += 2;
      while (i < n && isWordChar(value.charCodeAt(i))) i++;
      braces++;
      continue;
    }
    if (c === 0x7d /* } */ && braces > 0) {
      braces--;
      i++;
      continue;
    }
    switch (c) {
      case 0x28:
        out.push(Tok.LPAREN, 0, base, i, i + 1);
        i++;
        continue;
      case 0x29:
        out.push(Tok.RPAREN, 0, base, i, i + 1);
        i++;
        continue;
      case 0x2c:
        out.push(Tok.COMMA, 0, base, i, i + 1);
        i++;
        continue;
      case 0x3b:
        out.push(Tok.SEMICOLON, 0, base, i, i + 1);
        i++;
        continue;
      case 0x2e:
        out.push(Tok.DOT, 0, base, i, i + 1);
        i++;
        continue;
      case 0x5b:
        out.push(Tok.LBRACKET, 0, base, i, i + 1);
        i++;
        continue;
      case 0x5d:
        out.push(Tok.RBRACKET, 0, base, i, i + 1);
        i++;
        continue;
    }
    const op = operator(value, i);
    if (op !== 0) {
      const length = op >>> 8;
      out.push(Tok.OPERATOR, op & 0xff, base, i, i + length);
      i += length;
      continue;
    }
    // no SQL goes on after a character no dialect reads there: the rest of the value need not be read
    out.push(Tok.JUNK, 0, base, i, i + 1);
    return;
  }
}

/** True when `1.e` (digits, a point, an `e` and no exponent digits) at `i` is glued to `(`, `,` or `)`. */
function isEmptyExponent(value: string, i: number): boolean {
  let j = i;
  while (j < value.length && isDigit(value.charCodeAt(j))) j++;
  if (value.charCodeAt(j) !== 0x2e || (value.charCodeAt(j + 1) | 0x20) !== 0x65) return false;
  const after = value.charCodeAt(j + 2);
  return after === 0x28 || after === 0x2c || after === 0x29;
}

/** True when nothing but whitespace follows `i`. */
function endsAfter(value: string, i: number): boolean {
  for (let j = i; j < value.length; j++) if (!isSpace(value.charCodeAt(j))) return false;
  return true;
}

/** True when the next code at or after `i`, whitespace aside, is a quote. */
function quoteFollows(value: string, i: number): boolean {
  let j = i;
  while (j < value.length && isSpace(value.charCodeAt(j))) j++;
  const c = value.charCodeAt(j);
  return c === QUOTE || c === DOUBLE_QUOTE;
}

/** Where a string whose body starts at `from` ends (after its closing quote), and whether it is closed. */
function stringEnd(value: string, from: number, quote: number): { end: number; terminated: boolean } {
  const n = value.length;
  let i = from;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (i + 1 < n && value.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return { end: i + 1, terminated: true };
    }
    i++;
  }
  return { end: n, terminated: false };
}

function lineComment(value: string, i: number, flags: number, out: SqlTokens, extra: number): number {
  const newline = value.indexOf('\n', i);
  const end = newline < 0 ? value.length : newline;
  out.push(Tok.COMMENT, 0, flags | extra, i, end);
  return end;
}

/** A number; digits running into letters make an identifier (`1st`, `64721683m`), unless the number had a point or an exponent. */
function number(value: string, i: number, flags: number, out: SqlTokens): number {
  const n = value.length;
  const start = i;
  const c1 = i + 1 < n ? value.charCodeAt(i + 1) | 0x20 : 0;
  if (value.charCodeAt(i) === 0x30 && (c1 === 0x78 /* x */ || c1 === 0x62) /* b */) {
    let j = i + 2;
    while (j < n && (c1 === 0x78 ? isHexDigit(value.charCodeAt(j)) : value.charCodeAt(j) === 0x30 || value.charCodeAt(j) === 0x31)) j++;
    if (j > i + 2 && (j >= n || !isWordChar(value.charCodeAt(j)))) {
      out.push(Tok.NUMBER, 0, flags, start, j);
      return j;
    }
    return word(value, start, flags, out);
  }
  while (i < n && isDigit(value.charCodeAt(i))) i++;
  let fraction = false;
  if (i < n && value.charCodeAt(i) === 0x2e) {
    fraction = true;
    i++;
    while (i < n && isDigit(value.charCodeAt(i))) i++;
  }
  if (i < n && (value.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    let j = i + 1;
    const sign = j < n ? value.charCodeAt(j) : 0;
    if (sign === 0x2b || sign === 0x2d) j++;
    if (j < n && isDigit(value.charCodeAt(j))) {
      while (j < n && isDigit(value.charCodeAt(j))) j++;
      i = j;
      fraction = true;
    }
  }
  if (!fraction && i < n && isWordChar(value.charCodeAt(i))) return word(value, start, flags, out);
  out.push(Tok.NUMBER, 0, flags, start, i);
  return i;
}

/**
 * An identifier or keyword, qualified names (`a.b`, `master..xp_cmdshell`) read as one word. A keyword cut by
 * an inline comment (`UN/**\/ION`) is joined. A string prefix (`N'…'`, `x'…'`, `_utf8'…'`) makes a string.
 */
function word(value: string, i: number, flags: number, out: SqlTokens): number {
  const n = value.length;
  const start = i;
  let technical = false;
  while (i < n && isWordChar(value.charCodeAt(i))) {
    const c = value.charCodeAt(i);
    if (c === 0x5f || c === 0x24 || isDigit(c)) technical = true;
    i++;
  }
  const c = i < n ? value.charCodeAt(i) : 0;
  if (c === QUOTE && isStringPrefix(value, start, i)) {
    const close = stringEnd(value, i + 1, QUOTE);
    out.push(Tok.STRING, QUOTE, flags | (close.terminated ? Flag.TERMINATED : 0), start, close.end);
    return close.end;
  }
  let qualified = false;
  while (i < n && value.charCodeAt(i) === 0x2e) {
    let j = i + 1;
    if (j < n && value.charCodeAt(j) === 0x2e) j++;
    const d = j < n ? value.charCodeAt(j) : 0;
    if (!isWordChar(d) && d !== BACKTICK && d !== 0x2a) break;
    if (d === 0x2a) {
      // `t.*`: the star is the column list, not multiplication
      i = j + 1;
      qualified = true;
      break;
    }
    if (d === BACKTICK) {
      const close = value.indexOf('`', j + 1);
      i = close < 0 ? n : close + 1;
    } else {
      i = j;
      while (i < n && isWordChar(value.charCodeAt(i))) i++;
    }
    qualified = true;
  }
  let end = i;
  let keyword = qualified || end - start < 2 || end - start > LONGEST_KEYWORD ? 0 : keywordOf(value.slice(start, end));
  let extra = qualified || technical ? Flag.TECHNICAL : 0;
  if (
    !qualified &&
    end + 1 < n &&
    value.charCodeAt(end) === 0x2f &&
    value.charCodeAt(end + 1) === 0x2a &&
    value.charCodeAt(end + 2) !== 0x21
  ) {
    // `UN/**/ION`: join the pieces when only the whole is a keyword
    const close = value.indexOf('*/', end + 2);
    if (close > 0 && close + 2 < n && isWordChar(value.charCodeAt(close + 2))) {
      let j = close + 2;
      while (j < n && isWordChar(value.charCodeAt(j))) j++;
      const joined = keyword === 0 && j - (close + 2) <= 16 ? keywordOf(value.slice(start, end) + value.slice(close + 2, j)) : 0;
      if (joined !== 0 && keywordOf(value.slice(close + 2, j)) === 0) {
        keyword = joined;
        end = j;
        extra |= Flag.JOINED;
      }
    }
  }
  if (value.charCodeAt(end) === 0x2e && endsAfter(value, end + 1)) {
    // `information_schema.`, `master.`: a qualified name the value cuts off after its dot
    end++;
  }
  out.push(Tok.WORD, keyword, flags | extra | (callFollows(value, end) ? Flag.CALL : 0), start, end);
  return end;
}

/** `N'…'`, `x'…'`, `b'…'`, `e'…'`, `_utf8'…'`: a prefix that belongs to the string after it. */
function isStringPrefix(value: string, start: number, end: number): boolean {
  if (end - start === 1) {
    const c = value.charCodeAt(start) | 0x20;
    return c === 0x6e || c === 0x78 || c === 0x62 || c === 0x65;
  }
  return value.charCodeAt(start) === 0x5f && end - start <= 10;
}

/** True when the next code after `i` (whitespace and inline comments aside) is `(`. */
function callFollows(value: string, i: number): boolean {
  const n = value.length;
  for (let steps = 0; i < n && steps < 8; steps++) {
    const c = value.charCodeAt(i);
    if (c === 0x28) return true;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x2f && value.charCodeAt(i + 1) === 0x2a) {
      const close = value.indexOf('*/', i + 2);
      if (close < 0 || close - i > 64) return false;
      i = close + 2;
      continue;
    }
    if (c === 0x2a && value.charCodeAt(i + 1) === 0x2f) {
      i += 2;
      continue;
    }
    if (isDigit(c) && isEmptyExponent(value, i)) {
      while (isDigit(value.charCodeAt(i))) i++;
      return value.charCodeAt(i + 2) === 0x28;
    }
    return false;
  }
  return false;
}

/** `@name`, `@@name`, `@'quoted'`; a lone `@` is junk. */
function variable(value: string, i: number, flags: number, out: SqlTokens): number {
  const n = value.length;
  const start = i;
  i++;
  if (i < n && value.charCodeAt(i) === 0x40) i++;
  const c = i < n ? value.charCodeAt(i) : 0;
  if (c === QUOTE || c === DOUBLE_QUOTE || c === BACKTICK) {
    const close = stringEnd(value, i + 1, c);
    out.push(Tok.VARIABLE, 0, flags, start, close.end);
    return close.end;
  }
  const body = i;
  while (i < n && (isWordChar(value.charCodeAt(i)) || (value.charCodeAt(i) === 0x2e && i > body))) i++;
  if (i === body) {
    out.push(Tok.JUNK, 0, flags, start, i);
    return i;
  }
  out.push(Tok.VARIABLE, 0, flags, start, i);
  return i;
}

/** The operator at `i` as `length << 8 | id`, or 0. */
function operator(value: string, i: number): number {
  const c = value.charCodeAt(i);
  const d = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
  switch (c) {
    case 0x3d: // =
      return d === 0x3d ? (2 << 8) | Op.EQ : (1 << 8) | Op.EQ;
    case 0x3c: // <
      if (d === 0x40) return (2 << 8) | Op.CONTAINS;
      if (d === 0x3d) return value.charCodeAt(i + 2) === 0x3e ? (3 << 8) | Op.NULL_SAFE_EQ : (2 << 8) | Op.LE;
      if (d === 0x3e) return (2 << 8) | Op.NE;
      if (d === 0x3c) return (2 << 8) | Op.SHIFT;
      return (1 << 8) | Op.LT;
    case 0x3e: // >
      if (d === 0x3d) return (2 << 8) | Op.GE;
      if (d === 0x3e) return (2 << 8) | Op.SHIFT;
      return (1 << 8) | Op.GT;
    case 0x21: // !
      if (d === 0x3d) return (2 << 8) | Op.NE;
      if (d === 0x3c) return (2 << 8) | Op.GE;
      if (d === 0x3e) return (2 << 8) | Op.LE;
      return (1 << 8) | Op.BANG;
    case 0x7c: // |
      return d === 0x7c ? (2 << 8) | Op.OR : (1 << 8) | Op.PIPE;
    case 0x26: // &
      return d === 0x26 ? (2 << 8) | Op.AND : (1 << 8) | Op.AMP;
    case 0x3a: // :
      if (d === 0x3d) return (2 << 8) | Op.ASSIGN;
      if (d === 0x3a) return (2 << 8) | Op.CAST;
      return 0;
    case 0x2b:
      return (1 << 8) | Op.PLUS;
    case 0x2d:
      if (d === 0x3e) return value.charCodeAt(i + 2) === 0x3e ? (3 << 8) | Op.ARROW : (2 << 8) | Op.ARROW;
      return (1 << 8) | Op.MINUS;
    case 0x3f: // ?
      return d === 0x7c || d === 0x26 ? (2 << 8) | Op.CONTAINS : (1 << 8) | Op.CONTAINS;
    case 0x40: // @
      return d === 0x3e || d === 0x3f || d === 0x40 ? (2 << 8) | Op.CONTAINS : 0;
    case 0x2a:
      return (1 << 8) | Op.STAR;
    case 0x2f:
      return (1 << 8) | Op.SLASH;
    case 0x25:
      return (1 << 8) | Op.PERCENT;
    case 0x5e:
      return (1 << 8) | Op.CARET;
    case 0x7e:
      return (1 << 8) | Op.TILDE;
    default:
      return 0;
  }
}
