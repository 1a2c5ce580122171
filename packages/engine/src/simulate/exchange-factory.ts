import type { Company, DeviceProfile, User } from './company.js';
import type { SimExchange } from './exchange.js';
import type { Random } from './random.js';

/** What a traffic source says about one request; the factory fills in the rest (ids, sizes, timings). */
export interface RequestSpec {
  time: number;
  ip: string;
  device: DeviceProfile;
  method: string;
  host: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** The route template (`/v2/invoices/{invoiceId}`): picks the upstream service and typical sizes. */
  route: string;
  consumer?: string;
  /** Response body bytes, when the source knows better than the route's typical size. */
  responseSize?: number;
}

interface RouteShape {
  service: string;
  /** Typical response bytes and upstream milliseconds (log-normal around them). */
  bytes: number;
  ms: number;
}

const SERVICES: Array<[prefix: string, shape: RouteShape]> = [
  ['/v2/auth', { service: 'identity', bytes: 900, ms: 45 }],
  ['/v2/accounts', { service: 'accounts', bytes: 1_400, ms: 25 }],
  ['/v2/invoices/{invoiceId}/pdf', { service: 'billing', bytes: 48_000, ms: 120 }],
  ['/v2/invoices', { service: 'billing', bytes: 2_100, ms: 30 }],
  ['/v1/', { service: 'legacy', bytes: 2_600, ms: 60 }],
  ['/v2/payments', { service: 'payments', bytes: 700, ms: 180 }],
  ['/v2/checkout', { service: 'payments', bytes: 800, ms: 150 }],
  ['/v2/cart', { service: 'orders', bytes: 600, ms: 20 }],
  ['/v2/orders', { service: 'orders', bytes: 1_800, ms: 35 }],
  ['/v2/products', { service: 'catalog', bytes: 3_200, ms: 15 }],
  ['/v2/search', { service: 'search', bytes: 5_400, ms: 70 }],
  ['/v2/giftcards', { service: 'payments', bytes: 300, ms: 40 }],
  ['/partner/v1/export', { service: 'partner-gateway', bytes: 250_000, ms: 900 }],
  ['/partner/', { service: 'partner-gateway', bytes: 6_000, ms: 80 }],
  ['/admin/', { service: 'backoffice', bytes: 2_500, ms: 50 }],
  ['/health', { service: 'edge', bytes: 20, ms: 1 }],
];
const OTHER: RouteShape = { service: 'edge', bytes: 400, ms: 10 };
const ADDRESSES = new Map<string, string>();
for (const [, shape] of [...SERVICES, ['', OTHER] as const]) {
  if (!ADDRESSES.has(shape.service)) ADDRESSES.set(shape.service, `10.1.${ADDRESSES.size + 1}.10:8080`);
}

/** Turns request specs into complete exchanges, deterministically for a seed. */
export class ExchangeFactory {
  readonly #random: Random;
  readonly #company: Company;
  readonly #idPrefix: string;
  #count = 0;

  constructor(random: Random, company: Company, seed: number) {
    this.#random = random;
    this.#company = company;
    this.#idPrefix = (seed >>> 0).toString(16).padStart(8, '0');
  }

  /** Exchanges made so far. */
  get count(): number {
    return this.#count;
  }

  make(spec: RequestSpec): SimExchange {
    const random = this.#random;
    const shape = shapeOf(spec.route);
    const failed = spec.status >= 400;
    const bytes = spec.responseSize ?? (failed ? random.int(60, 240) : Math.round(shape.bytes * Math.exp(random.normal() * 0.35)));
    const upstreamMs = Math.max(0.5, shape.ms * Math.exp(random.normal() * 0.5) * (spec.status >= 500 ? 8 : 1));
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const query = spec.query ?? '';
    const id = `${this.#idPrefix}${(this.#count++).toString(16).padStart(24, '0')}`;
    return {
      time: spec.time,
      id,
      client: { ip: spec.ip, port: random.int(1024, 65535), userAgent: spec.device.userAgent, tls: spec.device.tls },
      proxyIp: random.pick(this.#company.proxies),
      request: {
        method: spec.method,
        scheme: 'https',
        host: spec.host,
        path: spec.path,
        query,
        headers,
        body: spec.body,
        size: 220 + spec.path.length + query.length + (spec.body?.length ?? 0) + headerBytes(headers),
      },
      response: {
        status: spec.status,
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        size: bytes,
      },
      latencyMs: round3(upstreamMs + random.exponential(2)),
      upstreamMs: round3(upstreamMs),
      upstream: { service: shape.service, address: ADDRESSES.get(shape.service) as string },
      consumer: spec.consumer,
      route: spec.route,
    };
  }
}

function shapeOf(route: string): RouteShape {
  for (const [prefix, shape] of SERVICES) if (route.startsWith(prefix)) return shape;
  return OTHER;
}

function headerBytes(headers: Record<string, string>): number {
  let n = 0;
  for (const name in headers) n += name.length + (headers[name] as string).length + 4;
  return n;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

const JWT_HEADER = Buffer.from('{"alg":"RS256","typ":"JWT","kid":"shop-2026"}').toString('base64url');

/** A session token for a user (signed with nothing: the simulator never verifies). */
export function sessionJwt(random: Random, user: User, issuedAt: number, alg?: string): string {
  const claims = {
    sub: `user-${user.id}`,
    iss: 'https://id.shop.example',
    aud: 'shop-api',
    iat: Math.floor(issuedAt / 1000),
    exp: Math.floor(issuedAt / 1000) + 3600,
    sid: random.hex(12),
  };
  const header = alg === undefined ? JWT_HEADER : Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${random.alnum(43)}`;
}
