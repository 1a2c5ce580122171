/**
 * OS command injection: a value that makes a shell run a program. The value is read as a command line
 * (see `internal/exec-shell.ts`, which undoes the quoting, escaping, `${IFS}`, `$@` and globbing tricks
 * attackers use) and each simple command in it is judged by where it stands and what it runs:
 *
 * - after a shell separator, in a substitution or a brace expansion (`;id`, `| wget …`, `` `uname` ``,
 *   `$(whoami)`, `{cat,/etc/passwd}`): a known program whose arguments read like a command line (options,
 *   absolute paths, addresses, redirections), or one telling by itself (`whoami`, `wget`), or one of the
 *   few that mean something alone (`;id`, `|ls`);
 * - anywhere, even at the start of the value: a program named by its path into a directory of programs
 *   (`/bin/sh`, `/???/c?t`, `/usr/bin/unxz`, `bin/visudo`), an interpreter given code (`bash -c`,
 *   `$SHELL -c`, `python3.10 -c`, `perl -e`, `powershell -enc`, `cmd /c`, `-wrapper sh,-c,…`), a builtin
 *   that defines code (`alias a=curl`, `trap '…' EXIT`), a program given a sensitive file (`cat /etc/passwd`,
 *   `cat /etc/pa[s]swd`, also relative to a directory an earlier `cd` went to), a pipe into a shell, a
 *   timed probe (`ping -n 30 127.0.0.1`), a program name built by a brace expansion (`c{a,oun}t`, `{,id}`);
 * - at the start of the value: administration tools whose names are commands wherever they stand
 *   (`visudo`, `ansible-playbook …`), telling programs run through a prefix (`time ifconfig`), a program
 *   escaped past aliases (`\ls`), obfuscated path arguments (`ls /a[b]c`).
 *
 * A value that merely starts with a program name and words (`echo in the mirror`, `ls 300 lexus`) is prose;
 * so is a separator before words that are not programs (`Tom & Jerry`, `a hero; more than that`). In a Referer,
 * a URL, a bare name after the URL's own `;` or `&` is a matrix parameter or a flag (`…/list?sort=asc&id`),
 * not a command; a command with arguments there still is one (`/;ls -al`), and so is a query value or a path
 * segment that is one by itself (`?q=;id`).
 * `command-line` is the stricter variant for higher paranoia: a value that is itself a command line
 * (`uname -a`, `ls -la /var`). `shell-expansion` reports expansions only a shell reads (`$((…))`, `${x#…}`,
 * `~+`, `!-1`, `/etc/pa[s]swd`, `<(cmd)`), whatever command they belong to.
 */
import type { Detector, DetectorHit } from '../types.js';
import {
  type CommandInfo,
  globCommand,
  hasGlob,
  isBareTelling,
  isBinDirectory,
  isDistinctive,
  isPrefix,
  isShell,
  isUnmistakable,
  knownCommand,
  mayStartProgram,
  runsCodeOption,
  takesHost,
  takesNumber,
} from './internal/exec-commands.js';
import { findGlobbedSystemPath, findSensitiveFile, normalizePath } from './internal/exec-files.js';
import { type CommandLead, type ShellCommand, type ShellWord, scanShell } from './internal/exec-shell.js';

/** Values up to this length are read whole once a candidate is seen; longer ones only around their candidates. */
const WHOLE_VALUE = 4096;
/** The stretch read around a candidate in a long value. */
const WINDOW_BEFORE = 256;
const WINDOW_AFTER = 1024;
/** Most candidates a long value is read around. */
const MAX_WINDOWS = 8;
/** Longest stretch after a separator looked at for a program name. */
const LOOKAHEAD = 96;

/**
 * Where a command may begin — a shell separator, a substitution, a subshell, a brace expansion — or text that
 * names a program by its path or reaches a socket wherever it stands (`/bin/`, `/???/`, `/dev/tcp/`,
 * `\\system32\\`). One pass finds both; a match starting with a slash or backslash is of the second kind.
 */
const COMMAND_LEAD =
  /[;|&`\n\r({)]|\$\(|[<>]\(|[/\\](?:(?:usr\/(?:local\/)?)?s?bin\/|\w{0,3}[?*[][\w?*[\]]{0,6}\/|dev\/(?:tcp|udp)\/|(?:system32|syswow64|windowspowershell)\\)/gi;
/** Most words skipped before a program name: prefixes (`sudo nohup …`) and empty expansions (`$u $v …`). */
const MAX_SKIPPED_WORDS = 3;
/** Longest word looked at as a program name (`/usr/local/sbin/…`). */
const MAX_WORD = 64;
/** What a shell drops from a word before running it: quotes, escapes, the `cmd` caret, empty expansions. */
const WORD_NOISE = /`\w{0,16}`|['"\\^]|\$(?:\{[^}]{0,64}\}|\(\)|[@*#?!$0-9-]|[A-Za-z_][A-Za-z0-9_]{0,63})/g;
/** `$SHELL`, `${SHELL}`, `$0`: the user's shell, or the running one, as a command word. */
const SHELL_VARIABLE = /^\$(?:\{?(?:SHELL|BASH)\}?|0)$/;
/** `` w`u`hoami ``: a short substitution inside a word, which adds nothing when it names no program. */
const INNER_SUBSTITUTION = /^`\w{0,16}`/;
/** A shell and its code option handed over as one comma-separated argument (`-wrapper sh,-c,…`). */
const WRAPPED_SHELL = /(?:^|[\s,='"])(?:ba|da|z|k)?sh,-c,/;
/** A brace expansion somewhere in a value, the candidate for words built from braces (`c{a,oun}t`). */
const BRACE_CANDIDATE = /\{[^\s{}'"`$\\;|&<>(),]{0,64},[^\s{}'"`$\\;|&<>()]{0,64}\}/;
/** The signals `trap` takes; `trap 'code' EXIT` runs code. */
const TRAP_SIGNAL = /^(?:SIG)?[A-Z]{2,8}$|^\d{1,2}$/;
/** An absolute path with a bracket glob in it (`/etc/pa[s]swd`, `/a[b]c`): no file name is written that way. */
const BRACKET_GLOB_PATH = /^\/[^\s]{0,64}\[[^\]]{1,16}\]/;
/** After a program name at the start of a value: what makes the value worth reading as a command line. */
const LEADING_TAIL = /^[^\n]{0,40}?[-/\\~$%'"\d;|&`<>=+,]/;
const WINDOWS_PATH_WORD = /^["']?(?:[A-Za-z]:|%\w+%)?\\{1,2}[\w .$-]+\\/;
/** Arguments looked at after a program name. */
const MAX_ARGUMENTS = 6;

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
/** `bin/…`, `usr/bin/…`: a directory of programs named relative to the root. */
const RELATIVE_BIN = /^(?:usr\/(?:local\/)?)?s?bin\//;
/** True when a relative directory of programs (`bin/`, `usr/bin/`) starts at `at`. */
function isRelativeBinAt(value: string, at: number): boolean {
  const first = value.charCodeAt(at);
  return (first === 0x62 || first === 0x73 || first === 0x75) && RELATIVE_BIN.test(value.slice(at, at + 16));
}

/** What a file in a directory of programs is called: any such file is a program (`/usr/bin/unxz`). */
const PROGRAM_FILE = /^[a-z][\w.+-]{0,31}$/;
const OPTION = /^--?[A-Za-z]/;
const WINDOWS_OPTION = /^\/[A-Za-z?]{1,2}(?::|$)/;
const PATH = /^(?:\/[A-Za-z0-9._~*?[-]|\.{1,2}\/|~(?:\/|$))/;
const DRIVE = /^(?:[A-Za-z]:(?:[\\/]|$)|\\\\[\w.$-])/;
const URL = /^[A-Za-z][\w+.-]{1,15}:\/\//;
const ADDRESS = /^(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?$|^\[?[0-9a-fA-F:]+:[0-9a-fA-F:]*\]?$|^[\w.-]+:\d{2,5}$/;
const HOST_NAME = /^[\w-]+(?:\.[\w-]+)+\.?$/;
const NUMBER = /^\d+(?:\.\d+)?[smhd]?$/;
const REDIRECT_TARGET = /^(?:[/.~&$]|\d)/;
/** A value that is nothing but one substitution (`` `id` ``, `"$(true)"`). */
const WHOLE_SUBSTITUTION = /^["'\s]*(?:`[^`]{1,200}`|\$\([^)]{1,200}\))["'\s]*$/;
const WINDOWS_SYSTEM_PATH = /^(?:[A-Za-z]:)?[\\/](?:windows|winnt)[\\/](?:system32|syswow64|sysnative)[\\/]|\\windowspowershell\\/i;

/** What a command word names. */
interface Program {
  info: CommandInfo;
  /** Named by an absolute path into a directory of programs (`/bin/sh`, `/???/c?t`, `C:\Windows\System32\cmd.exe`). */
  absolute: boolean;
}

/** The place of a command and how strong that place is. */
type Strength = 'separated' | 'leading';

const detect = (strict: boolean): Detector => {
  return (value, { location }) => {
    if (value.length < 2) return undefined;
    // in a whole body, lines are text lines; elsewhere a line break inside one value is a separator
    const hit = readValue(value, location === 'body' ? 'text' : 'field', strict);
    if (hit === undefined || location !== 'header:referer' || !LOOKS_LIKE_URL.test(value)) return hit;
    // a Referer is a URL: its own `;` and `&` before a bare name are a matrix parameter or a flag
    // (`…/list?sort=asc&id`), not a command; a query value or path segment is still read as the value it is
    const asUrl = readValue(value, 'url', strict);
    if (asUrl !== undefined) return asUrl;
    for (const [from, to] of urlParts(value)) {
      const part = to - from < 2 ? undefined : readValue(value.slice(from, to), 'field', strict);
      if (part !== undefined) return { detail: part.detail, start: part.start + from, end: part.end + from };
    }
    return undefined;
  };
};

/**
 * How a value's text is read: `field` (a parameter, a header: a line break is a separator), `text` (a whole
 * body: lines are text lines), `url` (a Referer: also `;` and `&` before a bare name are the URL's syntax).
 */
type Syntax = 'field' | 'text' | 'url';

/** Judges one value: whole when short, else the windows around its candidates. */
function readValue(value: string, syntax: Syntax, strict: boolean): DetectorHit | undefined {
  if (value.length <= WHOLE_VALUE) {
    return firstCandidate(value, 0, strict) === undefined ? undefined : read(value, 0, syntax, strict);
  }
  for (const [from, to] of candidateWindows(value, strict)) {
    const hit = read(value.slice(from, to), from, syntax, strict);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** A URL as browsers send one in a Referer: `scheme://…`, a path, or a host and a path (`www.example.com/…`). */
const LOOKS_LIKE_URL = /^(?:[A-Za-z][\w+.-]{0,15}:\/\/|\/|[\w-]{1,63}(?:\.[\w-]{1,63})+(?::\d{1,5})?[/?#])/;
/** `scheme://authority` at the start of a URL: a host, never a command. */
const URL_ORIGIN = /^[A-Za-z][\w+.-]{0,15}:\/\/[^/?#]*/;
/** Most parts of a URL read one by one. */
const MAX_URL_PARTS = 64;

/**
 * The parts of a URL (a Referer) as the application behind it reads them, as `[start, end)` spans: path
 * segments and their `;` parameters, and the names and values of the query, also in a `#` fragment (the
 * routes of single-page applications). A URL's `/`, `;`, `?`, `&` and `#` are its own syntax: a page
 * `…/list?sort=asc&id` names a flag `id`, it runs no command `id`. A query value stays whole, so
 * `?q=;cat /etc/passwd` is read as the value it is.
 */
export function urlParts(url: string): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  const origin = URL_ORIGIN.exec(url);
  let at = origin === null ? 0 : origin[0].length;
  while (at < url.length && parts.length < MAX_URL_PARTS) {
    const query = url.indexOf('?', at);
    const fragment = url.indexOf('#', at);
    const pathEnd = Math.min(query < 0 ? url.length : query, fragment < 0 ? url.length : fragment);
    for (let from = at; from < pathEnd && parts.length < MAX_URL_PARTS; ) {
      let to = from;
      while (to < pathEnd && url[to] !== '/' && url[to] !== ';') to++;
      if (to > from) parts.push([from, to]);
      from = to + 1;
    }
    if (pathEnd === url.length) break;
    if (url[pathEnd] === '#') {
      at = pathEnd + 1;
      continue;
    }
    const queryEnd = fragment > pathEnd ? fragment : url.length;
    for (let from = pathEnd + 1; from < queryEnd && parts.length < MAX_URL_PARTS; ) {
      let to = url.indexOf('&', from);
      if (to < 0 || to > queryEnd) to = queryEnd;
      const equals = url.indexOf('=', from);
      if (equals >= 0 && equals < to) {
        if (equals > from) parts.push([from, equals]);
        if (to > equals + 1) parts.push([equals + 1, to]);
      } else if (to > from) parts.push([from, to]);
      from = to + 1;
    }
    at = queryEnd + 1;
  }
  return parts;
}

/** Reads `text` as a command line, also as the inside of a quoted string, and judges each command; offsets shifted by `offset`. */
function read(text: string, offset: number, syntax: Syntax, strict: boolean): DetectorHit | undefined {
  const contexts: Array<'' | "'" | '"'> = [''];
  if (text.includes("'")) contexts.push("'");
  if (text.includes('"')) contexts.push('"');
  for (const quote of contexts) {
    let hit: DetectorHit | undefined;
    let previous: Program | undefined;
    let directory: string | undefined;
    scanShell(text, quote, (command) => {
      const program = programOf(command);
      hit = judge(command, program, { text, previous, directory, syntax, strict });
      previous = program?.program;
      directory = changedDirectory(command, directory);
      return hit !== undefined;
    });
    if (hit !== undefined) return { detail: hit.detail, start: hit.start + offset, end: hit.end + offset };
  }
  return undefined;
}

/**
 * The cheap pre-check: the offset of the first place a command could start that the scanner should read —
 * a program name (or a path, a glob, a prefix like `sudo`) at the start of the value, after the first quote,
 * or after a separator; or a program named by its path anywhere. Undefined for nearly all benign values.
 */
function firstCandidate(value: string, from: number, strict: boolean): number | undefined {
  const leading = strict ? 'strict' : 'plain';
  if (from === 0) {
    if (commandWordAt(value, 0, leading)) return 0;
    for (const quote of ["'", '"']) {
      const at = value.indexOf(quote);
      if (at >= 0 && commandWordAt(value, at + 1, leading)) return at;
    }
  }
  COMMAND_LEAD.lastIndex = from;
  for (let lead = COMMAND_LEAD.exec(value); lead !== null; lead = COMMAND_LEAD.exec(value)) {
    const text = lead[0];
    if (text.length > 2 && (text[0] === '/' || text[0] === '\\')) return lead.index;
    if (commandWordAt(value, lead.index + text.length)) return lead.index;
  }
  if (value.includes('{') && value.includes('}')) {
    const brace = BRACE_CANDIDATE.exec(from === 0 ? value : value.slice(from));
    if (brace !== null) return from + brace.index;
  }
  if (value.includes(',-c,')) {
    const wrapped = WRAPPED_SHELL.exec(from === 0 ? value : value.slice(from));
    if (wrapped !== null) return from + wrapped.index;
  }
  return undefined;
}

/** The stretches of a long value around its first candidates, in order and without overlaps. */
function candidateWindows(value: string, strict: boolean): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  let from = 0;
  while (windows.length < MAX_WINDOWS && from < value.length) {
    const at = firstCandidate(value, from, strict);
    if (at === undefined) break;
    const start = Math.max(from, at - WINDOW_BEFORE);
    const end = Math.min(value.length, at + WINDOW_AFTER);
    windows.push([start, end]);
    from = end;
  }
  return windows;
}

/**
 * True when the word at `at` (past blanks and openers) could name a program once the shell has read it.
 * `leading` is for a word at the start of the value (or of a quoted string), where a program name alone is
 * prose unless something command-like follows it (`strict`: or unless the name is telling by itself).
 */
function commandWordAt(value: string, at: number, leading: 'no' | 'plain' | 'strict' = 'no', prefixed = false, depth = 0): boolean {
  const limit = Math.min(value.length, at + LOOKAHEAD);
  let start = at;
  while (start < limit && SKIPPED_BEFORE_WORD[value.charCodeAt(start)] === 1) start++;
  if (limit - start < 2 || !(mayStartProgram(value, start) || isRelativeBinAt(value, start))) return false;
  let end = start;
  let noisy = false;
  for (; end < limit; end++) {
    const code = value.charCodeAt(end);
    const kind = code < 128 ? (WORD_CHAR[code] as number) : 1;
    if (code === 0x60 && end > start) {
      const inner = INNER_SUBSTITUTION.exec(value.slice(end, end + 20));
      if (inner === null) break;
      end += inner[0].length - 1;
      noisy = true;
      continue;
    }
    if (kind === 0) break;
    // `$IFS` and `${IFS}` are blanks to the shell: the word ends there
    const next = code === 0x24 ? value.charCodeAt(end + 1) : 0;
    if ((next === 0x49 || next === 0x7b) && /^\$\{?IFS(?![A-Za-z0-9_])/.test(value.slice(end, end + 6))) break;
    // `whoami$()`: an empty substitution inside the word
    if (next === 0x28 && value.charCodeAt(end + 2) === 0x29) {
      end += 2;
      noisy = true;
      continue;
    }

    if (next === 0x7b) {
      // `${IFS}`, `${u}`: an expansion inside the word, skipped whole
      const close = value.indexOf('}', end + 2);
      if (close < 0 || close - end > MAX_WORD) return false;
      end = close;
      noisy = true;
      continue;
    }
    // URLs, JSON keys and `name=value` pairs are not program names
    if (kind === 3) return false;
    if (kind === 2) noisy = true;
  }
  if (end - start > MAX_WORD) return false;
  const tail = leading === 'no' ? '' : value.slice(end, end + LOOKAHEAD);
  const commandLike = leading === 'no' || LEADING_TAIL.test(tail);
  // `\ls`: a backslash before a program name skips the user's aliases
  const escaped = leading !== 'no' && value.charCodeAt(start) === 0x5c && /^\\[a-z]/.test(value.slice(start, end));
  const raw = value.slice(start, end);
  if (noisy && WINDOWS_PATH_WORD.test(raw)) return true;
  const word = SHELL_VARIABLE.test(raw) ? 'sh' : noisy ? raw.replace(WORD_NOISE, '') : raw;
  // `|$u wget`: a word that is only an empty expansion vanishes, the next one is the command
  if (word === '' && noisy && end > start && depth < MAX_SKIPPED_WORDS) return commandWordAt(value, end, leading, prefixed, depth + 1);
  if (word === '' || ASSIGNMENT.test(word)) return false;
  if (isPrefix(word) || isPrefix(word.toLowerCase()))
    return depth < MAX_SKIPPED_WORDS && commandWordAt(value, end, leading, true, depth + 1);
  const slash = word.lastIndexOf('/');
  const base = word.slice(slash + 1);
  const relativeBin = slash > 0 && isBinDirectory(`/${word.slice(0, slash)}`);
  if (slash === 0 || (slash > 0 && !isBinDirectory(word.slice(0, slash)) && !relativeBin)) return false;
  const named =
    knownCommand(base)?.name ??
    (hasGlob(base) ? globCommand(base) : isShell(base.toLowerCase()) ? base.toLowerCase() : undefined) ??
    (slash > 0 && !relativeBin && PROGRAM_FILE.test(base) ? base : undefined);
  if (named === undefined) return false;
  const telling = isUnmistakable(named) || ((prefixed || leading === 'strict') && isDistinctive(named));
  return commandLike || slash > 0 || escaped || telling;
}

/** Character classes for `commandWordAt`, by code: 0 ends a word, 1 is part of it, 2 is shell noise, 3 rules a program out. */
const WORD_CHAR: Uint8Array = (() => {
  const table = new Uint8Array(128).fill(1);
  for (let code = 0; code <= 32; code++) table[code] = 0;
  for (const c of ';|&`<>(),{}') table[c.charCodeAt(0)] = 0;
  for (const c of `'"\\^$`) table[c.charCodeAt(0)] = 2;
  for (const c of ':=') table[c.charCodeAt(0)] = 3;
  table[127] = 0;
  return table;
})();
/** Blanks and openers skipped before a command word: `; (id)`, `{ id; }`, `! id`. */
const SKIPPED_BEFORE_WORD: Uint8Array = (() => {
  const table = new Uint8Array(65536);
  for (const c of ' \t({!') table[c.charCodeAt(0)] = 1;
  return table;
})();

/** Command injection at paranoia 1: commands after separators, and unmistakable command lines anywhere. */
export const detectCommandInjection: Detector = detect(false);

/** Also values that are themselves a command line (`uname -a`, `cat file.txt | grep x`): for paranoia 2 and up. */
export const detectCommandLine: Detector = detect(true);

const LONE_BEFORE = /^['"\s]*[;|]\s*$/;
const LONE_AFTER = /^[;'"\s]*$/;
/** `$((7*6))`: arithmetic expansion. */
const ARITHMETIC = /\$\(\([\s\S]{0,200}?\)\)/;
/** `$[2+2]`, `$[]`: the old arithmetic expansion; JSONPath's `$[0]`, `$['a']`, `$[0].b` are not. */
const OLD_ARITHMETIC = /\$\[([^[\]]{0,64})\](?![.[])/;
const ARITHMETIC_BODY = /^\s*$|^[\w\s()]*\w[\s)]*[-+*/%<>]\s*[(\w][\w\s+*/%()<>-]*$/;
/**
 * `${x#pattern}`, `${PATH%%/*}`, `${:1:-x}`: parameter expansion that strips a pattern, or slices a nameless
 * parameter. `${v:-default}` is not here: Compose files and `.env` templates are full of it.
 */
const PARAMETER_OPERATOR =
  /\$\{(?:[A-Za-z_]\w{0,30}|[0-9@*])(?:##?|%%?)[\w./*?[\]{~@+-]{0,64}\}|\$\{:\d{1,6}(?::-?[\w./*?[\]{~@+$-]{0,64})?\}/;
/** A value that is one process substitution: `<(cmd)`, `>(tee log)`. */
const PROCESS_SUBSTITUTION = /^\s*[<>]\(\s*[A-Za-z_][\w.-]{0,31}(?:\s[^()]{0,200})?\)\s*$/;
/**
 * `~+`, `~-`, `~+2`: the working directory and the directory stack, by tilde expansion. With a number, only as
 * the whole value, after a separator or before a `/`: in prose `~-5` and `~+2` are approximate numbers.
 */
const TILDE_STACK = /(?:^|[\s;|&])~[+-](?:\d{1,3}\/|(?=$|[\s;|&/]))|(?:^\s*|[;|&]\s*)~[+-]\d{1,3}(?=$|[\s;|&])/;
/** `!-1`, `!-2`: a command from the shell's history, run again. */
const HISTORY = /(?:^\s*|[;|&!]\s*)!-\d{1,3}(?=$|[\s;|&!:])/;
/** An absolute path standing as a word: what `findGlobbedSystemPath` looks at. */
const PATH_WORD = /(?:^|[\s'"=(])(\/[^\s'"<>;|&()]{1,200})/g;
/** Cheap gate: the characters every shell expansion above needs. */
const EXPANSION_GATE = /[$~!]|[<>]\(|\/[^\s]{0,64}[[?*]/;

/**
 * Shell expansions that only a shell reads, whatever command they are part of: arithmetic (`$((…))`,
 * `$[…]`), parameter expansion with an operator (`${x#…}`, `${v:-…}`), a process substitution as the
 * whole value, tilde expansion of the directory stack (`~+`, `~-`), history expansion (`!-1`), and system
 * files written as globs (`/etc/pa[s]swd`, `/[e]tc`).
 */
export const detectShellExpansion: Detector = (value) => {
  if (value.length < 2 || !EXPANSION_GATE.test(value)) return undefined;
  const hitOf = (detail: string, found: RegExpExecArray | null): DetectorHit | undefined =>
    found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
  if (value.includes('$')) {
    const hit = hitOf('arithmetic-expansion', ARITHMETIC.exec(value)) ?? hitOf('parameter-expansion', PARAMETER_OPERATOR.exec(value));
    if (hit !== undefined) return hit;
    const old = OLD_ARITHMETIC.exec(value);
    if (old !== null && ARITHMETIC_BODY.test(old[1] as string)) return hitOf('arithmetic-expansion', old);
  }
  if (value.includes('(')) {
    const hit = hitOf('process-substitution', PROCESS_SUBSTITUTION.exec(value));
    if (hit !== undefined) return hit;
  }
  if (value.includes('~')) {
    const hit = hitOf('tilde-expansion', TILDE_STACK.exec(value));
    if (hit !== undefined) return hit;
  }
  if (value.includes('!-')) {
    const hit = hitOf('history-expansion', HISTORY.exec(value));
    if (hit !== undefined) return hit;
  }
  PATH_WORD.lastIndex = 0;
  let words = 0;
  for (let found = PATH_WORD.exec(value); found !== null && words < 16; found = PATH_WORD.exec(value), words++) {
    const path = found[1] as string;
    if (!/[[?*]/.test(path) || findGlobbedSystemPath(path) === undefined) continue;
    const start = found.index + found[0].length - path.length;
    return { detail: 'globbed-system-path', start, end: start + path.length };
  }
  return undefined;
};

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'command-injection': detectCommandInjection,
  'command-line': detectCommandLine,
  'shell-expansion': detectShellExpansion,
};

interface Located {
  program: Program;
  word: ShellWord;
  args: ShellWord[];
  prefixed: boolean;
}

/** The program a simple command runs, past variable assignments and prefixes like `time`, `nohup`, `sudo`. */
function programOf(command: ShellCommand): Located | undefined {
  const words = command.words;
  let k = 0;
  let prefixed = false;
  while (k < words.length && ASSIGNMENT.test((words[k] as ShellWord).text)) k++;
  while (k < words.length - 1 && isPrefixWord((words[k] as ShellWord).text)) {
    k++;
    prefixed = true;
    // `timeout 5 cmd`, `nice -n 5 cmd`
    while (k < words.length - 1 && /^-|^\d+$/.test((words[k] as ShellWord).text)) k++;
  }
  const word = words[k];
  if (word === undefined) return undefined;
  const args = words.slice(k + 1, k + 1 + MAX_ARGUMENTS);
  const program = programNamed(word) ?? foldedShell(word, args);
  if (program === undefined) return undefined;
  return { program, word, args, prefixed };
}

/** `time`, `nohup`, `sudo` and the like, also written in mixed case (`TiMe`) as filters that lower-case values are dodged. */
const isPrefixWord = (text: string): boolean => isPrefix(text) || isPrefix(text.toLowerCase());

/** A shell written in mixed case (`Sh -c …`, which case-insensitive file systems run) given its code option. */
function foldedShell(word: ShellWord, args: readonly ShellWord[]): Program | undefined {
  const lower = word.text.toLowerCase();
  if (!isShell(lower) || args[0]?.text !== '-c' || args.length < 2) return undefined;
  const info = knownCommand(lower);
  return info === undefined ? undefined : { info, absolute: false };
}

function programNamed(word: ShellWord): Program | undefined {
  const text = word.text;
  if (text.length > 200) return undefined;
  if (word.raw.includes('\\') && /^(?:[A-Za-z]:|\\\\|%\w+%)?\\/.test(word.raw)) {
    const base = word.raw.split(/[\\/]/).pop() ?? '';
    const info = knownCommand(base.replace(/["']/g, ''));
    // `C:\Windows\System32\ls` is a path, not a program: only Windows programs live there
    if (info !== undefined) return { info, absolute: (info.windows || info.suffixed) && WINDOWS_SYSTEM_PATH.test(word.raw) };
  }
  const slash = text.lastIndexOf('/');
  const directory = slash < 0 ? '' : text.slice(0, slash);
  const base = slash < 0 ? text : text.slice(slash + 1);
  const name = word.glob && hasGlob(base) ? globCommand(base) : base;
  const binDirectory = directory !== '' && isBinDirectory(directory);
  const relativeBin = directory !== '' && directory[0] !== '/' && isBinDirectory(`/${directory}`);
  const info =
    name === undefined
      ? undefined
      : (knownCommand(name) ?? (binDirectory && PROGRAM_FILE.test(name) ? { name, windows: false, suffixed: false } : undefined));
  if (info === undefined) return undefined;
  return { info, absolute: binDirectory || relativeBin };
}

/** What `judge` knows beside the command: the text read, the command before, how to read lines, the variant. */
interface Reading {
  text: string;
  previous: Program | undefined;
  /** The working directory earlier commands of the value changed to (`cd /;cd etc;…`), if any. */
  directory: string | undefined;
  syntax: Syntax;
  strict: boolean;
}

function judge(command: ShellCommand, located: Located | undefined, reading: Reading): DetectorHit | undefined {
  const { text, previous, directory, syntax, strict } = reading;
  const spanOf = (detail: string, from: ShellWord): DetectorHit => ({
    detail,
    start: Math.min(command.start, from.start),
    end: Math.max(from.end, command.words[command.words.length - 1]?.end ?? from.end),
  });
  // a redirection to a network socket needs no program name (`sh 0>/dev/tcp/…`, `exec 5<>/dev/tcp/…`)
  for (const target of command.redirects) if (/^\/dev\/(?:tcp|udp)\//.test(target.text)) return spanOf('dev-tcp-redirect', target);
  for (const word of command.words) {
    const absolute = word.text.startsWith('/') ? programNamed(word) : undefined;
    if (absolute?.absolute) return spanOf('absolute-program', word);
    // `-wrapper sh,-c,…`: a shell and its code option handed to a program that runs it
    if (WRAPPED_SHELL.test(word.text)) return spanOf('interpreter-code', word);
  }
  // `cd /;cd etc;column passwd`: a file named relative to a directory the value changed to
  const first = command.words[0];
  if (directory !== undefined && first !== undefined && command.lead !== 'start') {
    for (const word of command.words.slice(1, 1 + MAX_ARGUMENTS)) {
      if (/^[-/]/.test(word.text) || findSensitiveFile(normalizePath(`${directory}/${word.text}`)) === undefined) continue;
      return spanOf('program-on-sensitive-file', first);
    }
  }
  if (located === undefined) return undefined;
  const { program, word, args } = located;
  const name = program.info.name;
  if (program.absolute) return spanOf('absolute-program', word);
  if (args.some((arg) => runsCodeOption(name, arg.text))) return spanOf('interpreter-code', word);
  if (isTrapWithCode(name, args) || isAliasDefinition(name, args)) return spanOf('builtin-defines-code', word);
  if (args.some((arg) => isSensitivePath(arg))) return spanOf('program-on-sensitive-file', word);
  if (command.lead === 'pipe' && isShell(name) && previous !== undefined) return spanOf('pipe-to-shell', word);
  if (takesNumber(name) && isTimedProbe(name, args)) return spanOf('timed-probe', word);
  // `c{a,oun}t /etc/…`, `{,ifconfig}`: a program name assembled by a brace expansion
  if (word.braceBuilt === true) return spanOf('brace-built-command', word);
  const strength = strengthOf(command.lead, syntax !== 'text');
  const shellArgs = args.some((arg) => isShellArgument(arg, program.info));
  if (strength === 'leading') {
    if (program.info.suffixed && shellArgs) return spanOf('windows-program', word);
    // `id;`, `dir c: |`: a command line ended by a shell separator, as pasted before another command
    if ((isBareTelling(name) || shellArgs) && endsWithSeparator(text, command)) return spanOf('terminated-command', word);
    // `visudo`, `ansible-playbook site.yml`: names that are commands wherever they stand
    if (isUnmistakable(name)) return spanOf('command-line', word);
    // `time ifconfig`, `nohup wget …`: a program run through another one
    if (located.prefixed && isDistinctive(name)) return spanOf('command-line', word);
    // `\ls`: a backslash that skips the user's aliases
    if (word.raw.startsWith('\\') && !word.raw.slice(1).includes('\\') && isBareTelling(name)) return spanOf('command-line', word);
    // `ls /a[b]c`: a path obfuscated with a bracket glob, which no file name is written as
    if (args.some((arg) => BRACKET_GLOB_PATH.test(arg.text))) return spanOf('command-line', word);
    if (strict && (isDistinctive(name) || shellArgs)) return spanOf('command-line', word);
    return undefined;
  }
  if (command.lead === 'substitution') {
    // backticks are also Markdown's code spans: a bare name in them counts only when it is the whole value
    const glued = command.start > 0 && /[\w'"=;|&]/.test(text[command.start - 1] as string);
    const opener = text[command.start];
    const telling =
      isDistinctive(name) || shellArgs || glued || opener === '$' || opener === '<' || opener === '>' || WHOLE_SUBSTITUTION.test(text);
    return telling ? spanOf('command-substitution', word) : undefined;
  }
  // `…/list?sort=asc&id`, `…/docs;ls`: in a URL, a bare name after `;` or `&` is a flag or a matrix parameter
  if (syntax === 'url' && args.length === 0 && command.redirects.length === 0 && isUrlDelimited(text, command)) return undefined;
  if (isDistinctive(name)) return spanOf('command-after-separator', word);
  // `;gcc<<<'…'`: a here-string feeds text to the program, a shell-only construct
  if (command.redirects.some((target) => target.operator === '<<<')) return spanOf('command-after-separator', word);
  if (args.length === 0 && command.redirects.length === 0 && command.lead !== 'newline') {
    // `;who`, `|set`: a separator and one program name as the whole value, an injection probe
    const lone = isLoneCommand(text, command, word);
    return isBareTelling(name) || lone ? spanOf('command-after-separator', word) : undefined;
  }
  const shellLike = shellArgs || command.redirects.some((target) => REDIRECT_TARGET.test(target.text));
  return shellLike ? spanOf('command-after-separator', word) : undefined;
}

/** True when a single `;` or `&` (not `&&`) leads the command, as a URL's own syntax would. */
function isUrlDelimited(text: string, command: ShellCommand): boolean {
  if (command.lead !== 'separator') return false;
  const lead = text.slice(command.start, command.words[0]?.start ?? command.start).trim();
  return lead === ';' || lead === '&';
}

/** True when the value is nothing but `;` or `|` and this one word, give or take quotes, blanks and a last `;`. */
function isLoneCommand(text: string, command: ShellCommand, word: ShellWord): boolean {
  if (command.lead !== 'separator' && command.lead !== 'pipe') return false;
  return LONE_BEFORE.test(text.slice(0, word.start)) && LONE_AFTER.test(text.slice(word.end));
}

/** The working directory after `command` when it is a `cd` (any case), else `directory` unchanged. */
function changedDirectory(command: ShellCommand, directory: string | undefined): string | undefined {
  const [first, target] = command.words;
  if (first === undefined || first.text.toLowerCase() !== 'cd') return directory;
  if (target === undefined || target.text === '~') return '/root';
  const path = target.text.startsWith('/') ? target.text : `${directory ?? ''}/${target.text}`;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`.slice(0, 256);
}

/** A path argument naming a sensitive file, also through glob characters (`/etc/pa[s]swd`, `/???/p?sswd`). */
function isSensitivePath(arg: ShellWord): boolean {
  if (findSensitiveFile(normalizePath(arg.text)) !== undefined) return true;
  return arg.glob && findGlobbedSystemPath(arg.text) !== undefined;
}

/** `trap 'rm -rf …' EXIT`: a builtin that runs its quoted argument when a signal comes. */
function isTrapWithCode(name: string, args: readonly ShellWord[]): boolean {
  if (name !== 'trap' || args.length < 2) return false;
  const last = args[args.length - 1] as ShellWord;
  return (args[0] as ShellWord).quoted && TRAP_SIGNAL.test(last.text);
}

/** `alias a=curl`, `alias -p x=id`, `alias +g a=b`: a builtin that renames commands, to hide them. */
function isAliasDefinition(name: string, args: readonly ShellWord[]): boolean {
  if (name !== 'alias') return false;
  return args.some((arg) => /^[^=\s]{1,64}=/.test(arg.text));
}

/** True when a shell separator (`;`, `|`, `&`) follows the command's last word. */
function endsWithSeparator(text: string, command: ShellCommand): boolean {
  const last = command.words[command.words.length - 1];
  if (last === undefined) return false;
  let at = last.end;
  while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === '"' || text[at] === "'")) at++;
  const next = text[at];
  return next === ';' || next === '|' || next === '&';
}

function strengthOf(lead: CommandLead, linesAreCommands: boolean): Strength {
  if (lead === 'start' || lead === 'quote') return 'leading';
  if (lead === 'newline' && !linesAreCommands) return 'leading';
  return 'separated';
}

/** `ping -n 30 127.0.0.1`, `ping -c 10 host`, `sleep 31` after an option: the shape of a blind timing probe. */
function isTimedProbe(name: string, args: readonly ShellWord[]): boolean {
  const hasOption = args.some((arg) => OPTION.test(arg.text));
  const hasNumber = args.some((arg) => NUMBER.test(arg.text));
  if (name !== 'ping') return hasOption && hasNumber;
  return hasOption && hasNumber && args.some((arg) => ADDRESS.test(arg.text) || HOST_NAME.test(arg.text));
}

/** An argument that reads like a command line's rather than like a word of prose. */
function isShellArgument(arg: ShellWord, program: CommandInfo): boolean {
  const text = arg.text;
  if (text === '') return false;
  if (arg.expanded) return true;
  if (arg.glob && text.includes('/')) return true;
  if (OPTION.test(text) || PATH.test(text) || DRIVE.test(arg.raw) || URL.test(text) || ADDRESS.test(text)) return true;
  if (program.windows && WINDOWS_OPTION.test(text)) return true;
  if (takesNumber(program.name) && NUMBER.test(text)) return true;
  return takesHost(program.name) && HOST_NAME.test(text);
}
