/**
 * A tolerant reader of Unix shell (and `cmd.exe`) command lines, for the command-injection detector. It
 * splits a value into the simple commands a shell would run — at `;`, `|`, `||`, `&`, `&&`, newlines,
 * inside backticks, `$( )`, `<( )` and `>( )`, and in brace expansions (`{cat,/etc/passwd}`) — and reads
 * each word the way the shell would after quote removal: `w'h'o"am"i` is `whoami`, `c\at` is `cat`,
 * `wh$@oami` and `c${u}at` lose the empty expansion, `${IFS}` and `$IFS$9` are blanks, `$'\x63at'` is `cat`,
 * `$SHELL` is a shell, brace expansions become the words they expand to (`c{a,oun}t` is `cat count`,
 * `{,ifconfig}` is `ifconfig`), and the `cmd.exe` caret (`w^h^o^a^m^i`) is dropped.
 *
 * It never fails: unbalanced quotes and parentheses are read as literal characters, nesting is bounded, and
 * every character is looked at once, so reading is linear in the value's length.
 */

/** How a command came to stand where a shell runs commands. */
export type CommandLead =
  /** At the start of the value: the value itself may be a command line, or only text. */
  | 'start'
  /** After a quote that closes a string the value was assumed to start inside (`' ; id`). */
  | 'quote'
  /** After `;`, `&`, `&&`, `||` or a subshell's `)`. */
  | 'separator'
  /** After a single `|`: its input is the previous command's output. */
  | 'pipe'
  /** After a line break. */
  | 'newline'
  /** Inside backticks, `$( )`, `<( )` or `>( )`. */
  | 'substitution'
  /** First word of a brace expansion at the start of a value (`{cat,/etc/passwd}`). */
  | 'brace';

/** One word of a command, as the shell would pass it to the program. */
export interface ShellWord {
  /** The word after quote removal, escapes, and with expansions of unknown variables dropped. */
  text: string;
  /** The word as written in the value. */
  raw: string;
  start: number;
  end: number;
  /** Part of it was quoted. */
  quoted: boolean;
  /** It had a parameter expansion or command substitution (`$x`, `${…}`, `$(…)`, backticks). */
  expanded: boolean;
  /** It has unquoted glob characters (`*`, `?`, `[`). */
  glob: boolean;
  /**
   * It came from a brace expansion that builds words rather than lists them: text glued after the braces, or
   * an empty first alternative (`c{a,oun}t`, `{l,-lh}s`, `{,id}`); not a plural written short (`file{,s}`).
   */
  braceBuilt?: boolean;
  /** For a redirection target: the operator before it (`>`, `>>`, `<<<`, `&>`). */
  operator?: string;
}

/** One simple command. */
export interface ShellCommand {
  lead: CommandLead;
  words: ShellWord[];
  /** Targets of `<`, `>`, `>>`, `<<<`, `&>` redirections. */
  redirects: ShellWord[];
  /** Offset of the separator or first word, for the reported span. */
  start: number;
}

/**
 * Reads `value` as a command line and calls `visit` with every simple command, innermost substitutions
 * first; stops as soon as `visit` returns true. `openQuote` starts the reading inside a string opened before
 * the value (`'` or `"`), as when an application pastes the value between quotes.
 */
export function scanShell(value: string, openQuote: '' | "'" | '"', visit: (command: ShellCommand) => boolean): boolean {
  return new ShellScanner(value, visit).run(openQuote);
}

/** Deepest nesting of substitutions followed; deeper ones are read as text. */
const MAX_DEPTH = 16;
/** Longest `${…}`, `$[…]` or `[…]` looked at as one unit. */
const MAX_GROUP = 256;

interface WordBuilder {
  text: string;
  start: number;
  quoted: boolean;
  expanded: boolean;
  glob: boolean;
}

interface Frame {
  /** What closes this frame: `)` for `$(`/`<(`, a backtick, or nothing for the top level. */
  closer: '' | ')' | '`';
  command: ShellCommand;
  word: WordBuilder | undefined;
  /** Inside a double-quoted string. */
  inDouble: boolean;
  /** The operator of a redirection whose target is the next word, or empty. */
  redirectNext: string;
}

const BLANK = /[ \t\v\f]/;
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
/** An HTML or XML tag at `<`: read as a blank, not as a redirection (`<b>`, `</p>`, `<br/>`). */
const MARKUP_TAG = /<\/?[A-Za-z][\w:-]{0,40}(?:\s[^<>]{0,400})?\/?>/y;
/** A brace expansion at `{`: its alternatives (no blanks, quotes or nesting) and the text glued after it. */
const BRACE_EXPANSION = /\{([^\s{}'"`$\\;|&<>()]{1,128})\}([^\s{}'"`$\\;|&<>(),]{0,64})/y;

class ShellScanner {
  private readonly frames: Frame[] = [];
  private stopped = false;
  private i = 0;

  constructor(
    private readonly value: string,
    private readonly visit: (command: ShellCommand) => boolean,
  ) {}

  run(openQuote: '' | "'" | '"'): boolean {
    const value = this.value;
    this.frames.push(this.frame('', 'start', 0));
    if (openQuote !== '') {
      const close = value.indexOf(openQuote);
      if (close < 0) return false;
      this.appendText(value.slice(0, close), 0);
      this.top().word = this.top().word ?? this.newWord(0);
      (this.top().word as WordBuilder).quoted = true;
      this.i = close + 1;
      this.endCommand('quote', this.i);
    }
    while (this.i < value.length && !this.stopped) this.step();
    while (this.frames.length > 1 && !this.stopped) this.closeFrame();
    if (!this.stopped) this.endCommand('separator', value.length);
    return this.stopped;
  }

  private frame(closer: Frame['closer'], lead: CommandLead, start: number): Frame {
    return {
      closer,
      command: { lead, words: [], redirects: [], start },
      word: undefined,
      inDouble: false,
      redirectNext: '',
    };
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private newWord(start: number): WordBuilder {
    return { text: '', start, quoted: false, expanded: false, glob: false };
  }

  private word(at: number): WordBuilder {
    const frame = this.top();
    frame.word ??= this.newWord(at);
    return frame.word;
  }

  private appendText(text: string, at: number): void {
    this.word(at).text += text;
  }

  private endWord(at: number): void {
    const frame = this.top();
    const word = frame.word;
    frame.word = undefined;
    if (word === undefined || (word.text === '' && !word.quoted)) return;
    const finished: ShellWord = {
      text: word.text,
      raw: this.value.slice(word.start, at),
      start: word.start,
      end: at,
      quoted: word.quoted,
      expanded: word.expanded,
      glob: word.glob,
    };
    if (frame.redirectNext !== '') {
      finished.operator = frame.redirectNext;
      frame.command.redirects.push(finished);
      frame.redirectNext = '';
    } else frame.command.words.push(finished);
  }

  /** Ends the current command (it is visited) and starts the next one with `lead`. */
  private endCommand(lead: CommandLead, at: number): void {
    this.endWord(at);
    const frame = this.top();
    const command = frame.command;
    frame.command = { lead, words: [], redirects: [], start: at };
    frame.redirectNext = '';
    if ((command.words.length > 0 || command.redirects.length > 0) && this.visit(command)) this.stopped = true;
  }

  private openFrame(closer: ')' | '`', at: number): void {
    this.word(at).expanded = true;
    if (this.frames.length >= MAX_DEPTH) return;
    this.frames.push(this.frame(closer, 'substitution', at));
  }

  private closeFrame(): void {
    this.endCommand('separator', this.i);
    this.frames.pop();
  }

  private atCommandStart(): boolean {
    const frame = this.top();
    return frame.word === undefined && frame.command.words.length === 0;
  }

  private step(): void {
    const value = this.value;
    const i = this.i;
    const c = value[i] as string;
    const frame = this.top();
    if (frame.inDouble) {
      this.stepInDouble(c);
      return;
    }
    if (BLANK.test(c)) {
      this.endWord(i);
      this.i++;
      return;
    }
    switch (c) {
      case "'": {
        const close = value.indexOf("'", i + 1);
        const word = this.word(i);
        word.quoted = true;
        if (close < 0) {
          // an unbalanced quote closes a string opened before the value: read on as if it were not there
          this.i++;
          return;
        }
        word.text += value.slice(i + 1, close);
        this.i = close + 1;
        return;
      }
      case '"': {
        const word = this.word(i);
        word.quoted = true;
        if (value.indexOf('"', i + 1) >= 0) frame.inDouble = true;
        this.i++;
        return;
      }
      case '\\': {
        const next = value[i + 1];
        if (next === '\n') this.i += 2;
        else if (next === undefined) this.i++;
        else {
          this.appendText(next, i);
          this.i += 2;
        }
        return;
      }
      case ';':
        this.i++;
        this.endCommand('separator', i);
        return;
      case '&':
        if (value[i + 1] === '>') {
          this.redirect(i);
          return;
        }
        this.i += value[i + 1] === '&' ? 2 : 1;
        this.endCommand('separator', i);
        return;
      case '|':
        if (value[i + 1] === '|') {
          this.i += 2;
          this.endCommand('separator', i);
        } else {
          this.i += value[i + 1] === '&' ? 2 : 1;
          this.endCommand('pipe', i);
        }
        return;
      case '\n':
      case '\r':
        this.i++;
        this.endCommand('newline', i);
        return;
      case '`':
        this.i++;
        if (frame.closer === '`') this.closeFrame();
        else this.openFrame('`', i);
        return;
      case '$':
        this.dollar();
        return;
      case '(':
        this.i++;
        // a subshell at the start of a command; elsewhere (`system(`) a literal the shell would reject
        if (!this.atCommandStart()) this.appendText('(', i);
        return;
      case ')':
        this.i++;
        if (frame.closer === ')') this.closeFrame();
        else this.endCommand('separator', i);
        return;
      case '<':
      case '>':
        if (value[i + 1] === '(') {
          this.endWord(i);
          this.i += 2;
          this.openFrame(')', i);
          return;
        }
        if (c === '<') {
          MARKUP_TAG.lastIndex = i;
          const tag = MARKUP_TAG.exec(value);
          if (tag !== null) {
            this.endWord(i);
            this.i += tag[0].length;
            return;
          }
        }
        this.redirect(i);
        return;
      case '{':
        this.openBrace(i);
        return;
      case '}':
        this.i++;
        if (frame.word !== undefined) this.appendText('}', i);
        return;
      case '#':
        if (frame.word === undefined) {
          const end = value.indexOf('\n', i);
          this.i = end < 0 ? value.length : end;
          return;
        }
        this.appendText('#', i);
        this.i++;
        return;
      case '^':
        // the cmd.exe escape character: `w^h^o^a^m^i`
        this.i++;
        if (!/[A-Za-z0-9]/.test(value[i + 1] ?? '')) this.appendText('^', i);
        return;
      case '*':
      case '?':
      case '[':
        this.word(i).glob = true;
        this.appendText(c, i);
        this.i++;
        return;
      default:
        this.appendText(c, i);
        this.i++;
    }
  }

  private stepInDouble(c: string): void {
    const value = this.value;
    const i = this.i;
    const frame = this.top();
    if (c === '"') {
      frame.inDouble = false;
      this.i++;
    } else if (c === '\\' && '"\\$`\n'.includes(value[i + 1] ?? 'x')) {
      if (value[i + 1] !== '\n') this.appendText(value[i + 1] as string, i);
      this.i += 2;
    } else if (c === '$') this.dollar();
    else if (c === '`') {
      this.i++;
      this.openFrame('`', i);
    } else {
      this.appendText(c, i);
      this.i++;
    }
  }

  /** `$…`: expansions, substitutions, `$IFS`, ANSI-C strings. */
  private dollar(): void {
    const value = this.value;
    const i = this.i;
    const next = value[i + 1] ?? '';
    if (next === '(') {
      this.i += 2;
      this.openFrame(')', i);
      return;
    }
    if (next === '{' || next === '[') {
      const close = value.indexOf(next === '{' ? '}' : ']', i + 2);
      if (close < 0 || close - i > MAX_GROUP) {
        this.appendText('$', i);
        this.i++;
        return;
      }
      this.i = close + 1;
      const inner = value.slice(i + 2, close);
      if (next === '{' && /^IFS(?![A-Za-z0-9_])/.test(inner)) this.endWord(i);
      else if (next === '{') this.expandVariable(inner, i);
      else this.word(i).expanded = true;
      return;
    }
    if (next === "'") {
      this.ansiString(i);
      return;
    }
    if (NAME_START.test(next)) {
      let end = i + 2;
      while (end < value.length && end - i < MAX_GROUP && NAME_PART.test(value[end] as string)) end++;
      this.i = end;
      const name = value.slice(i + 1, end);
      if (name === 'IFS') this.endWord(i);
      else this.expandVariable(name, i);
      return;
    }
    if (/[0-9@*#?$!-]/.test(next) && next !== '') {
      this.i += 2;
      // `$0` is the name of the running shell
      if (next === '0') this.expandVariable('SHELL', i);
      else this.word(i).expanded = true;
      return;
    }
    this.appendText('$', i);
    this.i++;
  }

  /** `$name`: unknown variables expand to nothing; `$SHELL` (and `$BASH`, `$0`) to a shell. */
  private expandVariable(name: string, at: number): void {
    const word = this.word(at);
    word.expanded = true;
    if (name === 'SHELL' || name === 'BASH') word.text += 'sh';
  }

  /** `$'…'` with `\xHH`, `\NNN`, `\uHHHH` and the usual letter escapes. */
  private ansiString(at: number): void {
    const value = this.value;
    const word = this.word(at);
    word.quoted = true;
    let i = at + 2;
    let text = '';
    while (i < value.length && value[i] !== "'") {
      const c = value[i] as string;
      if (c !== '\\') {
        text += c;
        i++;
        continue;
      }
      const rest = value.slice(i + 1, i + 6);
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(rest) ?? /^u([0-9a-fA-F]{4})/.exec(rest);
      const octal = /^([0-7]{1,3})/.exec(rest);
      if (hex !== null) {
        text += String.fromCharCode(Number.parseInt(hex[1] as string, 16));
        i += 1 + hex[0].length;
      } else if (octal !== null) {
        text += String.fromCharCode(Number.parseInt(octal[1] as string, 8));
        i += 1 + octal[0].length;
      } else {
        const letter = value[i + 1] ?? '';
        text += { n: '\n', t: '\t', r: '\r' }[letter] ?? letter;
        i += 2;
      }
    }
    word.text += text;
    this.i = Math.min(value.length, i + 1);
  }

  private redirect(at: number): void {
    const value = this.value;
    this.endWord(at);
    let end = at;
    while (end < value.length && '<>&|'.includes(value[end] as string)) end++;
    this.i = end;
    this.top().redirectNext = value.slice(at, end);
  }

  /**
   * `{`: a brace expansion (`{cat,/etc/passwd}`, `c{a,oun}t`) becomes the words it expands to; at the start
   * of a command and before a blank it opens a group (`{ id; }`); anywhere else it is a literal.
   */
  private openBrace(at: number): void {
    const value = this.value;
    this.i++;
    const frame = this.top();
    if (this.atCommandStart() && BLANK.test(value[at + 1] ?? ' ')) return;
    BRACE_EXPANSION.lastIndex = at;
    const found = BRACE_EXPANSION.exec(value);
    if (found === null || !(found[1] as string).includes(',')) {
      this.appendText('{', at);
      return;
    }
    const alternatives = (found[1] as string).split(',');
    const suffix = found[2] as string;
    const prefixWord = frame.word;
    const prefix = prefixWord?.text ?? '';
    const start = prefixWord?.start ?? at;
    const end = at + found[0].length;
    // `file{,s}` is a plural written short; `{,id}`, `c{a,oun}t` and `{l,-lh}s` build words to hide them
    const braceBuilt = suffix !== '' || (prefix === '' && alternatives[0] === '');
    frame.word = undefined;
    if (frame.command.lead === 'start' && frame.command.words.length === 0) frame.command.lead = 'brace';
    for (const alternative of alternatives) {
      const text = prefix + alternative + suffix;
      if (text === '') continue;
      const word: ShellWord = {
        text,
        raw: value.slice(start, end),
        start,
        end,
        quoted: prefixWord?.quoted ?? false,
        expanded: prefixWord?.expanded ?? false,
        glob: /[*?[]/.test(text),
        braceBuilt,
      };
      if (frame.redirectNext !== '') {
        word.operator = frame.redirectNext;
        frame.command.redirects.push(word);
        frame.redirectNext = '';
      } else frame.command.words.push(word);
    }
    this.i = end;
  }
}
