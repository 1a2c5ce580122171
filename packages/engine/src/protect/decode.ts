/**
 * Decoding before detection: attackers hide payloads behind the encodings a server or an application will
 * undo (URL and double URL encoding, HTML entities, JavaScript escapes, base64). Detectors look at every
 * distinct form a value takes as these are peeled off, so `%3Cscript%3E`, `&lt;script&gt;`,
 * `\u003cscript\u003e` and `PHNjcmlwdD4=` all reach them as `<script>`.
 *
 * Every decoder is total: malformed escapes stay as they are (a server would not decode them either), and the
 * number of forms and rounds is bounded, so a crafted value cannot make decoding expensive.
 */

/** Most rounds of decoding tried on one value (each round may peel one layer of every kind). */
const MAX_ROUNDS = 4;
/** Values longer than this are decoded only once: nested encodings of long bodies are not worth the time. */
const MAX_NESTED_LENGTH = 64 * 1024;

/** `%XX` (and IIS-style `%uXXXX`) escapes and `+` as a space, as a form decoder would read them; malformed escapes stay. */
export function urlDecode(value: string, plusAsSpace = true): string {
  if (!value.includes('%')) return plusAsSpace && value.includes('+') ? value.replaceAll('+', ' ') : value;
  if (!value.includes('%u') && !value.includes('%U')) {
    // the common case, natively; malformed escapes or bytes that are not UTF-8 take the careful path below
    try {
      return decodeURIComponent(plusAsSpace ? value.replaceAll('+', ' ') : value);
    } catch {
      // fall through
    }
  }
  const bytes: number[] = [];
  let out = '';
  const flush = (): void => {
    if (bytes.length === 0) return;
    out += utf8Text(bytes);
    bytes.length = 0;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
        continue;
      }
      const wide = value.slice(i + 1, i + 6);
      if (/^[uU][0-9a-fA-F]{4}$/.test(wide)) {
        flush();
        out += String.fromCharCode(Number.parseInt(wide.slice(1), 16));
        i += 5;
        continue;
      }
    }
    flush();
    out += plusAsSpace && c === 0x2b ? ' ' : value[i];
  }
  flush();
  return out;
}

/**
 * Bytes as UTF-8, except that an overlong two-byte form of an ASCII character (`%C0%BC` for `<`, `%C0%AE`
 * for `.`) becomes that character, as lenient decoders (old IIS, some Java ones) read it; a strict decoder
 * would make it U+FFFD, and no text is spelled that way.
 */
function utf8Text(bytes: number[]): string {
  if (!bytes.includes(0xc0) && !bytes.includes(0xc1)) return Buffer.from(bytes).toString('utf8');
  const folded: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const next = bytes[i + 1] ?? 0;
    if ((b === 0xc0 || b === 0xc1) && next >= 0x80 && next <= 0xbf) {
      folded.push(((b & 0x01) << 6) | (next & 0x3f));
      i++;
    } else folded.push(b);
  }
  return Buffer.from(folded).toString('utf8');
}

/** The entities HTML attackers use most, by name; numeric entities are decoded whatever the code point. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  colon: ':',
  semi: ';',
  equals: '=',
  grave: '`',
  tab: '\t',
  newline: '\n',
  nbsp: '\u00a0',
  num: '#',
  excl: '!',
  quest: '?',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  period: '.',
  comma: ',',
  plus: '+',
  percnt: '%',
  dollar: '$',
  ast: '*',
  vert: '|',
  commat: '@',
};

/** HTML character references (`&lt;`, `&#60;`, `&#x3c;`, also without the `;` as browsers accept them). */
export function htmlEntityDecode(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(?:#[xX]([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z]{2,8}));?/g, (match, hex, dec, name) => {
    if (name !== undefined) return NAMED_ENTITIES[(name as string).toLowerCase()] ?? match;
    const code = hex !== undefined ? Number.parseInt(hex as string, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

/** JavaScript and JSON escapes: `\uXXXX`, `\u{X…}`, `\xXX`; other backslashes stay. */
export function jsUnescape(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(?:u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|x([0-9a-fA-F]{2}))/g, (match, u4, braced, x2) => {
    const code = Number.parseInt((u4 ?? braced ?? x2) as string, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

/**
 * True when at least four in five 4-character groups of a base64 value start with a character that encodes
 * the top six bits of a printable ASCII byte or a line break (`I`–`Z`, `a`–`f`, `C`, `D`): base64 of text
 * does (a few non-ASCII characters aside), while words, paths and ids seldom do (`customer`: `o` starts the second group).
 * One pass, no decoding.
 */
function asciiTextLeaders(value: string): boolean {
  let groups = 0;
  let misses = 0;
  for (let i = 0; i < value.length; i += 4) {
    const c = value.charCodeAt(i);
    groups++;
    // I–Z and a–f lead printable ASCII; C and D lead tab, line feed and carriage return; = is padding
    if (!((c >= 0x49 && c <= 0x5a) || (c >= 0x61 && c <= 0x66) || c === 0x43 || c === 0x44 || c === 0x3d)) misses++;
  }
  return misses * 5 <= groups;
}

/** The base64 alphabets (standard and URL-safe) with optional padding; one class, so matching is linear. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The text a base64 value decodes to, or undefined when the value is not base64 or does not decode to
 * text: at least 8 characters, and at least 90 % of the decoded characters printable, so that ids and
 * tokens that merely use the base64 alphabet are left alone.
 */
export function base64Text(value: string): string | undefined {
  if (value.length < 8 || !BASE64.test(value)) return undefined;
  if (!asciiTextLeaders(value)) return undefined;
  // a length of 1 modulo 4 (padding aside) is never base64
  if (value.replace(/=+$/, '').length % 4 === 1) return undefined;
  const text = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64').toString('utf8');
  if (text.length < 4) return undefined;
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0xa0 && c !== 0xfffd)) printable++;
  }
  return printable >= 0.9 * text.length ? text : undefined;
}

/**
 * Every distinct form of `value` as layers of encoding are peeled off, the value itself first: each round
 * applies URL decoding, HTML entities and JavaScript escapes to the forms of the round before, and base64
 * to forms that are wholly base64. At most `MAX_ROUNDS` rounds and 16 forms.
 */
export function decodedForms(value: string): string[] {
  if (!mayDecode(value)) {
    const inner = quotedBase64(value);
    return inner.length === 0 ? [value] : [value, ...inner];
  }
  const forms = [value];
  const seen = new Set(forms);
  let round = [value];
  const rounds = value.length > MAX_NESTED_LENGTH ? 1 : MAX_ROUNDS;
  for (let r = 0; r < rounds && round.length > 0; r++) {
    const next: string[] = [];
    for (const form of round) {
      for (const decoded of [urlDecode(form), htmlEntityDecode(form), jsUnescape(form), base64Text(form), ...quotedBase64(form)]) {
        if (decoded === undefined || seen.has(decoded) || forms.length >= 16) continue;
        seen.add(decoded);
        forms.push(decoded);
        next.push(decoded);
      }
    }
    round = next;
  }
  return forms;
}

/** A quoted base64 string inside a short structured value (JSON, PHP serialized): `{"id":"MSB8fCB3aG9hbWk="}`. */
const QUOTED_BASE64 = /"([A-Za-z0-9+/_-]{8,}={0,2})"/g;
/** Structured values longer than this are not searched for quoted base64 (bodies are walked field by field already). */
const MAX_QUOTED_SEARCH = 4_096;

/** The text of each quoted base64 string of `value` (at most 4), for values short enough to be a serialized parameter. */
function quotedBase64(value: string): string[] {
  if (value.length > MAX_QUOTED_SEARCH || !value.includes('"')) return [];
  const texts: string[] = [];
  for (const found of value.matchAll(QUOTED_BASE64)) {
    const text = base64Text(found[1] as string);
    if (text !== undefined) texts.push(text);
    if (texts.length >= 4) break;
  }
  return texts;
}

/**
 * False when no decoder could change `value`: no `%`, `+`, `&` or `\\`, and not a run of base64 characters
 * long enough to be base64. One pass over the characters; most benign values end here.
 */
function mayDecode(value: string): boolean {
  let base64 = value.length >= 8;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 || c === 0x2b || c === 0x26 || c === 0x5c) return true;
    if (
      base64 &&
      !(
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2f ||
        c === 0x5f ||
        c === 0x2d ||
        c === 0x3d
      )
    )
      base64 = false;
  }
  return base64 && asciiTextLeaders(value);
}
