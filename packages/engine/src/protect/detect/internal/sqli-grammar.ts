/**
 * A forgiving SQL reader over the tokens of one value: it reads the value as the rest of a statement that the
 * value was pasted into (after the operand the application expected), and says whether the whole value reads
 * as SQL and which parts of it make an injection (a tautology after `OR`, a `UNION SELECT`, a stacked
 * statement, a dangerous function, a truncating comment…).
 *
 * Reading is all or nothing: one token that SQL cannot have there (a word after a word, a stray `:`, a string
 * right after a string) and the value is not SQL, whatever it held before. That is what keeps prose, names,
 * addresses and JSON out. The reader is recursive descent without backtracking, bounded in depth, and linear
 * in the number of tokens.
 */
import type { SqlTokens } from './sqli-tokenizer.js';
import {
  catalogStrengthOf,
  Flag,
  isComparisonOp,
  isDangerousFunction,
  isIdentityFunction,
  isSqlFunction,
  isSqlOnlyFunction,
  isJsonType,
  isSqlType,
  isSystemProcedure,
  Kw,
  leastArguments,
  Op,
  Tok,
} from './sqli-lexicon.js';

/**
 * What a reading found, as bits. A bit is noted once the construct that shows it has been read whole, so the
 * evidence of a reading that failed later is evidence of the prefix before the failure.
 */
export const Evidence = {
  /** `UNION [ALL] SELECT …` with a select list of values. */
  UNION: 1,
  /** `(SELECT …)` as an operand. */
  SUBQUERY: 2,
  /** A second statement after `;` (or MSSQL's `WAITFOR`/`EXEC`/`DECLARE` without one). */
  STACKED: 4,
  /** A call of a function that delays, raises data-carrying errors or reaches files or the network. */
  DANGEROUS: 8,
  /** A logical operator before a predicate that holds by construction (`OR 1=1`, `AND 'a'='a'`, `OR x=x`). */
  TAUTOLOGY: 16,
  /** A logical operator before a predicate on a column (`OR name='admin'`, `AND id>3`). */
  PREDICATE: 32,
  /** A logical operator before a bare literal (`OR 1`, `AND true`). */
  LITERAL_LOGIC: 64,
  /** A comment that cuts off the rest of the statement (`--`, `#`, an unclosed `/*`). */
  COMMENT: 128,
  /** A clause after the operand (`ORDER BY`, `GROUP BY`, `HAVING`, `LIMIT`, `WHERE`, `FROM`, `PROCEDURE`). */
  CLAUSE: 256,
  /** A `)` that closes a parenthesis the value did not open. */
  CLOSE_PAREN: 512,
  /** The whole value is a statement with features only SQL has (`SELECT * FROM …`, `DROP TABLE x`). */
  STATEMENT: 1024,
  /** The whole value is a statement of plain words (`select name from users`). */
  WEAK_STATEMENT: 2048,
  /** The value closed a string the application opened and went on as SQL. */
  BREAKOUT: 4096,
  /** A condition on constants inside a call, a group or a CASE (`elt(1=1,…)`, `iif(5=5,…)`, `(3=4)*4`). */
  CONSTANT_CONDITION: 8192,
  /**
   * A call of a built-in function injections use, with SQL around it: arguments only SQL has (a nested call,
   * a variable, a subquery, a hex literal), a name only SQL has, or a call the value leaves open at its end
   * (`concat(0x7e,version())`, `group_concat(name)`, `substring(`).
   */
  SQL_FUNCTION: 16384,
  /** The same built-in functions called with plain arguments (`trim(name)`, `left(a, 2)`). */
  PLAIN_FUNCTION: 32768,
  /** A system catalog named where SQL names tables, or by a name only databases use (`information_schema`). */
  CATALOG: 65536,
  /** A name that is a system catalog and also a word or a common identifier (`msdb`, `schema_name`). */
  CATALOG_WORD: 131072,
  /** A PostgreSQL cast to a SQL type (`password::int`, `version()::text`). */
  CAST: 262144,
  /** A JSON document or JSON path literal under a JSON operator or compared (`'{"a":1}' @> …`, `'{…}' < '$.a'`). */
  JSON: 524288,
  /** A `CASE WHEN … THEN …` expression: the conditional of boolean-blind injections. */
  CONDITIONAL: 4194304,
  /** SQL Server's system procedures that run commands or read files, named (`master..xp_cmdshell`, `sp_oacreate`). */
  PROCEDURE: 2097152,
  /** SQL hidden from filters: MySQL's versioned comments `/*!…*\/`, `1.e(`, comments between the words of a condition. */
  EVASION: 1048576,
} as const;

/** What an operand is, by how strongly it can make a predicate an attack. */
const IDENT = 1;
const LITERAL = 2;
const CALL = 3;
const SUBQUERY = 4;

/** Predicate strengths: what follows a logical operator. */
const NOTHING = 0;
const BARE_LITERAL = 1;
const COLUMN_PREDICATE = 2;
const TAUTOLOGY = 3;

/** What a SELECT holds (see `SqlReader.select`). */
const Query = {
  SQL_ONLY: 1,
  STAR: 2,
  SYSTEM_TABLE: 4,
  CLAUSE: 8,
  LITERALS: 16,
  FROM: 32,
  COLUMNS: 64,
} as const;
/** A SELECT that reads as a query rather than as words: enough after `UNION` or `;`. */
const QUERY_SHAPED = Query.SQL_ONLY | Query.STAR | Query.SYSTEM_TABLE | Query.CLAUSE | Query.LITERALS | Query.COLUMNS;
/** A SELECT that is an attack even as a whole value: it calls functions or reads system tables. */
const QUERY_TELLING = Query.SQL_ONLY | Query.SYSTEM_TABLE;

/** Parentheses and calls nest at most this deep before the value is refused. */
const MAX_DEPTH = 48;

const STATEMENT_KEYWORDS: ReadonlySet<number> = new Set([
  Kw.SELECT,
  Kw.WAITFOR,
  Kw.DECLARE,
  Kw.EXEC,
  Kw.DROP,
  Kw.INSERT,
  Kw.UPDATE,
  Kw.DELETE,
  Kw.SHUTDOWN,
  Kw.CALL,
  Kw.SET,
  Kw.IF,
  Kw.BEGIN,
  Kw.END,
  Kw.COPY,
  Kw.CREATE,
  Kw.REPLACE,
]);

/** Keywords that may stand as identifiers (MySQL's `user`, a column named `delay`). */
const KEYWORD_IDENTIFIERS: ReadonlySet<number> = new Set([Kw.OBJECT, Kw.DELAY, Kw.PROGRAM]);

/** Types of two words: `double precision`, `character varying`. */
const TWO_WORD_TYPE = /^(?:double|character)$/i;
/** `Text`, `Integer`: how Ruby, PHP and C++ name classes after `::`. */
const CAPITALISED = /^[A-Z][a-z]/;
/** A name that starts with a capital: a class or module before `::`. */
const CAPITAL = /^[A-Z]/;

const JOIN_WORDS: ReadonlySet<string> = new Set(['join', 'inner', 'outer', 'cross', 'natural', 'left', 'right', 'full', 'straight_join']);

/** Reads token streams; one instance is reused from value to value (not reentrant). */
export class SqlReader {
  private t: SqlTokens | undefined;
  private value = '';
  private n = 0;
  private p = 0;
  private depth = 0;
  /** Set when the value stops reading as SQL. */
  failed = false;
  /** The `Evidence` bits found. */
  evidence = 0;
  /** Where the first piece of evidence starts in the value, -1 without evidence. */
  evidenceStart = -1;
  /** Features only SQL has, counted while reading (calls, variables, casts, CASE, subqueries). */
  private sqlish = 0;
  /** Names that do not read as prose (`information_schema.tables`, `all_tables`), counted while reading. */
  private technical = 0;
  /** Calls, groups and CASE expressions around the current token. */
  private nested = 0;
  /** The token of the operand just read when it was a single identifier, else -1. */
  private singleIdent = -1;
  /** True when reading after a quote the value closed. */
  private quoted = false;
  /**
   * What only SQL writes, counted while reading: variables, casts, hex literals, CASE, subqueries, arrays, and
   * calls of functions only SQL has. Unlike `sqlish`, calls of common functions (`max(min(a, b), 0)`) do not count.
   */
  private signals = 0;

  /**
   * Reads `tokens` of `value`. With `quote`, token 0 is the string the application opened and the value closed;
   * otherwise the value starts where an operand (or a whole statement) may.
   */
  read(value: string, tokens: SqlTokens, quote: number): void {
    this.t = tokens;
    this.value = value;
    this.n = tokens.count;
    this.p = 0;
    this.depth = 0;
    this.failed = false;
    this.evidence = 0;
    this.evidenceStart = -1;
    this.sqlish = 0;
    this.technical = 0;
    this.nested = 0;
    this.quoted = quote !== 0;
    this.signals = 0;
    if (this.n === 0) {
      this.failed = true;
      return;
    }
    if (quote !== 0) {
      if (this.n === 1) {
        this.failed = true;
        return;
      }
      this.note(Evidence.BREAKOUT, Math.max(0, tokens.endAt(0) - 1));
      this.expr(-1);
    } else if (this.isStatementStart()) {
      this.statement(true);
    } else if (!this.isTailStart()) {
      this.expr(-1);
    }
    this.tail();
    if (this.p < this.n) this.failed = true;
    if (!this.failed) this.noteHiding();
    // a reading that got to the end of a stream cut at its limit has not seen the value's end
    if (!this.failed && tokens.limited) tokens.overran = true;
  }

  /**
   * Notes MySQL's versioned comments, `1.e(` and inline comments between the words of a condition in a value
   * that read as SQL: they hide SQL from filters and have no other use in a value.
   */
  private noteHiding(): void {
    const t = this.tokens();
    const logic = (this.evidence & (Evidence.PREDICATE | Evidence.LITERAL_LOGIC | Evidence.TAUTOLOGY)) !== 0;
    for (let i = 0; i < this.n; i++) {
      const flags = t.flagsAt(i);
      if ((flags & Flag.EVASION) !== 0 && !this.isSqlWord(i - 1) && !this.isSqlWord(i + 1)) continue;
      const hidden =
        (flags & (Flag.VERSIONED | Flag.EVASION)) !== 0 ||
        ((flags & Flag.AFTER_COMMENT) !== 0 && i > 0 && logic && t.kindAt(i) !== Tok.COMMENT);
      if (hidden && (this.sqlish > 0 || logic || t.kindAt(i) === Tok.WORD || this.isSqlWord(i + 1))) {
        this.note(Evidence.EVASION, t.startAt(i));
        return;
      }
    }
  }

  /** A lone `@` where the value ends: a variable cut off (`exec (@`). */
  private isVariableSign(i: number): boolean {
    return this.kind(i) === Tok.OPERATOR && this.value.charCodeAt(this.tokens().startAt(i)) === 0x40 && this.kind(i + 1) === 0;
  }

  /** `pg_sleep`, `xp_cmdshell`: a dangerous function named without its call, in a spelling no prose has. */
  private isDangerousName(i: number): boolean {
    return this.kind(i) === Tok.WORD && (this.flags(i) & Flag.TECHNICAL) !== 0 && isDangerousFunction(this.text(i));
  }

  /** True when token `i` is a keyword or the name of a built-in function. */
  private isSqlWord(i: number): boolean {
    return this.kind(i) === Tok.WORD && (this.info(i) !== 0 || isSqlFunction(this.text(i)));
  }

  /** The end of the last token read, for the span of a hit. */
  endOfRead(): number {
    const t = this.tokens();
    return this.p > 0 ? t.endAt(Math.min(this.p, this.n) - 1) : 0;
  }

  private tokens(): SqlTokens {
    if (this.t === undefined) throw new Error('SqlReader used before read()');
    return this.t;
  }

  private kind(i = this.p): number {
    return this.tokens().kindAt(i);
  }

  private atEnd(): boolean {
    return this.tokens().isPast(this.p);
  }

  private info(i = this.p): number {
    return this.tokens().infoAt(i);
  }

  private flags(i = this.p): number {
    return this.tokens().flagsAt(i);
  }

  private isKw(kw: number, i = this.p): boolean {
    return this.tokens().isKeyword(i, kw);
  }

  private isOp(op: number, i = this.p): boolean {
    return this.kind(i) === Tok.OPERATOR && this.info(i) === op;
  }

  private text(i: number): string {
    const t = this.tokens();
    return this.value.slice(t.startAt(i), t.endAt(i));
  }

  /** True for a plain identifier spelled `word` (lower case). */
  private isWord(word: string, i = this.p): boolean {
    const t = this.tokens();
    return this.kind(i) === Tok.WORD && t.endAt(i) - t.startAt(i) === word.length && this.text(i).toLowerCase() === word;
  }

  private isPlainIdent(i = this.p): boolean {
    return this.kind(i) === Tok.WORD && this.info(i) === 0 && (this.flags(i) & Flag.CALL) === 0;
  }

  private note(bit: number, at: number): void {
    this.evidence |= bit;
    if (this.evidenceStart < 0 || at < this.evidenceStart) this.evidenceStart = at;
  }

  private noteHere(bit: number): void {
    this.note(bit, this.tokens().startAt(Math.min(this.p, this.n - 1)));
  }

  private fail(): number {
    this.failed = true;
    return 0;
  }

  private expect(ok: boolean): boolean {
    if (!ok) this.failed = true;
    else this.p++;
    return ok;
  }

  /** An unclosed group ends here: the end of the value, a `;` or a comment (the application or the next statement closes it). */
  private groupEnds(): boolean {
    const k = this.kind();
    return this.atEnd() || k === Tok.SEMICOLON || k === Tok.COMMENT;
  }

  private closeGroup(): void {
    if (this.kind() === Tok.RPAREN) this.p++;
    else if (!this.groupEnds()) this.failed = true;
  }

  private isLogical(i = this.p): boolean {
    const k = this.kind(i);
    if (k === Tok.WORD) {
      const kw = this.info(i);
      return kw === Kw.AND || kw === Kw.OR || kw === Kw.XOR;
    }
    return k === Tok.OPERATOR && (this.info(i) === Op.AND || this.info(i) === Op.OR);
  }

  private isStatementStart(): boolean {
    if (this.kind() !== Tok.WORD) return false;
    const kw = this.info();
    if (!STATEMENT_KEYWORDS.has(kw)) return false;
    // MySQL's `insert(str, pos, len, new)` and `replace(…)` are functions; `IF (` is read by `statement` either way
    return (kw !== Kw.INSERT && kw !== Kw.REPLACE) || (this.flags() & Flag.CALL) === 0;
  }

  private isTailStart(): boolean {
    const k = this.kind();
    if (k === Tok.RPAREN || k === Tok.SEMICOLON || k === Tok.COMMENT || k === Tok.COMMA) return true;
    if (this.isLogical() || (k === Tok.OPERATOR && isComparisonOp(this.info()))) return true;
    if (k !== Tok.WORD) return false;
    const kw = this.info();
    return (
      kw === Kw.UNION ||
      kw === Kw.ORDER ||
      kw === Kw.GROUP ||
      kw === Kw.HAVING ||
      kw === Kw.LIMIT ||
      kw === Kw.WHERE ||
      kw === Kw.FROM ||
      kw === Kw.INTO ||
      kw === Kw.PROCEDURE
    );
  }

  // ── expressions ────────────────────────────────────────────────────────────────────────────────────────

  /** An expression with logical operators; `left` is an operand kind already read, or -1. Returns its strength. */
  private expr(left: number): number {
    if (++this.depth > MAX_DEPTH) return this.fail();
    let strength = this.predicate(left);
    while (!this.failed && this.isLogical()) {
      const at = this.tokens().startAt(this.p);
      this.p++;
      const right = this.predicate(-1);
      if (this.failed) break;
      if (right >= TAUTOLOGY) this.note(Evidence.TAUTOLOGY, at);
      else if (right === COLUMN_PREDICATE) this.note(Evidence.PREDICATE, at);
      else if (right === BARE_LITERAL) this.note(Evidence.LITERAL_LOGIC, at);
      if (right > strength) strength = right;
    }
    this.depth--;
    return strength;
  }

  /** A comparison or a bare operand. */
  private predicate(given: number): number {
    let left = given;
    let leftIdent = -1;
    if (left < 0) {
      while (this.isKw(Kw.NOT) || this.isOp(Op.BANG)) this.p++;
      left = this.additive();
      leftIdent = this.singleIdent;
    } else {
      left = this.additiveRest(left);
    }
    if (this.failed) return 0;
    let strength = standalone(left);
    for (;;) {
      if (this.isKw(Kw.NOT) && this.isNegatable(this.p + 1)) this.p++;
      const k = this.kind();
      if (k === Tok.OPERATOR && isComparisonOp(this.info())) {
        this.noteJson(this.p, this.info() === Op.CONTAINS);
        this.p++;
        if (this.kind() === Tok.WORD && this.info() === Kw.ALL) this.p++;
        if (this.atEnd() && this.nested > 0) {
          // `if(2=`: a condition cut off where the value ends, inside a call or a group
          if (left === LITERAL) this.noteConstant();
          break;
        }
        const right = this.additive();
        strength = Math.max(strength, compare(left, right, this.sameIdent(leftIdent, this.singleIdent)));
        if (left === LITERAL && right === LITERAL && this.nested > 0) this.noteConstant();
      } else if (this.isKw(Kw.LIKE) || this.isKw(Kw.SOUNDS)) {
        if (this.isKw(Kw.SOUNDS)) this.p++;
        this.p++;
        if (this.isKw(Kw.LIKE)) this.p++;
        const right = this.additive();
        if (this.isKw(Kw.ESCAPE)) {
          this.p++;
          this.additive();
        }
        strength = Math.max(strength, compare(left, right, this.sameIdent(leftIdent, this.singleIdent)));
      } else if (this.isKw(Kw.IN)) {
        this.p++;
        if (this.fullTextMode()) continue;
        if (this.kind() !== Tok.LPAREN) return this.fail();
        this.group();
        strength = Math.max(strength, left >= LITERAL ? TAUTOLOGY : COLUMN_PREDICATE);
      } else if (this.isKw(Kw.BETWEEN)) {
        this.p++;
        this.additive();
        if (!this.expect(this.isKw(Kw.AND))) return 0;
        this.additive();
        strength = Math.max(strength, left >= LITERAL ? TAUTOLOGY : COLUMN_PREDICATE);
      } else if (this.isKw(Kw.IS)) {
        this.p++;
        if (this.isKw(Kw.NOT)) this.p++;
        if (this.isKw(Kw.ALL) && this.isKw(Kw.FROM, this.p + 1)) {
          this.p += 2;
          this.additive();
        } else if (!this.expect(this.isKw(Kw.NULL) || this.isKw(Kw.BOOLEAN))) return 0;
        strength = Math.max(strength, left >= LITERAL ? TAUTOLOGY : COLUMN_PREDICATE);
      } else {
        break;
      }
      if (this.failed) return 0;
      left = LITERAL;
      leftIdent = -1;
    }
    return strength;
  }

  /** MySQL's `AGAINST('…' IN BOOLEAN MODE)` / `IN NATURAL LANGUAGE MODE`, after `IN`. */
  private fullTextMode(): boolean {
    if (this.isWord('boolean') && this.isWord('mode', this.p + 1)) {
      this.p += 2;
      return true;
    }
    if (this.isWord('natural') && this.isWord('language', this.p + 1) && this.isWord('mode', this.p + 2)) {
      this.p += 3;
      return true;
    }
    return false;
  }

  private noteConstant(): void {
    this.note(Evidence.CONSTANT_CONDITION, this.tokens().startAt(this.p - 1));
  }

  private isNegatable(i: number): boolean {
    return this.isKw(Kw.LIKE, i) || this.isKw(Kw.IN, i) || this.isKw(Kw.BETWEEN, i);
  }

  private sameIdent(a: number, b: number): boolean {
    return a >= 0 && b >= 0 && this.text(a).toLowerCase() === this.text(b).toLowerCase();
  }

  /** Operands joined by arithmetic, concatenation, casts and collations. */
  private additive(): number {
    const before = this.p;
    const kind = this.additiveRest(this.unary());
    this.singleIdent = kind === IDENT && this.p === before + 1 ? before : -1;
    return kind;
  }

  private additiveRest(first: number): number {
    let kind = first;
    while (!this.failed) {
      const k = this.kind();
      if ((k === Tok.OPERATOR && isArithmetic(this.info())) || this.isKw(Kw.DIV)) {
        if (this.isOp(Op.ARROW)) this.noteJson(this.p, true);
        this.p++;
        kind = Math.max(kind, this.unary());
      } else if (this.isOp(Op.CAST)) {
        this.cast();
      } else if (this.isKw(Kw.COLLATE)) {
        this.p++;
        if (this.kind() !== Tok.WORD && this.kind() !== Tok.STRING) return this.fail();
        if ((this.flags() & Flag.CALL) !== 0) this.call();
        else this.p++;
        this.sqlish++;
      } else {
        break;
      }
    }
    return kind;
  }

  /** PostgreSQL's `::type` after an operand: `::int`, `::double precision`, `::varchar(10)`, `::text[]`. */
  private cast(): void {
    const at = this.p;
    this.p++;
    if (this.kind() !== Tok.WORD) {
      this.failed = true;
      return;
    }
    const type = this.text(this.p);
    if ((this.flags() & Flag.CALL) !== 0) this.call();
    else this.p++;
    if (TWO_WORD_TYPE.test(type) && (this.isWord('precision') || this.isWord('varying'))) this.p++;
    if (this.kind() === Tok.LBRACKET && this.kind(this.p + 1) === Tok.RBRACKET) this.p += 2;
    this.sqlish++;
    this.signals++;
    // `Foo::Text`, `ActiveSupport::JSON`, `Types::Integer`: Ruby, PHP and C++ names, not casts
    const before = at - 1;
    // `std::time::Instant`: a path goes on with a name that is no type
    const path = this.isOp(Op.CAST) && !(this.kind(this.p + 1) === Tok.WORD && isSqlType(this.text(this.p + 1)));
    const namespace =
      path ||
      (this.kind(before) === Tok.WORD && (CAPITALISED.test(type) || CAPITAL.test(this.text(before)) || isModuleRoot(this.text(before))));
    if (isSqlType(type) && !namespace) this.note(Evidence.CAST, this.tokens().startAt(at));
    if (this.kind(before) === Tok.STRING && isJsonType(type) && this.isJsonText(before))
      this.note(Evidence.JSON, this.tokens().startAt(before));
  }

  /** Notes a JSON operator or a comparison at token `op` with a JSON document or path literal beside it. */
  private noteJson(op: number, jsonOperator: boolean): void {
    const left = op - 1;
    const right = op + 1;
    const leftJson = this.kind(left) === Tok.STRING && this.isJsonText(left);
    const rightJson = this.kind(right) === Tok.STRING && this.isJsonText(right);
    if (jsonOperator ? leftJson || rightJson : leftJson && rightJson) this.note(Evidence.JSON, this.tokens().startAt(op));
  }

  /** True when string token `i` holds a JSON document (`{…}`, `[…]`) or a JSON path (`$.a`, `$[0]`, `strict $.a`). */
  private isJsonText(i: number): boolean {
    const t = this.tokens();
    let a = t.startAt(i);
    const end = t.endAt(i);
    while (a < end && this.value.charCodeAt(a) !== 0x27 && this.value.charCodeAt(a) !== 0x22) a++;
    a++;
    while (a < end && this.value.charCodeAt(a) === 0x20) a++;
    const c = this.value.charCodeAt(a);
    if (c === 0x7b || c === 0x5b) {
      const close = this.value.charCodeAt(end - 2);
      return close === 0x7d || close === 0x5d;
    }
    if (this.value.startsWith('strict ', a) || this.value.startsWith('lax ', a)) a = this.value.indexOf('$', a);
    const next = this.value.charCodeAt(a + 1);
    return a >= 0 && this.value.charCodeAt(a) === 0x24 && (next === 0x2e || next === 0x5b);
  }

  private unary(): number {
    while (
      this.isOp(Op.MINUS) ||
      this.isOp(Op.PLUS) ||
      this.isOp(Op.TILDE) ||
      this.isOp(Op.BANG) ||
      (this.isKw(Kw.BINARY) && (this.flags() & Flag.CALL) === 0)
    ) {
      this.p++;
    }
    return this.primary();
  }

  private primary(): number {
    if (this.atEnd()) return this.fail();
    switch (this.kind()) {
      case Tok.NUMBER:
        // `0x7e`, `0b1`: literals no prose writes
        if ((this.value.charCodeAt(this.tokens().startAt(this.p) + 1) | 0x20) === 0x78) {
          this.sqlish++;
          this.signals++;
        }
        this.p++;
        return LITERAL;
      case Tok.STRING:
        // an unclosed string runs to the end of the value, where the application's own text may close it
        this.p++;
        return LITERAL;
      case Tok.VARIABLE:
        this.p++;
        this.sqlish++;
        this.signals++;
        return LITERAL;
      case Tok.LPAREN:
        return this.group();
      case Tok.WORD:
        return this.word();
      default:
        return this.fail();
    }
  }

  private word(): number {
    const kw = this.info();
    const flags = this.flags();
    if (kw === Kw.NULL || kw === Kw.BOOLEAN) {
      this.p++;
      return LITERAL;
    }
    if (kw === Kw.CASE) return this.caseExpression();
    if (kw === Kw.WAITFOR) {
      // MSSQL accepts `CASE WHEN … THEN WAITFOR DELAY '0:0:5' …` in sqlmap's payloads
      this.statement(false);
      return LITERAL;
    }
    if (kw === Kw.EXISTS) {
      this.p++;
      if (this.kind() !== Tok.LPAREN || !this.isKw(Kw.SELECT, this.p + 1)) return this.fail();
      return this.group();
    }
    if (kw === Kw.INTERVAL) {
      this.p++;
      this.additive();
      if (this.kind() !== Tok.WORD) return this.fail();
      this.p++;
      return LITERAL;
    }
    if ((flags & Flag.CALL) !== 0 && !isOperatorKeyword(kw)) return this.call();
    if (kw === Kw.CONSTANT) {
      this.p++;
      this.sqlish++;
      this.signals++;
      return CALL;
    }
    if (kw === 0 && this.kind(this.p + 1) === Tok.LBRACKET && this.isWord('array')) return this.arrayLiteral();
    if (kw === 0 || KEYWORD_IDENTIFIERS.has(kw)) {
      if ((flags & Flag.TECHNICAL) !== 0) this.technical++;
      this.noteCatalog(this.p, false);
      this.p++;
      return IDENT;
    }
    return this.fail();
  }

  /** PostgreSQL's `ARRAY['a', 'b']`. */
  private arrayLiteral(): number {
    this.p += 2;
    while (!this.failed && this.kind() !== Tok.RBRACKET && !this.groupEnds()) {
      this.expr(-1);
      if (this.kind() === Tok.COMMA) this.p++;
      else break;
    }
    if (this.kind() === Tok.RBRACKET) this.p++;
    else if (!this.groupEnds()) return this.fail();
    this.sqlish++;
    this.signals++;
    return LITERAL;
  }

  /** Notes a system catalog named by word token `i`; `table` when SQL names a table there (after FROM, JOIN, EXEC). */
  private noteCatalog(i: number, table: boolean): void {
    const t = this.tokens();
    const length = t.endAt(i) - t.startAt(i);
    if (length < 4 || length > 128) return;
    const name = this.text(i);
    const at = t.startAt(i);
    if ((this.flags(i) & Flag.TECHNICAL) !== 0 && isSystemProcedure(name)) this.note(Evidence.PROCEDURE, at);
    const strength = catalogStrengthOf(name);
    if (strength !== 0) this.note(strength >= 2 || table ? Evidence.CATALOG : Evidence.CATALOG_WORD, at);
  }

  /** `( … )`: a subquery, a parenthesised expression or a row. An unclosed group may end the value. */
  private group(): number {
    if (++this.depth > MAX_DEPTH) return this.fail();
    this.nested++;
    this.p++;
    let kind: number;
    if (this.isKw(Kw.SELECT)) {
      const at = this.tokens().startAt(this.p - 1);
      const features = this.select();
      if (this.failed) return 0;
      if ((features & QUERY_SHAPED) !== 0) this.note(Evidence.SUBQUERY, at);
      this.sqlish++;
      this.signals++;
      kind = SUBQUERY;
    } else if (this.kind() === Tok.LPAREN && this.isKw(Kw.SELECT, this.p + 1)) {
      // `((SELECT …) UNION (SELECT …))` and friends
      kind = this.group();
      while (!this.failed && this.isKw(Kw.UNION)) {
        this.union();
      }
      kind = Math.max(kind, this.groupBody(kind));
    } else if (this.atEnd()) {
      // `… like (`: a fragment that stops where the group opens
      kind = LITERAL;
    } else {
      kind = this.groupBody(-1);
    }
    if (this.failed) return 0;
    this.closeGroup();
    this.depth--;
    this.nested--;
    return kind;
  }

  private groupBody(given: number): number {
    if (given >= 0 && this.kind() === Tok.RPAREN) return given;
    const strength = this.expr(given);
    let kind = strength >= TAUTOLOGY ? SUBQUERY : strength === COLUMN_PREDICATE ? CALL : strength === BARE_LITERAL ? LITERAL : IDENT;
    while (!this.failed && this.kind() === Tok.COMMA) {
      this.p++;
      kind = Math.max(kind, LITERAL);
      this.expr(-1);
    }
    return kind;
  }

  /** A function call; arguments are read leniently (casts, `count(*)`, `DISTINCT`, `ORDER BY`, type names). */
  private call(): number {
    if (++this.depth > MAX_DEPTH) return this.fail();
    const at = this.p;
    this.sqlish++;
    const signalsBefore = this.signals;
    const name = this.text(at);
    const dangerous = isDangerousFunction(name);
    this.p++;
    if (this.kind() !== Tok.LPAREN) return this.fail();
    this.p++;
    if (this.kind() === Tok.RPAREN || this.groupEnds()) {
      const open = this.kind() !== Tok.RPAREN;
      if (!open) this.p++;
      this.depth--;
      if (dangerous && leastArguments(name) === 0) this.note(Evidence.DANGEROUS, this.tokens().startAt(at));
      this.noteFunction(at, name, open && this.atEnd(), false);
      return CALL;
    }
    this.nested++;
    let written = 0;
    for (;;) {
      written++;
      if (this.isKw(Kw.ALL)) this.p++;
      if (this.isOp(Op.STAR)) this.p++;
      else if (this.isKw(Kw.SELECT)) {
        this.signals++;
        if ((this.select() & QUERY_SHAPED) !== 0) this.note(Evidence.SUBQUERY, this.tokens().startAt(at));
      } else this.expr(-1);
      while (!this.failed && this.argumentExtra()) {
        // `AS type`, `FROM x`, `USING utf8`, `ORDER BY x`, `SEPARATOR ','`: consumed by argumentExtra
      }
      if (this.failed) return 0;
      if (this.kind() === Tok.COMMA) {
        this.p++;
        continue;
      }
      break;
    }
    const open = this.kind() !== Tok.RPAREN;
    this.closeGroup();
    this.depth--;
    this.nested--;
    // `Benchmark(2024)`: too few arguments for the function to run (a call left open is still one, see noteFunction)
    if (dangerous && !this.failed && written >= leastArguments(name)) this.note(Evidence.DANGEROUS, this.tokens().startAt(at));
    if (!this.failed) this.noteFunction(at, name, open && this.atEnd(), this.signals > signalsBefore);
    return CALL;
  }

  /** Notes a call of a built-in function at token `at`: left open at the value's end, or with SQL-only arguments. */
  private noteFunction(at: number, name: string, openAtEnd: boolean, sqlArguments: boolean): void {
    if (isSqlOnlyFunction(name) || isIdentityFunction(name) || isDangerousFunction(name)) this.signals++;
    if (!isSqlFunction(name)) return;
    const strong = openAtEnd || sqlArguments || isSqlOnlyFunction(name);
    this.note(strong ? Evidence.SQL_FUNCTION : Evidence.PLAIN_FUNCTION, this.tokens().startAt(at));
  }

  private argumentExtra(): boolean {
    const k = this.kind();
    if (k === Tok.WORD) {
      const kw = this.info();
      if (kw === Kw.AS || kw === Kw.FROM || kw === Kw.FOR) {
        this.p++;
        this.additive();
        return true;
      }
      if (kw === Kw.ORDER) {
        this.p++;
        if (!this.expect(this.isKw(Kw.BY))) return false;
        this.expressionList();
        return true;
      }
      if (kw === 0 || KEYWORD_IDENTIFIERS.has(kw) || kw === Kw.BINARY) {
        // a type or charset name after an argument: `CAST(x AS SIGNED INTEGER)`, `CONVERT(x USING utf8)`
        if ((this.flags() & Flag.CALL) !== 0) this.call();
        else this.p++;
        return true;
      }
      return false;
    }
    if (k === Tok.STRING && this.p > 0 && this.kind(this.p - 1) === Tok.WORD) {
      this.p++;
      return true;
    }
    return false;
  }

  private caseExpression(): number {
    const first = this.p;
    this.p++;
    this.sqlish++;
    this.signals++;
    this.nested++;
    if (!this.isKw(Kw.WHEN)) this.expr(-1);
    let whens = 0;
    while (!this.failed && this.isKw(Kw.WHEN)) {
      this.p++;
      this.expr(-1);
      if (!this.expect(this.isKw(Kw.THEN))) return 0;
      this.expr(-1);
      whens++;
    }
    if (whens === 0) return this.fail();
    if (this.isKw(Kw.ELSE)) {
      this.p++;
      this.expr(-1);
    }
    if (this.failed) return 0;
    // a CASE cut off before its END where the value ends is still a conditional
    if (!this.atEnd() && !this.expect(this.isKw(Kw.END))) return 0;
    this.nested--;
    if (this.hasSqlOperand(first + 1, this.p)) this.note(Evidence.CONDITIONAL, this.tokens().startAt(first));
    return SUBQUERY;
  }

  /** True when tokens `from` to `to` hold more than prose words and keywords: a literal, an operator, a call, a technical name. */
  private hasSqlOperand(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      if (this.kind(i) !== Tok.WORD) return true;
      if (this.info(i) === 0 && (this.flags(i) & (Flag.TECHNICAL | Flag.CALL)) !== 0) return true;
    }
    return false;
  }

  private expressionList(): void {
    this.expr(-1);
    if (this.isKw(Kw.DIRECTION)) this.p++;
    while (!this.failed && this.kind() === Tok.COMMA) {
      this.p++;
      this.expr(-1);
      if (this.isKw(Kw.DIRECTION)) this.p++;
    }
  }

  // ── queries and statements ────────────────────────────────────────────────────────────────────────────

  /**
   * A SELECT query from its keyword. Returns what it holds as `Query` bits: features only SQL has (calls,
   * variables, CASE, subqueries), `*`, a FROM of system-looking tables, clauses, literal columns, several
   * columns from a table. `select name from users` holds none of them.
   */
  private select(): number {
    if (++this.depth > MAX_DEPTH) return this.fail();
    const sqlishBefore = this.sqlish;
    let features = 0;
    this.p++;
    if (this.isKw(Kw.ALL)) this.p++;
    if (this.isKw(Kw.TOP)) {
      this.p++;
      if (this.kind() === Tok.LPAREN) this.group();
      else if (!this.expect(this.kind() === Tok.NUMBER)) return 0;
    }
    let items = 0;
    for (;;) {
      if (this.isOp(Op.STAR)) {
        this.p++;
        features |= Query.STAR;
      } else {
        const before = this.p;
        const strength = this.expr(-1);
        if (this.failed) return 0;
        if (this.p === before + 1 && this.isDangerousName(before)) this.note(Evidence.DANGEROUS, this.tokens().startAt(before));
        if (strength >= BARE_LITERAL && this.p === before + 1) features |= Query.LITERALS;
        else if (strength >= BARE_LITERAL) features |= Query.SQL_ONLY;
      }
      this.alias();
      items++;
      if (this.failed) return 0;
      if (this.kind() !== Tok.COMMA) break;
      this.p++;
    }
    for (let guard = 0; guard < 12 && !this.failed; guard++) {
      const k = this.kind();
      if (k === Tok.LPAREN && this.isKw(Kw.SELECT, this.p + 1)) {
        // sqlmap's `WHERE 1=1 (SELECT …)`
        this.expr(-1);
        continue;
      }
      if (k !== Tok.WORD) break;
      const kw = this.info();
      if (kw === Kw.FROM) {
        this.p++;
        const technicalBefore = this.technical;
        this.tableReferences();
        features |= Query.FROM;
        if (this.technical > technicalBefore) features |= Query.SYSTEM_TABLE;
      } else if (kw === Kw.WHERE || kw === Kw.HAVING) {
        const at = this.tokens().startAt(this.p);
        this.p++;
        const strength = this.expr(-1);
        if (strength >= TAUTOLOGY) this.note(Evidence.TAUTOLOGY, at);
        if (strength >= COLUMN_PREDICATE) features |= Query.CLAUSE;
      } else if (kw === Kw.GROUP || kw === Kw.ORDER) {
        this.p++;
        if (!this.expect(this.isKw(Kw.BY))) return 0;
        this.expressionList();
        features |= Query.CLAUSE;
      } else if (kw === Kw.LIMIT || kw === Kw.OFFSET) {
        this.limit();
        features |= Query.CLAUSE;
      } else if (kw === Kw.INTO) {
        this.into();
        features |= Query.CLAUSE;
      } else if (kw === Kw.PROCEDURE) {
        const at = this.tokens().startAt(this.p);
        this.p++;
        if (this.kind() !== Tok.WORD || (this.flags() & Flag.CALL) === 0) return this.fail();
        this.procedure(at);
        features |= Query.CLAUSE;
      } else if (kw === Kw.FOR && this.isKw(Kw.UPDATE, this.p + 1)) {
        this.p += 2;
      } else if (kw === Kw.WAITFOR) {
        this.statement(false);
      } else {
        break;
      }
    }
    while (!this.failed && this.isKw(Kw.UNION)) this.union();
    this.depth--;
    if (this.failed) return 0;
    if (this.sqlish > sqlishBefore) features |= Query.SQL_ONLY;
    if (items > 1 && (features & Query.FROM) !== 0) features |= Query.COLUMNS;
    return features;
  }

  /** `LIMIT n`, `LIMIT n, m`, `LIMIT n OFFSET m`, `OFFSET n`: counts are numbers or variables. */
  private limit(): void {
    this.p++;
    if (!this.expect(this.kind() === Tok.NUMBER || this.kind() === Tok.VARIABLE)) return;
    if (this.kind() === Tok.COMMA || this.isKw(Kw.OFFSET)) {
      this.p++;
      this.expect(this.kind() === Tok.NUMBER || this.kind() === Tok.VARIABLE);
    }
  }

  private alias(): void {
    if (this.isKw(Kw.AS)) {
      this.p++;
      if (this.kind() === Tok.WORD || this.kind() === Tok.STRING) this.p++;
      else this.failed = true;
      return;
    }
    if (this.isPlainIdent() && !this.isJoinWord()) this.p++;
  }

  private isJoinWord(i = this.p): boolean {
    const t = this.tokens();
    const length = t.endAt(i) - t.startAt(i);
    return length <= 13 && JOIN_WORDS.has(this.text(i).toLowerCase());
  }

  private tableReferences(): void {
    for (;;) {
      this.tableReference();
      while (!this.failed && this.kind() === Tok.WORD && this.isJoinWord()) {
        while (this.kind() === Tok.WORD && this.isJoinWord() && !this.isWord('join')) this.p++;
        if (!this.expect(this.isWord('join') || this.isWord('straight_join'))) return;
        this.tableReference();
        if (this.isWord('on')) {
          this.p++;
          this.expr(-1);
        } else if (this.isWord('using') && this.kind(this.p + 1) === Tok.LPAREN) {
          this.p++;
          this.group();
        }
      }
      if (this.failed || this.kind() !== Tok.COMMA) return;
      this.p++;
    }
  }

  private tableReference(): void {
    const k = this.kind();
    if (k === Tok.LPAREN && this.isKw(Kw.VALUES, this.p + 1)) {
      // a table of literal rows: `(VALUES (0), (1))`
      this.p += 2;
      do {
        if (this.kind() === Tok.COMMA) this.p++;
        if (this.kind() !== Tok.LPAREN) {
          this.failed = true;
          return;
        }
        this.group();
      } while (!this.failed && this.kind() === Tok.COMMA);
      this.closeGroup();
    } else if (k === Tok.LPAREN) {
      if (!this.isKw(Kw.SELECT, this.p + 1) && !(this.kind(this.p + 1) === Tok.LPAREN)) {
        this.failed = true;
        return;
      }
      this.group();
    } else if (k === Tok.WORD && (this.flags() & Flag.CALL) !== 0) {
      this.call();
    } else if (k === Tok.WORD && (this.info() === 0 || KEYWORD_IDENTIFIERS.has(this.info()))) {
      if ((this.flags() & Flag.TECHNICAL) !== 0 || this.isWord('dual')) this.technical++;
      this.noteCatalog(this.p, true);
      this.p++;
    } else if (k === Tok.STRING && (this.flags() & Flag.TERMINATED) !== 0) {
      this.p++;
    } else {
      this.failed = true;
      return;
    }
    this.alias();
  }

  private into(): void {
    const at = this.tokens().startAt(this.p);
    this.p++;
    if (this.isKw(Kw.OUTFILE)) {
      this.p++;
      if (!this.expect(this.kind() === Tok.STRING)) return;
      this.note(Evidence.DANGEROUS, at);
      return;
    }
    if (!this.expect(this.kind() === Tok.VARIABLE || this.isPlainIdent())) return;
    while (this.kind() === Tok.COMMA && (this.kind(this.p + 1) === Tok.VARIABLE || this.isPlainIdent(this.p + 1))) this.p += 2;
  }

  /** `UNION [ALL] SELECT …` or `UNION [ALL] (SELECT …)`. */
  private union(): void {
    const at = this.tokens().startAt(this.p);
    this.p++;
    if (this.isKw(Kw.ALL)) this.p++;
    let features: number;
    if (this.isKw(Kw.SELECT) && this.startsSelectList(this.p + 1)) {
      // `UNION SELECT` before anything but a plain word is evidence already, whatever follows
      this.note(Evidence.UNION, at);
    }
    if (this.isKw(Kw.SELECT)) features = this.select();
    else if (this.kind() === Tok.LPAREN && this.isKw(Kw.SELECT, this.p + 1)) {
      this.group();
      features = Query.SQL_ONLY;
    } else {
      this.failed = true;
      return;
    }
    if (!this.failed && (features & QUERY_SHAPED) !== 0) this.note(Evidence.UNION, at);
  }

  /** True when token `i` may begin a select list and is not a plain word (which prose could have there). */
  private startsSelectList(i: number): boolean {
    const k = this.kind(i);
    if (k === 0 || k === Tok.NUMBER || k === Tok.STRING || k === Tok.VARIABLE || k === Tok.LPAREN || k === Tok.COMMENT) return true;
    if (k === Tok.OPERATOR) return true;
    if (k !== Tok.WORD) return false;
    const kw = this.info(i);
    if (kw === Kw.NULL || kw === Kw.ALL || kw === Kw.TOP || kw === Kw.CONSTANT || (this.flags(i) & (Flag.CALL | Flag.TECHNICAL)) !== 0)
      return true;
    // `UNION ALL SELECT CONCAT…`: a function's name, its call cut off
    return isSqlFunction(this.text(i));
  }

  /** A statement from its keyword: at the start of the value, after `;`, or after an operand (MSSQL needs no `;`). */
  private statement(atStart: boolean): void {
    const at = this.tokens().startAt(this.p);
    const strong = atStart ? Evidence.STATEMENT : Evidence.STACKED;
    const kw = this.kind() === Tok.WORD ? this.info() : -1;
    switch (kw) {
      case Kw.SELECT: {
        const features = this.select();
        if (this.failed) return;
        if ((features & (atStart ? QUERY_TELLING : QUERY_SHAPED)) !== 0) this.note(strong, at);
        else if ((features & (QUERY_SHAPED | Query.FROM)) !== 0) this.note(Evidence.WEAK_STATEMENT, at);
        return;
      }
      case Kw.WAITFOR:
        this.p++;
        if (!this.expect(this.isKw(Kw.DELAY) || this.isWord('time'))) return;
        if (!this.expect(this.kind() === Tok.STRING || this.kind() === Tok.VARIABLE)) return;
        this.note(Evidence.DANGEROUS, at);
        return;
      case Kw.DECLARE:
        this.p++;
        if (!this.expect(this.kind() === Tok.VARIABLE)) return;
        this.loose();
        this.note(strong, at);
        return;
      case Kw.EXEC: {
        this.p++;
        const k = this.kind();
        const telling =
          k === Tok.VARIABLE ||
          // `EXEC ('…')`, `EXEC (@sql)`: dynamic SQL
          (k === Tok.LPAREN &&
            (this.kind(this.p + 1) === Tok.STRING || this.kind(this.p + 1) === Tok.VARIABLE || this.isVariableSign(this.p + 1))) ||
          (k === Tok.WORD && (this.flags() & Flag.TECHNICAL) !== 0) ||
          // Oracle's dynamic SQL: `EXECUTE IMMEDIATE '…'`
          (this.isWord('immediate') && (this.kind(this.p + 1) === Tok.STRING || this.kind(this.p + 1) === Tok.VARIABLE));
        const dangerous = k === Tok.WORD && isDangerousFunction(this.text(this.p));
        if (k === Tok.WORD) this.noteCatalog(this.p, true);
        if (!telling && k !== Tok.WORD) {
          this.failed = true;
          return;
        }
        this.loose();
        if (dangerous && !this.failed) this.note(Evidence.DANGEROUS, at);
        this.note(telling ? strong : Evidence.WEAK_STATEMENT, at);
        return;
      }
      case Kw.DROP:
        this.p++;
        if (!this.expect(this.isKw(Kw.OBJECT))) return;
        if (this.isKw(Kw.IF) && this.isKw(Kw.EXISTS, this.p + 1)) this.p += 2;
        if (!this.expect(this.kind() === Tok.WORD || this.kind() === Tok.STRING)) return;
        this.note(strong, at);
        return;
      case Kw.INSERT:
      case Kw.REPLACE:
        this.p++;
        if (this.isKw(Kw.INTO)) this.p++;
        // without INTO, the table must be followed by what only a statement has: `(columns)`, VALUES, SET, SELECT
        else if (
          !(
            (this.flags() & Flag.CALL) !== 0 ||
            this.isKw(Kw.VALUES, this.p + 1) ||
            this.isKw(Kw.SET, this.p + 1) ||
            this.isKw(Kw.SELECT, this.p + 1)
          )
        ) {
          this.failed = true;
          return;
        }
        if (!this.expect(this.kind() === Tok.WORD)) return;
        this.loose();
        this.note(strong, at);
        return;
      case Kw.UPDATE:
        this.p++;
        if (!this.expect(this.kind() === Tok.WORD)) return;
        if (!this.expect(this.isKw(Kw.SET))) return;
        this.loose();
        this.note(strong, at);
        return;
      case Kw.DELETE:
        this.p++;
        if (!this.expect(this.isKw(Kw.FROM))) return;
        if (!this.expect(this.kind() === Tok.WORD)) return;
        this.loose();
        this.note(strong, at);
        return;
      case Kw.SHUTDOWN:
        this.p++;
        this.loose();
        this.note(atStart ? Evidence.WEAK_STATEMENT : strong, at);
        return;
      case Kw.CALL:
        this.p++;
        if (!this.expect(this.kind() === Tok.WORD && (this.flags() & Flag.CALL) !== 0)) return;
        this.p--;
        this.call();
        this.note(atStart ? Evidence.WEAK_STATEMENT : strong, at);
        return;
      case Kw.SET:
        this.p++;
        if (this.kind() !== Tok.VARIABLE && !this.isPlainIdent()) {
          this.failed = true;
          return;
        }
        this.note(this.kind() === Tok.VARIABLE ? strong : Evidence.WEAK_STATEMENT, at);
        this.p++;
        if (!this.expect(this.isOp(Op.EQ) || this.isOp(Op.ASSIGN))) return;
        this.expr(-1);
        return;
      case Kw.IF:
        this.p++;
        if (this.kind() !== Tok.LPAREN) this.expr(-1);
        else this.group();
        if (this.failed) return;
        if (this.isStatementStart() && !this.isKw(Kw.IF)) {
          this.statement(false);
          if (!this.failed && this.isKw(Kw.ELSE)) {
            this.p++;
            this.statement(false);
          }
        } else if (!this.groupEnds()) this.expr(LITERAL);
        this.note(Evidence.WEAK_STATEMENT, at);
        return;
      case Kw.BEGIN:
        // a PL/SQL block runs to its END across `;`
        this.p++;
        while (!this.failed && !this.atEnd() && this.kind() !== Tok.COMMENT) {
          if (this.kind() === Tok.SEMICOLON) this.p++;
          else this.loose();
        }
        this.note(Evidence.WEAK_STATEMENT, at);
        return;
      case Kw.END:
        this.p++;
        this.loose();
        return;
      case Kw.COPY:
        this.p++;
        if (this.kind() === Tok.LPAREN) this.group();
        else if (!this.expect(this.kind() === Tok.WORD)) return;
        if (!this.expect(this.isKw(Kw.FROM) || this.isWord('to'))) return;
        if (!this.expect(this.isKw(Kw.PROGRAM))) return;
        if (!this.expect(this.kind() === Tok.STRING)) return;
        this.note(strong, at);
        return;
      case Kw.CREATE:
        this.p++;
        if (this.isKw(Kw.OR) && this.isKw(Kw.REPLACE, this.p + 1)) this.p += 2;
        if (!this.expect(this.isKw(Kw.OBJECT))) return;
        if (!this.expect(this.kind() === Tok.WORD)) return;
        this.loose();
        this.note(strong, at);
        return;
      default:
        if (this.kind() === Tok.LPAREN && this.isKw(Kw.SELECT, this.p + 1)) {
          this.expr(-1);
          if (!this.failed) this.note(strong, at);
          return;
        }
        if (kw >= 0 && (this.flags() & Flag.CALL) !== 0 && !isOperatorKeyword(kw)) {
          this.call();
          if (!this.groupEnds()) this.expr(CALL);
          this.note(Evidence.WEAK_STATEMENT, at);
          return;
        }
        this.failed = true;
    }
  }

  /** The rest of a statement whose grammar is not worth following: up to `;`, a comment or the end; calls and subqueries are still read. */
  private loose(): void {
    while (!this.failed && !this.groupEnds()) {
      const k = this.kind();
      if (k === Tok.JUNK) {
        this.failed = true;
        return;
      }
      if (k === Tok.WORD && (this.flags() & Flag.CALL) !== 0 && !isOperatorKeyword(this.info())) this.call();
      else if (k === Tok.LPAREN && this.isKw(Kw.SELECT, this.p + 1)) this.group();
      else this.p++;
    }
  }

  // ── after the operand ─────────────────────────────────────────────────────────────────────────────────

  private tail(): void {
    for (let guard = 0; !this.atEnd() && !this.failed && guard < this.n + 1; guard++) {
      const k = this.kind();
      switch (k) {
        case Tok.RPAREN:
          this.noteHere(Evidence.CLOSE_PAREN);
          this.p++;
          if (this.isKw(Kw.AS)) {
            this.p++;
            if (!this.expect(this.kind() === Tok.WORD)) return;
          } else if (this.isPlainIdent() && !this.isJoinWord()) this.p++;
          continue;
        case Tok.SEMICOLON: {
          // `'; select p…`: the value closed the string and began a statement at once
          const breakout = this.quoted && this.p === 1 && this.tokens().endAt(0) === 1;
          const at = this.tokens().startAt(this.p);
          this.p++;
          if (this.groupEnds()) continue;
          const statement = this.isStatementStart();
          this.statement(false);
          if (breakout && statement && !this.failed) this.note(Evidence.STACKED, at);
          continue;
        }
        case Tok.COMMENT:
          if (this.p > 0 && this.isCuttingComment()) this.noteHere(Evidence.COMMENT);
          this.p++;
          continue;
        case Tok.COMMA:
          this.p++;
          this.expr(-1);
          continue;
        case Tok.OPERATOR:
          if (this.isOp(Op.BANG) || this.isOp(Op.TILDE)) {
            this.failed = true;
            return;
          }
          this.expr(IDENT);
          continue;
        case Tok.WORD:
          if ((this.flags() & Flag.CALL) !== 0 && isDangerousFunction(this.text(this.p))) {
            // `x' sleep(5) '`: a `+` around the call decoded to a space, as form and query decoding do
            this.call();
            continue;
          }
          this.clause();
          continue;
        case Tok.LPAREN:
          // sqlmap's `1)(SELECT …)`: a subquery right after the operand
          if (!this.isKw(Kw.SELECT, this.p + 1)) {
            this.failed = true;
            return;
          }
          this.expr(-1);
          continue;
        default:
          this.failed = true;
          return;
      }
    }
  }

  /** A `--` comment, a `#` followed by space or nothing, or an unclosed `/*`. */
  private isCuttingComment(): boolean {
    const c = this.value.charCodeAt(this.tokens().startAt(this.p));
    return c !== 0x23 || (this.flags() & Flag.CLEAN_HASH) !== 0;
  }

  /** MySQL's `PROCEDURE name(…)` clause; `PROCEDURE ANALYSE(…)` reports on the query's columns and carries error-based payloads. */
  private procedure(at: number): void {
    const analyse = this.isWord('analyse');
    this.call();
    if (analyse && !this.failed) this.note(Evidence.DANGEROUS, at);
  }

  private clause(): void {
    const at = this.tokens().startAt(this.p);
    const first = this.p === 0;
    const kw = this.info();
    if (
      this.isLogical() ||
      kw === Kw.LIKE ||
      kw === Kw.IN ||
      kw === Kw.BETWEEN ||
      kw === Kw.IS ||
      kw === Kw.NOT ||
      kw === Kw.SOUNDS ||
      kw === Kw.DIV
    ) {
      // after a `)` the value did not open, a comparison is a predicate on what the application's query held
      const afterParen = this.p > 0 && this.kind(this.p - 1) === Tok.RPAREN;
      const strength = this.expr(IDENT);
      if (afterParen && strength >= COLUMN_PREDICATE && !this.failed) this.note(Evidence.PREDICATE, at);
      return;
    }
    switch (kw) {
      case Kw.UNION:
        this.union();
        return;
      case Kw.ORDER:
      case Kw.GROUP:
        this.p++;
        if (!this.expect(this.isKw(Kw.BY))) return;
        this.expressionList();
        this.note(Evidence.CLAUSE, at);
        return;
      case Kw.WHERE:
      case Kw.HAVING: {
        this.p++;
        const strength = this.expr(-1);
        this.note(strength >= TAUTOLOGY ? Evidence.TAUTOLOGY : Evidence.CLAUSE, at);
        return;
      }
      case Kw.LIMIT:
      case Kw.OFFSET:
        this.limit();
        this.note(Evidence.CLAUSE, at);
        return;
      case Kw.PROCEDURE:
        this.p++;
        if (this.kind() !== Tok.WORD || (this.flags() & Flag.CALL) === 0) {
          this.failed = true;
          return;
        }
        this.procedure(at);
        this.note(Evidence.CLAUSE, at);
        return;
      case Kw.INTO:
        this.into();
        // a value that starts with INTO or FROM is a fragment: only what it names can make it evidence
        if (!first) this.note(Evidence.CLAUSE, at);
        return;
      case Kw.AS:
        this.p++;
        if (!this.expect(this.kind() === Tok.WORD || this.kind() === Tok.STRING)) return;
        return;
      case Kw.FROM:
        this.p++;
        this.tableReferences();
        if (!first) this.note(Evidence.CLAUSE, at);
        return;
      case Kw.WAITFOR:
      case Kw.EXEC:
      case Kw.DECLARE:
        this.statement(false);
        return;
      default:
        this.failed = true;
    }
  }
}

/** Roots of Rust and C++ paths (`std::time`, `core::str`), which read like casts. */
function isModuleRoot(name: string): boolean {
  return (
    name === 'std' || name === 'core' || name === 'crate' || name === 'self' || name === 'super' || name === 'alloc' || name === 'boost'
  );
}

function standalone(kind: number): number {
  if (kind >= SUBQUERY) return TAUTOLOGY;
  if (kind === CALL) return COLUMN_PREDICATE;
  if (kind === LITERAL) return BARE_LITERAL;
  return NOTHING;
}

function compare(left: number, right: number, same: boolean): number {
  if (left >= CALL || right >= CALL) return TAUTOLOGY;
  if (left === LITERAL && right === LITERAL) return TAUTOLOGY;
  if (left === IDENT && right === IDENT) return same ? TAUTOLOGY : COLUMN_PREDICATE;
  return COLUMN_PREDICATE;
}

function isArithmetic(op: number): boolean {
  return (op >= Op.PLUS && op <= Op.AMP) || op === Op.CARET || op === Op.SHIFT || op === Op.ARROW;
}

/** Keywords that are operators even before `(` (`IN (…)`, `AND (…)`, `NOT (…)`, `EXISTS (…)`). */
function isOperatorKeyword(kw: number): boolean {
  return (
    kw === Kw.AND ||
    kw === Kw.OR ||
    kw === Kw.XOR ||
    kw === Kw.NOT ||
    kw === Kw.IN ||
    kw === Kw.IS ||
    kw === Kw.BETWEEN ||
    kw === Kw.EXISTS ||
    kw === Kw.SELECT ||
    kw === Kw.UNION ||
    kw === Kw.ALL ||
    kw === Kw.FROM ||
    kw === Kw.WHERE ||
    kw === Kw.AS ||
    kw === Kw.WHEN ||
    kw === Kw.THEN ||
    kw === Kw.ELSE ||
    kw === Kw.CASE ||
    kw === Kw.HAVING ||
    kw === Kw.INTO ||
    kw === Kw.VALUES
  );
}
