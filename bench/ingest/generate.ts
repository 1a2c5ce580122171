/**
 * Writes a synthetic access log for the ingest benchmark: `nginx-json` (an `escape=json` layout with
 * nginx variable names) or `kong` (the http-log/file-log JSON object). Deterministic for a seed.
 *
 * Usage: node --import tsx bench/ingest/generate.ts --format nginx-json --lines 2000000 --out /tmp/access.ndjson
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRandom } from '@palisade/testkit';

const { values } = parseArgs({
  options: {
    format: { type: 'string', default: 'nginx-json' },
    lines: { type: 'string', default: '2000000' },
    out: { type: 'string' },
    seed: { type: 'string', default: '42' },
  },
});
if (values.out === undefined) throw new Error('--out is required');
const total = Number(values.lines);
const random = createRandom(Number(values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const HOSTS = ['api.example.com', 'partner.example.com', 'admin.example.com', 'm.example.com'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'okhttp/4.12.0',
  'ExampleShop/7.4.1 (Android 14; Pixel 8)',
  'partner-sync/2.1 (+https://partner.example.net)',
  'python-requests/2.32.3',
];
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 404, 429, 500, 502];
const b64 = (s: string): string => Buffer.from(s).toString('base64url');
const jwtFor = (user: number): string =>
  `${b64('{"alg":"RS256","typ":"JWT"}')}.${b64(`{"sub":"user-${user}","iss":"https://id.example.com","aud":"api","scope":"read write","tid":"t-${user % 40}","exp":1796043731}`)}.c2lnbmF0dXJl${user.toString(36)}`;

function request(i: number): { method: string; uri: string; host: string; auth?: string; apiKey?: string; user: number } {
  const user = Math.floor(random() * 5000);
  const host = pick(HOSTS);
  const r = random();
  let method = 'GET';
  let uri: string;
  if (r < 0.25) uri = `/api/v2/accounts/${1000 + user}/invoices?page=${1 + Math.floor(random() * 5)}&sort=desc`;
  else if (r < 0.45) uri = `/api/v2/orders/${(i * 7919) % 1_000_000}`;
  else if (r < 0.6) uri = `/api/v2/products?q=${pick(['shoes', 'lamp', 'desk', 'mug'])}&limit=20&offset=${Math.floor(random() * 10) * 20}`;
  else if (r < 0.7) {
    method = 'POST';
    uri = '/api/v2/payments';
  } else if (r < 0.75) {
    method = 'POST';
    uri = '/login';
  } else if (r < 0.85) uri = `/v1/users/${user}/profile`;
  else if (r < 0.95) uri = `/api/v2/search?term=${pick(['red', 'blue', 'large'])}&page=${1 + Math.floor(random() * 9)}`;
  else uri = `/partner/v1/export?since=2026-11-01&api_key=pk_live_${(user % 25).toString(16).padStart(24, '0')}`;
  const a = random();
  if (a < 0.55) return { method, uri, host, auth: `Bearer ${jwtFor(user)}`, user };
  if (a < 0.7) return { method, uri, host, apiKey: `sk_live_${(user % 60).toString(16).padStart(28, '0')}`, user };
  return { method, uri, host, user };
}

const startMs = Date.UTC(2026, 10, 1);
const out = createWriteStream(values.out, { highWaterMark: 1 << 20 });
let written = 0;
function toNginxJson(i: number, time: number): string {
  const q = request(i);
  const line: Record<string, string> = {
    time_iso8601: new Date(time)
      .toISOString()
      .replace('.000Z', '+00:00')
      .replace(/\.\d{3}Z$/, '+00:00'),
    remote_addr: `10.0.${Math.floor(random() * 4)}.${1 + Math.floor(random() * 20)}`,
    remote_user: '',
    request: `${q.method} ${q.uri} HTTP/1.1`,
    status: String(pick(STATUSES)),
    body_bytes_sent: String(Math.floor(random() * 20_000)),
    request_length: String(300 + Math.floor(random() * 900)),
    request_time: (random() * 0.4).toFixed(3),
    upstream_response_time: (random() * 0.35).toFixed(3),
    upstream_addr: `10.1.0.${1 + Math.floor(random() * 8)}:8080`,
    http_referer: random() < 0.3 ? `https://${q.host}/app` : '',
    http_user_agent: pick(AGENTS),
    http_x_forwarded_for:
      random() < 0.5
        ? `203.0.113.${Math.floor(random() * 254)}`
        : `198.51.100.${Math.floor(random() * 254)}, 10.0.9.${Math.floor(random() * 9)}`,
    host: q.host,
    scheme: 'https',
    ssl_protocol: 'TLSv1.3',
    ssl_cipher: 'TLS_AES_128_GCM_SHA256',
    http_authorization: q.auth ?? '',
    http_x_api_key: q.apiKey ?? '',
    request_id: (i * 2654435761).toString(16).padStart(16, '0').slice(-16),
  };
  return JSON.stringify(line);
}

function toKong(i: number, time: number): string {
  const q = request(i);
  const status = pick(STATUSES);
  const client = `203.0.113.${Math.floor(random() * 254)}`;
  const headers: Record<string, string> = {
    host: q.host,
    'user-agent': pick(AGENTS),
    accept: 'application/json',
    'x-forwarded-for': client,
    'x-request-id': (i * 2654435761).toString(16),
  };
  if (q.auth !== undefined) headers.authorization = q.auth;
  if (q.apiKey !== undefined) headers.apikey = q.apiKey;
  const qIndex = q.uri.indexOf('?');
  const querystring: Record<string, string> = {};
  if (qIndex >= 0)
    for (const pair of q.uri.slice(qIndex + 1).split('&')) querystring[pair.split('=')[0] as string] = pair.split('=')[1] ?? '';
  const consumer = q.apiKey !== undefined ? { id: `c-${q.user % 60}`, username: `partner-${q.user % 60}`, custom_id: null } : undefined;
  const kongMs = Math.floor(random() * 5);
  const proxyMs = Math.floor(random() * 300);
  const entry: Record<string, unknown> = {
    request: {
      method: q.method,
      uri: q.uri,
      url: `https://${q.host}:8443${q.uri}`,
      size: 300 + Math.floor(random() * 900),
      querystring,
      headers,
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', client_verify: 'NONE' },
    },
    upstream_uri: q.uri.replace(/\?.*$/, ''),
    response: {
      status,
      size: Math.floor(random() * 20_000),
      headers: {
        'content-type': 'application/json',
        'content-length': '934',
        connection: 'close',
        'x-kong-proxy-latency': String(kongMs),
        'x-kong-upstream-latency': String(proxyMs),
      },
    },
    tries: [{ balancer_latency: 0, port: 8080, ip: `10.1.0.${1 + Math.floor(random() * 8)}` }],
    authenticated_entity: consumer === undefined ? undefined : { id: `cred-${q.user % 60}` },
    route: {
      id: 'b2c3d4e5-0000-4000-8000-00000000000a',
      name: 'accounts-api',
      paths: ['/api/v2'],
      protocols: ['https'],
      strip_path: false,
      service: { id: 's-1' },
    },
    service: { id: 's-1', name: 'accounts', host: 'accounts.internal', port: 8080, protocol: 'http', path: '/' },
    consumer,
    latencies: { request: kongMs + proxyMs, kong: kongMs, proxy: proxyMs },
    client_ip: client,
    started_at: Math.floor(time),
  };
  return JSON.stringify(entry);
}

const toLine = values.format === 'kong' ? toKong : toNginxJson;
const spanMs = 30 * 86_400_000;
let buffer: string[] = [];
for (let i = 0; i < total; i++) {
  buffer.push(toLine(i, startMs + Math.floor((i / total) * spanMs)));
  if (buffer.length === 5000) {
    if (!out.write(`${buffer.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    written += buffer.length;
    buffer = [];
  }
}
if (buffer.length > 0) out.write(`${buffer.join('\n')}\n`);
written += buffer.length;
await new Promise<void>((resolve) => out.end(() => resolve()));
process.stderr.write(`wrote ${written} ${values.format} lines to ${values.out}\n`);
