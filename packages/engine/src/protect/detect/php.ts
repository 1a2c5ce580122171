/**
 * PHP injection read the way the PHP parser reads it: open tags, function calls with the gaps PHP allows
 * between a name and its `(`, calls through variables and expressions, and php.ini directives.
 *
 * - `php-open-tag`: `<?php ` and `<? ` followed by a PHP statement, `<?=` with an expression, a dangling
 *   `<?` at the end of a value (the code follows in another parameter), the XML/PHP polyglot `<?xml :…`
 *   (a real XML declaration always goes on with `version`), and the template tags `[php]`, `{php}`.
 * - `php-function-call`: a PHP function that runs programs or code, reads or writes files or sockets,
 *   decodes a hidden payload or leaks the configuration, called: name, then whitespace or comments
 *   (`/*…*\/`, `#…` and `//…` to the end of a line), then `(`. Names that are also English words
 *   (`system`, `exec`, `eval`, `file`) count only where PHP would see a call: at the start of a statement
 *   with code as the argument (`system('id')`, `exec(whoami)`, `exec (whoami);` as a whole statement), with
 *   a comment before the `(`, or with an empty argument list after whitespace.
 * - `php-variable-call`: a call through a variable, PHP's "variable functions": `$f(…)`, `$$f(…)`,
 *   `${'a'.'b'}(…)`, `$a['x']/*c*\/(…)`, `$o->$m(…)`; and the complex variable syntax `${'name'}`, `$ {…}`.
 * - `php-dynamic-call`: a call whose callee is an expression that builds the name of a program-running
 *   function: `"system"('id')`, `("sys"."tem")('id');`, `[system][0](ls);`, `(string)"exec"(…);`.
 * - `php-ini-directive`: a php.ini directive assigned in a value (`allow_url_include=1`,
 *   `auto_prepend_file=php://input`, `opcache.jit=…`), as sent to PHP-CGI's `-d` or written to `.user.ini`.
 * - `php-helper-call` (broad, for paranoia 2): string helpers attackers use to assemble a payload, called:
 *   `chr(115)`, `strrev('metsys')`, `substr(…)`, `unpack(…)`, `printf(…)`.
 */
import type { Detector, DetectorHit } from '../types.js';

const MAX_LENGTH = 256 * 1024;
/** How far after a `(` the closing `)` is looked for. */
const MAX_ARGUMENTS = 256;
/** How many candidates one value is examined at, so a value full of `$` or names stays linear. */
const MAX_CANDIDATES = 64;

const OPEN_TAG_GATE = /<\?|\[[/\\]?php\]|\{\/?php\}/i;
const OPEN_TAG =
  /<\?php\s|<\?\s+(?:php\b|(?:echo|print|include(?:_once)?|require(?:_once)?|eval|die|exit|return|if|foreach|while|function|namespace|use|global|static|declare)\b|[A-Za-z_]\w{0,40}\s*\(|[$@`"'])|<\?=\s*(?:[A-Za-z_]\w{0,40}\s*\(|`|(?:\$[A-Za-z_]\w*|\d+|"[^"\n]*"|'[^'\n]*')\s*(?:[;.,)\]]|\?>|$))|<\?\s*$|<\?xml(?:\s+[^a-z\s]|:)|\[[/\\]?php\]|\{\/?php\}/i;

/**
 * PHP functions that matter to an attacker and are not English words: they run programs or code, touch
 * files and sockets, decode hidden payloads, or leak the configuration. Matched wherever they occur, since
 * no prose or identifier ends in them.
 */
const RISKY_FUNCTIONS = [
  // programs
  'shell_exec',
  'passthru',
  'proc_open',
  'popen',
  'pcntl_exec',
  'pcntl_fork',
  'posix_\\w{3,20}',
  'expect_popen',
  // code
  'create_function',
  'call_user_func(?:_array)?',
  'forward_static_call(?:_array)?',
  'register_shutdown_function',
  'register_tick_function',
  'preg_replace_callback',
  'mb_ereg_replace',
  'mb_eregi_replace',
  'assert_options',
  'unserialize',
  // configuration and information
  'phpinfo',
  'phpversion',
  'php_uname',
  'ini_set',
  'ini_get(?:_all)?',
  'ini_restore',
  'set_include_path',
  'putenv',
  'getenv',
  'get_defined_(?:vars|functions|constants)',
  'get_current_user',
  'getmypid',
  'print_r',
  'var_dump',
  'var_export',
  'debug_zval_dump',
  // files
  'file_get_contents',
  'file_put_contents',
  'file_exists',
  'fileowner',
  'filegroup',
  'fileperms',
  'fopen',
  'fpassthru',
  'fputs',
  'fwrite',
  'readfile',
  'readdir',
  'opendir',
  'scandir',
  'tmpfile',
  'tempnam',
  'move_uploaded_file',
  'highlight_file',
  'show_source',
  'php_strip_whitespace',
  'parse_ini_file',
  // sockets
  'fsockopen',
  'pfsockopen',
  'stream_socket_client',
  'stream_get_contents',
  'curl_init',
  'curl_exec',
  'curl_multi_exec',
  // hidden payloads
  'base64_decode',
  'gzinflate',
  'gzuncompress',
  'gzdecode',
  'bzdecompress',
  'zlib_decode',
  'str_rot13',
  'convert_uudecode',
  'hex2bin',
  'strrev',
];
const RISKY_CALL = new RegExp(`(?:${RISKY_FUNCTIONS.join('|')})(?=[\\s/#(])`, 'gi');

/** Program- and code-running functions whose names are also words; they need call syntax PHP would run. */
const WORD_CALL = /(?<![\w$>:-])(?:system|exec|eval|assert|file|include|require|passthru|glob)(?=[\s/#(])/gi;
/** Characters right before a name (no space between) that put it at the start of a PHP expression (`\\` names the global namespace). */
const EXPRESSION_BEFORE = new Set([';', '{', '}', '(', '=', ',', '.', '|', '&', '!', '?', ':', '>', "'", '"', '`', '@', '[', '+', '\\']);
/** Characters before a name, across whitespace, that end a statement. */
const STATEMENT_BEFORE = new Set([';', '{', '}', '=', '|', '&']);
/** Word-named functions that run a program, which takes a bare command word: `system(whoami)`. */
const RUNS_PROGRAM = /^(?:system|exec|passthru)$/i;
/** A bare command as an argument: a word of two or more characters (`System(s)` is a label, not a call). */
const COMMAND_ARGUMENT = /^\s*[\w./-]{2,}/;
/** A single command word, the whole argument list: `exec (whoami)`. */
const LONE_COMMAND = /^\s*[\w./-]{2,}\s*$/;
/** What may follow a call that is a whole statement: nothing, or `;`. */
const STATEMENT_END = /^\s*(?:;|$)/;
/** An argument that is PHP code: a string, a variable, a nested call, a backtick (not a JS `function(`). */
const CODE_ARGUMENT = /^\s*(?:["'`$]|(?!function\b)[A-Za-z_]\w*\s*\()/;

const HELPER_CALL =
  /(?<![\w$\\>:-])(?:chr|ord|substr|strrev|unpack|strip_tags|printf|sprintf|intval|md5|rtrim|is_a|usort|stat)(?=[\s/#(])/gi;
/** `chr(115).chr(121)`: a string built from character codes, the usual way to hide a function name. */
const CHR_CHAIN = /\bchr\s*\(\s*\d{1,3}\s*\)\s*\.\s*chr\s*\(/i;

/** What follows a name when PHP sees a call: the gap (whitespace and comments) and the `(`. */
interface CallShape {
  /** Index of the `(`. */
  open: number;
  /** The gap held a comment. */
  commented: boolean;
  /** The gap held whitespace. */
  spaced: boolean;
}

/** Reads the gap PHP allows between a callee and its `(`; `undefined` when no `(` follows. */
function readCall(value: string, from: number): CallShape | undefined {
  const gap = skipGap(value, from);
  if (gap === undefined || value[gap.at] !== '(') return undefined;
  return { open: gap.at, commented: gap.commented, spaced: gap.spaced };
}

/**
 * The text between `(` at `open` and its matching `)`, or `undefined` when there is none nearby or the
 * text between could not be PHP (brackets that do not pair, an unclosed string, control characters), as in
 * binary data and random tokens.
 */
function argumentsAt(value: string, open: number): string | undefined {
  const closers: string[] = [')'];
  const limit = Math.min(value.length, open + MAX_ARGUMENTS);
  for (let at = open + 1; at < limit; at++) {
    const c = value[at] as string;
    const code = c.charCodeAt(0);
    if (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') return undefined;
    if (c === '"' || c === "'" || c === '`') {
      const end = value.indexOf(c, at + 1);
      if (end < 0 || end >= limit) return undefined;
      at = end;
    } else if (c === '(') closers.push(')');
    else if (c === '[') closers.push(']');
    else if (c === '{') closers.push('}');
    else if (c === ')' || c === ']' || c === '}') {
      if (closers.pop() !== c) return undefined;
      if (closers.length === 0) return value.slice(open + 1, at);
    }
  }
  return undefined;
}

/** Whether a name at `start` begins a PHP expression or statement rather than sitting in prose. */
function isAtExpressionStart(value: string, start: number): boolean {
  if (start === 0) return true;
  const before = value[start - 1] as string;
  if (EXPRESSION_BEFORE.has(before)) return true;
  let at = start - 1;
  while (at >= 0 && /\s/.test(value[at] as string)) at--;
  return at < 0 || STATEMENT_BEFORE.has(value[at] as string);
}

function span(detail: string, start: number, end: number): DetectorHit {
  return { detail, start, end };
}

/** PHP open tags; see the module comment. */
export const detectPhpOpenTag: Detector = (value) => {
  if (value.length < 2 || value.length > MAX_LENGTH || !OPEN_TAG_GATE.test(value)) return undefined;
  const found = OPEN_TAG.exec(value);
  return found === null ? undefined : span('php-open-tag', found.index, found.index + found[0].length);
};

/** Calls of PHP functions that matter to an attacker; see the module comment. */
export const detectPhpFunctionCall: Detector = (value) => {
  if (value.length < 4 || value.length > MAX_LENGTH || !value.includes('(')) return undefined;
  RISKY_CALL.lastIndex = 0;
  let count = 0;
  for (let found = RISKY_CALL.exec(value); found !== null && count < MAX_CANDIDATES; found = RISKY_CALL.exec(value), count++) {
    const call = readCall(value, found.index + found[0].length);
    if (call !== undefined) return span('php-risky-call', found.index, call.open + 1);
  }
  WORD_CALL.lastIndex = 0;
  count = 0;
  for (let found = WORD_CALL.exec(value); found !== null && count < MAX_CANDIDATES; found = WORD_CALL.exec(value), count++) {
    const call = readCall(value, found.index + found[0].length);
    if (call === undefined) continue;
    const args = argumentsAt(value, call.open);
    if (call.commented) return span('php-call-commented', found.index, call.open + 1);
    if (args === undefined || !isAtExpressionStart(value, found.index)) continue;
    if (call.spaced) {
      const end = call.open + args.length + 2;
      if (args.trim() === '') return span('php-call', found.index, call.open + 2);
      if (RUNS_PROGRAM.test(found[0]) && LONE_COMMAND.test(args) && STATEMENT_END.test(value.slice(end)))
        return span('php-call', found.index, end);
      continue;
    }
    if (args.trim() === '' || CODE_ARGUMENT.test(args) || (RUNS_PROGRAM.test(found[0]) && COMMAND_ARGUMENT.test(args))) {
      return span('php-call', found.index, call.open + args.length + 2);
    }
  }
  return undefined;
};

/** String helpers called, for paranoia 2; see the module comment. */
export const detectPhpHelperCall: Detector = (value) => {
  if (value.length < 5 || value.length > MAX_LENGTH || !value.includes('(')) return undefined;
  const chain = CHR_CHAIN.exec(value);
  if (chain !== null) return span('php-chr-chain', chain.index, chain.index + chain[0].length);
  HELPER_CALL.lastIndex = 0;
  let count = 0;
  for (let found = HELPER_CALL.exec(value); found !== null && count < MAX_CANDIDATES; found = HELPER_CALL.exec(value), count++) {
    const call = readCall(value, found.index + found[0].length);
    if (call === undefined || argumentsAt(value, call.open) === undefined) continue;
    if (call.commented || !call.spaced) return span('php-helper-call', found.index, call.open + 1);
  }
  return undefined;
};

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /\w/;
/** Arguments that make a call through a variable plain even with whitespace before the `(`. */
const PLAIN_ARGUMENTS = /^\s*(?:|[-+]?\d[\d.]*|"[^"]*"|'[^']*'|\$\w+)\s*$/;
/**
 * One PHP argument: an integer, a string, a variable with offsets, a constant or a call (one level), maybe
 * `@`-prefixed. Each form starts with a different character and none contains `,` or `.` outside quotes, so
 * a list splits one way only (no backtracking blow-up).
 */
const ARGUMENT = String.raw`\s*@?(?:[-+]?\d+|"[^"]*"|'[^']*'|\$+\w+(?:\s*\[[^\]]*\])*|[A-Za-z_]\w*(?:\s*\([^()]*\))?)\s*`;
/** An argument list PHP would parse: arguments joined with `,` or `.` (random tokens rarely are one). */
const CODE_ARGUMENTS = new RegExp(`^(?:${ARGUMENT}(?:[,.]${ARGUMENT})*)?\\s*$`);
/** `${'name'}`, `${$a}`, `${@a}`, and `$ {…}` with a space, which no template language writes. */
const COMPLEX_VARIABLE = /\$\{\s*['"$@]|\$\s+\{\s*[^\s}]/;

/** The index after a bracketed group opening at `at` (`[…]` or `{…}`), one nesting level, non-empty. */
function skipGroup(value: string, at: number): number {
  const open = value[at];
  const close = open === '[' ? ']' : '}';
  let depth = 0;
  const limit = Math.min(value.length, at + MAX_ARGUMENTS);
  for (let i = at; i < limit; i++) {
    const c = value[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === close && i > at + 1 ? i + 1 : -1;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

/** After `$` at `at`: the end of the variable (`$$a`, `$a`, `${…}`, `$ {…}`), or -1. */
function readVariable(value: string, at: number): number {
  let i = at;
  while (value[i] === '$') i++;
  if (IDENTIFIER_START.test(value[i] ?? '')) {
    i++;
    while (i < value.length && IDENTIFIER_PART.test(value[i] as string)) i++;
    return i;
  }
  while (value[i] === ' ' || value[i] === '\t') i++;
  return value[i] === '{' ? skipGroup(value, i) : -1;
}

/** The gap after `from`: whitespace and comments, as PHP skips them between tokens. */
function skipGap(value: string, from: number): { at: number; commented: boolean; spaced: boolean } | undefined {
  let at = from;
  let commented = false;
  let spaced = false;
  while (at < value.length) {
    const c = value[at] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f') {
      spaced = true;
      at++;
    } else if (c === '/' && value[at + 1] === '*') {
      const end = value.indexOf('*/', at + 2);
      if (end < 0) return undefined;
      commented = true;
      at = end + 2;
    } else if (c === '#' || (c === '/' && value[at + 1] === '/')) {
      const end = value.indexOf('\n', at);
      if (end < 0) return undefined;
      commented = true;
      at = end + 1;
    } else break;
  }
  return { at, commented, spaced };
}

/**
 * After a variable: array and string offsets, `->member`, comments and whitespace, up to a `(`.
 * `spacedOnly` says nothing but whitespace stood between the variable and the `(`.
 */
function readCallee(value: string, from: number): { open: number; spacedOnly: boolean } | undefined {
  let at = from;
  let plain = true;
  for (let steps = 0; steps < 32 && at < value.length; steps++) {
    const gap = skipGap(value, at);
    if (gap === undefined) return undefined;
    at = gap.at;
    if (gap.commented) plain = false;
    const c = value[at];
    if (c === '(') return { open: at, spacedOnly: plain && gap.spaced };
    if (c === '[' || c === '{') {
      at = skipGroup(value, at);
      plain = false;
    } else if (c === '-' && value[at + 1] === '>' && value[at + 2] === '$') {
      at = readVariable(value, at + 2);
      plain = false;
    } else return undefined;
    if (at < 0) return undefined;
  }
  return undefined;
}

/** Calls through variables and the complex variable syntax; see the module comment. */
export const detectPhpVariableCall: Detector = (value) => {
  if (value.length < 4 || value.length > MAX_LENGTH || !value.includes('$')) return undefined;
  const complex = COMPLEX_VARIABLE.exec(value);
  if (complex !== null) return span('php-complex-variable', complex.index, complex.index + complex[0].length);
  if (!value.includes('(')) return undefined;
  let count = 0;
  for (let at = value.indexOf('$'); at >= 0 && count < MAX_CANDIDATES; count++) {
    const start = at;
    if (value[start - 1] === '.' || (start > 0 && IDENTIFIER_PART.test(value[start - 1] as string))) {
      at = value.indexOf('$', start + 1);
      continue;
    }
    const end = readVariable(value, start);
    if (end > start) {
      const callee = readCallee(value, end);
      if (callee !== undefined) {
        const args = argumentsAt(value, callee.open);
        if (args !== undefined && (callee.spacedOnly ? PLAIN_ARGUMENTS : CODE_ARGUMENTS).test(args)) {
          return span('php-variable-call', start, callee.open + 1);
        }
      }
    }
    let next = start + 1;
    while (value[next] === '$') next++;
    at = value.indexOf('$', next);
  }
  return undefined;
};

const RUNNING_NAMES =
  'system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|call_user_func|base64_decode|phpinfo';
/** A program- or code-running function name, once quotes and concatenation are gone. */
const RUNNING_NAME = new RegExp(RUNNING_NAMES, 'i');
/** The name standing alone in brackets, parentheses or quotes: `[system]`, `(system)`, `'system'`. */
const WRAPPED_NAME = new RegExp(`[(\\["'\`](?:${RUNNING_NAMES})[)\\]"'\`]`, 'i');
/** Strings joined with `.` or `+`: `'sys'.'tem'`. */
const CONCATENATION = /["'`]\s*[.+]\s*["'`]/;
/** How much text before a called expression is searched for the name it builds. */
const CALLEE_WINDOW = 200;
const DYNAMIC_CALL_GATE = /[)\]}"'`]\s*(?:\/\*[^*]{0,80}\*\/\s*)?\(/;
/** A callee that is a closed expression (`)`, `]`, `}` or a string) called, then the statement ends. */
const DYNAMIC_CALL = /[)\]}"'`]\s*(?:\/\*[^*]{0,80}\*\/\s*)?\(([^()]{0,200})\)\s*(?:;|$)/g;
/** A function name in quotes, called: `"system"(…)`, `'exec' (…)`. */
const QUOTED_NAME_CALL =
  /["'](?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|call_user_func(?:_array)?|base64_decode|phpinfo|file_get_contents|file_put_contents|readfile|fopen|unserialize)["']\s*\(/i;
const COMMENTS = /\/\*[\s\S]*?\*\//g;
/** What is left out of a callee when looking for the function name it builds. */
const JOINERS = /["'`.\s+[\]{}()]/g;

/** Whether the text before a call builds a running function's name from pieces or wraps it as a value. */
function buildsRunningName(before: string): boolean {
  const code = before.replace(COMMENTS, '');
  const compact = code.replace(/\s+/g, '');
  if (WRAPPED_NAME.test(compact)) return true;
  return CONCATENATION.test(code) && RUNNING_NAME.test(compact.replace(JOINERS, ''));
}

/** Calls through expressions that build a function name; see the module comment. */
export const detectPhpDynamicCall: Detector = (value) => {
  if (value.length < 6 || value.length > MAX_LENGTH || !DYNAMIC_CALL_GATE.test(value)) return undefined;
  const quoted = QUOTED_NAME_CALL.exec(value);
  if (quoted !== null) return span('php-quoted-name-call', quoted.index, quoted.index + quoted[0].length);
  DYNAMIC_CALL.lastIndex = 0;
  let count = 0;
  for (let found = DYNAMIC_CALL.exec(value); found !== null && count < MAX_CANDIDATES; found = DYNAMIC_CALL.exec(value), count++) {
    const args = (found[1] as string).replace(COMMENTS, ' ').trim();
    if (/\S\s+\S/.test(args.replace(/\s*([,.+])\s*/g, '$1'))) continue;
    const before = value.slice(Math.max(0, found.index + 1 - CALLEE_WINDOW), found.index + 1);
    if (buildsRunningName(before)) return span('php-dynamic-call', found.index, found.index + found[0].length);
  }
  return undefined;
};

const INI_GATE = /=/;
/** php.ini directives with a name no other setting shares, assigned anywhere in a value. */
const INI_DIRECTIVE = new RegExp(
  `\\b(?:${[
    'allow_url_(?:include|fopen)',
    'auto_(?:prepend|append)_file',
    'disable_(?:functions|classes)',
    'open_basedir',
    'safe_mode(?:_exec_dir)?',
    'display_(?:startup_)?errors',
    'error_reporting',
    'log_errors',
    'error_log',
    'html_errors',
    'include_path',
    'extension_dir',
    'zend_extension',
    'memory_limit',
    'max_execution_time',
    'max_input_(?:time|vars)',
    'post_max_size',
    'upload_max_filesize',
    'upload_tmp_dir',
    'file_uploads',
    'register_globals',
    'magic_quotes_(?:gpc|runtime)',
    'short_open_tag',
    'sendmail_(?:path|from)',
    'doc_root',
    'user_dir',
    'expose_php',
    'enable_dl',
    'variables_order',
    'request_order',
    'unserialize_(?:max_depth|callback_func)',
    'serialize_precision',
    'output_handler',
    'realpath_cache_(?:size|ttl)',
    'sys_temp_dir',
    'hard_timeout',
    'smtp_port',
    'user_ini\\.(?:filename|cache_ttl)',
    '(?:opcache|mbstring|session|assert|cgi|fastcgi|phar|pcre|zend|ffi|apc|xdebug|suhosin|zlib|mysqlnd|sqlite3)\\.[a-z_][a-z0-9_.]{1,60}',
  ].join('|')})\\s*=(?!=)`,
  'i',
);
/** Directives named by a common word count only when the whole value is the assignment: `engine=0`. */
const INI_WORD_ASSIGNMENT = /^\s*(?:engine|extension|precision|smtp)\s*=\s*[^\s=]{1,200}\s*$/i;

/** php.ini directives assigned; see the module comment. */
export const detectPhpIniDirective: Detector = (value) => {
  if (value.length < 5 || value.length > MAX_LENGTH || !INI_GATE.test(value)) return undefined;
  const found = INI_DIRECTIVE.exec(value) ?? INI_WORD_ASSIGNMENT.exec(value);
  return found === null ? undefined : span('php-ini-directive', found.index, found.index + found[0].length);
};

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'php-open-tag': detectPhpOpenTag,
  'php-function-call': detectPhpFunctionCall,
  'php-helper-call': detectPhpHelperCall,
  'php-variable-call': detectPhpVariableCall,
  'php-dynamic-call': detectPhpDynamicCall,
  'php-ini-directive': detectPhpIniDirective,
};
