/**
 * NoSQL (MongoDB-style) injection: query operators where the application expects a plain value, and
 * JavaScript where a `$where` clause would run it.
 *
 * - Operator keys: a JSON object key (`{"password": {"$ne": null}}`) or a bracketed query/form name
 *   (`password[$ne]=x`, what `qs` and PHP turn into the same object) that is a query operator.
 * - Operators spliced into a value that is concatenated into a query: `', $or: [ {}, { 'a':'a`,
 *   `true, $where: '1 == 1'`, a JSON filter in a query argument.
 * - Server-side JavaScript: a quote break followed by a statement (`'; return true; var x='`,
 *   `' || this.password.match(/^a/) || '`), busy loops that time-based probes use, and mongo shell calls
 *   (`db.users.find(`).
 *
 * Not operators: a `$` in prices and currency fields (`$10`, `{"currency": "$"}`), JSON Schema and Json.NET
 * keys (`$schema`, `$ref`, `$id`, `$type`), OData query options (`$filter`, `$top`).
 */
import type { Detector, DetectorHit } from '../types.js';

/** Query operators that change what a filter matches; names other dialects share (`$type`, `$search`) are left out. */
const OPERATORS = [
  'ne',
  'eq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'or',
  'and',
  'nor',
  'not',
  'exists',
  'regex',
  'where',
  'expr',
  'function',
  'accumulator',
  'jsonSchema',
  'mod',
  'all',
  'elemMatch',
  'size',
  'text',
];
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS.map((op) => `$${op}`));
const OPERATOR_ALTERNATION = OPERATORS.join('|');
/** An operator name as a word: what every operator pattern below needs, found with one cheap scan. */
const OPERATOR_WORD = new RegExp(`\\$(?:${OPERATOR_ALTERNATION})\\b`);
/** `[$ne]` in a bracketed parameter name (`user[$ne]`, `a[b][$regex]`). */
const BRACKETED_OPERATOR = new RegExp(`\\[\\s*\\$(?:${OPERATOR_ALTERNATION})\\s*\\]`);
/** An operator written as a key inside a value: `$ne:`, `"$where":`, `'$or' :`, `\"$regex\":` (JSON inside a JSON string). */
const INLINE_OPERATOR = new RegExp(`(?:^|[^\\w$])(?:\\\\?["'])?\\$(?:${OPERATOR_ALTERNATION})(?:\\\\?["'])?\\s*:`);
const MONGO_SHELL =
  /\bdb\s*\.\s*(?:[\w$]{1,64}\s*\.\s*(?:find\w*|insert\w*|update\w*|remove|delete\w*|drop|aggregate|count\w*|mapReduce|save|replace\w*|bulkWrite|distinct)|getCollection\w*|dropDatabase|eval|runCommand|adminCommand|getSiblingDB|createUser|dropUser|getUsers|shutdownServer)\s*\(/;
/** How far into a value a quote break is looked for. */
const PREFIX = 64;

/**
 * Code patterns, each behind a cheap gate that must pass before the pattern runs (calling a regular
 * expression at all costs more than the gates).
 */
const JAVASCRIPT_PATTERNS: ReadonlyArray<readonly [string, (value: string) => boolean, RegExp]> = [
  // a quote break near the start of a one-line value, then a statement or a short-circuit into code: the
  // shape of `$where` string injection (source code posted to an editor has its quotes on later lines);
  // `(?=(…))\1` takes the prefix atomically
  [
    'where-javascript',
    hasEarlyQuote,
    /^(?=([^\r\n"'`]{0,64}))\1["'`]\s*(?:;|\|\||&&)\s*(?:return\b|this\s*\.|sleep\s*\(|while\s*\(|for\s*\(|var\s|let\s|const\s|if\s*\(|function\b|throw\b|db\s*\.|emit\s*\(|tojson\s*\()/,
  ],
  [
    'where-javascript',
    (value) => value.indexOf('match') >= 0,
    /\bthis\s*\.\s*[\w$]{1,64}(?:\s*\.\s*[\w$]{1,64}){0,4}\s*\.\s*match\s*\(\s*\//,
  ],
  ['where-javascript', (value) => value.indexOf('this') >= 0, /(?:\|\||&&|;)\s*this\s*\.\s*[\w$]{1,64}\s*(?:[=!]==?|[<>]=?)/],
  // time-based probes: busy loops on the clock, and statements chained after a value
  [
    'javascript-busy-loop',
    (value) => value.indexOf('while') >= 0,
    /\bdo\s*\{[^{}]{0,300}?(?:new\s+Date\s*\(|Date\s*\.\s*now\s*\()[^{}]{0,300}\}\s*while\s*\(/,
  ],
  ['javascript-busy-loop', hasEarlySemicolon, /^(?=([^\r\n;]{0,64}))\1;\s*var\s+[\w$]{1,64}\s*=\s*new\s+Date\s*\(/],
];

/**
 * Judges an object key (`json-key:`) or a query or form parameter name (`query-name:`, `form-name:`) for a
 * query operator. Other locations are not looked at.
 */
export const detectNoSqlOperator: Detector = (value, { location }) => {
  if (value.indexOf('$') < 0) return undefined;
  if (location.startsWith('json-key:')) {
    return OPERATOR_SET.has(value) ? { detail: 'operator-key', start: 0, end: value.length } : undefined;
  }
  if (location.startsWith('query-name:') || location.startsWith('form-name:')) {
    if (OPERATOR_SET.has(value)) return { detail: 'operator-name', start: 0, end: value.length };
    return hit('operator-name', BRACKETED_OPERATOR.exec(value));
  }
  return undefined;
};

/**
 * Judges a value for operators spliced into a query (`', $or: [ {}, {'a':'a`), mongo shell calls and
 * `$where` JavaScript. Keys and names are the operator detector's.
 */
export const detectNoSqlInjection: Detector = (value, { location }) => {
  if (location.startsWith('json-key:') || location.startsWith('query-name:') || location.startsWith('form-name:')) return undefined;
  return inValue(value);
};

function inValue(value: string): DetectorHit | undefined {
  if (value.indexOf('$') >= 0 && OPERATOR_WORD.test(value)) {
    const found = hit('operator-injection', INLINE_OPERATOR.exec(value)) ?? hit('operator-injection', BRACKETED_OPERATOR.exec(value));
    if (found !== undefined) return found;
  }
  if (value.indexOf('db') >= 0) {
    const found = hit('mongo-shell', MONGO_SHELL.exec(value));
    if (found !== undefined) return found;
  }
  for (const [detail, gate, pattern] of JAVASCRIPT_PATTERNS) {
    if (!gate(value)) continue;
    const found = hit(detail, pattern.exec(value));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A quote within the first `PREFIX` characters, before any line break. */
function hasEarlyQuote(value: string): boolean {
  const end = Math.min(value.length, PREFIX + 1);
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x27 || c === 0x60) return true;
    if (c === 0x0a || c === 0x0d) return false;
  }
  return false;
}

function hasEarlySemicolon(value: string): boolean {
  const at = value.indexOf(';');
  return at >= 0 && at <= PREFIX;
}

function hit(detail: string, found: RegExpExecArray | null): DetectorHit | undefined {
  return found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
}

/** The NoSQL-injection detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'nosqli-operator': detectNoSqlOperator,
  nosqli: detectNoSqlInjection,
};
