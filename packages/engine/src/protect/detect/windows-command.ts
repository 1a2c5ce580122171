/**
 * Windows command injection: a value that makes `cmd.exe` or PowerShell run something. Three detectors:
 *
 * - `windows-cmd-control`: cmd's `for` loop and `if` condition in their own syntax —
 *   `for /f "tokens=*" %i in ('whoami') do …`, `&if exist C:\x.txt del …`, `if %ERRORLEVEL% NEQ 0 …`,
 *   `if /i a==b foo`. A loop needs its `%x` variable, its parenthesised set and `do` with a command;
 *   an `if` stands where a command starts and its condition is cmd's (`exist`, `defined`, `errorlevel`,
 *   `==`, `EQU`…) with a command after it that cmd runs.
 * - `windows-command`: a Windows program after a command separator (`;regedit /E …`, `&bcdboot < f`,
 *   `"|certutil -urlcache …`, `& net user x y /add`), one named with Windows switches at the value's start,
 *   and `powershell`/`cmd` given something to run anywhere (`powershell -enc …`, `powershell C:\x.ps1`,
 *   `cmd.exe /c …`). Carets (`w^h^o^a^m^i`) are dropped first, as cmd does.
 * - `powershell-command`: a PowerShell cmdlet that downloads, runs or persists, given an argument
 *   (`Invoke-WebRequest http://…`, `Invoke-Expression -Command …`, `Start-Process -FilePath …`), one of
 *   their aliases after a separator (`;iwmi -class Win32_process`, `| iex`), any verb-noun cmdlet after a
 *   separator with a named parameter or a Windows path (`; Get-Content C:\…`, `| Out-File -FilePath …`), and
 *   the .NET calls download cradles use (`.DownloadString(`, `[Reflection.Assembly]::Load(`).
 *
 * English is none of these: "for each item in the list do something", "if it exists, skip it", "Invoke Web
 * Request", "Tom & Jerry; more soon" have no loop variable, no cmd condition, no switch after a program.
 */
import type { Detector, DetectorHit } from '../types.js';
import {
  type CmdText,
  findForLoop,
  followsStrongSeparator,
  isBlank,
  originalIndex,
  readCommandWord,
  readIfCommand,
  separatorStarts,
  skipSpaces,
  uncaret,
} from './internal/windows-cmd.js';
import {
  POWERSHELL_ALIASES,
  POWERSHELL_CMDLETS,
  POWERSHELL_OPTIONS,
  SUBCOMMANDS,
  TELLING_PROGRAMS,
  WORDY_PROGRAMS,
} from './internal/windows-programs.js';

/** Values longer than this are read only in their first part: a payload that matters starts early enough. */
const MAX_READ = 16384;

/** Cheap gate for `for`/`if`: one of the keywords followed by what cmd's syntax puts after it. */
const CONTROL_GATE = /(?:^|[^\w-])(?:for|if)[\s/("[]/i;

/** cmd's `for` loops and `if` conditions. */
export const detectWindowsCmdControl: Detector = (value) => {
  if (value.length < 6 || !(CONTROL_GATE.test(value) || value.includes('^'))) return undefined;
  const read = uncaret(value.length > MAX_READ ? value.slice(0, MAX_READ) : value);
  const text = read.text;
  const loop = findForLoop(text);
  if (loop !== undefined) return hitOf(read, value, 'cmd-for-loop', loop[0], loop[1]);
  for (const at of [0, ...separatorStarts(text)]) {
    const start = skipCommandLead(text, at);
    const c = text[start];
    if (c !== 'i' && c !== 'I') continue;
    const end = readIfCommand(text, start);
    if (end !== undefined) return hitOf(read, value, 'cmd-if-condition', start, Math.max(end, start + 2));
  }
  return undefined;
};

/** Past the blanks, quotes and `@` that may stand before a command word. */
function skipCommandLead(text: string, at: number): number {
  let j = at;
  const stop = Math.min(text.length, at + 16);
  while (j < stop && (isBlank(text, j) || text[j] === '@' || text[j] === '"' || text[j] === "'")) j++;
  return j;
}

/** A Windows command-line switch: `/E`, `/all`, `/transfer`, `//nologo`. */
const WINDOWS_SWITCH = /^\/\/?[A-Za-z?][\w-]{0,24}(?=[\s:="]|$)/;
/** A Unix-style option, as some Windows tools take them (`certutil -urlcache`, `wevtutil -cl`). */
const OPTION = /^-{1,2}[A-Za-z][\w-]{0,30}(?=[\s:="]|$)/;
/** Paths cmd takes: a drive, a UNC share, `.\`, `%VAR%`, a registry root. */
const WINDOWS_PATH =
  /^["']?(?:[A-Za-z]:[\\/]|\\\\[\w.-]{1,64}\\|\.{1,2}\\|%[A-Za-z_][\w()]{0,30}%|(?:HKLM|HKCU|HKCR|HKU|HKCC|HKEY_[A-Z_]{4,20})(?:\\|:|$))/i;
const URL = /^["']?[A-Za-z][\w+.-]{1,15}:\/\//;
/** A file with the extension of something Windows runs or reads (`payload.dll,Entry`, `x.hta`, `win.ini`). */
const WINDOWS_FILE =
  /^["']?[\w.\\/:%$-]{1,120}\.(?:exe|dll|bat|cmd|com|ps1|psm1|vbs|vbe|js|jse|wsf|wsh|hta|msi|scr|cpl|sct|inf|reg|ini|lnk|xsl|txt|log)\b/i;

/**
 * What follows a program name up to the next separator: nothing (`end`), Windows command-line syntax
 * (`windows`: a `/x` switch, a Windows path, `%VAR%`, a redirection to a file), other command-line
 * arguments (`argument`: a `-x` option, a URL), or only plain words.
 */
type Follow = 'end' | 'windows' | 'argument' | 'word';

function followOf(text: string, at: number, maxWords = 8): Follow {
  let j = skipSpaces(text, at);
  if (j >= text.length || '&|;\n\r`)'.includes(text[j] as string)) return 'end';
  let found: Follow = 'end';
  for (let words = 0; words < maxWords && j < text.length; words++) {
    const c = text[j] as string;
    if ('&|;\n\r`'.includes(c)) return found;
    const rest = text.slice(j, j + 140);
    if (c === '<' || c === '>') {
      const target = text.slice(skipSpaces(text, j + (text[j + 1] === '>' ? 2 : 1)), j + 140);
      // `<https://…>` is a Markdown or mail link, not a redirection: cmd cannot read from a URL
      if (URL.test(target)) return found;
      if (WINDOWS_PATH.test(target) || WINDOWS_FILE.test(target) || /^nul\b/i.test(target)) return 'windows';
    } else if (WINDOWS_SWITCH.test(rest) || WINDOWS_PATH.test(rest)) {
      return 'windows';
    } else if (OPTION.test(rest) || URL.test(rest) || WINDOWS_FILE.test(rest)) {
      found = 'argument';
    } else if (found === 'end') {
      found = 'word';
    }
    let end = j + 1;
    while (end < text.length && !isBlank(text, end) && !'&|;<>`'.includes(text[end] as string)) end++;
    j = skipSpaces(text, end);
  }
  return found;
}

/**
 * How a program named at a command's start is judged, by how telling its name is and how strong its place:
 * after `&`, `|`, `;` or a line break a telling name is enough; at the value's start or after `(` or `{`
 * (code, prose) it needs arguments; a name that is also a word needs Windows syntax after
 * cmd's own separators.
 */
function judgeProgram(text: string, at: number): [string, number, number] | undefined {
  // cmd has no backtick substitution; backticks around a program name are Markdown's code spans
  if (text[at - 1] === '`') return undefined;
  const word = readCommandWord(text, at);
  if (word === undefined || word.start - at > 24 || word.path === 'slashes') return undefined;
  const leading = at === 0 || !followsStrongSeparator(text, at);
  const next = text[word.end];
  if (next === '=' || next === ':' || next === ',' || next === '(' || next === '.') return undefined;
  const name = word.name;
  if (TELLING_PROGRAMS.has(name)) {
    // in a weak place the program's first argument must read like one (`ipconfig /all`, not `MSBuild install … c:\`)
    const follow = followOf(text, word.end, leading ? 1 : 8);
    return !leading || follow === 'windows' || follow === 'argument' ? ['windows-program', word.start, word.end] : undefined;
  }
  const subcommands = SUBCOMMANDS.get(name);
  if (subcommands !== undefined) {
    const second = readCommandWord(text, word.end);
    if (second === undefined || !isBlank(text, word.end) || !subcommands.has(second.name)) return undefined;
    const follow = followOf(text, second.end);
    const telling = follow === 'windows' || follow === 'argument' || (!leading && follow === 'end');
    return telling ? ['windows-program', word.start, second.end] : undefined;
  }
  if (!WORDY_PROGRAMS.has(name)) return undefined;
  if (!leading) return followOf(text, word.end) === 'windows' ? ['windows-builtin', word.start, word.end] : undefined;
  // the whole value is one short command on a Windows path (` dir c:/`, `type C:\boot.ini`), not a sentence
  return at === 0 && isWholePathCommand(text, word.end) ? ['windows-builtin', word.start, text.length] : undefined;
}

/** Most arguments of a whole-value command judged by `isWholePathCommand`. */
const MAX_WHOLE_ARGUMENTS = 3;
const WHOLE_COMMAND_ARGUMENT = /^(?:["']?[A-Za-z]:[\\/]|\\\\|%\w+%|\/[A-Za-z?]{1,3}$)[^\s]*$/;

/** True when the value ends within a few arguments after `at`, all switches or drive, UNC or `%VAR%` paths, one a path. */
function isWholePathCommand(text: string, at: number): boolean {
  if (text.length - at > 512) return false;
  const rest = text.slice(at).trim();
  if (rest === '' || !isBlank(text, at)) return false;
  const args = rest.split(/[ \t]+/);
  if (args.length > MAX_WHOLE_ARGUMENTS || !args.some((arg) => WINDOWS_PATH.test(arg))) return false;
  return args.every((arg) => WHOLE_COMMAND_ARGUMENT.test(arg));
}

/** `powershell`/`pwsh` anywhere, followed by something it runs: an option, a path, a script block, a quoted command. */
const POWERSHELL_WORD = /(?<![\w-])(?:powershell|pwsh)(?:\.exe)?["']?(?=[ \t])/gi;
const POWERSHELL_OPTION = /^[-/]([A-Za-z]{1,20})(?![\w-])/;
const POWERSHELL_PAYLOAD =
  /^(?:["'{&]|\(\s*(?:\$|[a-z]+-[a-z]|i(?:ex|wr|rm)\b)|\$[\w({]|[\w.]+\.ps1\b|(?:invoke|get|set|new|start|stop|remove|add|import|out|write|convertto|convertfrom|copy|test|enable|disable|register)-[a-z]{2,}\b|i(?:ex|wr|rm)\b)/i;
/** `cmd /c …`, `cmd.exe /q /k …`, `%COMSPEC% /c …`: cmd given a command to run. */
const CMD_RUNS = /(?<![\w-])(?:cmd(?:\.exe)?["']?|%comspec%)[ \t]*(?:\/[a-z](?::\w{1,8})?[ \t]*){0,4}\/[ckr](?![\w/])[ \t]*["'(@%\\\w]/i;

/** Windows programs run after a separator, and `powershell`/`cmd` given code anywhere. */
export const detectWindowsCommand: Detector = (value) => {
  if (value.length < 3) return undefined;
  const read = uncaret(value.length > MAX_READ ? value.slice(0, MAX_READ) : value);
  const text = read.text;
  const cmd = CMD_RUNS.exec(text);
  if (cmd !== null) return hitOf(read, value, 'cmd-runs-command', cmd.index, cmd.index + cmd[0].length);
  const powershell = findPowerShellRun(text);
  if (powershell !== undefined) return hitOf(read, value, 'powershell-runs-code', powershell[0], powershell[1]);
  for (const at of [0, ...separatorStarts(text)]) {
    const found = judgeProgram(text, at);
    if (found !== undefined) return hitOf(read, value, found[0], found[1], found[2]);
  }
  return undefined;
};

function findPowerShellRun(text: string): [number, number] | undefined {
  if (!/powershell|pwsh/i.test(text)) return undefined;
  POWERSHELL_WORD.lastIndex = 0;
  for (let match = POWERSHELL_WORD.exec(text); match !== null; match = POWERSHELL_WORD.exec(text)) {
    const at = skipSpaces(text, match.index + match[0].length);
    const rest = text.slice(at, at + 64);
    const option = POWERSHELL_OPTION.exec(rest)?.[1]?.toLowerCase();
    const runs =
      (option !== undefined && isPowerShellOption(option)) || WINDOWS_PATH.test(rest) || URL.test(rest) || POWERSHELL_PAYLOAD.test(rest);
    if (runs) return [match.index, Math.min(text.length, at + 24)];
  }
  return undefined;
}

/** PowerShell accepts any unambiguous prefix of a parameter name (`-enc`, `-EncodedC`, `-nop`, `-w`). */
function isPowerShellOption(option: string): boolean {
  if (POWERSHELL_OPTIONS.has(option)) return true;
  if (option.length < 3) return false;
  for (const known of [
    'command',
    'encodedcommand',
    'executionpolicy',
    'noprofile',
    'noninteractive',
    'windowstyle',
    'inputformat',
    'outputformat',
    'noexit',
    'nologo',
    'file',
  ]) {
    if (known.startsWith(option)) return true;
  }
  return false;
}

const CMDLET = new RegExp(`(?<![\\w-])(?:${[...POWERSHELL_CMDLETS].join('|')})(?![\\w-])`, 'gi');
/** After a cmdlet: a parameter, a quoted or bracketed argument, a variable, a URL, a path, a file or host name, a pipe into the next. */
const CMDLET_ARGUMENT =
  /^(?:-[A-Za-z]|["'({[$@]|\|[ \t]*[A-Za-z%$]|[A-Za-z][\w+.-]{1,15}:\/\/|[A-Za-z]:[\\/]|\\\\|\.{1,2}[\\/]|[\w-]+(?:\.[\w-]+)+\b|[\w-]+\.\w{2,4}\b)/;
/** `New-Object` is telling with the types download cradles and shells create. */
const NEW_OBJECT_TYPE =
  /^(?:-com(?:object)?\b|(?:system\.)?net\.(?:webclient|sockets\.|http)|(?:system\.)?io\.(?:memorystream|compression|streamreader)|wscript\.shell|shell\.application)/i;
/** The .NET calls of download cradles and in-memory loaders. */
const DOTNET_CRADLE = /\.download(?:string|data)(?:async)?\s*\(|\[(?:system\.)?reflection\.assembly\]::load(?:file|from)?\s*\(/i;
/** `DownloadFile` as .NET spells it: `downloadFile(` is a common JavaScript method. */
const DOTNET_DOWNLOAD_FILE = /\.DownloadFile(?:Async)?\s*\(/;
const POWERSHELL_GATE = /-|iex|iwr|irm|icm|saps|wmi|cim|ipmo|sal|nal|sajb|\bii\b|etsn|nsn|download|assembly/i;

/** PowerShell cmdlets and aliases that download, run or persist, given an argument; .NET download cradles. */
export const detectPowerShellCommand: Detector = (value) => {
  if (value.length < 4 || !POWERSHELL_GATE.test(value)) return undefined;
  const clipped = value.length > MAX_READ ? value.slice(0, MAX_READ) : value;
  // PowerShell's backtick escape inside a word (`I`nvoke-Ex`pression`) reads as the letter
  const read = clipped.includes('`') ? dropBackticks(clipped) : { text: clipped, offsets: undefined };
  const text = read.text;
  const cradle = DOTNET_CRADLE.exec(text) ?? DOTNET_DOWNLOAD_FILE.exec(text);
  if (cradle !== null) return hitOf(read, value, 'dotnet-download-cradle', cradle.index, cradle.index + cradle[0].length);
  CMDLET.lastIndex = 0;
  for (let match = CMDLET.exec(text); match !== null; match = CMDLET.exec(text)) {
    const end = match.index + match[0].length;
    const at = skipSpaces(text, end);
    const rest = text.slice(at, at + 64);
    const telling = match[0].toLowerCase() === 'new-object' ? NEW_OBJECT_TYPE.test(rest) : at > end && CMDLET_ARGUMENT.test(rest);
    if (telling || (text[end] === '(' && match[0].toLowerCase() !== 'new-object')) {
      return hitOf(read, value, 'powershell-cmdlet', match.index, Math.min(text.length, at + 24));
    }
  }
  const leading = readCommandWord(text, 0);
  if (leading !== undefined && POWERSHELL_ALIASES.has(leading.name) && SUBEXPRESSION.test(text.slice(leading.end, leading.end + 40))) {
    return hitOf(read, value, 'powershell-alias', leading.start, Math.min(text.length, leading.end + 24));
  }
  for (const at of separatorStarts(text)) {
    if (!followsStrongSeparator(text, at)) continue;
    const word = readCommandWord(text, at);
    if (word === undefined || word.path !== 'none' || word.start - at > 8) continue;
    const next = text[word.end];
    const rest = text.slice(skipSpaces(text, word.end), word.end + 64);
    const argument = next === '(' || (isBlank(text, word.end) && CMDLET_ARGUMENT.test(rest) && !rest.startsWith('|'));
    if (POWERSHELL_ALIASES.has(word.name)) {
      // `… | iex`: what came before is run as code
      const piped = word.name === 'iex' && text[at - 1] === '|' && (next === undefined || ';)|\n\r'.includes(next));
      if (argument || piped) return hitOf(read, value, 'powershell-alias', word.start, Math.min(text.length, word.end + 24));
    } else if (isBlank(text, word.end) && VERB_NOUN.test(word.name) && CMDLET_PARAMETER.test(rest)) {
      return hitOf(read, value, 'powershell-cmdlet-after-separator', word.start, Math.min(text.length, word.end + 24));
    }
  }
  return undefined;
};

/** An alias at the value's start running a subexpression: `iex(iwr …)`, `IEX (New-Object …)`, `iex $code`. */
const SUBEXPRESSION = /^[ \t]*(?:\([ \t]*(?:[$[("']|[a-z]+-[a-z]|i(?:wr|rm)\b)|\$[\w{(])/i;
/** What makes an unlisted verb-noun word a cmdlet call: a named parameter, a Windows path, `$env:`, a URL. */
const CMDLET_PARAMETER = /^(?:-[A-Za-z]{2,}|[A-Za-z]:[\\/]|\\\\|\$env:|[A-Za-z][\w+.-]{1,15}:\/\/)/;
/** A cmdlet name with one of PowerShell's approved verbs (`Get-Content`, `Out-File`, `Select-String`). */
const VERB_NOUN =
  /^(?:get|set|new|remove|add|invoke|start|stop|restart|import|export|out|write|read|copy|move|rename|clear|convertto|convertfrom|select|test|enable|disable|register|unregister|install|uninstall|expand|compress|resolve|send|receive|enter|exit)-[a-z]{2,40}$/;

/** Drops a backtick standing between two letters, as PowerShell reads a bare word. */
function dropBackticks(value: string): CmdText {
  let text = '';
  const offsets: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '`' && /[A-Za-z]/.test(value[i - 1] ?? '') && /[A-Za-z]/.test(value[i + 1] ?? '')) continue;
    text += value[i];
    offsets.push(i);
  }
  return { text, offsets };
}

function hitOf(read: CmdText, value: string, detail: string, start: number, end: number): DetectorHit {
  const from = originalIndex(read, start, value.length);
  const to = Math.max(from + 1, Math.min(value.length, originalIndex(read, Math.min(end, read.text.length), value.length)));
  return { detail, start: from, end: to };
}

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'windows-cmd-control': detectWindowsCmdControl,
  'windows-command': detectWindowsCommand,
  'powershell-command': detectPowerShellCommand,
};
