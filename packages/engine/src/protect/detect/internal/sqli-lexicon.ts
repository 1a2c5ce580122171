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
  /** `[` and `]`: PostgreSQL's `ARRAY[…]` (anywhere else the reader refuses them). */
  LBRACKET: 13,
  RBRACKET: 14,
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
  /**
   * The token follows a trick that only hides SQL from filters: MySQL's empty-exponent number glued to
   * the next token (`1.e(`, `1.e.tables`), which MySQL skips.
   */
  EVASION: 128,
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
  /** JSON extraction: `->`, `->>`, and PostgreSQL's path forms `#>`, `#>>`, `#-`. */
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
  'openrowset',
  'opendatasource',
  'openquery',
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

/** The last part of a (possibly qualified) name, lower-case (`dbo.xp_cmdshell` → `xp_cmdshell`); '' for names too long to be SQL's. */
function lastName(name: string): string {
  if (name.length > 64) return '';
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return dot < 0 ? lower : lower.slice(dot + 1);
}

/** True when a called name (as written, any case, possibly qualified) is one of the dangerous functions. */
export function isDangerousFunction(name: string): boolean {
  if (name.length > 64) return false;
  return DANGEROUS_FUNCTIONS.has(lastName(name)) || DANGEROUS_QUALIFIED.has(name.toLowerCase());
}

/**
 * Dangerous functions the database refuses to run with fewer arguments: `BENCHMARK(count, expression)`,
 * `UPDATEXML(xml, xpath, value)`. A call with fewer (`Benchmark(2024)`, a title) is a syntax error, not a
 * delay or an error-based leak.
 */
const LEAST_ARGUMENTS: ReadonlyMap<string, number> = new Map([
  ['benchmark', 2],
  ['extractvalue', 2],
  ['updatexml', 3],
  ['name_const', 2],
  ['gtid_subset', 2],
]);

/** How many arguments a call of the dangerous function `name` needs before it does anything; 0 when any call counts. */
export function leastArguments(name: string): number {
  return LEAST_ARGUMENTS.get(lastName(name)) ?? 0;
}

/**
 * Built-in functions that injections call to build, take apart, encode, convert or probe values, or to ask
 * the database who and what it is. A call of one of them is evidence only with SQL around it (arguments only
 * SQL has, a cast, or a call the value leaves open at its end, as fragments of an injection do); the names
 * alone are words and identifiers like any other.
 */
const SQL_FUNCTIONS: ReadonlySet<string> = new Set([
  // strings
  'concat',
  'concat_ws',
  'group_concat',
  'string_agg',
  'listagg',
  'xmlagg',
  'array_agg',
  'array_to_string',
  'substring',
  'substr',
  'substring_index',
  'mid',
  'left',
  'right',
  'instr',
  'locate',
  'position',
  'strcmp',
  'find_in_set',
  'make_set',
  'elt',
  'field',
  'export_set',
  'insert',
  'replace',
  'repeat',
  'reverse',
  'lpad',
  'rpad',
  'space',
  'trim',
  'ltrim',
  'rtrim',
  'lower',
  'upper',
  'lcase',
  'ucase',
  'length',
  'char_length',
  'character_length',
  'octet_length',
  'bit_length',
  'len',
  'datalength',
  'soundex',
  'quote',
  'quote_ident',
  'quote_literal',
  'unistr',
  'starts_with',
  'translate',
  'stuff',
  // codes and encodings
  'ascii',
  'ord',
  'char',
  'chr',
  'nchar',
  'unicode',
  'hex',
  'unhex',
  'bin',
  'oct',
  'conv',
  'to_hex',
  'md5',
  'sha',
  'sha1',
  'sha2',
  'crc32',
  'compress',
  'uncompress',
  'uncompressed_length',
  'encode',
  'decode',
  'to_base64',
  'from_base64',
  'aes_encrypt',
  'aes_decrypt',
  'des_encrypt',
  'des_decrypt',
  'encrypt',
  'password',
  'old_password',
  'convert_from',
  'convert_to',
  // conversions and conditions
  'cast',
  'convert',
  'try_cast',
  'try_convert',
  'to_char',
  'to_number',
  'to_date',
  'coalesce',
  'ifnull',
  'isnull',
  'nullif',
  'nvl',
  'nvl2',
  'iif',
  'greatest',
  'least',
  'choose',
  // numbers
  'rand',
  'random',
  'floor',
  'ceil',
  'ceiling',
  'round',
  'abs',
  'sign',
  'pow',
  'power',
  'sqrt',
  'exp',
  'ln',
  'log',
  'log2',
  'log10',
  'sin',
  'cos',
  'tan',
  'cot',
  'asin',
  'acos',
  'atan',
  'atan2',
  'pi',
  'div',
  'bit_count',
  // aggregates
  'count',
  'sum',
  'avg',
  'min',
  'max',
  // dates
  'now',
  'sysdate',
  'curdate',
  'curtime',
  'getdate',
  'utc_timestamp',
  'unix_timestamp',
  'from_unixtime',
  // who and what the database is
  'version',
  'user',
  'current_user',
  'session_user',
  'system_user',
  'user_name',
  'suser_name',
  'suser_sname',
  'is_srvrolemember',
  'is_member',
  'host_name',
  'database',
  'schema',
  'db_name',
  'schema_name',
  'object_name',
  'object_id',
  'col_name',
  'type_name',
  'has_dbaccess',
  'serverproperty',
  'connection_id',
  'last_insert_id',
  'row_count',
  'found_rows',
  'current_database',
  'current_schema',
  'current_schemas',
  'current_setting',
  'inet_server_addr',
  'inet_server_port',
  'pg_backend_pid',
  'txid_current',
  'sqlite_version',
  // JSON and XML
  'json_extract',
  'json_value',
  'json_query',
  'json_keys',
  'json_object',
  'json_array',
  'json_arrayagg',
  'json_objectagg',
  'json_build_object',
  'json_build_array',
  'json_agg',
  'json_object_agg',
  'jsonb_build_object',
  'jsonb_agg',
  'jsonb_pretty',
  'jsonb_extract_path',
  'jsonb_extract_path_text',
  'json_extract_path_text',
  'jsonb_path_query',
  'jsonb_path_query_first',
  'jsonb_path_exists',
  'jsonb_path_match',
  'jsonb_each',
  'jsonb_each_text',
  'json_each',
  'json_each_text',
  'jsonb_object_keys',
  'json_object_keys',
  'jsonb_array_elements',
  'json_array_elements',
  'jsonb_typeof',
  'json_typeof',
  'jsonb_set',
  'jsonb_insert',
  'json_contains',
  'json_contains_path',
  'json_search',
  'json_unquote',
  'json_table',
  'to_json',
  'to_jsonb',
  'row_to_json',
  'query_to_xml',
  'table_to_xml',
  'database_to_xml',
  'xmlelement',
  'xmlforest',
  'xpath',
  // PostgreSQL internals and files
  'lo_get',
  'lo_open',
  'lo_from_bytea',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_typeof',
  'pg_client_encoding',
  'set_config',
]);

/** True when `name` (any case, possibly qualified) is a built-in function injections use. */
export function isSqlFunction(name: string): boolean {
  const last = lastName(name);
  return SQL_FUNCTIONS.has(last) || DANGEROUS_FUNCTIONS.has(last);
}

/** Functions that tell who and what the database is: what injections read first. */
const IDENTITY_FUNCTIONS: ReadonlySet<string> = new Set([
  'version',
  'user',
  'current_user',
  'session_user',
  'system_user',
  'user_name',
  'database',
  'schema',
  'db_name',
  'schema_name',
  'current_database',
  'current_schema',
  'host_name',
  'suser_name',
  'suser_sname',
  'connection_id',
]);

/** True when `name` (any case) is a function that tells who and what the database is. */
export function isIdentityFunction(name: string): boolean {
  return name.length <= 20 && IDENTITY_FUNCTIONS.has(name.toLowerCase());
}

/**
 * Functions whose names are SQL's alone (underscored or dialect-specific spellings that are not words):
 * called with any arguments, the call is SQL whatever the arguments are.
 */
const SQL_ONLY_FUNCTIONS: ReadonlySet<string> = new Set([
  'concat_ws',
  'group_concat',
  'string_agg',
  'array_to_string',
  'substring_index',
  'find_in_set',
  'make_set',
  'export_set',
  'char_length',
  'quote_ident',
  'quote_literal',
  'unhex',
  'uncompress',
  'uncompressed_length',
  'from_base64',
  'to_base64',
  'aes_decrypt',
  'convert_from',
  'ifnull',
  'nvl2',
  'sysdate',
  'utc_timestamp',
  'current_user',
  'session_user',
  'system_user',
  'suser_name',
  'suser_sname',
  'is_srvrolemember',
  'db_name',
  'schema_name',
  'has_dbaccess',
  'serverproperty',
  'connection_id',
  'current_database',
  'current_schema',
  'current_schemas',
  'current_setting',
  'inet_server_addr',
  'pg_backend_pid',
  'sqlite_version',
  'json_extract',
  'json_build_object',
  'jsonb_build_object',
  'jsonb_pretty',
  'jsonb_extract_path',
  'jsonb_extract_path_text',
  'json_extract_path_text',
  'row_to_json',
  'to_jsonb',
  'jsonb_path_query',
  'jsonb_path_query_first',
  'jsonb_path_exists',
  'jsonb_path_match',
  'jsonb_each',
  'jsonb_each_text',
  'jsonb_object_keys',
  'json_object_keys',
  'jsonb_array_elements',
  'json_array_elements',
  'jsonb_typeof',
  'jsonb_set',
  'jsonb_insert',
  'json_contains',
  'json_contains_path',
  'json_unquote',
  'query_to_xml',
  'table_to_xml',
  'database_to_xml',
  'lo_get',
  'lo_from_bytea',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_typeof',
  'pg_client_encoding',
]);

/** True when `name` (any case, possibly qualified) is a function only SQL has. */
export function isSqlOnlyFunction(name: string): boolean {
  return SQL_ONLY_FUNCTIONS.has(lastName(name));
}

/**
 * System catalogs: the schemas, databases and tables in which a database describes itself, which an
 * injection reads to learn table and column names. `CATALOGS` are names nothing but a database uses; the
 * names in `CATALOG_WORDS` are also words or common identifiers, evidence only where SQL names a table
 * (`FROM msdb..backupset`) or at higher paranoia.
 */
const CATALOGS: ReadonlySet<string> = new Set([
  'information_schema',
  'performance_schema',
  'pg_catalog',
  'pg_shadow',
  'pg_authid',
  'pg_roles',
  'pg_user',
  'pg_database',
  'pg_namespace',
  'pg_proc',
  'pg_class',
  'pg_attribute',
  'pg_tables',
  'pg_stat_activity',
  'pg_largeobject',
  'sqlite_master',
  'sqlite_schema',
  'sqlite_temp_master',
  'sqlite_sequence',
  'msysobjects',
  'msysaccessobjects',
  'msysaccessstorage',
  'msysqueries',
  'msysrelationships',
  'msysaces',
  'sysobjects',
  'syscolumns',
  'sysdatabases',
  'sysusers',
  'syslogins',
  'sysprocesses',
  'sysservers',
  'sql_logins',
  'server_principals',
  'database_principals',
  'all_tables',
  'all_tab_columns',
  'all_users',
  'dba_users',
  'dba_tables',
  'user_tab_columns',
  'tempdb',
]);

const CATALOG_WORDS: ReadonlySet<string> = new Set(['msdb', 'northwind', 'schemata', 'schema_name', 'user_tables']);

/** Databases that qualify catalog tables (`mysql.user`, `master..sysdatabases`): evidence only where SQL names a table. */
const CATALOG_QUALIFIERS: ReadonlySet<string> = new Set(['mysql', 'master', 'msdb', 'sys']);

/**
 * A (possibly qualified) name as catalog strength: 2 for names only databases use, 1 for words that are also
 * catalogs and for names qualified by a catalog database, 0 otherwise.
 */
export function catalogStrengthOf(name: string): number {
  if (name.length > 128 || name.length < 4) return 0;
  const lower = name.toLowerCase();
  if (lower.indexOf('.') < 0 && lower.indexOf('`') < 0) return CATALOGS.has(lower) ? 2 : CATALOG_WORDS.has(lower) ? 1 : 0;
  const parts = lower.replaceAll('`', '').split('.');
  let strength = 0;
  for (const part of parts) {
    if (CATALOGS.has(part)) return 2;
    if (CATALOG_WORDS.has(part) || CATALOG_QUALIFIERS.has(part)) strength = 1;
  }
  return strength;
}

/**
 * SQL Server's extended and system stored procedures that run commands, read the registry and files, reach
 * other servers or change logins: names nothing but an attack on SQL Server sends.
 */
const SYSTEM_PROCEDURES: ReadonlySet<string> = new Set([
  'xp_cmdshell',
  'xp_regread',
  'xp_regwrite',
  'xp_regdeletekey',
  'xp_regenumvalues',
  'xp_dirtree',
  'xp_subdirs',
  'xp_fileexist',
  'xp_fixeddrives',
  'xp_availablemedia',
  'xp_servicecontrol',
  'xp_terminate_process',
  'xp_loginconfig',
  'xp_enumgroups',
  'xp_ntsec_enumdomains',
  'xp_msver',
  'sp_oacreate',
  'sp_oamethod',
  'sp_oagetproperty',
  'sp_executesql',
  'sp_configure',
  'sp_addlogin',
  'sp_adduser',
  'sp_addsrvrolemember',
  'sp_password',
  'sp_makewebtask',
  'sp_addextendedproc',
  'sp_dropextendedproc',
  'sp_replwritetovarbin',
  'sp_linkedservers',
  'sp_helpdb',
]);

/** True when the last part of a (possibly qualified) name is one of SQL Server's dangerous system procedures. */
export function isSystemProcedure(name: string): boolean {
  return SYSTEM_PROCEDURES.has(lastName(name));
}

/** Type names a PostgreSQL cast (`x::int`) converts to; a failing cast to a number is how errors leak data. */
const SQL_TYPES: ReadonlySet<string> = new Set([
  'int',
  'int2',
  'int4',
  'int8',
  'integer',
  'smallint',
  'bigint',
  'numeric',
  'decimal',
  'real',
  'float',
  'float4',
  'float8',
  'double',
  'money',
  'text',
  'varchar',
  'char',
  'bpchar',
  'character',
  'name',
  'bool',
  'boolean',
  'bytea',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'oid',
  'regclass',
  'regproc',
  'regtype',
  'regnamespace',
  'inet',
  'xml',
  'json',
  'jsonb',
  'jsonpath',
  'tsvector',
  'tsquery',
]);

/** True when `name` is a type PostgreSQL casts to. */
export function isSqlType(name: string): boolean {
  return name.length <= 12 && SQL_TYPES.has(name.toLowerCase());
}

/** True for the JSON types, whose casts turn a string into a document that JSON operators work on. */
export function isJsonType(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'json' || lower === 'jsonb' || lower === 'jsonpath';
}
