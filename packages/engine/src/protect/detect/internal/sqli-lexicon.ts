/**
 * The vocabulary of the SQL tokenizer: token kinds, operator and keyword ids, and the functions worth
 * naming. Keywords are grouped by the part they play in the grammar (logic, comparison, clause, statement),
 * not by dialect: the union of MySQL, PostgreSQL, SQL Server, Oracle and SQLite as attackers use them.
 */

/** Token kinds. */
export const Tok = {
  STRING: 1,
  NUMBER: 2,
  VARIABLE: 3,
  /** An identifier or a keyword (`info` holds the keyword id, 0 for a plain identifier). */
  WORD: 4,
  /** A symbolic operator (`info` holds the operator id). */
  OPERATOR: 5,
  LPAREN: 6,
  RPAREN: 7,
  COMMA: 8,
  SEMICOLON: 9,
  /** `--`, `#` to the end of the line, or an unterminated `/*`: the rest of the line is not code. */
  COMMENT: 10,
  DOT: 11,
  /** A character no SQL dialect reads there (`{`, `?`, `:`, `\`…): a syntax error. */
  JUNK: 12,
} as const;

/** Token flags. */
export const Flag = {
  /** A string or block comment with its closing delimiter. */
  TERMINATED: 1,
  /** A word followed by `(` (whitespace and inline comments aside): a call, if the grammar allows one there. */
  CALL: 2,
  /** An inline comment right before the token (`UNION/**\/SELECT`). */
  AFTER_COMMENT: 4,
  /** Inside a MySQL versioned comment `/*! … *\/`. */
  VERSIONED: 8,
  /** A word that does not read as prose: quoted, or with `_`, `.`, `$` or a digit in it. */
  TECHNICAL: 16,
  /** A `#` comment followed by whitespace or nothing, as injections end; `#fff` or `#section` are not. */
  CLEAN_HASH: 32,
  /** Two word pieces joined across an inline comment (`UN/**\/ION`). */
  JOINED: 64,
} as const;

/** Operator ids (`info` of an OPERATOR token). */
export const Op = {
  EQ: 1,
  NE: 2,
  LT: 3,
  GT: 4,
  LE: 5,
  GE: 6,
  NULL_SAFE_EQ: 7,
  /** PostgreSQL's JSON and array containment and key tests: `@>`, `<@`, `?`, `?|`, `?&`, `@?`, `@@`. */
  CONTAINS: 8,
  PLUS: 10,
  MINUS: 11,
  STAR: 12,
  SLASH: 13,
  PERCENT: 14,
  CARET: 15,
  PIPE: 16,
  AMP: 17,
  TILDE: 18,
  BANG: 19,
  SHIFT: 20,
  OR: 21,
  AND: 22,
  ASSIGN: 23,
  CAST: 24,
  /** JSON extraction: `->`, `->>`. */
  ARROW: 25,
} as const;

/** True for `=`, `<>`, `<`, `>`, `<=`, `>=`, `<=>` and the JSON containment tests. */
export function isComparisonOp(op: number): boolean {
  return op >= Op.EQ && op <= Op.CONTAINS;
}

/** Keyword ids (`info` of a WORD token). */
export const Kw = {
  AND: 1,
  OR: 2,
  XOR: 3,
  NOT: 4,
  // comparisons and word operators
  LIKE: 10,
  BETWEEN: 11,
  IN: 12,
  IS: 13,
  SOUNDS: 14,
  DIV: 15,
  ESCAPE: 16,
  COLLATE: 17,
  // literals
  NULL: 20,
  BOOLEAN: 21,
  CONSTANT: 22,
  // queries
  SELECT: 30,
  UNION: 31,
  ALL: 32,
  TOP: 33,
  FROM: 34,
  WHERE: 35,
  ORDER: 36,
  GROUP: 37,
  BY: 38,
  HAVING: 39,
  LIMIT: 40,
  OFFSET: 41,
  INTO: 42,
  OUTFILE: 43,
  PROCEDURE: 44,
  AS: 45,
  CASE: 46,
  WHEN: 47,
  THEN: 48,
  ELSE: 49,
  END: 50,
  EXISTS: 51,
  DIRECTION: 52,
  INTERVAL: 53,
  BINARY: 54,
  FOR: 55,
  // statements
  INSERT: 60,
  UPDATE: 61,
  DELETE: 62,
  DROP: 63,
  EXEC: 64,
  DECLARE: 65,
  WAITFOR: 66,
  DELAY: 67,
  CREATE: 68,
  SHUTDOWN: 69,
  CALL: 70,
  BEGIN: 71,
  SET: 72,
  COPY: 73,
  REPLACE: 74,
  OBJECT: 75,
  VALUES: 76,
  IF: 77,
  PROGRAM: 78,
} as const;

const KEYWORDS: ReadonlyMap<string, number> = new Map<string, number>([
  ['and', Kw.AND],
  ['or', Kw.OR],
  ['xor', Kw.XOR],
  ['not', Kw.NOT],
  ['like', Kw.LIKE],
  ['rlike', Kw.LIKE],
  ['regexp', Kw.LIKE],
  ['ilike', Kw.LIKE],
  ['glob', Kw.LIKE],
  ['between', Kw.BETWEEN],
  ['in', Kw.IN],
  ['is', Kw.IS],
  ['sounds', Kw.SOUNDS],
  ['div', Kw.DIV],
  ['mod', Kw.DIV],
  ['escape', Kw.ESCAPE],
  ['collate', Kw.COLLATE],
  ['null', Kw.NULL],
  ['true', Kw.BOOLEAN],
  ['false', Kw.BOOLEAN],
  ['unknown', Kw.BOOLEAN],
  ['current_user', Kw.CONSTANT],
  ['session_user', Kw.CONSTANT],
  ['system_user', Kw.CONSTANT],
  ['current_date', Kw.CONSTANT],
  ['current_time', Kw.CONSTANT],
  ['current_timestamp', Kw.CONSTANT],
  ['localtime', Kw.CONSTANT],
  ['localtimestamp', Kw.CONSTANT],
  ['select', Kw.SELECT],
  ['union', Kw.UNION],
  ['except', Kw.UNION],
  ['intersect', Kw.UNION],
  ['all', Kw.ALL],
  ['distinct', Kw.ALL],
  ['distinctrow', Kw.ALL],
  ['top', Kw.TOP],
  ['from', Kw.FROM],
  ['where', Kw.WHERE],
  ['order', Kw.ORDER],
  ['group', Kw.GROUP],
  ['by', Kw.BY],
  ['having', Kw.HAVING],
  ['limit', Kw.LIMIT],
  ['offset', Kw.OFFSET],
  ['into', Kw.INTO],
  ['outfile', Kw.OUTFILE],
  ['dumpfile', Kw.OUTFILE],
  ['procedure', Kw.PROCEDURE],
  ['as', Kw.AS],
  ['case', Kw.CASE],
  ['when', Kw.WHEN],
  ['then', Kw.THEN],
  ['else', Kw.ELSE],
  ['end', Kw.END],
  ['exists', Kw.EXISTS],
  ['asc', Kw.DIRECTION],
  ['desc', Kw.DIRECTION],
  ['interval', Kw.INTERVAL],
  ['binary', Kw.BINARY],
  ['for', Kw.FOR],
  ['insert', Kw.INSERT],
  ['update', Kw.UPDATE],
  ['delete', Kw.DELETE],
  ['drop', Kw.DROP],
  ['truncate', Kw.DROP],
  ['alter', Kw.DROP],
  ['rename', Kw.DROP],
  ['exec', Kw.EXEC],
  ['execute', Kw.EXEC],
  ['declare', Kw.DECLARE],
  ['waitfor', Kw.WAITFOR],
  ['delay', Kw.DELAY],
  ['create', Kw.CREATE],
  ['shutdown', Kw.SHUTDOWN],
  ['call', Kw.CALL],
  ['begin', Kw.BEGIN],
  ['set', Kw.SET],
  ['copy', Kw.COPY],
  ['replace', Kw.REPLACE],
  ['table', Kw.OBJECT],
  ['database', Kw.OBJECT],
  ['schema', Kw.OBJECT],
  ['view', Kw.OBJECT],
  ['function', Kw.OBJECT],
  ['user', Kw.OBJECT],
  ['login', Kw.OBJECT],
  ['index', Kw.OBJECT],
  ['trigger', Kw.OBJECT],
  ['values', Kw.VALUES],
  ['if', Kw.IF],
  ['program', Kw.PROGRAM],
]);

/** Longest keyword, so longer words skip the lookup. */
export const LONGEST_KEYWORD = 17;

/** The keyword id of a word (any case), 0 for an identifier. */
export function keywordOf(word: string): number {
  if (word.length < 2 || word.length > LONGEST_KEYWORD) return 0;
  return KEYWORDS.get(word.toLowerCase()) ?? 0;
}

/**
 * Functions that on their own make an injection: they delay the response (blind, time-based), raise an error
 * that carries data out (error-based), read files or reach the network. Matched on the last part of a
 * qualified name (`dbms_lock.sleep`, `master..xp_cmdshell`).
 */
const DANGEROUS_FUNCTIONS: ReadonlySet<string> = new Set([
  'sleep',
  'pg_sleep',
  'benchmark',
  'receive_message',
  'randomblob',
  'extractvalue',
  'updatexml',
  'xmltype',
  'load_file',
  'pg_read_file',
  'pg_ls_dir',
  'lo_import',
  'lo_export',
  'xp_cmdshell',
  'xp_dirtree',
  'xp_fileexist',
  'xp_regread',
  'get_host_address',
  'get_host_name',
  'httpuritype',
  'dblink',
  'dblink_connect',
  'sys_eval',
  'sys_exec',
  'geometrycollection',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'gtid_subset',
  'name_const',
]);

/** Qualified names whose last part is too common to list alone. */
const DANGEROUS_QUALIFIED: ReadonlySet<string> = new Set(['utl_http.request', 'dbms_ldap.init', 'ctxsys.drithsx.sn']);

/** True when a called name (as written, any case, possibly qualified) is one of the dangerous functions. */
export function isDangerousFunction(name: string): boolean {
  if (name.length > 64) return false;
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return DANGEROUS_FUNCTIONS.has(dot < 0 ? lower : lower.slice(dot + 1)) || DANGEROUS_QUALIFIED.has(lower);
}
