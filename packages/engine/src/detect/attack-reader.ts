/**
 * The attack classes a request carries (`sqli`, `xss`, `lfi`, …), read with the inline sensor's signatures
 * (`rules/signatures/*.yaml` and the detectors of `protect/detect/`), so that behavioural detection scores the
 * attacks the sensor would block. An event the sensor wrote carries its findings: they are read back, not
 * re-inspected. Any other event is inspected as the sensor inspects a request (its path, query, the headers
 * a client sets and its body sample), and reports the categories of its matches when their anomaly score
 * reaches the signatures' threshold: the sensor's block decision, not every low-score match.
 *
 * Speed comes from a prefilter that never changes a result. Most values of benign API traffic are plain
 * tokens (`orders`, `70003526`, `BAG-103367`, `/v2/orders/70003526`, `frank.smith63@mail.example`): letters,
 * digits and `. _ - / @`, which no decoder changes (base64 aside, checked apart). On such a token almost no
 * matcher can fire; the few that can need a piece of text the token would hold (`..`, `etc/`, `union`, `__`,
 * `proto`, `//`) or a whole value that names something (`visudo`, `ipconfig/all`). {@link DETECTOR_NEEDS}
 * and {@link PATTERN_NEEDS} write down what that is for every built-in detector and shipped pattern rule; a
 * plain token holding none of what the rules of its input kind need is not inspected. Every other value is,
 * its verdict kept in a bounded cache (the same user agents, search words and timestamps come back request
 * after request).
 */
import { createHash } from 'node:crypto';
import type { ApiEvent, EventProtection } from '@palisade/core';
import { base64Text } from '../protect/decode.js';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from '../protect/detect/index.js';
// The prefilter asks the command detectors' own program tables, so that it stays exact as they grow.
import { isDistinctive, isUnmistakable, knownCommand, mayStartProgram } from '../protect/detect/internal/exec-commands.js';
import { TELLING_PROGRAMS } from '../protect/detect/internal/windows-programs.js';
import { formDecode, type RequestInput, requestInputs } from '../protect/inputs.js';
import {
  compileSignatures,
  loadSignatureRules,
  type RequestConditions,
  requestConditions,
  type SignatureRule,
  type SignatureSet,
} from '../protect/signatures.js';

/** Reads the attack classes (signature categories such as `sqli`, `xss`, `lfi`, `rce`, `jndi`, …) a request carries. */
export type AttackReader = (event: ApiEvent) => string[];

/** How an attack reader inspects. */
export interface AttackReaderOptions {
  /** Signature paranoia level, 1 to 4. Default 1, as the sensor's. */
  paranoia?: number;
  /** Folders of signature rules. Default: the shipped ones (`rules/signatures`). */
  rulesDirs?: string[];
  /**
   * @internal False inspects every value, for the tests and benchmarks that check that the prefilter changes
   * no result. Default true.
   */
  prefilter?: boolean;
}

/**
 * Creates an attack reader: loads and compiles the signature rules once (`PAL_ERR_RULES_*` when they are
 * invalid or unreadable). The reader is synchronous and deterministic, does no I/O, and returns the
 * categories sorted; its caches are bounded (about 20 MB at worst). One reader per thread.
 *
 * @example
 * const readAttacks = await createAttackReader();
 * readAttacks(event); // ['sqli'] for `GET /search?q=1%20UNION%20SELECT%20password%20FROM%20users`
 */
export async function createAttackReader(options: AttackReaderOptions = {}): Promise<AttackReader> {
  const rules = await loadSignatureRules(options.rulesDirs ?? [SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS);
  const signatures = compileSignatures(rules, BUILTIN_DETECTORS, { paranoia: options.paranoia ?? 1 });
  return readerOf(signatures, options.prefilter ?? true);
}

/** A rule that matched a value: what a cached verdict keeps. */
interface RuleHit {
  ruleId: string;
  category: string;
  score: number;
}

const NO_HITS: readonly RuleHit[] = Object.freeze([]);
/** Values (or locations) longer than this are inspected every time, not cached. */
const MAX_CACHED_VALUE = 256;
/** Cached verdicts (values and locations of at most 256 characters: about 20 MB at worst); emptied when full. */
const MAX_CACHED_VERDICTS = 20_000;
/** Headers of the transport (which `requestInputs` leaves out too), and credentials the enricher tokenized. */
const SKIPPED_HEADERS = new Set([
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'authorization',
  'proxy-authorization',
  'cookie',
]);
const HEADER_PREFIX = 'header:';
/** JSON bodies longer than this, or nested deeper, are always read input by input (`requestInputs` bounds them). */
const MAX_PLAIN_JSON = 64 * 1024;
const MAX_JSON_DEPTH = 32;
const USER_AGENT = 'header:user-agent';

function readerOf(signatures: SignatureSet, prefilter: boolean): AttackReader {
  const filters = prefilter ? compileFilters(signatures) : new Map<string, KindFilter>();
  const pathFilter = filters.get('path');
  const queryFilter = filters.get('query');
  const queryNameFilter = filters.get('query-name');
  const headerFilter = filters.get('header');
  // verdicts by location, then by value: no key is built per value
  const verdicts = new Map<string, Map<string, readonly RuleHit[]>>();
  let cachedVerdicts = 0;
  const headerLocations = new Map<string, string>();
  const queryLocations = new Map<string, string>();
  const queryNameLocations = new Map<string, string>();
  // the matches of the event being read, by rule; emptied per event (the reader is synchronous)
  const hits = new Map<string, RuleHit>();

  /** Adds the matches of `value` at `location`, from the cache or, the first time, from the signatures. */
  const judge = (location: string, value: string, input?: RequestInput): void => {
    const cacheable = value.length <= MAX_CACHED_VALUE && location.length <= MAX_CACHED_VALUE;
    let byValue = cacheable ? verdicts.get(location) : undefined;
    let verdict = byValue?.get(value);
    if (verdict === undefined) {
      const matches = signatures.inspect([input ?? { location, value }]).matches;
      verdict = matches.length === 0 ? NO_HITS : matches.map((m) => ({ ruleId: m.ruleId, category: m.category, score: m.score }));
      if (cacheable) {
        if (cachedVerdicts >= MAX_CACHED_VERDICTS) {
          verdicts.clear();
          cachedVerdicts = 0;
          byValue = undefined;
        }
        if (byValue === undefined) {
          byValue = new Map();
          verdicts.set(location, byValue);
        }
        byValue.set(value, verdict);
        cachedVerdicts++;
      }
    }
    for (let i = 0; i < verdict.length; i++) {
      const hit = verdict[i] as RuleHit;
      hits.set(hit.ruleId, hit);
    }
  };

  /** Judges `text[start, end)` at `location` unless the prefilter rules it out; `text` is cut only when judged. */
  const considerSpan = (filter: KindFilter | undefined, text: string, start: number, end: number, location: string): void => {
    if (filter !== undefined && !filter.exact?.has(location) && plainSpan(filter, text, start, end)) return;
    judge(location, start === 0 && end === text.length ? text : text.slice(start, end));
  };

  const readPath = (path: string): void => {
    // as `requestInputs`: what follows the first `/` is cut at each `/` into segments `path:0`, `path:1`, …
    // (empty ones left out), and the whole path is an input too when there are two segments or more
    let from = path.indexOf('/') + 1;
    if (from === 0) return;
    if (pathFilter !== undefined && pathFilter.exact === undefined && plainPath(pathFilter, path)) return;
    let index = 0;
    for (;;) {
      const next = path.indexOf('/', from);
      const end = next < 0 ? path.length : next;
      if (end > from) considerSpan(pathFilter, path, from, end, segmentLocation(index));
      index++;
      if (next < 0) break;
      from = next + 1;
    }
    if (index > 1) considerSpan(pathFilter, path, 0, path.length, 'path');
  };

  const readQuery = (query: string): void => {
    // as `requestInputs`: `name=value` pairs decoded as a form is, each name and each value an input
    if (query.includes('%') || query.includes('+')) {
      for (const part of query.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const name = formDecode(eq < 0 ? part : part.slice(0, eq));
        const value = eq < 0 ? '' : formDecode(part.slice(eq + 1));
        considerSpan(queryNameFilter, name, 0, name.length, locationOf(queryNameLocations, 'query-name:', name));
        considerSpan(queryFilter, value, 0, value.length, locationOf(queryLocations, 'query:', name));
      }
      return;
    }
    // nothing to decode: names and values are cut from the query only when judged
    let from = 0;
    let eq = -1;
    for (;;) {
      const next = query.indexOf('&', from);
      const end = next < 0 ? query.length : next;
      if (end > from) {
        // the next `=`, looked for again only once passed (past the last one: the query's length)
        if (eq < from) {
          eq = query.indexOf('=', from);
          if (eq < 0) eq = query.length;
        }
        const nameEnd = Math.min(eq, end);
        const valueStart = nameEnd === end ? end : nameEnd + 1;
        const nameOk =
          queryNameFilter !== undefined && queryNameFilter.exact === undefined && plainSpan(queryNameFilter, query, from, nameEnd);
        const valueOk = queryFilter !== undefined && queryFilter.exact === undefined && plainSpan(queryFilter, query, valueStart, end);
        if (!nameOk || !valueOk) {
          const name = query.slice(from, nameEnd);
          if (!nameOk) considerSpan(queryNameFilter, name, 0, name.length, locationOf(queryNameLocations, 'query-name:', name));
          if (!valueOk) considerSpan(queryFilter, query, valueStart, end, locationOf(queryLocations, 'query:', name));
        }
      }
      if (next < 0) return;
      from = next + 1;
    }
  };

  const readHeaders = (headers: Readonly<Record<string, string>>, userAgent: string | undefined): void => {
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || SKIPPED_HEADERS.has(name) || isToken(value)) continue;
      considerSpan(headerFilter, value, 0, value.length, locationOf(headerLocations, HEADER_PREFIX, name));
    }
    // most parsers give the User-Agent a field of its own instead of a header
    if (userAgent !== undefined && headers['user-agent'] === undefined)
      considerSpan(headerFilter, userAgent, 0, userAgent.length, USER_AGENT);
  };

  const jsonFilter = filters.get('json');
  const jsonKeyFilter = filters.get('json-key');
  const jsonPrefiltered = jsonFilter?.exact === undefined && jsonKeyFilter?.exact === undefined;

  const readBody = (request: ApiEvent['request']): void => {
    const body = request.body;
    if (body === undefined || body.encoding === 'base64' || body.text === '') return;
    const contentType = body.contentType ?? request.headers['content-type'];
    // a JSON body whose keys and strings are all plain (most bodies): parsed once, no inputs made
    if (jsonFilter !== undefined && jsonKeyFilter !== undefined && jsonPrefiltered && isJsonType(contentType)) {
      if (body.text.length <= MAX_PLAIN_JSON && isPlainJson(parseJson(body.text), 0, jsonFilter, jsonKeyFilter)) return;
    }
    const { inputs } = requestInputs({
      path: '',
      query: '',
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      body: Buffer.from(body.text, 'utf8'),
    });
    for (const input of inputs) {
      // the content type is judged with the other headers
      if (input.location.startsWith(HEADER_PREFIX)) continue;
      const filter = filters.get(input.kind ?? kindOf(input.location));
      if (filter !== undefined && !filter.exact?.has(input.location) && plainSpan(filter, input.value, 0, input.value.length)) continue;
      judge(input.location, input.value, input);
    }
  };

  return (event) => {
    const protection = event.protection;
    if (protection !== undefined) return recordedAttacks(protection);
    if (hits.size > 0) hits.clear();
    const request = event.request;
    readPath(request.path);
    const query = request.query ?? (request.queryParams === undefined ? undefined : queryOf(request.queryParams));
    if (query !== undefined && query !== '') readQuery(query);
    readHeaders(request.headers, event.client.userAgent);
    readBody(request);
    if (hits.size === 0) return [];
    let score = 0;
    const categories = new Set<string>();
    let conditions: RequestConditions | undefined;
    const conditionsOf = (): RequestConditions => {
      conditions ??= requestConditions(request.headers, request.host);
      return conditions;
    };
    for (const hit of hits.values()) {
      // verdicts are kept per value; a rule's exception for this request (its `unless`) is applied here
      if (signatures.exempt(hit.ruleId, conditionsOf)) continue;
      score += hit.score;
      categories.add(hit.category);
    }
    return score >= signatures.threshold ? [...categories].sort() : [];
  };
}

/** The categories the sensor's own signature findings name, when their score made the request an attack. */
function recordedAttacks(protection: EventProtection): string[] {
  if (protection.score < protection.threshold) return [];
  const categories = new Set<string>();
  for (const finding of protection.findings) {
    if (finding.protection === 'signatures' && finding.category !== undefined) categories.add(finding.category);
  }
  return [...categories].sort();
}

/** `path:0` … `path:63`, made once. */
const SEGMENT_LOCATIONS = Array.from({ length: 64 }, (_, i) => `path:${i}`);

function segmentLocation(index: number): string {
  return SEGMENT_LOCATIONS[index] ?? `path:${index}`;
}

/** `prefix` + `name`, made once per name (a bounded number of them). */
function locationOf(cache: Map<string, string>, prefix: string, name: string): string {
  let location = cache.get(name);
  if (location === undefined) {
    location = prefix + name;
    if (cache.size < 1_000) cache.set(name, location);
  }
  return location;
}

/** The value of a JSON text, or `undefined` when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * True when every key and string of a parsed JSON body is plain (numbers, booleans and null are no inputs):
 * then none of the body's inputs needs judging. False for `undefined` (no JSON) and for nesting as deep as the
 * bound of `requestInputs`, which then reads the body.
 */
function isPlainJson(value: unknown, depth: number, values: KindFilter, keys: KindFilter): boolean {
  if (typeof value === 'string') return plainSpan(values, value, 0, value.length);
  if (value === undefined) return false;
  if (value === null || typeof value !== 'object') return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1, values, keys)) return false;
    return true;
  }
  for (const key in value) {
    if (!plainSpan(keys, key, 0, key.length) || !isPlainJson((value as Record<string, unknown>)[key], depth + 1, values, keys))
      return false;
  }
  return true;
}

/** A JSON media type, as `requestInputs` reads a `Content-Type` (`application/json`, `application/problem+json`). */
function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** A token the enricher put in place of a secret (`tok_` and 22 base64url characters). */
function isToken(value: string): boolean {
  return value.length === 26 && value.startsWith('tok_');
}

/** A query string for parsed parameters (`a=1&a=2&b=x`), for events that kept only those. */
function queryOf(params: Readonly<Record<string, string | string[]>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(one)}`);
  }
  return parts.join('&');
}

function kindOf(location: string): string {
  const colon = location.indexOf(':');
  return colon < 0 ? location : location.slice(0, colon);
}

// --- the prefilter ------------------------------------------------------------------------------------------

/**
 * What a matcher needs to find in a plain token (see {@link PLAIN_LOWER}) before it can fire on it: one of
 * `pieces` anywhere, one of `starts` at its beginning (both compared without case), or `test` true for the
 * token `text[start, end)`. A need with none of them is a matcher that never fires on a plain token.
 */
interface Need {
  pieces?: readonly string[];
  starts?: readonly string[];
  test?: (text: string, start: number, end: number) => boolean;
}

const NEVER: Need = {};

/** Values longer than this are never plain: detectors cut long values into windows that begin with a space. */
const MAX_PLAIN = 1024;

/**
 * Letters, digits and `. _ - / @`, by code, lower-cased; 0 for every other character. A value made of these
 * alone is a single token: no blank, quote, bracket, operator, separator, line break or escape, and nothing
 * URL, HTML-entity or JavaScript decoding changes (base64 can, which {@link isBase64Text} checks).
 */
const PLAIN_LOWER: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) table[c] = c;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = c;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = c | 0x20;
  for (const c of '._-/@') table[c.charCodeAt(0)] = c.charCodeAt(0);
  return table;
})();

function plainLower(code: number): number {
  return code < 128 ? (PLAIN_LOWER[code] as number) : 0;
}

/** The plain characters numbered from 1, by code, a capital letter as its small one; 0 for any other character. */
const PLAIN_ORDER: Uint8Array = (() => {
  const order = new Uint8Array(128);
  let n = 0;
  for (let c = 1; c < 128; c++) if (PLAIN_LOWER[c] === c) order[c] = ++n;
  for (let c = 0x41; c <= 0x5a; c++) order[c] = order[c | 0x20] as number;
  return order;
})();
/** How many numbers {@link PLAIN_ORDER} gives, 0 (no character, past a token's end) included: 42. */
const ORDERS = Math.max(...PLAIN_ORDER) + 1;

function plainOrder(code: number): number {
  return code < 128 ? (PLAIN_ORDER[code] as number) : 0;
}

/** A number for the first three characters of the plain token `text[start, end)`, case aside. */
function startKey(text: string, start: number, end: number): number {
  const first = start < end ? plainOrder(text.charCodeAt(start)) : 0;
  const second = start + 1 < end ? plainOrder(text.charCodeAt(start + 1)) : 0;
  const third = start + 2 < end ? plainOrder(text.charCodeAt(start + 2)) : 0;
  return (first * ORDERS + second) * ORDERS + third;
}

/** SQL injection: the words of the detector's own pre-check (`MAYBE_SQL` in `sqli.ts`) a token can hold. */
const SQL_NEED: Need = {
  pieces: [
    '--',
    'union',
    'select',
    'between',
    'exec',
    'declare',
    'schema',
    'pg_',
    'sqlite_',
    'msys',
    'sysobj',
    'syscol',
    'sysdat',
    'sysuse',
    'syslog',
    'syspro',
    'sysser',
    'tempdb',
    'xp_',
    'sp_',
    'all_',
    'dba_',
    'user_tab',
    'sql_logins',
    '_principals',
    'msdb',
    'northwind',
    'case',
  ],
};

/** Climbs: `..`, `/./`, and the `0x2e`/`0x2f` spellings the path normaliser turns into dots and slashes. */
const CLIMB_NEED: Need = { pieces: ['..', '/./', '0x'] };

/**
 * Sensitive files (`internal/exec-files.ts` and `MANGLED_FILE`): absolute Unix paths under the listed roots,
 * Windows system files, dot files and folders, and the names with their separators lost.
 */
const SENSITIVE_FILE_NEED: Need = {
  pieces: [
    'etc/',
    'etcpasswd',
    'etcshadow',
    'etcgroup',
    'etchosts',
    '/proc/',
    '/sys/',
    '/var/',
    '/root/',
    '/home/',
    '/usr/',
    '/opt/',
    '/dev/',
    '/.',
    '0x',
    '.ini',
    'windows/',
    'winnt/',
    'inetpub/',
    'pagefile',
    'autoexec',
    'ntuser',
    'id_',
    'web-inf',
    'meta-inf',
    'wp-config',
    'configuration.php',
    'localsettings',
    'global.asa',
    'environ',
    'secrets/',
  ],
  starts: ['.'],
};

/** Restricted paths: dot folders and files, keys, configs, dumps, logs, dev-server routes, kernel files. */
const RESTRICTED_PATH_NEED: Need = {
  pieces: ['/.', '0x', 'id_', 'config/', 'sftp-config', '.sql.', '.log', '/@', '/sys/', '/proc/'],
  starts: ['.', '@'],
};

/**
 * A program named by the whole token (`visudo`; at paranoia 2 also `whoami`, `curl`), or a path into a
 * directory of programs or to a socket (`/usr/bin/id`, `/dev/tcp/…`): what `commandWordAt` and `COMMAND_LEAD`
 * in `command.ts` accept without blanks, separators or quotes.
 */
function commandNeed(strict: boolean): Need {
  // the same words come back (`products`, `accounts`): each is looked up once (bounded)
  const named = new Map<string, boolean>();
  return {
    pieces: ['bin/', '/dev/'],
    test: (text, start, end) => {
      // no program word is longer than 40 characters, and one with a `/` needs `bin/` (above)
      if (end - start > 40 || !mayNameProgram(text, start, end) || hasSlash(text, start, end)) return false;
      const word = text.slice(start, end);
      let program = named.get(word);
      if (program === undefined) {
        const name = knownCommand(word)?.name;
        program = name !== undefined && (isUnmistakable(name) || (strict && isDistinctive(name)));
        if (named.size >= 10_000) named.clear();
        named.set(word, program);
      }
      return program;
    },
  };
}

/**
 * Which starts of a plain token `mayStartProgram` (the command detector's first test of a word, which reads
 * its first three characters, case aside) lets through: asked once for every start, when first needed.
 */
let programStarts: Uint8Array | undefined;

function mayNameProgram(text: string, start: number, end: number): boolean {
  programStarts ??= probeProgramStarts();
  return programStarts[startKey(text, start, end)] === 1;
}

function probeProgramStarts(): Uint8Array {
  const starts = new Uint8Array(ORDERS ** 3);
  const characters = [...PLAIN_LOWER].flatMap((c, code) => (c === code && code !== 0 ? [String.fromCharCode(code)] : []));
  const probe = (token: string): void => {
    if (mayStartProgram(token, 0)) starts[startKey(token, 0, token.length)] = 1;
  };
  for (const a of characters) {
    probe(a);
    for (const b of characters) {
      probe(a + b);
      for (const c of characters) probe(a + b + c);
    }
  }
  return starts;
}

/** The Windows programs telling by their name, by the {@link startKey} of their name. */
const TELLING_BY_START: ReadonlyMap<number, readonly string[]> = (() => {
  const byStart = new Map<number, string[]>();
  for (const name of TELLING_PROGRAMS) {
    const key = startKey(name, 0, name.length);
    byStart.set(key, [...(byStart.get(key) ?? []), name]);
  }
  return byStart;
})();
/** 1 for the keys of {@link TELLING_BY_START}. */
const TELLING_STARTS: Uint8Array = (() => {
  const starts = new Uint8Array(ORDERS ** 3);
  for (const key of TELLING_BY_START.keys()) starts[key] = 1;
  return starts;
})();

/**
 * A Windows program run with a glued switch (`ipconfig/all`, `@whoami.exe/priv`), as `judgeProgram` in
 * `windows-command.ts` reads a value's first word past `@`; or `cmd` given a switch.
 */
const WINDOWS_COMMAND_NEED: Need = {
  pieces: ['cmd'],
  test: (text, start, end) => {
    let from = start;
    while (from < end && text.charCodeAt(from) === 0x40 /* @ */) from++;
    // the word's first three letters or digits first, the rest of it only when a name starts so
    let to = from;
    while (to < end && to < from + 3 && isAsciiAlphanumeric(text.charCodeAt(to))) to++;
    if (to === from) return false;
    const key = startKey(text, from, to);
    const names = TELLING_STARTS[key] === 1 ? TELLING_BY_START.get(key) : undefined;
    if (names === undefined) return false;
    while (to < end && isAsciiAlphanumeric(text.charCodeAt(to))) to++;
    for (let i = 0; i < names.length; i++)
      if ((names[i] as string).length === to - from && holdsOneAt(text, from, to, names, i)) return true;
    return false;
  },
};

function isAsciiAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * What each built-in detector needs to fire on a plain token, by the detector's name. Written by reading the
 * detectors; `attack-reader.test.ts` checks the table against every string of the detectors' tests. A
 * detector missing here is never prefiltered.
 */
const DETECTOR_NEEDS: Readonly<Record<string, Need>> = {
  sqli: SQL_NEED,
  'sqli-strict': SQL_NEED,
  // every reported construct needs `<`, `(`, `=`, a backtick, `:`, `[` or `+ADw`
  xss: NEVER,
  'xss-strict': NEVER,
  'xss-expression': { pieces: ['cookie', 'location'] },
  'command-injection': commandNeed(false),
  'command-line': commandNeed(true),
  'shell-expansion': NEVER,
  'windows-cmd-control': { pieces: ['for/', 'if/'] },
  'windows-command': WINDOWS_COMMAND_NEED,
  // cmdlets need a blank or `(` after them, aliases a subexpression or a separator
  'powershell-command': NEVER,
  'path-traversal': CLIMB_NEED,
  'path-traversal-any': CLIMB_NEED,
  'sensitive-file': SENSITIVE_FILE_NEED,
  'sensitive-file-any': SENSITIVE_FILE_NEED,
  'restricted-path': RESTRICTED_PATH_NEED,
  // without a scheme (`:`) a URL starts with `//`
  ssrf: { pieces: ['//'] },
  'ssrf-private': { pieces: ['//'] },
  rfi: NEVER,
  'php-code': NEVER,
  'java-code': { pieces: ['classloader', 'java', 'org.', 'com.'] },
  'script-code': { pieces: ['process', '__'] },
  'jndi-lookup': NEVER,
  shellshock: NEVER,
  // attribute locations of XML bodies are judged by name, but XML inputs are never prefiltered
  xxe: NEVER,
  ssti: { pieces: ['__', 'freemarker', 'constructor'] },
  'ssti-statement': NEVER,
  'nosqli-operator': NEVER,
  nosqli: NEVER,
  ldapi: NEVER,
  crlf: NEVER,
  'crlf-text': NEVER,
  'crlf-any-header': NEVER,
  'crlf-in-name': NEVER,
  'prototype-pollution': { pieces: ['proto'] },
  'prototype-pollution-text': { pieces: ['proto'] },
  ssi: NEVER,
  'mail-command': NEVER,
  'mail-header': NEVER,
  'session-fixation': { pieces: ['cookie'] },
  'session-id-name': { pieces: ['sess', 'sid', 'cfid', 'cftoken', 'cakephp', 'meteor', 'shiny'] },
  'generic-session-id-name': { pieces: ['sess', 'sid'] },
  'oast-domain': { pieces: ['burpcollaborator', 'oast', 'interact', 'dnslog', 'ceye', 'xss.ht', 'bxss', 'canarytokens'] },
  'log4j-lookup-evasion': NEVER,
  'php-open-tag': NEVER,
  'php-function-call': NEVER,
  'php-helper-call': NEVER,
  'php-variable-call': NEVER,
  'php-dynamic-call': NEVER,
  'php-ini-directive': NEVER,
  'node-code': { pieces: ['constructor', 'process', 'require', '__'] },
  'js-infinite-loop': NEVER,
  'node-code-broad': NEVER,
};

/**
 * What the shipped pattern rules need to fire on a plain token, by rule id, with a fingerprint of the pattern
 * that was read (the first 16 hex digits of the SHA-256 of `regex`, a line feed and `flags`). A rule missing
 * here, or whose pattern no longer has that fingerprint, is prefiltered by running its own pattern. Rules that
 * only name exact locations, or kinds that are never prefiltered, need no entry.
 */
const PATTERN_NEEDS: Readonly<Record<string, { fingerprint: string; need: (pattern: RegExp) => Need }>> = {
  'graphql/introspection': { fingerprint: '99ec841a21bc7ee9', need: () => NEVER },
  'java/jdk-class-name': { fingerprint: '89cf7004d10d9584', need: () => ({ pieces: ['java', 'jdk.', 'sun.', 'org.omg'] }) },
  'java/jdk-class-name-in-header': { fingerprint: '89cf7004d10d9584', need: () => ({ pieces: ['java', 'jdk.', 'sun.', 'org.omg'] }) },
  'java/gadget-class': {
    fingerprint: 'a6323e0e0cd6aa52',
    need: () => ({
      pieces: [
        'transformer',
        'instantiatefactory',
        'prototype',
        'closure',
        'templatesimpl',
        'rowsetimpl',
        'lazymap',
        'transformedmap',
        'badattributevalue',
        'annotationinvocation',
        'priorityqueue',
        'beancomparator',
        'scriptenginemanager',
      ],
    }),
  },
  'java/attack-package-name': {
    fingerprint: 'fb881b737e04fc8d',
    need: () => ({ pieces: ['org.', 'com.', 'ognl', 'freemarker', 'javassist', 'bsh.', 'clojure'] }),
  },
  'java/ognl-class': { fingerprint: 'd4be92eb015eb75c', need: () => ({ pieces: ['ognl'] }) },
  // a file extension at the end of the path: the pattern itself decides, on paths with a dot
  'protocol/restricted-extension': {
    fingerprint: '8c1277f52d63e5c3',
    need: (pattern) => ({ test: (text, start, end) => hasDot(text, start, end) && pattern.test(text.slice(start, end)) }),
  },
  // `~`, line breaks, `%`, NUL, `\`, blanks, `unix:` or `$`
  'protocol/editor-backup-file': { fingerprint: 'b14f19ddaa203a09', need: () => NEVER },
  'protocol/line-break-in-path': { fingerprint: '35551f86827167e9', need: () => NEVER },
  'protocol/null-byte': { fingerprint: '03218ec2ad4af290', need: () => NEVER },
  'protocol/escaped-ascii': { fingerprint: '81f2bfb5e390c018', need: () => NEVER },
  'protocol/escaped-ascii-in-url': { fingerprint: '81f2bfb5e390c018', need: () => NEVER },
  'protocol/request-line-in-argument': { fingerprint: 'a88266b875c922ff', need: () => NEVER },
  'protocol/html-after-line-break': { fingerprint: '8b807758198f9a68', need: () => NEVER },
  'protocol/unix-socket-proxy-target': { fingerprint: 'b6e22478cc18e847', need: () => NEVER },
  'protocol/legacy-cookie-syntax': { fingerprint: '751f998f3b3cf326', need: () => NEVER },
  'sqli/float-parser-hang': { fingerprint: '0576fa11d1f9a71b', need: () => ({ pieces: ['2.225073858507201'] }) },
  'ssrf/internal-host-name': {
    fingerprint: '3ec9a328751dd955',
    need: () => ({
      pieces: ['localhost', 'loopback', 'docker.internal', 'containers.internal', 'kubernetes', 'localtest', 'lvh.me', 'metadata'],
    }),
  },
  'ssrf/data-uri': { fingerprint: 'de6dc0bd137e86cf', need: () => NEVER },
};

/**
 * The kinds of input the prefilter looks at: client values of the URL, headers and field-by-field bodies.
 * Whole bodies, XML, uploads' file names and part headers are rarer: always inspected (cookies are never
 * read: the enricher tokenized them).
 */
const PREFILTERED_KINDS = ['path', 'query', 'query-name', 'header', 'json', 'json-key', 'form', 'form-name'];
/** Kinds that rules without `targets` leave out (as `signatures.ts` does). */
const EXPLICIT_KINDS = new Set(['request', 'part-header']);

/** The prefilter of one input kind. */
interface KindFilter {
  /** Locations of this kind that rules name one by one: always inspected. */
  exact: ReadonlySet<string> | undefined;
  /** {@link PLAIN_ORDER}, with 0 also for the characters that are pieces by themselves. */
  orders: Uint8Array;
  /** 1 for the pieces of two characters, by `first * ORDERS + second` (of their orders). */
  pairs: Uint8Array;
  /**
   * By `(first * ORDERS + second) * ORDERS + third`: 1 where a piece of three characters is or where one of
   * two characters is followed by anything, 2 where longer pieces start (see `longer`).
   */
  triples: Uint8Array;
  longer: ReadonlyMap<number, readonly string[]>;
  starts: readonly string[];
  tests: ReadonlyArray<(text: string, start: number, end: number) => boolean>;
}

/** The prefilter of each kind whose every rule has a known need; kinds without one are always inspected. */
function compileFilters(signatures: SignatureSet): Map<string, KindFilter> {
  const exact = new Map<string, Set<string>>();
  for (const rule of signatures.rules) {
    for (const target of rule.targets ?? []) {
      if (!target.includes(':')) continue;
      const kind = kindOf(target);
      let locations = exact.get(kind);
      if (locations === undefined) {
        locations = new Set();
        exact.set(kind, locations);
      }
      locations.add(target);
    }
  }
  const filters = new Map<string, KindFilter>();
  for (const kind of PREFILTERED_KINDS) {
    const needs: Need[] = [];
    let known = true;
    for (const rule of signatures.rules) {
      if (!appliesToKind(rule, kind)) continue;
      const need = needOf(rule);
      if (need === undefined) known = false;
      else needs.push(need);
    }
    if (known) filters.set(kind, filterOf(needs, exact.get(kind)));
  }
  return filters;
}

function filterOf(needs: readonly Need[], exact: ReadonlySet<string> | undefined): KindFilter {
  const orders = PLAIN_ORDER.slice();
  const pairs = new Uint8Array(ORDERS ** 2);
  const triples = new Uint8Array(ORDERS ** 3);
  const longer = new Map<number, string[]>();
  const starts = new Set<string>();
  const tests: Array<(text: string, start: number, end: number) => boolean> = [];
  for (const need of needs) {
    for (const piece of need.pieces ?? []) {
      const lower = piece.toLowerCase();
      // a piece with a character no plain token has is never found in one
      if (![...lower].every((c) => plainLower(c.charCodeAt(0)) === c.charCodeAt(0))) continue;
      const [a = 0, b = 0, c = 0] = [...lower].map((character) => plainOrder(character.charCodeAt(0)));
      if (lower.length === 1) {
        // a token holding the character is not plain for this kind, whatever its case
        for (let code = 0; code < 128; code++) if (PLAIN_ORDER[code] === a) orders[code] = 0;
      } else if (lower.length === 2) {
        pairs[a * ORDERS + b] = 1;
        // inside a token, a pair is found as the start of a triple; at its end, by `pairs`
        for (let next = 1; next < ORDERS; next++) triples[(a * ORDERS + b) * ORDERS + next] = 1;
      } else {
        const key = (a * ORDERS + b) * ORDERS + c;
        if (lower.length === 3) triples[key] = 1;
        else {
          if (triples[key] !== 1) triples[key] = 2;
          const list = longer.get(key) ?? [];
          if (!list.includes(lower)) longer.set(key, [...list, lower]);
        }
      }
    }
    for (const start of need.starts ?? []) starts.add(start.toLowerCase());
    if (need.test !== undefined && !tests.includes(need.test)) tests.push(need.test);
  }
  return { exact, orders, pairs, triples, longer, starts: [...starts], tests };
}

/** True when a rule judges some location of `kind` (locations named one by one aside). */
function appliesToKind(rule: SignatureRule, kind: string): boolean {
  if (rule.exclude?.includes(kind)) return false;
  if (rule.targets === undefined) return !EXPLICIT_KINDS.has(kind);
  return rule.targets.includes(kind);
}

/** What a rule's matcher needs in a plain token, or undefined when that is not known. */
function needOf(rule: SignatureRule): Need | undefined {
  if (rule.detector !== undefined) return DETECTOR_NEEDS[rule.detector];
  // phrases are matched as pieces of text without case: exactly what a need's pieces are
  if (rule.phrases !== undefined) return { pieces: rule.phrases };
  const pattern = new RegExp(rule.regex ?? '', rule.flags ?? '');
  const known = PATTERN_NEEDS[rule.id];
  if (known !== undefined && known.fingerprint === patternFingerprint(rule)) return known.need(pattern);
  return { test: (text, start, end) => pattern.test(text.slice(start, end)) };
}

/** @internal The fingerprint {@link PATTERN_NEEDS} records of a pattern rule. */
export function patternFingerprint(rule: Pick<SignatureRule, 'regex' | 'flags'>): string {
  return createHash('sha256')
    .update(`${rule.regex ?? ''}\n${rule.flags ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * True when no rule of the filter's kind can match `text[start, end)` or any decoded form of it: a plain
 * token no longer than {@link MAX_PLAIN} that holds none of what the rules need and is not base64 of text.
 * One pass over the characters; a piece is compared only where its first two characters are.
 */
function plainSpan(filter: KindFilter, text: string, start: number, end: number): boolean {
  if (end - start > MAX_PLAIN) return false;
  const { orders, triples } = filter;
  let before = 0;
  let last = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const order = code < 128 ? (orders[code] as number) : 0;
    if (order === 0) return false;
    if (i > start + 1) {
      const key = (before * ORDERS + last) * ORDERS + order;
      const triple = triples[key];
      if (triple === 1 || (triple === 2 && holdsOneAt(text, i - 2, end, filter.longer.get(key) ?? []))) return false;
    }
    before = last;
    last = order;
  }
  // a piece of two characters at the end (inside the token, `triples` found it)
  if (end - start > 1 && filter.pairs[before * ORDERS + last] === 1) return false;
  return plainToken(filter, text, start, end);
}

/** The rest of {@link plainSpan} for a span whose characters and pieces are known plain: starts, tests, base64. */
function plainToken(filter: KindFilter, text: string, start: number, end: number): boolean {
  if (filter.starts.length > 0 && holdsOneAt(text, start, end, filter.starts)) return false;
  const tests = filter.tests;
  for (let i = 0; i < tests.length; i++) if ((tests[i] as KindFilter['tests'][number])(text, start, end)) return false;
  return !isBase64Text(text, start, end);
}

/**
 * {@link plainSpan} for a request path and each of its segments (what `readPath` judges) in one pass: a piece
 * found in a segment is found in the whole path, so only the segments' own starts, tests and base64 remain.
 */
function plainPath(filter: KindFilter, path: string): boolean {
  if (!plainSpan(filter, path, 0, path.length)) return false;
  let from = path.indexOf('/') + 1;
  if (from === 0) return true;
  for (;;) {
    const next = path.indexOf('/', from);
    const end = next < 0 ? path.length : next;
    if (end > from && !plainToken(filter, path, from, end)) return false;
    if (next < 0) return true;
    from = next + 1;
  }
}

/**
 * True when the plain span is base64 of text, which the signatures decode and inspect: `base64Text` from
 * `decode.ts`, called only for spans of 8 characters or more with none of `.` and `@` (in no base64 alphabet)
 * whose 4-character groups start like base64 of text does (`asciiTextLeaders` there).
 */
function isBase64Text(text: string, start: number, end: number): boolean {
  if (end - start < 8) return false;
  let groups = 0;
  let misses = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e || code === 0x40) return false;
    if (((i - start) & 3) === 0) {
      groups++;
      // `I`–`Z`, `a`–`f`, `C` and `D` start a group of printable text
      if (!((code >= 0x49 && code <= 0x5a) || (code >= 0x61 && code <= 0x66) || code === 0x43 || code === 0x44)) misses++;
    }
  }
  return misses * 5 <= groups && base64Text(text.slice(start, end)) !== undefined;
}

/**
 * True when one of `texts` (lower-case; only `texts[only]` when given) starts at `at` in `text` and ends by
 * `end`, compared without case.
 */
function holdsOneAt(text: string, at: number, end: number, texts: readonly string[], only?: number): boolean {
  for (let i = only ?? 0; i < (only === undefined ? texts.length : only + 1); i++) {
    const candidate = texts[i] as string;
    if (at + candidate.length > end) continue;
    let k = 0;
    while (k < candidate.length && plainLower(text.charCodeAt(at + k)) === candidate.charCodeAt(k)) k++;
    if (k === candidate.length) return true;
  }
  return false;
}

function hasDot(text: string, start: number, end: number): boolean {
  const dot = text.indexOf('.', start);
  return dot >= 0 && dot < end;
}

function hasSlash(text: string, start: number, end: number): boolean {
  const slash = text.indexOf('/', start);
  return slash >= 0 && slash < end;
}

/** @internal For tests: what the prefilter knows of the detectors and pattern rules. */
export const PREFILTER_TABLES = { detectors: DETECTOR_NEEDS, patterns: PATTERN_NEEDS } as const;

/** @internal For tests: whether the prefilter of `signatures` leaves `value` at `location` uninspected. */
export function prefilterSkips(signatures: SignatureSet): (location: string, value: string) => boolean {
  const filters = compileFilters(signatures);
  return (location, value) => {
    const filter = filters.get(kindOf(location));
    return filter !== undefined && !filter.exact?.has(location) && plainSpan(filter, value, 0, value.length);
  };
}
