/**
 * A reader for `cmd.exe` command lines, as much of one as command injection needs: the caret escape
 * (`w^h^o^a^m^i`), the places a command may start (the value's start, `&`, `&&`, `|`, `||`, a line break,
 * and `;`, `` ` ``, `(`, `{` through which a payload breaks out of other contexts), the word naming a program
 * (quotes dropped, a path and an executable suffix peeled), and the syntax of the `for` loop and the `if`
 * condition. It never runs regular expressions with nested quantifiers: every loop here moves forward.
 */
import { CMD_BUILTINS, SUBCOMMANDS, TELLING_PROGRAMS, WORDY_PROGRAMS } from './windows-programs.js';

/** A value as cmd reads it, and where each of its characters stood in the original. */
export interface CmdText {
  text: string;
  /** `offsets[i]` is the original index of `text[i]`; undefined when nothing was dropped. */
  offsets: number[] | undefined;
}

/** Drops cmd's caret escapes (`c^e^r^t^u^t^i^l` → `certutil`, `^^` → `^`), remembering where characters came from. */
export function uncaret(value: string): CmdText {
  if (!value.includes('^')) return { text: value, offsets: undefined };
  let text = '';
  const offsets: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '^' && i + 1 < value.length) i++;
    text += value[i];
    offsets.push(i);
  }
  return { text, offsets };
}

/** The original index of `index` in a read value (one past the end maps one past the end). */
export function originalIndex(read: CmdText, index: number, originalLength: number): number {
  if (read.offsets === undefined) return index;
  if (index >= read.offsets.length) return originalLength;
  return read.offsets[index] as number;
}

/** Blanks by code: space, tab, vertical tab, form feed, line breaks. */
const BLANK: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const c of ' \t\v\f\n\r') table[c.charCodeAt(0)] = 1;
  return table;
})();

/** True for a blank (space, tab, line break) at `at`. */
export const isBlank = (text: string, at: number): boolean => {
  const code = text.charCodeAt(at);
  return code < 128 && BLANK[code] === 1;
};

/** The index of the first non-blank at or after `at` (line breaks included). */
export function skipBlanks(text: string, at: number): number {
  let j = at;
  while (j < text.length && isBlank(text, j)) j++;
  return j;
}

/** The index of the first character at or after `at` that is not a space or a tab (stops at line breaks). */
export function skipSpaces(text: string, at: number): number {
  let j = at;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
  return j;
}

/** Most command starts looked at in one value. */
const MAX_STARTS = 64;

/**
 * The indexes right after each separator (`&`, `|`, `;`, `` ` ``, `(`, `{`, a line break), where cmd — or
 * a shell a payload is written for — may start a new command; at most `MAX_STARTS`.
 */
export function separatorStarts(text: string): number[] {
  const starts: number[] = [];
  SEPARATORS.lastIndex = 0;
  for (let match = SEPARATORS.exec(text); match !== null && starts.length < MAX_STARTS; match = SEPARATORS.exec(text)) {
    starts.push(match.index + 1);
  }
  return starts;
}
const SEPARATORS = /[&|;`({\n\r]/g;

/**
 * True when the command starting at `at` follows one of cmd's own separators (`&`, `|`, a line break) or
 * `;`; false after `` ` ``, `(` and `{`, which Markdown, code and prose use as much as payloads do.
 */
export function followsStrongSeparator(text: string, at: number): boolean {
  const c = text[at - 1];
  return c === '&' || c === '|' || c === ';' || c === '\n' || c === '\r';
}

/** A program word as cmd would look it up. */
export interface CmdWord {
  /** Where the word starts and ends in the text read. */
  start: number;
  end: number;
  /** Lower-case, quotes dropped, without its directory and its `.exe`/`.com`/`.bat`/`.cmd` suffix. */
  name: string;
  /**
   * How the word names a directory: not at all, the Windows way (`C:\Windows\System32\certutil.exe`,
   * `%windir%\…`, `\\host\share\…`), or with slashes only (`/whoami`, `api/v1/tasklist`), as URLs do.
   */
  path: 'none' | 'windows' | 'slashes';
}

const MAX_WORD = 160;
const WORD_START = /^[A-Za-z%\\."]$/;
/** The characters of a program word: up to a blank or one of cmd's operators. */
const COMMAND_WORD = new RegExp(`[^\\s&|;\`(<>),=]{1,${MAX_WORD}}`, 'y');
const EXECUTABLE_SUFFIX = /\.(?:exe|com|bat|cmd)$/;
/** A switch glued to a program name (`bcdboot/r`, `dir/s`): the word ends before it. */
const GLUED_SWITCH = /^\/[A-Za-z?]{1,3}(?![A-Za-z0-9_\\/.])/;

/** The program word at `at`, past blanks and the quotes, parentheses, commas and `@` cmd skips before one. */
export function readCommandWord(text: string, at: number): CmdWord | undefined {
  let start = at;
  const limit = Math.min(text.length, at + 32);
  while (start < limit && (isBlank(text, start) || `"'(,@`.includes(text[start] as string))) start++;
  // a program word starts with a letter, a drive, `%VAR%`, `\\host` or `.\`
  if (!WORD_START.test(text[start] ?? '')) return undefined;
  COMMAND_WORD.lastIndex = start;
  const match = COMMAND_WORD.exec(text);
  if (match === null || match[0].length === MAX_WORD) return undefined;
  let end = start + match[0].length;
  const slash = match[0].indexOf('/', 1);
  if (slash > 0) {
    for (let i = slash; i < match[0].length; i++) {
      if (match[0][i] === '/' && GLUED_SWITCH.test(match[0].slice(i, i + 5))) {
        end = start + i;
        break;
      }
    }
  }
  let raw = text.slice(start, end);
  if (raw.includes('"') || raw.includes("'")) raw = raw.replace(/["']/g, '');
  const cut = Math.max(raw.lastIndexOf('\\'), raw.lastIndexOf('/'));
  let name = (cut < 0 ? raw : raw.slice(cut + 1)).toLowerCase();
  if (name === '') return undefined;
  if (name.includes('.')) name = name.replace(EXECUTABLE_SUFFIX, '');
  const path = cut < 0 ? 'none' : raw.includes('\\') || /^[A-Za-z]:/.test(raw) ? 'windows' : 'slashes';
  return { start, end, name, path };
}

/** True when `name` is something cmd runs: a builtin or a known Windows program. */
export function isCmdCommand(name: string): boolean {
  return CMD_BUILTINS.has(name) || TELLING_PROGRAMS.has(name) || WORDY_PROGRAMS.has(name) || SUBCOMMANDS.has(name);
}

/** Longest `for` set or `if` operand read, in characters. */
const MAX_GROUP = 2048;
const MAX_OPERAND = 256;
const FOR_WORD = /(?<![\w-])for(?=[\s/%])/gi;
/** Most `for` keywords looked at in one value. */
const MAX_FORS = 16;

/**
 * The span of a `for` loop in cmd syntax: `for [/d|/r [dir]|/l|/f ["options"]] %x in (set) do command`
 * (`%%x` in batch files; the loop variable may be any one character). Prose has no `%x in (…) do`.
 */
export function findForLoop(text: string): [number, number] | undefined {
  FOR_WORD.lastIndex = 0;
  let seen = 0;
  for (let match = FOR_WORD.exec(text); match !== null && seen < MAX_FORS; match = FOR_WORD.exec(text)) {
    seen++;
    const end = readForLoop(text, match.index + 3);
    if (end !== undefined) return [match.index, end];
  }
  return undefined;
}

function readForLoop(text: string, from: number): number | undefined {
  let j = from;
  for (let switches = 0; switches < 6; switches++) {
    const k = skipSpaces(text, j);
    const letter = text[k + 1]?.toLowerCase();
    if (text[k] !== '/' || letter === undefined || !'dlrf'.includes(letter) || /\w/.test(text[k + 2] ?? '')) break;
    j = skipSpaces(text, k + 2);
    // `/r C:\dir`, `/f "tokens=1-3"`: the switch's own argument
    if ((letter === 'r' || letter === 'f') && text[j] !== '%' && text[j] !== '/') j = operandEnd(text, j);
  }
  j = skipSpaces(text, j);
  if (text[j] !== '%') return undefined;
  j += text[j + 1] === '%' ? 2 : 1;
  // the loop variable: one character to cmd, a placeholder word (`%variable`) in documentation
  const name = j;
  while (j < text.length && j - name < 32 && !isBlank(text, j)) j++;
  if (!isBlank(text, j)) return undefined;
  j = skipSpaces(text, j);
  if (text.slice(j, j + 2).toLowerCase() !== 'in') return undefined;
  j = skipSpaces(text, j + 2);
  if (text[j] !== '(') return undefined;
  const close = groupEnd(text, j, MAX_GROUP);
  if (close === undefined) return undefined;
  j = skipSpaces(text, close);
  if (text.slice(j, j + 2).toLowerCase() !== 'do') return undefined;
  j += 2;
  const after = skipSpaces(text, j);
  // `do command`, `do(…)`, `do @echo`: a command must follow
  if (after >= text.length || text[after] === '\n' || text[after] === '\r') return undefined;
  if (after === j && !'(@"'.includes(text[after] as string)) return undefined;
  return Math.min(text.length, after + 16);
}

/** One past the bracket closing the one at `open` (`(`, `[` or `{`), counting nested ones; undefined past `limit` characters. */
function groupEnd(text: string, open: number, limit: number): number | undefined {
  const opener = text[open] as string;
  const closer = opener === '(' ? ')' : opener === '[' ? ']' : '}';
  let depth = 0;
  const stop = Math.min(text.length, open + limit);
  for (let i = open; i < stop; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') return undefined;
    if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i + 1;
  }
  return undefined;
}

/**
 * One past the `if` operand at `at`: a quoted string, a bracketed group (`[%1]`, `(AA)`, `{%1}`), or
 * characters up to a blank, a `==` or a command separator; glued pieces make one operand (`X%1`, `"%~1"x`).
 */
function operandEnd(text: string, at: number): number {
  let j = at;
  const stop = Math.min(text.length, at + MAX_OPERAND);
  while (j < stop) {
    const c = text[j] as string;
    if (c === '"') {
      const close = text.indexOf('"', j + 1);
      if (close < 0 || close >= stop) return stop;
      j = close + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      const close = groupEnd(text, j, MAX_OPERAND);
      if (close === undefined) return j + 1;
      j = close;
    } else if (isBlank(text, j) || '&|<>'.includes(c) || (c === '=' && text[j + 1] === '=' && j > at)) {
      return j;
    } else {
      j++;
    }
  }
  return j;
}

const IF_KEYWORD = /^(?:exist|defined|errorlevel|cmdextversion)(?=[ \t])/i;
const WORD_OPERATOR = /^(?:equ|neq|lss|leq|gtr|geq)(?=[ \t])/i;
/** A comparison inside parentheses: `(2 GEQ 15)`, `(a==b)`. */
const PAREN_COMPARISON = /^\(\s*[^\s()]{1,64}\s*(?:==|\s(?:equ|neq|lss|leq|gtr|geq)\s)\s*[^\s()]{1,64}\s*\)$/i;
/** cmd's expansions in an operand: `%1`, `%*`, `%~1`, `%%A`, `%VAR%`, `%VAR:~-1%`, `!VAR!` (not printf's `%s`). */
const CMD_EXPANSION = /%(?:[~*\d]|%[A-Za-z]|[A-Za-z_][\w]{0,40}(?::[^%\s]{0,30})?%)|![A-Za-z_][\w]{0,40}!/;
/** Variables of other languages (`$a`): the condition is PHP, Perl or a Unix shell, not cmd. */
const DOLLAR_VARIABLE = /\$[A-Za-z_{(]/;
/**
 * Words after a condition that belong to other languages' `if` (`if a == b then`, `if x==1 return`) or to
 * prose (`if token==null at end`): no command is named like them.
 */
const FOREIGN_FOLLOWERS = new Set(
  'then and or else elif elsif is in do return not at to the a an it this that of on for with as by be was are we you'.split(' '),
);

/**
 * One past the command an `if` at `at` runs, when what starts at `at` is cmd's `if` with its syntax:
 * `if [/i] [not] exist FILE command`, `… defined VAR command`, `… errorlevel N command`,
 * `… A==B command`, `… A EQU|NEQ|LSS|LEQ|GTR|GEQ B command`, `… (A op B) command`. The command after
 * `exist` and `defined` must be one cmd knows, or a `(` block; after a plain `a==b`, any word that is not
 * another language's (`then`, `return`); after operands with cmd expansions (`%1`, `%VAR%`), anything.
 */
export function readIfCommand(text: string, at: number): number | undefined {
  if (text.slice(at, at + 2).toLowerCase() !== 'if') return undefined;
  let j = at + 2;
  if (j >= text.length || !(' \t/('.includes(text[j] as string) || text[j] === '"' || text[j] === '[')) return undefined;
  j = skipSpaces(text, j);
  if (/^\/i(?![\w])/i.test(text.slice(j, j + 3))) j = skipSpaces(text, j + 2);
  if (/^not[ \t]/i.test(text.slice(j, j + 4))) j = skipSpaces(text, j + 3);
  const keyword = IF_KEYWORD.exec(text.slice(j, j + 14))?.[0].toLowerCase();
  if (keyword !== undefined) {
    const operandStart = skipSpaces(text, j + keyword.length);
    const operandStop = operandEnd(text, operandStart);
    const operand = text.slice(operandStart, operandStop);
    if (operand === '' || DOLLAR_VARIABLE.test(operand)) return undefined;
    const commandAt = skipSpaces(text, operandStop);
    if (keyword === 'errorlevel' || keyword === 'cmdextversion') {
      return /^\d{1,5}$/.test(operand) && commandAt < text.length && !isBlank(text, commandAt) ? commandEnd(text, commandAt) : undefined;
    }
    if (keyword === 'defined' && !/^[\w.#@$-]{1,64}$/.test(operand)) return undefined;
    return knownCommandAt(text, commandAt) ? commandEnd(text, commandAt) : undefined;
  }
  const firstStop = operandEnd(text, j);
  const first = text.slice(j, firstStop);
  if (first === '') return undefined;
  let k = skipSpaces(text, firstStop);
  let second = '';
  let wordOperator = false;
  let parenthesised = false;
  if (text.startsWith('==', k)) {
    const secondStart = skipSpaces(text, k + 2);
    k = operandEnd(text, secondStart);
    second = text.slice(secondStart, k);
    if (second === '') return undefined;
  } else if (WORD_OPERATOR.test(text.slice(k, k + 4))) {
    wordOperator = true;
    const secondStart = skipSpaces(text, k + 3);
    k = operandEnd(text, secondStart);
    second = text.slice(secondStart, k);
    if (second === '') return undefined;
  } else if (PAREN_COMPARISON.test(first)) {
    parenthesised = true;
    wordOperator = !first.includes('==');
    k = firstStop;
  } else {
    return undefined;
  }
  const operands = `${first} ${second}`;
  // `$a` is PHP's, Perl's or a Unix shell's; a single quote starts another language's string
  if (DOLLAR_VARIABLE.test(operands) || /^'|\w'/.test(first) || /^'|\w'/.test(second)) return undefined;
  const expanded = CMD_EXPANSION.test(operands);
  const commandAt = skipSpaces(text, k);
  if (commandAt >= text.length || text[commandAt] === '\n' || text[commandAt] === '\r') {
    // `if not {%1} == {}`: only cmd writes conditions on `%1`
    return expanded ? commandAt : undefined;
  }
  // `if x==1: print(x)`, `if (a == b) goto out;`: another language's condition or statement
  if (!expanded && (/[:;,]$/.test(second) || (second.endsWith(')') && !second.startsWith('(')) || endsStatement(text, commandAt))) {
    return undefined;
  }
  if (knownCommandAt(text, commandAt)) return commandEnd(text, commandAt);
  if (expanded || wordOperator) return commandEnd(text, commandAt);
  if (parenthesised || commandAt === k) return undefined;
  const follower = readCommandWord(text, commandAt);
  if (follower === undefined || follower.start !== commandAt || FOREIGN_FOLLOWERS.has(follower.name)) return undefined;
  if (!/^[A-Za-z]/.test(follower.name)) return undefined;
  return commandEnd(text, commandAt);
}

/** True when a command cmd knows starts at `at`, or a `(` block, or an `@`-silenced command. */
function knownCommandAt(text: string, at: number): boolean {
  const c = text[at];
  if (c === '(' || c === '@') return true;
  const word = readCommandWord(text, at);
  return word !== undefined && word.start === at && isCmdCommand(word.name);
}

/** True when the line from `at` ends like a C, Java, JavaScript or PHP statement or block opener (`;`, `{`). */
function endsStatement(text: string, at: number): boolean {
  let end = at;
  const stop = Math.min(text.length, at + 512);
  while (end < stop && text[end] !== '\n' && text[end] !== '\r') end++;
  while (end > at && isBlank(text, end - 1)) end--;
  return text[end - 1] === ';' || text[end - 1] === '{';
}

function commandEnd(text: string, at: number): number {
  let j = at;
  const stop = Math.min(text.length, at + 32);
  while (j < stop && text[j] !== '\n' && text[j] !== '\r') j++;
  return j;
}
