/**
 * OS command injection: a value that makes a shell run a program. The value is read as a command line
 * (see `internal/exec-shell.ts`, which undoes the quoting, escaping, `${IFS}`, `$@` and globbing tricks
 * attackers use) and each simple command in it is judged by where it stands and what it runs:
 *
 * - after a shell separator, in a substitution or a brace expansion (`;id`, `| wget …`, `` `uname` ``,
 *   `$(whoami)`, `{cat,/etc/passwd}`): a known program whose arguments read like a command line (options,
 *   absolute paths, addresses, redirections), or one telling by itself (`whoami`, `wget`), or one of the
 *   few that mean something alone (`;id`, `|ls`);
 * - anywhere, even at the start of the value: a program named by its absolute path (`/bin/sh`,
 *   `/???/c?t`), an interpreter given code (`bash -c`, `python -c`, `perl -e`, `powershell -enc`,
 *   `cmd /c`), a program given a sensitive file (`cat /etc/passwd`), a pipe into a shell, a timed probe
 *   (`ping -n 30 127.0.0.1`).
 *
 * A value that merely starts with a program name and words (`echo in the mirror`, `ls 300 lexus`) is prose;
 * so is a separator before words that are not programs (`Tom & Jerry`, `a hero; more than that`).
 * `command-line` is the stricter variant for higher paranoia: a value that is itself a command line
 * (`uname -a`, `ls -la /var`).
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
  knownCommand,
  mayStartProgram,
  runsCodeOption,
  takesHost,
  takesNumber,
} from './internal/exec-commands.js';
import { findSensitiveFile, normalizePath } from './internal/exec-files.js';
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
/** Longest word looked at as a program name (`/usr/local/sbin/…`). */
const MAX_WORD = 64;
/** What a shell drops from a word before running it: quotes, escapes, the `cmd` caret, empty expansions. */
const WORD_NOISE = /['"\\^]|\$(?:\{[^}]{0,64}\}|[@*#?!$0-9-]|IFS(?![A-Za-z0-9_]))/g;
/** After a program name at the start of a value: what makes the value worth reading as a command line. */
const LEADING_TAIL = /^[^\n]{0,40}?[-/\\~$%'"\d;|&`<>]/;
const WINDOWS_PATH_WORD = /^["']?(?:[A-Za-z]:|%\w+%)?\\{1,2}[\w .$-]+\\/;
/** Arguments looked at after a program name. */
const MAX_ARGUMENTS = 6;

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
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
    const linesAreCommands = location !== 'body';
    if (value.length <= WHOLE_VALUE) {
      return firstCandidate(value, 0, strict) === undefined ? undefined : read(value, 0, linesAreCommands, strict);
    }
    for (const [from, to] of candidateWindows(value, strict)) {
      const hit = read(value.slice(from, to), from, linesAreCommands, strict);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
};

/** Reads `text` as a command line, also as the inside of a quoted string, and judges each command; offsets shifted by `offset`. */
function read(text: string, offset: number, linesAreCommands: boolean, strict: boolean): DetectorHit | undefined {
  const contexts: Array<'' | "'" | '"'> = [''];
  if (text.includes("'")) contexts.push("'");
  if (text.includes('"')) contexts.push('"');
  for (const quote of contexts) {
    let hit: DetectorHit | undefined;
    let previous: Program | undefined;
    scanShell(text, quote, (command) => {
      const program = programOf(command);
      hit = judge(command, program, { text, previous, linesAreCommands, strict });
      previous = program?.program;
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
function commandWordAt(value: string, at: number, leading: 'no' | 'plain' | 'strict' = 'no'): boolean {
  const limit = Math.min(value.length, at + LOOKAHEAD);
  let start = at;
  while (start < limit && SKIPPED_BEFORE_WORD[value.charCodeAt(start)] === 1) start++;
  if (limit - start < 2 || !mayStartProgram(value, start)) return false;
  let end = start;
  let noisy = false;
  for (; end < limit; end++) {
    const code = value.charCodeAt(end);
    const kind = code < 128 ? (WORD_CHAR[code] as number) : 1;
    if (kind === 0) break;
    // `$IFS` and `${IFS}` are blanks to the shell: the word ends there
    if (code === 0x24 && /^\$\{?IFS(?![A-Za-z0-9_])/.test(value.slice(end, end + 6))) break;
    if (code === 0x24 && value.charCodeAt(end + 1) === 0x7b) {
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
  if (leading === 'plain' && !commandLike && value.charCodeAt(start) !== 0x2f) return false;
  const raw = value.slice(start, end);
  if (noisy && WINDOWS_PATH_WORD.test(raw)) return true;
  const word = noisy ? raw.replace(WORD_NOISE, '') : raw;
  if (word === '' || ASSIGNMENT.test(word)) return false;
  if (isPrefix(word)) return commandWordAt(value, end, leading);
  const slash = word.lastIndexOf('/');
  const base = word.slice(slash + 1);
  if (slash === 0 || (slash > 0 && !isBinDirectory(word.slice(0, slash)))) return false;
  const named = knownCommand(base)?.name ?? (hasGlob(base) ? globCommand(base) : undefined);
  if (named === undefined) return false;
  return commandLike || slash > 0 || (leading === 'strict' && isDistinctive(named));
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

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'command-injection': detectCommandInjection,
  'command-line': detectCommandLine,
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
  while (k < words.length - 1 && isPrefix((words[k] as ShellWord).text)) {
    k++;
    prefixed = true;
    // `timeout 5 cmd`, `nice -n 5 cmd`
    while (k < words.length - 1 && /^-|^\d+$/.test((words[k] as ShellWord).text)) k++;
  }
  const word = words[k];
  if (word === undefined) return undefined;
  const program = programNamed(word);
  if (program === undefined) return undefined;
  return { program, word, args: words.slice(k + 1, k + 1 + MAX_ARGUMENTS), prefixed };
}

function programNamed(word: ShellWord): Program | undefined {
  const text = word.text;
  if (text.length > 200) return undefined;
  if (word.raw.includes('\\') && /^(?:[A-Za-z]:|\\\\|%\w+%)?\\/.test(word.raw)) {
    const base = word.raw.split(/[\\/]/).pop() ?? '';
    const info = knownCommand(base.replace(/["']/g, ''));
    if (info !== undefined) return { info, absolute: WINDOWS_SYSTEM_PATH.test(word.raw) };
  }
  const slash = text.lastIndexOf('/');
  const directory = slash < 0 ? '' : text.slice(0, slash);
  const base = slash < 0 ? text : text.slice(slash + 1);
  const name = word.glob && hasGlob(base) ? globCommand(base) : base;
  const info = name === undefined ? undefined : knownCommand(name);
  if (info === undefined) return undefined;
  return { info, absolute: directory !== '' && isBinDirectory(directory) };
}

/** What `judge` knows beside the command: the text read, the command before, how to read lines, the variant. */
interface Reading {
  text: string;
  previous: Program | undefined;
  linesAreCommands: boolean;
  strict: boolean;
}

function judge(command: ShellCommand, located: Located | undefined, reading: Reading): DetectorHit | undefined {
  const { text, previous, linesAreCommands, strict } = reading;
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
  }
  if (located === undefined) return undefined;
  const { program, word, args } = located;
  const name = program.info.name;
  if (program.absolute) return spanOf('absolute-program', word);
  if (args.some((arg) => runsCodeOption(name, arg.text))) return spanOf('interpreter-code', word);
  if (args.some((arg) => findSensitiveFile(normalizePath(arg.text)) !== undefined)) return spanOf('program-on-sensitive-file', word);
  if (command.lead === 'pipe' && isShell(name) && previous !== undefined) return spanOf('pipe-to-shell', word);
  if (takesNumber(name) && isTimedProbe(name, args)) return spanOf('timed-probe', word);
  const strength = strengthOf(command.lead, linesAreCommands);
  const shellArgs = args.some((arg) => isShellArgument(arg, program.info));
  if (strength === 'leading') {
    if (program.info.suffixed && shellArgs) return spanOf('windows-program', word);
    // `id;`, `dir c: |`: a command line ended by a shell separator, as pasted before another command
    if ((isBareTelling(name) || shellArgs) && endsWithSeparator(text, command)) return spanOf('terminated-command', word);
    if (strict && (isDistinctive(name) || shellArgs)) return spanOf('command-line', word);
    return undefined;
  }
  if (command.lead === 'substitution') {
    // backticks are also Markdown's code spans: a bare name in them counts only when it is the whole value
    const glued = command.start > 0 && /[\w'"=;|&]/.test(text[command.start - 1] as string);
    const telling = isDistinctive(name) || shellArgs || glued || text[command.start] === '$' || WHOLE_SUBSTITUTION.test(text);
    return telling ? spanOf('command-substitution', word) : undefined;
  }
  if (isDistinctive(name)) return spanOf('command-after-separator', word);
  if (args.length === 0 && command.redirects.length === 0 && command.lead !== 'newline') {
    return isBareTelling(name) ? spanOf('command-after-separator', word) : undefined;
  }
  const shellLike = shellArgs || command.redirects.some((target) => REDIRECT_TARGET.test(target.text));
  return shellLike ? spanOf('command-after-separator', word) : undefined;
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
