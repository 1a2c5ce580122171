/**
 * Synthetic traffic for the discovery benchmark: requests to the operations of a loaded spec, as an API
 * gateway would log them, labelled with the spec template each one was made from. Deterministic for a seed.
 *
 * What makes it realistic (and templating hard):
 * - operation popularity is Zipf-like (a few operations get most requests, reads more than writes,
 *   deprecated ones rarely), so many operations are seen only a handful of times;
 * - path parameter values come from pools shared by parameter name, with a cardinality of 20–5,000,
 *   reused Zipf-style (a few hot ids) with some sequential walks; their shape follows the schema and the
 *   name: enums, integers, UUIDs, hex hashes, ObjectIds, base64url tokens, prefixed ids (`cus_…`), dates,
 *   emails, usernames (`jdoe42`, `maria.lopez`, and plain `alice`), slugs (`red-shoes-2024`, and plain
 *   dictionary words such as `website` or `docs`), SKUs (`AB-1234`), file names; URL-encoded;
 * - query strings on some requests; statuses mostly the declared 2xx, some declared 4xx, rare 5xx;
 * - noise (a `noise` fraction of requests, 404, no `operation`): scanner probes (`/.env`, `/wp-login.php`),
 *   typos of real paths, and real paths with ids that do not exist.
 *
 * A value that would make the path match a more specific template of the spec (`/users/me` for
 * `/users/{username}`) is drawn again, so the labels stay true.
 */
import type { DeclaredApi, DeclaredOperation, JsonSchema } from '@palisade/engine';
import { createRandom } from '@palisade/testkit';
import { bestMatch, type CompiledTemplate, compileTemplate } from './score.js';

/** One generated request. `path` is URL-encoded and may carry a query string. */
export interface GeneratedRequest {
  host: string;
  method: string;
  path: string;
  status: number;
  /** The spec template the request was made from; absent for noise. */
  operation?: string;
}

/** How much traffic, from which seed, with which fraction of noise (0.05 is typical). */
export interface TrafficOptions {
  requests: number;
  seed: number;
  noise: number;
}

type Random = () => number;

/**
 * Generates `requests` requests to the operations of `api` (see the module comment). The same api and
 * options always give the same requests. An api without operations gives only noise.
 */
export function generateTraffic(api: DeclaredApi, options: TrafficOptions): GeneratedRequest[] {
  const random = createRandom(options.seed);
  const host = trafficHost(api);
  const context: Context = {
    random,
    host,
    operations: api.operations,
    compiled: api.operations.map((op) => compileTemplate(op)),
    pools: new Map(),
    popularity: createPopularity(api.operations, random),
  };
  const out: GeneratedRequest[] = [];
  for (let i = 0; i < options.requests; i++) {
    out.push(random() < options.noise || api.operations.length === 0 ? noiseRequest(context) : operationRequest(context));
  }
  return out;
}

/** The host traffic goes to: the spec's first host, else `<slug of the title>.example.com`. */
export function trafficHost(api: DeclaredApi): string {
  if (api.hosts[0] !== undefined) return api.hosts[0];
  const slug = api.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug === '' ? 'api' : slug}.example.com`;
}

interface Context {
  random: Random;
  host: string;
  operations: readonly DeclaredOperation[];
  compiled: readonly CompiledTemplate[];
  pools: Map<string, ValuePool>;
  popularity: (random: Random) => number;
}

// --- operations and statuses ---------------------------------------------------------------------------

const METHOD_WEIGHT: Record<string, number> = { GET: 1, POST: 0.45, PUT: 0.25, PATCH: 0.25, DELETE: 0.12, HEAD: 0.05, OPTIONS: 0.05 };

/** Draws operation indexes: a seeded shuffle ranked Zipf (s = 1.1), weighted by method and deprecation. */
function createPopularity(operations: readonly DeclaredOperation[], random: Random): (random: Random) => number {
  const order = operations.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const cumulative: number[] = [];
  let total = 0;
  order.forEach((index, rank) => {
    const op = operations[index] as DeclaredOperation;
    total += (1 / (rank + 1) ** 1.1) * (METHOD_WEIGHT[op.method] ?? 0.1) * (op.deprecated ? 0.2 : 1);
    cumulative.push(total);
  });
  return (r) => {
    const target = r() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return order[lo] as number;
  };
}

function operationRequest(context: Context): GeneratedRequest {
  const { random } = context;
  const index = context.popularity(random);
  const op = context.operations[index] as DeclaredOperation;
  const path = unambiguousPath(context, index, (name, schema) => poolFor(context, name, schema).next(random));
  return {
    host: context.host,
    method: op.method,
    path: path + queryString(context, op),
    status: statusFor(op, random),
    operation: op.template,
  };
}

/** A path for operation `index` that the spec routes to that operation (values drawn again up to 5 times). */
function unambiguousPath(context: Context, index: number, drawValue: (name: string, schema: JsonSchema | undefined) => string): string {
  const op = context.operations[index] as DeclaredOperation;
  let path = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    path = op.template.replace(/\{([^}]*)\}/g, (_, name: string) => encodeURIComponent(drawValue(name, pathSchema(op, name))));
    const best = bestMatch(context.compiled, compileTemplate({ method: op.method, template: path }));
    if (best === undefined || best.key === (context.compiled[index] as CompiledTemplate).key) break;
  }
  return path;
}

function pathSchema(op: DeclaredOperation, name: string): JsonSchema | undefined {
  return op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema;
}

/** Mostly a declared 2xx; some declared 4xx (401 for secured operations that declare none); rare 5xx. */
function statusFor(op: DeclaredOperation, random: Random): number {
  const declared = Object.keys(op.responses);
  const r = random();
  if (r < 0.005) return pick(random, codesOf(declared, '5', [500, 502, 503]));
  if (r < 0.075) {
    const fallback = op.security.some((alternative) => alternative.length > 0) ? [401] : [];
    const clientErrors = codesOf(declared, '4', fallback).filter((code) => [400, 401, 403, 404, 409, 410, 422, 429].includes(code));
    if (clientErrors.length > 0) return pick(random, clientErrors);
  }
  const successes = codesOf(declared, '2', [op.method === 'POST' ? 201 : op.method === 'DELETE' ? 204 : 200]);
  return random() < 0.85 ? (successes[0] as number) : pick(random, successes);
}

/** Declared codes of a class (`2` → `200`, `2XX` → 200), else `fallback`. */
function codesOf(declared: readonly string[], digit: string, fallback: number[]): number[] {
  const codes = declared.flatMap((key) => {
    if (/^\d{3}$/.test(key) && key.startsWith(digit)) return [Number(key)];
    if (key.toUpperCase() === `${digit}XX`) return [Number(digit) * 100];
    return [];
  });
  return codes.length > 0 ? codes : fallback;
}

/** Query strings on some requests: required parameters always, optional ones sometimes. */
function queryString(context: Context, op: DeclaredOperation): string {
  const { random } = context;
  const declared = op.parameters.filter((p) => p.in === 'query');
  const required = declared.filter((p) => p.required);
  let chosen: Array<{ name: string; schema?: JsonSchema }> = [...required, ...declared.filter((p) => !p.required && random() < 0.3)];
  if (required.length === 0 && random() < 0.6) chosen = [];
  if (declared.length === 0 && random() < 0.04) chosen = [pick(random, [{ name: 'utm_source' }, { name: '_' }, { name: 'page' }])];
  if (chosen.length === 0) return '';
  const pairs = chosen.map(({ name, schema }) => `${encodeURIComponent(name)}=${encodeURIComponent(queryValue(context, name, schema))}`);
  return `?${pairs.join('&')}`;
}

function queryValue(context: Context, name: string, schema: JsonSchema | undefined): string {
  const { random } = context;
  const lower = name.toLowerCase();
  if (schema?.type === 'boolean') return random() < 0.5 ? 'true' : 'false';
  if (lower === '_') return String(1_767_225_600_000 + Math.floor(random() * 1e9));
  if (lower === 'utm_source') return pick(random, ['newsletter', 'twitter', 'google', 'partner']);
  if (/^(page|offset|skip|start)$/.test(lower))
    return String(lower === 'page' ? 1 + Math.floor(random() * 12) : Math.floor(random() * 10) * 20);
  if (/^(limit|per_?page|page_?size|size|count|max|top)$/.test(lower)) return pick(random, ['10', '20', '25', '50', '100']);
  if (schema?.type === 'array' && isSchema(schema.items)) {
    const items = schema.items;
    return Array.from({ length: 1 + Math.floor(random() * 3) }, () => poolFor(context, name, items).next(random)).join(',');
  }
  return poolFor(context, name, schema).next(random);
}

// --- noise -----------------------------------------------------------------------------------------------

const SCANNER_PATHS = [
  '/wp-login.php',
  '/.env',
  '/admin/config.php',
  '/.git/config',
  '/wp-admin/',
  '/xmlrpc.php',
  '/phpmyadmin/index.php',
  '/server-status',
  '/actuator/env',
  '/.aws/credentials',
  '/config.json',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/cgi-bin/luci',
  '/boaform/admin/formLogin',
  '/api/.env',
  '/backup.zip',
  '/HNAP1/',
  '/owa/auth/logon.aspx',
  '/solr/admin/info/system',
  '/manager/html',
  '/.DS_Store',
  '/telescope/requests',
  '/_ignition/execute-solution',
  '/console/',
  '/index.php?s=/Index/\\think\\app/invokefunction',
];

/** A 404: a scanner probe, a typo of a real path, or a real path with an id that does not exist. */
function noiseRequest(context: Context): GeneratedRequest {
  const { random, host } = context;
  const kind = random();
  if (context.operations.length > 0 && kind < 0.45) {
    const index = context.popularity(random);
    const op = context.operations[index] as DeclaredOperation;
    if (kind < 0.25) {
      const typo = typoOf(context, op);
      if (typo !== undefined) return { host, method: op.method, path: typo, status: 404 };
    } else if (op.template.includes('{')) {
      const path = unambiguousPath(context, index, (name, schema) => poolFor(context, name, schema).fresh(random));
      return { host, method: op.method, path, status: 404 };
    }
  }
  return { host, method: random() < 0.85 ? 'GET' : 'POST', path: pick(random, SCANNER_PATHS), status: 404 };
}

/** A real path with one character dropped, doubled, swapped or changed, that no spec template matches. */
function typoOf(context: Context, op: DeclaredOperation): string | undefined {
  const { random } = context;
  const path = op.template.replace(/\{([^}]*)\}/g, (_, name: string) =>
    encodeURIComponent(poolFor(context, name, pathSchema(op, name)).next(random)),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = 1 + Math.floor(random() * Math.max(1, path.length - 1));
    const edit = random();
    let typo: string;
    if (edit < 0.3) typo = path.slice(0, at) + path.slice(at + 1);
    else if (edit < 0.5) typo = path.slice(0, at) + path.charAt(at) + path.slice(at);
    else if (edit < 0.7) typo = path.slice(0, at - 1) + path.charAt(at) + path.charAt(at - 1) + path.slice(at + 1);
    else if (edit < 0.85) typo = path.slice(0, at) + pick(random, [...'abcdefghijklmnopqrstuvwxyz']) + path.slice(at + 1);
    else typo = `${path}${pick(random, ['.json', '/', '.php', '/undefined'])}`;
    if (typo !== path && bestMatch(context.compiled, compileTemplate({ method: op.method, template: typo })) === undefined) return typo;
  }
  return undefined;
}

// --- parameter values ------------------------------------------------------------------------------------

/** A pool of raw (not yet encoded) values of one parameter. */
interface ValuePool {
  /** A value of the pool: Zipf-distributed reuse, sometimes the next one in order. */
  next(random: Random): string;
  /** A value of the same shape that is not in the pool (an id that does not exist). */
  fresh(random: Random): string;
}

type ValueKind =
  | 'integer'
  | 'snowflake'
  | 'uuid'
  | 'object-id'
  | 'hex'
  | 'token'
  | 'prefixed'
  | 'short-code'
  | 'date'
  | 'date-time'
  | 'year'
  | 'email'
  | 'username'
  | 'slug'
  | 'sku'
  | 'version'
  | 'locale'
  | 'country'
  | 'currency'
  | 'file'
  | 'format'
  | 'git-ref'
  | 'word'
  | 'mixed';

/** The pool of a parameter, shared by every operation using that name with the same schema shape. */
function poolFor(context: Context, name: string, schema: JsonSchema | undefined): ValuePool {
  const key = `${name.toLowerCase()}|${String(schema?.type)}|${String(schema?.format)}|${JSON.stringify(schema?.enum ?? null)}`;
  let pool = context.pools.get(key);
  if (pool === undefined) {
    pool = createPool(name, schema, context.random);
    context.pools.set(key, pool);
  }
  return pool;
}

function createPool(name: string, schema: JsonSchema | undefined, random: Random): ValuePool {
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) {
    const values = schema.enum.map((value) => String(value));
    return { next: (r) => values[zipfIndex(r, values.length)] as string, fresh: (r) => `${pick(r, values)}x` };
  }
  const kind = kindOf(name, schema, random);
  const size = cardinalityOf(kind, random);
  const make = valueMaker(kind, name, schema, random);
  const seen = new Set<string>();
  const values: string[] = [];
  for (let i = 0; values.length < size && i < size * 4; i++) {
    const value = make(random, i);
    if (!seen.has(value)) {
      seen.add(value);
      values.push(value);
    }
  }
  let cursor = Math.floor(random() * values.length);
  return {
    next(r) {
      if (r() < 0.1) {
        cursor = (cursor + 1) % values.length;
        return values[cursor] as string;
      }
      return values[zipfIndex(r, values.length)] as string;
    },
    fresh(r) {
      for (let i = 0; i < 20; i++) {
        const value = make(r, values.length + 1 + Math.floor(r() * 1e6));
        if (!seen.has(value)) return value;
      }
      return `${values[0] ?? 'x'}-missing`;
    },
  };
}

/** Splits `petId`, `site_id`, `X-Api-Key` into lower-case words. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** The shape of a parameter's values, from its schema first and its name second. */
function kindOf(name: string, schema: JsonSchema | undefined, random: Random): ValueKind {
  const format = typeof schema?.format === 'string' ? schema.format : '';
  const type = schema?.type;
  if (type === 'integer' || type === 'number' || format === 'int32' || format === 'int64') return 'integer';
  if (format === 'uuid') return 'uuid';
  if (format === 'date') return 'date';
  if (format === 'date-time') return 'date-time';
  if (format === 'email') return 'email';
  if (format === 'snowflake') return 'snowflake';
  if (typeof schema?.pattern === 'string' && isDigitsPattern(schema.pattern)) return 'integer';
  const example = exampleKind(schema?.example ?? schema?.default);
  if (example !== undefined) return example;
  const words = wordsOf(name);
  const has = (...candidates: string[]): boolean => candidates.some((word) => words.includes(word));
  const lower = name.toLowerCase();
  if (has('email', 'mail')) return 'email';
  if (has('sha', 'hash', 'digest', 'checksum', 'commit', 'etag')) return 'hex';
  if (has('token', 'secret', 'nonce', 'code') && !has('country', 'currency', 'language', 'lang'))
    return has('code') ? 'short-code' : 'token';
  if (has('uuid', 'guid')) return 'uuid';
  if (has('ref', 'branch')) return 'git-ref';
  if (has('key')) return pick(random, ['token', 'prefixed', 'slug', 'short-code'] as const);
  if (has('id', 'ids', 'oid', 'number', 'num', 'no') || (lower.endsWith('id') && lower.length >= 3)) {
    const r = random();
    if (r < 0.4) return 'integer';
    if (r < 0.6) return 'uuid';
    if (r < 0.72) return 'object-id';
    if (r < 0.84) return 'prefixed';
    if (r < 0.92) return 'hex';
    return 'short-code';
  }
  if (has('date', 'day', 'since', 'until')) return 'date';
  if (has('year')) return 'year';
  if (has('user', 'username', 'login', 'owner', 'author', 'member', 'handle', 'account', 'nick', 'nickname')) return 'username';
  if (has('sku', 'product', 'item', 'part')) return 'sku';
  if (has('version', 'release')) return 'version';
  if (has('lang', 'language', 'locale')) return 'locale';
  if (has('country', 'region')) return 'country';
  if (has('currency')) return 'currency';
  if (has('file', 'filename', 'path', 'asset', 'object')) return 'file';
  if (has('format', 'type', 'kind', 'mode', 'status', 'state', 'provider', 'service')) return 'format';
  if (
    has(
      'slug',
      'name',
      'repo',
      'repository',
      'project',
      'site',
      'space',
      'workspace',
      'org',
      'organization',
      'team',
      'channel',
      'bucket',
      'app',
      'application',
      'package',
      'tag',
      'category',
      'topic',
      'dataset',
      'collection',
      'group',
      'label',
    )
  ) {
    return random() < 0.7 ? 'slug' : 'word';
  }
  return 'mixed';
}

/** True when a schema `pattern` accepts digit strings only (`^[0-9]+$`, `^(0|[1-9][0-9]*)$`). */
function isDigitsPattern(pattern: string): boolean {
  try {
    const re = new RegExp(pattern);
    return re.test('1234567') && !re.test('abc') && !re.test('12a') && !re.test('a12');
  } catch {
    return false;
  }
}

/** The shape of an example or default value, when it is a telling one. */
function exampleKind(example: unknown): ValueKind | undefined {
  if (typeof example === 'number') return 'integer';
  if (typeof example !== 'string') return undefined;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(example)) return 'uuid';
  if (/^\d+$/.test(example)) return 'integer';
  if (/^[0-9a-f]{24}$/.test(example)) return 'object-id';
  if (/^[0-9a-f]{32,64}$/.test(example)) return 'hex';
  if (/^[a-z0-9]+(-[a-z0-9]+)+$/.test(example)) return 'slug';
  if (/^[A-Za-z0-9_-]{16,}$/.test(example) && /[a-z]/.test(example) && /[A-Z0-9]/.test(example)) return 'token';
  return undefined;
}

/** Distinct values of a pool: log-uniform within a range that fits the kind. */
function cardinalityOf(kind: ValueKind, random: Random): number {
  const logUniform = (lo: number, hi: number): number => Math.round(Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo))));
  switch (kind) {
    case 'locale':
    case 'country':
    case 'currency':
    case 'format':
    case 'version':
      return logUniform(3, 10);
    case 'year':
      return logUniform(3, 12);
    case 'word':
      return logUniform(5, WORDS.length);
    case 'git-ref':
      return logUniform(5, 60);
    default:
      return logUniform(20, 5000);
  }
}

const FIRST_NAMES = wordList(
  'alice bob carol dave erin frank grace heidi ivan judy maria jose wei yuki priya omar fatima lars ana lucas emma noah olivia liam sofia mateo chloe arjun mei kofi',
);
const LAST_NAMES = wordList(
  'lopez smith garcia chen kumar nguyen muller rossi silva kim doe brown wilson martin dubois novak tanaka okafor haddad jensen',
);
/** Plain dictionary words that are also typical static path segments: the hard case for templating. */
const WORDS = wordList(
  'website docs api blog app admin main test demo default public private backend frontend infra cli sdk shop store news support status billing search dashboard mobile web data assets home settings config images staging production internal legacy core',
);
const ADJECTIVES = wordList('red blue green summer winter quick smart tiny happy dark open wild new best');
const NOUNS = wordList('shoes lamp desk mug sale guide post garden river report launch recipe trip chair');
const EXTENSIONS = wordList('png jpg pdf csv json txt zip html');
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}-_`;

/** Makes one value of a kind; `index` is the value's position in its pool (used by sequential ids). */
function valueMaker(kind: ValueKind, name: string, schema: JsonSchema | undefined, random: Random): (r: Random, index: number) => string {
  switch (kind) {
    case 'integer':
      return integerMaker(schema, random);
    case 'snowflake':
      return (r) => `${1 + Math.floor(r() * 9)}${chars(r, '0123456789', 17 + Math.floor(r() * 2))}`;
    case 'uuid':
      return (r) => uuid(r);
    case 'object-id':
      return (r) => (0x5f000000 + Math.floor(r() * 0x08000000)).toString(16) + hex(r, 16);
    case 'hex': {
      const length = pick(random, [7, 32, 40, 40, 64]);
      return (r) => hex(r, length);
    }
    case 'token':
      return (r) => chars(r, BASE64URL, 22 + Math.floor(r() * 22));
    case 'prefixed': {
      const prefix = (wordsOf(name).find((word) => !['id', 'key'].includes(word)) ?? 'obj').slice(0, 4);
      return (r) => `${prefix}_${chars(r, BASE62, 14)}`;
    }
    case 'short-code':
      return (r) => chars(r, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 6 + Math.floor(r() * 3));
    case 'date':
      return (r) => dateOf(r).slice(0, 10);
    case 'date-time':
      return (r) => dateOf(r);
    case 'year':
      return (_, index) => String(2025 - index);
    case 'email':
      return (r) => `${username(r)}@${pick(r, ['example.com', 'example.org', 'example.net', 'mail.example.com'])}`;
    case 'username':
      return (r) => username(r);
    case 'slug':
      return (r) => slug(r);
    case 'sku':
      return (r) => sku(r);
    case 'version':
      return (r) => pick(r, ['v1', 'v2', 'v3', '1.0', '2.0', '2.1.3', '1.4.0', 'latest', '2024-01-01', 'beta']);
    case 'locale':
      return (r) => pick(r, ['en', 'en-US', 'fr', 'de', 'es', 'ja', 'pt-BR', 'zh-CN', 'it', 'nl', 'ko', 'sv']);
    case 'country':
      return (r) => pick(r, ['US', 'GB', 'DE', 'FR', 'JP', 'BR', 'IN', 'CA', 'AU', 'ES', 'NL', 'SE']);
    case 'currency':
      return (r) => pick(r, ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'BRL', 'INR', 'SEK']);
    case 'file':
      return (r) => fileName(r);
    case 'format':
      return (r) => pick(r, ['json', 'xml', 'csv', 'html', 'pdf', 'text', 'yaml', 'full', 'summary', 'compact']);
    case 'git-ref':
      return (r) =>
        pick(r, [
          'main',
          'master',
          'develop',
          `v${1 + Math.floor(r() * 4)}.${Math.floor(r() * 10)}.${Math.floor(r() * 10)}`,
          `feature/${slug(r)}`,
          hex(r, 40),
          `release-${2020 + Math.floor(r() * 6)}`,
        ]);
    case 'word':
      return (r) => pick(r, WORDS);
    case 'mixed':
      return (r) => pick(r, [username, slug, sku, (q: Random) => pick(q, WORDS)] as const)(r);
  }
}

/** Sequential ids from a base (auto-increment) or scattered ones, within the schema's bounds. */
function integerMaker(schema: JsonSchema | undefined, random: Random): (r: Random, index: number) => string {
  const minimum = typeof schema?.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
  const maximum = typeof schema?.maximum === 'number' ? Math.floor(schema.maximum) : 2_000_000_000;
  const span = Math.max(1, maximum - minimum + 1);
  if (random() < 0.5) {
    const base = minimum + Math.floor(random() * Math.min(span, pick(random, [1, 100, 1000, 10_000, 100_000, 1_000_000])));
    return (_, index) => String(minimum + ((base - minimum + index) % span));
  }
  const width = Math.min(span, 10 ** (4 + Math.floor(random() * 6)));
  return (r) => String(minimum + Math.floor(r() * width));
}

function username(r: Random): string {
  const first = pick(r, FIRST_NAMES);
  const last = pick(r, LAST_NAMES);
  const form = r();
  if (form < 0.2) return first;
  if (form < 0.45) return `${first.charAt(0)}${last}${Math.floor(r() * 100)}`;
  if (form < 0.65) return `${first}.${last}`;
  if (form < 0.75) return `${first}_${last}`;
  if (form < 0.85) return `${first}${1970 + Math.floor(r() * 40)}`;
  if (form < 0.93) return `${first}-${last.charAt(0)}`;
  return `${first.charAt(0).toUpperCase()}${first.slice(1)}${last.charAt(0).toUpperCase()}${last.slice(1)}`;
}

function slug(r: Random): string {
  const form = r();
  if (form < 0.2) return pick(r, WORDS);
  if (form < 0.55) return `${pick(r, ADJECTIVES)}-${pick(r, NOUNS)}`;
  if (form < 0.8) return `${pick(r, ADJECTIVES)}-${pick(r, NOUNS)}-${2019 + Math.floor(r() * 7)}`;
  if (form < 0.9) return `${pick(r, WORDS)}-${pick(r, NOUNS)}`;
  return `my-${pick(r, ['first', 'new', 'old', 'best'])}-${pick(r, NOUNS)}`;
}

function sku(r: Random): string {
  const letters = (n: number): string => chars(r, 'ABCDEFGHJKLMNPRSTUVWXZ', n);
  const form = r();
  if (form < 0.5) return `${letters(2)}-${1000 + Math.floor(r() * 9000)}`;
  if (form < 0.75) return `SKU-${10_000 + Math.floor(r() * 90_000)}`;
  return `${letters(2)}${100 + Math.floor(r() * 900)}-${pick(r, ['BLK', 'WHT', 'RED', 'BLU'])}-${pick(r, ['S', 'M', 'L', 'XL'])}`;
}

function fileName(r: Random): string {
  const form = r();
  if (form < 0.1) return pick(r, ['Annual Report.pdf', 'photo 1.jpg', 'résumé.pdf', 'notes (2).txt']);
  if (form < 0.3) return pick(r, ['index.html', 'logo.png', 'favicon.ico', 'styles.css', 'data.csv', 'README.md']);
  return `${pick(r, [...NOUNS, ...WORDS])}-${Math.floor(r() * 1000)}.${pick(r, EXTENSIONS)}`;
}

function uuid(r: Random): string {
  const h = hex(r, 32).split('');
  h[12] = '4';
  h[16] = '89ab'.charAt(Math.floor(r() * 4));
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function dateOf(r: Random): string {
  const start = Date.UTC(2019, 0, 1);
  return new Date(start + Math.floor(r() * 7 * 365 * 86_400) * 1000).toISOString().replace('.000Z', 'Z');
}

function hex(r: Random, length: number): string {
  return chars(r, '0123456789abcdef', length);
}

function chars(r: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(r() * alphabet.length));
  return out;
}

/** `'a b c'` → `['a', 'b', 'c']`, for the word lists above. */
function wordList(list: string): readonly string[] {
  return list.split(' ');
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** An index in [0, n) drawn with probability close to 1/(rank + 1) (continuous Zipf, s = 1). */
function zipfIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor((n + 1) ** random()) - 1);
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
