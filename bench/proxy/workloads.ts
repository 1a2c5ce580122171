/**
 * The proxy benchmark's traffic: a small API GET, a 1 KB and a 64 KB JSON POST, and a mix of the GET with
 * 5% attacks, each as raw keep-alive HTTP/1.1 requests (for wrk) and as undici requests (for the paced
 * client). Bodies are generated deterministically; the attacks are textbook examples of each category,
 * written here, not taken from any benchmark data set.
 */
import { createRandom } from '@palisade/testkit';
import type { PacedRequest } from './paced-client.js';

/** One request of a workload. */
export interface BenchRequest {
  method: string;
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: string;
  /** An attack every protecting target should block. */
  attack?: boolean;
}

/** A named workload: the requests sent in rotation. */
export interface Workload {
  name: string;
  description: string;
  requests: readonly BenchRequest[];
}

const CLIENT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'],
  ['Accept', 'application/json'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Authorization', 'Bearer 4f9c2b7e1a6d48c3b0e5f7a2c9d1e8b6'],
];

const get = (path: string): BenchRequest => ({ method: 'GET', path, headers: CLIENT_HEADERS });

const post = (path: string, body: string): BenchRequest => ({
  method: 'POST',
  path,
  headers: [...CLIENT_HEADERS, ['Content-Type', 'application/json']],
  body,
});

const WORDS = ['alpine', 'harbor', 'maple', 'quartz', 'meadow', 'copper', 'lantern', 'orchid', 'summit', 'willow', 'cobalt', 'prairie'];

/** One order record (about 500 bytes as JSON), varied by `i`. */
function order(i: number): Record<string, unknown> {
  const word = (k: number) => WORDS[(i * 7 + k) % WORDS.length] as string;
  return {
    id: `ord_${(100000 + i * 7919).toString(36)}`,
    customer: {
      name: `${word(1)} ${word(2)}`,
      email: `${word(3)}.${i}@example.com`,
      phone: `+1-555-01${String(i % 100).padStart(2, '0')}`,
    },
    shipping: { street: `${100 + i} ${word(4)} Street`, city: word(5), zip: String(10000 + ((i * 37) % 89999)), country: 'US' },
    items: [
      { sku: `SKU-${1000 + i}`, name: `${word(6)} jacket`, quantity: 1 + (i % 3), price: 49.5 + (i % 10) },
      { sku: `SKU-${2000 + i}`, name: `${word(7)} boots`, quantity: 1, price: 120 },
    ],
    note: `Please leave the parcel at the ${word(8)} door; ring twice after ${8 + (i % 10)} am.`,
    createdAt: `2025-03-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`,
  };
}

/** A JSON document of exactly `bytes` bytes (at least one record): an `orders` array, padded by a `comment` field. */
export function jsonBody(bytes: number): string {
  const orders: Record<string, unknown>[] = [order(0)];
  const size = (comment: string) => JSON.stringify({ orders, comment }).length;
  for (let i = 1; i < 10_000; i++) {
    orders.push(order(i));
    if (size('') > bytes) {
      orders.pop();
      break;
    }
  }
  let comment = '';
  for (let i = 0; size(comment) < bytes; i++) comment += `${WORDS[i % WORDS.length]} `;
  return JSON.stringify({ orders, comment: comment.slice(0, Math.max(0, comment.length - (size(comment) - bytes))) });
}

const NAMES = [
  'Ada',
  'Björn',
  'Chiara',
  'Dmitri',
  'Esther',
  'Farid',
  'Grace',
  'Hiroshi',
  'Ines',
  'Jonas',
  'Kemal',
  'Lucía',
  'Mbali',
  'Noor',
  'Olu',
  'Priya',
];
const TEXT = [
  'please',
  'call',
  'before',
  'delivery',
  'the',
  'gate',
  'code',
  'is',
  'on',
  'left',
  'side',
  'of',
  'building',
  'leave',
  'it',
  'with',
  'neighbour',
  'if',
  'nobody',
  'answers',
  'fragile',
  'glass',
  'inside',
  'thanks',
  'back',
  'door',
  'after',
  'noon',
];

/**
 * One order record like `order`, but with every string value drawn from `random`: names, addresses, notes in
 * free text and identifiers that no other record or body of the run repeats, as real traffic sends them.
 */
function variedOrder(random: () => number): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const digits = (n: number) => String(Math.floor(random() * 10 ** n)).padStart(n, '0');
  const words = (n: number) => Array.from({ length: n }, () => pick(TEXT)).join(' ');
  const first = pick(NAMES);
  const last = `${pick(WORDS)}${pick(['son', 'berg', 'ley', 'ford', 'ini'])}`;
  return {
    id: `ord_${digits(10)}`,
    customer: { name: `${first} ${last}`, email: `${first.toLowerCase()}.${last}${digits(3)}@example.com`, phone: `+1-555-${digits(4)}` },
    shipping: {
      street: `${1 + Math.floor(random() * 999)} ${pick(WORDS)} ${pick(['Street', 'Road', 'Lane'])}`,
      city: pick(WORDS),
      zip: digits(5),
      country: pick(['US', 'CA', 'GB', 'DE']),
    },
    items: [
      {
        sku: `SKU-${digits(6)}`,
        name: `${pick(WORDS)} ${pick(['jacket', 'boots', 'scarf'])} size ${pick(['S', 'M', 'L'])}, model ${digits(4)}`,
        quantity: 1 + Math.floor(random() * 3),
        price: Math.round(random() * 20000) / 100,
      },
      {
        sku: `SKU-${digits(6)}`,
        name: `${pick(WORDS)} ${pick(['gloves', 'hat', 'socks'])} (${digits(3)})`,
        quantity: 1,
        price: Math.round(random() * 9000) / 100,
      },
    ],
    note: `${words(4 + Math.floor(random() * 8))}; ${words(3)}, ring ${1 + Math.floor(random() * 3)} times (${digits(4)}).`,
    createdAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400) * 1000).toISOString(),
  };
}

/**
 * A JSON document of exactly `bytes` bytes shaped like `jsonBody`'s, whose string values are drawn from a
 * pseudo-random source seeded by `seed`: bodies of different seeds share almost no values, so nothing is
 * remembered clean from one request to the next (the worst case for inspection, and what a reviewer sends).
 */
export function variedJsonBody(bytes: number, seed: number): string {
  const random = createRandom(seed);
  const orders: Record<string, unknown>[] = [variedOrder(random)];
  const size = (comment: string) => Buffer.byteLength(JSON.stringify({ orders, comment }));
  for (let i = 1; i < 10_000; i++) {
    orders.push(variedOrder(random));
    if (size('') > bytes) {
      orders.pop();
      break;
    }
  }
  let comment = '';
  while (size(comment) < bytes) comment += `${TEXT[Math.floor(random() * TEXT.length)]} `;
  return JSON.stringify({ orders, comment: comment.slice(0, Math.max(0, comment.length - (size(comment) - bytes))) });
}

/** Bodies in the rotation of a varied workload: more distinct values than the clean-value memory keeps. */
const VARIED_BODIES = 40;
/** The same for 1 KB bodies (about 20 values each). */
const VARIED_SMALL_BODIES = 4_000;

/** The small GET: an API search with a few query parameters. */
const SMALL_GET = get('/api/items?q=running+shoes&page=2&sort=price&size=20');

/** Attacks for the mix: one per common category, in a query string or a JSON body. */
const ATTACKS: readonly BenchRequest[] = [
  { ...get("/api/items?q=shoes'+UNION+SELECT+username,password+FROM+users--&page=2"), attack: true },
  { ...get('/api/items?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E&page=2'), attack: true },
  { ...get('/api/files?name=../../../../etc/passwd'), attack: true },
  { ...post('/api/hosts/ping', '{"host":"127.0.0.1; cat /etc/passwd"}'), attack: true },
  { ...post('/api/login', '{"user":"admin\' OR \'1\'=\'1\' -- ","password":"x"}'), attack: true },
];

/** The workloads' names. */
export type WorkloadName = 'get' | 'json1k' | 'json64k' | 'json1k-varied' | 'json64k-varied' | 'mix';

/** Every workload by name. */
export function workloads(): Record<WorkloadName, Workload> {
  const oneKb = post('/api/orders', jsonBody(1024));
  const sixtyFourKb = post('/api/orders/bulk', jsonBody(64 * 1024));
  const mix: BenchRequest[] = [];
  for (let i = 0; i < 100; i++) mix.push(i % 20 === 19 ? (ATTACKS[(i - 19) / 20] as BenchRequest) : SMALL_GET);
  return {
    get: { name: 'get', description: 'small GET (query string, 4 headers)', requests: [SMALL_GET] },
    json1k: { name: 'json1k', description: `JSON POST, ${oneKb.body?.length} bytes`, requests: [oneKb] },
    json64k: { name: 'json64k', description: `JSON POST, ${sixtyFourKb.body?.length} bytes`, requests: [sixtyFourKb] },
    'json1k-varied': {
      name: 'json1k-varied',
      description: `JSON POST, 1024 bytes, ${VARIED_SMALL_BODIES} bodies with no values in common`,
      requests: Array.from({ length: VARIED_SMALL_BODIES }, (_, seed) => post('/api/orders', variedJsonBody(1024, seed + 1))),
    },
    'json64k-varied': {
      name: 'json64k-varied',
      description: `JSON POST, 65536 bytes, ${VARIED_BODIES} bodies with no values in common`,
      requests: Array.from({ length: VARIED_BODIES }, (_, seed) => post('/api/orders/bulk', variedJsonBody(64 * 1024, seed + 1))),
    },
    mix: { name: 'mix', description: 'small GET with 5% attacks (SQLi, XSS, traversal, command, JSON SQLi)', requests: mix },
  };
}

/** The raw keep-alive bytes of `request` addressed to `host`, with its Content-Length. */
export function rawRequest(request: BenchRequest, host: string): string {
  const lines = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${host}`,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
  ];
  if (request.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(request.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${request.body ?? ''}`;
}

/** `request` for the paced undici client. */
export function pacedRequest(request: BenchRequest, host: string): PacedRequest {
  const headers: Record<string, string> = { host };
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  return { method: request.method, path: request.path, headers, body: request.body };
}

/**
 * An OpenAPI 3.0 description of every path the workloads use (string and integer parameters, JSON object
 * bodies and answers), so Palisade can run with its OpenAPI enforcement on without refusing benign traffic.
 */
export function openApiSpec(): Record<string, unknown> {
  const json = { 'application/json': { schema: { type: 'object' } } };
  const ok = { '200': { description: 'ok', content: json } };
  const query = (name: string, type: 'string' | 'integer') => ({ name, in: 'query', required: false, schema: { type } });
  const postJson = (operationId: string) => ({ post: { operationId, requestBody: { required: true, content: json }, responses: ok } });
  return {
    openapi: '3.0.3',
    info: { title: 'Palisade proxy benchmark', version: '1.0.0' },
    paths: {
      '/api/items': {
        get: {
          operationId: 'searchItems',
          parameters: [query('q', 'string'), query('page', 'integer'), query('sort', 'string'), query('size', 'integer')],
          responses: ok,
        },
      },
      '/api/files': { get: { operationId: 'getFile', parameters: [query('name', 'string')], responses: ok } },
      '/api/orders': postJson('createOrder'),
      '/api/orders/bulk': postJson('createOrders'),
      '/api/hosts/ping': postJson('pingHost'),
      '/api/login': postJson('login'),
    },
  };
}

/**
 * The policies of "every protection on": each request is judged by all of them and none of the benchmark's
 * requests is refused by them (limits far above the load; deny lists, honeypot and flow on other paths).
 */
export function benchPolicies(): Record<string, unknown> {
  return {
    mode: 'block',
    access: [{ id: 'documentation-nets', action: 'deny', mode: 'block', ips: ['198.51.100.0/24', '2001:db8:dead::/48'] }],
    rateLimits: [
      { id: 'per-ip', key: 'ip', limit: 1_000_000_000, window: '1m', algorithm: 'token-bucket', mode: 'block' },
      { id: 'per-endpoint', key: 'endpoint', limit: 1_000_000_000, window: '1m', algorithm: 'sliding-window', mode: 'block' },
    ],
    deception: { mode: 'block', treatment: 'tarpit', honeypots: [{ id: 'env-file', paths: ['/.env'] }] },
    flows: [
      {
        id: 'checkout',
        key: 'ip',
        within: '30m',
        mode: 'block',
        steps: [
          { name: 'cart', method: 'GET', path: '/api/cart' },
          { name: 'pay', method: 'POST', path: '/api/pay' },
        ],
      },
    ],
  };
}
