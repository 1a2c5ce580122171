/**
 * What one path segment looks like, decided from the segment alone. Value classes (`int`, `uuid`, …) are
 * parameters wherever they appear; `word` segments are literal until cardinality says otherwise;
 * `version` and `anchored` segments are never parameters.
 */
export type SegmentClass =
  | 'int'
  | 'uuid'
  | 'ulid'
  | 'objectid'
  | 'hex'
  | 'token'
  | 'date'
  | 'email'
  | 'phone'
  | 'mixed'
  | 'format'
  | 'version'
  | 'anchored'
  | 'word';

/** A segment split into its value part and a literal suffix (`12.json` → `12` + `.json`, `x:cancel`). */
export interface SplitSegment {
  stem: string;
  /** `.json`, `:cancel`, or `` */
  suffix: string;
  kind: SegmentClass;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const OBJECT_ID = /^[0-9a-f]{24}$/i;
const HEX = /^[0-9a-f]{8,}$/i;
const DATE = /^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T[\d:.]+Z?)?$/;
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[a-z]{2,}$/i;
const PHONE = /^\+\d[\d\-. ]{6,18}\d$/;
const TOKEN_CHARS = /^[A-Za-z0-9_\-~=+]+$/;
// `v1`, `v2.0`, `v1_1`, `v1beta1`, `v1p1beta1`, `v2alpha`, `1.0` — the letters after `v1` are release
// qualifiers only: `V9BTUSD` is a code, not a version
const VERSION = /^(v\d+([._]\d+)*(p\d+)?((alpha|beta|rc|preview|pre|dev|ga|stable)\d*)?|\d+\.\d+(\.\d+)?)$/i;
/** `findByStatus`, `get3dsAvailability`, `postMessage`: lower-case start, then capitalised words (digits allowed). */
const SEMVER = /^v?\d+\.\d+\.\d+/i;
const CAMEL_RPC = /^[a-z]+(?:[A-Z][a-z]+|\d+[a-z]*)*(?:[A-Z][a-z]+)$/;
/** `chat.postMessage`, `admin.conversations.setTeams`: a dotted name with a camelCase method. */
const DOTTED_RPC = /^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)*\.[a-z]+[A-Z][a-zA-Z]*$/;
const SUFFIX = /^(.+?)(\.(json|xml|csv|txt|html|yaml|yml|pdf|png|jpe?g|gif|svg|zip|gz|tar|js|css|atom|rss)|:[a-z][a-zA-Z]*)$/;

/** Technical words that contain digits but are never values. */
const DIGIT_WORDS = new Set([
  'oauth1',
  'oauth2',
  'ipv4',
  'ipv6',
  'md5',
  'sha1',
  'sha256',
  'sha384',
  'sha512',
  'utf8',
  'utf16',
  'base32',
  'base64',
  'http2',
  'http3',
  'x509',
  's3',
  'ec2',
  'i18n',
  'l10n',
  'k8s',
  'b2b',
  'b2c',
  'p2p',
  'mp3',
  'mp4',
  'h264',
  'h265',
  'e164',
  'iso8601',
  'rfc3339',
  '2fa',
  'mfa2',
  'web3',
  'es256',
  'rs256',
  'hs256',
  'ed25519',
]);

/**
 * Words that are endpoints in their own right beside a parameter (`/users/me` next to `/users/{userId}`):
 * never merged into a parameter.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'me',
  '@me',
  'self',
  'my',
  'mine',
  'current',
  'search',
  'find',
  'query',
  'count',
  'new',
  'latest',
  'recent',
  'all',
  'bulk',
  'batch',
  'export',
  'import',
  'upload',
  'download',
  'stats',
  'statistics',
  'summary',
  'login',
  'logout',
  'register',
  'signup',
  'signin',
  'refresh',
  'revoke',
  'verify',
  'validate',
  'callback',
  'history',
  'preview',
  'schema',
  'openapi',
  'swagger',
  'create',
  'update',
  'delete',
  'remove',
  'edit',
  'cancel',
  'archive',
  'restore',
  'approve',
  'reject',
  'retry',
  'upsert',
  'lookup',
  'autocomplete',
  'suggest',
  'random',
  'next',
  'previous',
]);

/** Response formats chosen in the path (`/verify/json`, `/verify/xml`): siblings of these are one `{format}`. */
export const FORMAT_WORDS: ReadonlySet<string> = new Set([
  'json',
  'xml',
  'csv',
  'tsv',
  'yaml',
  'yml',
  'html',
  'txt',
  'jsonp',
  'protobuf',
  'msgpack',
  'atom',
  'rss',
]);

/** Recent classifications: names (`api`, `v2`, `orders`) repeat in almost every request. Bounded, pure. */
const CACHE = new Map<string, SplitSegment>();
const CACHE_LIMIT = 20_000;

/** Splits a decoded segment into stem and literal suffix and classifies the stem. */
export function classifySegment(segment: string): SplitSegment {
  let split = CACHE.get(segment);
  if (split === undefined) {
    split = classifyUncached(segment);
    if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
    CACHE.set(segment, split);
  }
  return split;
}

function classifyUncached(segment: string): SplitSegment {
  const m = SUFFIX.exec(segment);
  if (m !== null) {
    const stem = m[1] as string;
    const stemKind = classifyValue(stem);
    if (isValueClass(stemKind) && !(stemKind === 'mixed' && stem.includes('.'))) return { stem, suffix: m[2] as string, kind: stemKind };
    // `info.0.json`, `send.json`: a name with an extension is a name
    return { stem: segment, suffix: '', kind: stemKind === 'version' ? 'version' : 'word' };
  }
  return { stem: segment, suffix: '', kind: classifyValue(segment) };
}

/** True for classes that are parameters wherever they appear. */
export function isValueClass(kind: SegmentClass): boolean {
  return kind !== 'word' && kind !== 'version' && kind !== 'anchored' && kind !== 'format';
}

function classifyValue(s: string): SegmentClass {
  const length = s.length;
  if (length === 0) return 'word';
  let digits = 0;
  let letters = 0;
  let upper = 0;
  let other = 0;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 97 && c <= 122) letters++;
    else if (c >= 65 && c <= 90) {
      letters++;
      upper++;
    } else other++;
  }
  if (digits === length) return 'int';
  // `_debug`, `_search`, `_all_docs`, `@me`, `.well-known`: marked names, never values (lower case: a
  // mixed-case run after `_` is an id, `_srWi_lKfPeYjtc…`)
  const first = s.charCodeAt(0);
  if ((first === 95 || first === 64 || first === 46) && length > 1 && /^[_@.][a-z][a-z_-]*$/.test(s)) return 'anchored';
  // three-part versions (`v4.5.0`, `2.1.3`) name releases, branches and dataset versions: values. API
  // versions have one or two parts (`v1`, `v2.0`, `2.0`).
  if (VERSION.test(s)) return SEMVER.test(s) ? 'mixed' : 'version';
  if (DIGIT_WORDS.has(s.toLowerCase())) return 'anchored';
  if (length >= 32 && UUID.test(s)) return 'uuid';
  if (length === 24 && OBJECT_ID.test(s)) return 'objectid';
  if (length === 26 && digits > 0 && ULID.test(s)) return 'ulid';
  if (digits > 0 && length >= 8 && HEX.test(s) && letters > 0) return 'hex';
  if (digits >= 4 && DATE.test(s)) return 'date';
  if (s.includes('@') && EMAIL.test(s)) return 'email';
  if (s.charCodeAt(0) === 43 && PHONE.test(s)) return 'phone';
  if (upper > 0 && CAMEL_RPC.test(s) && length / (upper + 1) >= 2.5 && wordsSayable(s)) return 'anchored';
  if (upper === letters && length >= 6 && other === 0) return 'mixed'; // codes: A6VSUSFP, XCCZVHYV, EAJBTG
  if (digits === 0) {
    if (DOTTED_RPC.test(s)) return 'anchored';
    if (looksRandom(s) || isPrefixedId(s)) return 'token';
    if (length >= 20 && upper > 1 && upper < letters && TOKEN_CHARS.test(s)) return 'token';
    return 'word';
  }
  // letters and digits together
  if (length >= 16 && TOKEN_CHARS.test(s) && upper > 0 && upper < letters) return 'token';
  if (letters === 0) return 'mixed'; // digits with separators: 12-34, 1.5.0 is a version (above)
  if (digits >= 2 && length >= 5) return 'mixed';
  if (other > 0 && digits >= 1 && length >= 4) return 'mixed';
  return 'word';
}

const LATIN_US = /(stat|bon|camp|corp|vir|cens|foc|gen|radi|syllab|prospect|consens|apparat|cact|fung|nucle|stimul|termin)us$/;

/**
 * A digit-free string whose last part (after `_`/`-`) flips case too often for words: `site_pbPZsDBAwTlvJJ`,
 * not `AliceLopez` or `findByStatus`.
 */
function looksRandom(s: string): boolean {
  const cut = Math.max(s.lastIndexOf('_'), s.lastIndexOf('-'));
  const part = s.slice(cut + 1);
  if (part.length < 10) return false;
  let flips = 0;
  let upper = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    const isUpper = c >= 65 && c <= 90;
    if (isUpper) upper++;
    if (i > 0) {
      const p = part.charCodeAt(i - 1);
      if ((p >= 65 && p <= 90) !== isUpper) flips++;
    }
  }
  return upper >= 3 && upper <= part.length - 3 && flips * 3 >= part.length + 3;
}

/**
 * A short lower-case prefix, `_`, and ten or more letters of mixed case that are not words
 * (`dns_JuqokJecilnYOj`, `obj_AmgtbWedoLsfws`): a typed random id. `payment_methods`, `build_hooks` are names.
 */
function isPrefixedId(s: string): boolean {
  const m = /^[a-z]{1,8}_([A-Za-z]{10,})$/.exec(s);
  if (m === null) return false;
  const part = m[1] as string;
  let upper = 0;
  for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) <= 90) upper++;
  return upper >= 3 && upper < part.length - 2 && (!/^(?:[A-Z][a-z]+)+$/.test(part) || !wordsSayable(part));
}

/**
 * True when every word of a camelCase name has a vowel (`getUserById`, `get3dsAvailability`): RPC names are
 * made of words; random identifiers that happen to alternate case (`ntyby9gfFtvLnXvnYzuoDx`) are not.
 */
function wordsSayable(s: string): boolean {
  for (const part of s.split(/(?=[A-Z])/)) {
    const word = /^[A-Za-z]*/.exec(part)?.[0] ?? ''; // `3ds`, `2fa` after a digit are abbreviations
    if (word.length >= 2 && !/[aeiouy]/i.test(word)) return false;
  }
  return true;
}

/** Lower-case English singular of a resource name, for parameter names (`users` → `user`). */
export function singularize(word: string): string {
  const w = word.toLowerCase();
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|sh|ch|x|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('is') && !LATIN_US.test(w) && w.length > 3) return w.slice(0, -1);
  return w;
}
