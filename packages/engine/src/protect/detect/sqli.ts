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
 *   parenthesis the value did not open (`1) AND id>0--`).
 *
 * Prose, names with apostrophes, e-mail addresses, identifiers, dates and JSON do not read as SQL past their
 * second or third token, so they are not reported whatever SQL words they hold. `sqli-strict`, for higher
 * paranoia, also reports weaker shapes: a predicate on a column after a logical operator anywhere, a bare
 * literal after a logical operator behind a closed quote (`x' OR 1`), and statements of plain words
 * (`select name from users`).
 */
import type { Detector, DetectorHit } from '../types.js';
import { Evidence, SqlReader } from './internal/sqli-grammar.js';
import { Flag, Tok } from './internal/sqli-lexicon.js';
import { SqlTokens, tokenizeSql } from './internal/sqli-tokenizer.js';

/**
 * Cheap pre-check: without one of these, no context of the value can read as an injection this detector
 * reports (every report needs a quote, a comparison, a parenthesis, a statement separator, a comment, or a
 * UNION, SELECT, BETWEEN, EXEC or DECLARE).
 */
const MAYBE_SQL = /['"`;=<>()#]|--|\/\*|union|select|between|exec|declare/i;
/** Values longer than this are read only where a number goes, not also after each quote. */
const MAX_QUOTE_CONTEXT = 4096;

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

const tokens = new SqlTokens();
const reader = new SqlReader();

const detect = (strict: boolean): Detector => {
  return (value) => {
    if (value.length < 2 || !MAYBE_SQL.test(value)) return undefined;
    const hit = judge(value, 0, strict);
    if (hit !== undefined || value.length > MAX_QUOTE_CONTEXT) return hit;
    for (const quote of QUOTES) {
      if (value.indexOf(String.fromCharCode(quote)) < 0) continue;
      const quoted = judge(value, quote, strict);
      if (quoted !== undefined) return quoted;
    }
    return undefined;
  };
};

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
  if (quoted) {
    // the application's closing quote must be cut off by a comment or closed by the value's last string
    if ((evidence & Evidence.COMMENT) !== 0) return 'string-cut-by-comment';
    if ((evidence & OPEN_END) === 0) return undefined;
    if (weak !== 0 || (strict && (evidence & Evidence.LITERAL_LOGIC) !== 0)) return 'string-breakout';
    return undefined;
  }
  if (weak !== 0 && (evidence & (Evidence.COMMENT | Evidence.CLOSE_PAREN)) !== 0) return 'operand-breakout';
  if (strict && (evidence & Evidence.PREDICATE) !== 0) return 'column-predicate';
  if (strict && (evidence & Evidence.WEAK_STATEMENT) !== 0) return 'sql-statement';
  return undefined;
}

/** SQL injection, for paranoia 1: very few false positives on prose, identifiers, tokens and JSON. */
export const detectSqlInjection: Detector = detect(false);

/** SQL injection including weaker shapes (column predicates, plain-word statements), for paranoia 2 and up. */
export const detectSqlInjectionStrict: Detector = detect(true);

/** The SQL injection detectors by the names rules use (`detector: sqli`). */
export const DETECTORS: Readonly<Record<string, Detector>> = { sqli: detectSqlInjection, 'sqli-strict': detectSqlInjectionStrict };
