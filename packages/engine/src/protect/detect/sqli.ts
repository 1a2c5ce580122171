/**
 * SQL injection: a value that, pasted into a query where the application expects a number or a string,
 * changes what the query does. The value is tokenized as SQL (see `internal/sqli-tokenizer.ts`) in each
 * context it can land in (as it is, where a number goes; after a `'`; after a `"`) and read as the rest of
 * a statement (see `internal/sqli-grammar.ts`). A context counts only when the whole value reads as SQL
 * there and the reading found what injections are made of:
 *
 * - on its own: `UNION SELECT` of values, a subquery, a stacked statement (`; DROP TABLE …`), a function that
 *   delays, leaks through errors or reaches files (`sleep(5)`, `extractvalue(…)`, `xp_cmdshell`),
 *   `WAITFOR DELAY`, a logical operator before a predicate that holds by construction (`OR 1=1`,
 *   `AND 'a'='a'`), or a whole statement with SQL-only features (`SELECT * FROM users`);
 * - after a quote the value closed: a predicate on a column, a truncating comment or a clause
 *   (`admin'--`, `x' OR name LIKE 'a%`, `1' ORDER BY 3#`);
 * - where a number goes: a predicate on a column or a clause, together with a truncating comment or a
 *   parenthesis the value did not open (`1) AND id>0--`);
 * - in any context, fragments of injections that name what only SQL has: a built-in function called with
 *   SQL around it or left open at the value's end (`concat(0x7e,version())`, `group_concat(name)`,
 *   `substring(`), a system catalog (`information_schema`, `FROM msdb..backupset`), a SQL Server system
 *   procedure (`xp_cmdshell`, `sp_oacreate`), a PostgreSQL cast (`password::int`), a JSON document or path
 *   under a JSON operator (`'{"a":1}'::jsonb @> …`), a `CASE WHEN … THEN` conditional, or tricks that hide SQL from filters
 *   (`/*!50000select*\/`, `1.e(`, `or/**\/1`).
 *
 * Two shapes are found without a full reading: a plain name closed with a quote and `;` that end the value
 * (`admin@example.com';`, the rest of the login query cut off), and MSSQL's `WAITFOR DELAY` appended to a
 * value that is not SQL before it (a User-Agent).
 *
 * Prose, names with apostrophes, e-mail addresses, identifiers, dates and JSON do not read as SQL past their
 * second or third token, so they are not reported whatever SQL words they hold. `sqli-strict`, for higher
 * paranoia, also reports weaker shapes: a predicate on a column after a logical operator anywhere, a bare
 * literal after a logical operator behind a closed quote (`x' OR 1`), statements of plain words
 * (`select name from users`), plain calls of built-in functions (`trim(name)`, which formulas also write) and
 * catalog names that are also words (`msdb`, `schema_name`).
 */
import type { Detector, DetectorHit } from '../types.js';
import { Evidence, SqlReader } from './internal/sqli-grammar.js';
import { Flag, Tok } from './internal/sqli-lexicon.js';
import { SqlTokens, tokenizeSql } from './internal/sqli-tokenizer.js';

/**
 * Cheap pre-check: without one of these, no context of the value can read as an injection this detector
 * reports (every report needs a quote, a comparison, a parenthesis, a statement separator, a comment, a
 * UNION, SELECT, BETWEEN, EXEC or DECLARE, a `::` cast, or the name of a system catalog or procedure).
 */
const MAYBE_SQL =
  /['"`;=<>()#]|--|\/\*|union|select|between|exec|declare|::|_schema|pg_|sqlite_|msys|sys(?:obj|col|dat|use|log|pro|ser)|tempdb|xp_|sp_|all_|dba_|user_tab|sql_logins|_principals|msdb|northwind|schema|case/i;
/**
 * Values longer than this are read after a quote only from just before their first quote, and this far: an
 * injection padded with kilobytes of filler is read as if the filler were not there, and the work stays bounded.
 */
const MAX_QUOTE_CONTEXT = 4096;
/** How much of the value before the first quote a long value's quote window keeps. */
const QUOTE_LEAD = 64;

const QUOTES = [0x27, 0x22] as const;
/** Tokens read before the first judgement; values that still read as SQL there are read whole. */
const FIRST_READ_TOKENS = 8;

const STRONG =
  Evidence.UNION |
  Evidence.SUBQUERY |
  Evidence.STACKED |
  Evidence.DANGEROUS |
  Evidence.TAUTOLOGY |
  Evidence.CONSTANT_CONDITION |
  Evidence.STATEMENT;

/** Fragments that name what only SQL has; reported when the whole value reads as SQL. */
const FRAGMENT =
  Evidence.SQL_FUNCTION | Evidence.CATALOG | Evidence.PROCEDURE | Evidence.CAST | Evidence.JSON | Evidence.EVASION | Evidence.CONDITIONAL;
/** Fragments that are also ordinary identifiers or calls in formulas: reported by `sqli-strict` only. */
const WEAK_FRAGMENT = Evidence.PLAIN_FUNCTION | Evidence.CATALOG_WORD;

const tokens = new SqlTokens();
const reader = new SqlReader();

const detect = (strict: boolean): Detector => {
  return (value) => {
    if (value.length < 2 || !MAYBE_SQL.test(value)) return undefined;
    const cut = cutAfterName(value);
    if (cut !== undefined) return cut;
    const hit = judge(value, 0, strict);
    if (hit !== undefined) return hit;
    for (const quote of QUOTES) {
      const at = value.indexOf(String.fromCharCode(quote));
      if (at < 0) continue;
      if (value.length <= MAX_QUOTE_CONTEXT) {
        const quoted = judge(value, quote, strict);
        if (quoted !== undefined) return quoted;
        continue;
      }
      const from = Math.max(0, at - QUOTE_LEAD);
      const quoted = judge(value.slice(from, at + MAX_QUOTE_CONTEXT), quote, strict);
      if (quoted !== undefined) return { detail: quoted.detail, start: quoted.start + from, end: quoted.end + from };
    }
    return value.length > MAX_QUOTE_CONTEXT ? undefined : appendedDelay(value);
  };
};

/** `WAITFOR` as a word of its own, anywhere in a value. */
const WAITFOR = /(?:^|[^a-z0-9_])waitfor\b/gi;

/**
 * MSSQL's `WAITFOR DELAY '0:0:5'` appended to a value that does not read as SQL before it (a User-Agent, a
 * search text): `WAITFOR` is no word of any language, so the statement is read from there on its own.
 */
function appendedDelay(value: string): DetectorHit | undefined {
  WAITFOR.lastIndex = 0;
  for (let guard = 0; guard < 4; guard++) {
    const match = WAITFOR.exec(value);
    if (match === null) return undefined;
    const start = match.index + match[0].length - 7;
    if (start === 0) continue;
    const rest = value.slice(start);
    tokenizeSql(rest, 0, tokens);
    reader.read(rest, tokens, 0);
    if (!reader.failed && (reader.evidence & Evidence.DANGEROUS) !== 0) {
      return { detail: 'dangerous-function', start, end: start + reader.endOfRead() };
    }
  }
  return undefined;
}

/**
 * A plain name (a login, an e-mail address) followed by a quote and `;` that end the value: the quote closes
 * the string and `;` ends the statement, so the rest of the query (the password check) is cut off
 * (`admin@example.com';`). Comments may sit between the quote and `;`.
 */
function cutAfterName(value: string): DetectorHit | undefined {
  const last = value.length - 1;
  let end = last;
  while (end > 0 && isBlank(value.charCodeAt(end))) end--;
  if (value.charCodeAt(end) !== 0x3b /* ; */) return undefined;
  let i = 0;
  let letters = false;
  for (; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x27 || c === 0x22 || c === 0x60) break;
    if (isBlank(c) || c === 0x3b) return undefined;
    letters ||= ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c > 0x7f;
  }
  // a name has letters; `12";` is a size in inches
  if (!letters || i >= end) return undefined;
  const quote = i;
  i++;
  while (i < end) {
    const c = value.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === 0x2f && value.charCodeAt(i + 1) === 0x2a) {
      const close = value.indexOf('*/', i + 2);
      if (close < 0 || close > end) return undefined;
      i = close + 2;
    } else return undefined;
  }
  return { detail: 'statement-cut-after-quote', start: quote, end: end + 1 };
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Reads `value` in one context and reports it when the reading is an injection. */
function judge(value: string, quote: number, strict: boolean): DetectorHit | undefined {
  // most values stop reading as SQL within a few tokens: read a short prefix first, the whole value only if needed
  tokenizeSql(value, quote, tokens, FIRST_READ_TOKENS);
  if (quote !== 0 && tokens.count < 2) return undefined;
  reader.read(value, tokens, quote);
  if (tokens.overran) {
    tokenizeSql(value, quote, tokens);
    reader.read(value, tokens, quote);
  }
  let evidence = reader.evidence;
  // a value whose SQL goes wrong only after a whole UNION SELECT, tautology or stacked statement is still an attack
  if (reader.failed && (evidence & STRONG) === 0) return undefined;
  if (quote !== 0 && endsInOpenString(quote)) evidence |= OPEN_END;
  const reason = reasonOf(evidence, quote !== 0, strict);
  if (reason === undefined) return undefined;
  const start = Math.max(0, reader.evidenceStart);
  const end = Math.max(start + 1, reader.endOfRead());
  return { detail: `${reason}${contextName(quote)}`, start, end };
}

/** Not a reader bit: the value ends inside a string of the context's quote, which the application's own closing quote ends. */
const OPEN_END = 1 << 30;

function endsInOpenString(quote: number): boolean {
  const last = tokens.count - 1;
  return tokens.kindAt(last) === Tok.STRING && tokens.infoAt(last) === quote && (tokens.flagsAt(last) & Flag.TERMINATED) === 0;
}

function contextName(quote: number): string {
  if (quote === 0) return '';
  return quote === 0x27 ? " after '" : ' after "';
}

/** The name of what makes the reading an injection, or undefined when it is not one. */
function reasonOf(evidence: number, quoted: boolean, strict: boolean): string | undefined {
  if ((evidence & STRONG) !== 0) {
    if ((evidence & Evidence.UNION) !== 0) return 'union-select';
    if ((evidence & Evidence.STACKED) !== 0) return 'stacked-query';
    if ((evidence & Evidence.DANGEROUS) !== 0) return 'dangerous-function';
    if ((evidence & Evidence.TAUTOLOGY) !== 0) return 'tautology';
    if ((evidence & Evidence.CONSTANT_CONDITION) !== 0) return 'constant-condition';
    if ((evidence & Evidence.SUBQUERY) !== 0) return 'subquery';
    return 'sql-statement';
  }
  const weak = evidence & (Evidence.PREDICATE | Evidence.CLAUSE);
  const fragment = evidence & (strict ? FRAGMENT | WEAK_FRAGMENT : FRAGMENT);
  if (quoted) {
    // the application's closing quote must be cut off by a comment or closed by the value's last string
    if ((evidence & Evidence.COMMENT) !== 0) return 'string-cut-by-comment';
    if ((evidence & OPEN_END) === 0) return undefined;
    if (weak !== 0 || fragment !== 0 || (strict && (evidence & Evidence.LITERAL_LOGIC) !== 0)) return 'string-breakout';
    return undefined;
  }
  if (fragment !== 0) return fragmentName(fragment);
  if (weak !== 0 && (evidence & (Evidence.COMMENT | Evidence.CLOSE_PAREN)) !== 0) return 'operand-breakout';
  if (strict && (evidence & Evidence.PREDICATE) !== 0) return 'column-predicate';
  if (strict && (evidence & Evidence.WEAK_STATEMENT) !== 0) return 'sql-statement';
  return undefined;
}

/** The name of the strongest fragment evidence among `fragment`'s bits. */
function fragmentName(fragment: number): string {
  if ((fragment & Evidence.JSON) !== 0) return 'json-operator';
  if ((fragment & Evidence.EVASION) !== 0) return 'filter-evasion';
  if ((fragment & Evidence.PROCEDURE) !== 0) return 'system-procedure';
  if ((fragment & Evidence.CATALOG) !== 0) return 'system-catalog';
  if ((fragment & Evidence.CAST) !== 0) return 'sql-cast';
  if ((fragment & Evidence.CONDITIONAL) !== 0) return 'sql-conditional';
  if ((fragment & Evidence.SQL_FUNCTION) !== 0) return 'sql-function';
  if ((fragment & Evidence.CATALOG_WORD) !== 0) return 'system-catalog-name';
  return 'sql-function-call';
}

/** SQL injection, for paranoia 1: very few false positives on prose, identifiers, tokens and JSON. */
export const detectSqlInjection: Detector = detect(false);

/** SQL injection including weaker shapes (column predicates, plain-word statements), for paranoia 2 and up. */
export const detectSqlInjectionStrict: Detector = detect(true);

/** The SQL injection detectors by the names rules use (`detector: sqli`). */
export const DETECTORS: Readonly<Record<string, Detector>> = { sqli: detectSqlInjection, 'sqli-strict': detectSqlInjectionStrict };
