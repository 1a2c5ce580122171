import type { Company, DeviceProfile, User } from './company.js';
import type { SimExchange } from './exchange.js';
import type { Random } from './random.js';

/** What a request is, apart from when, from where and to which host (a session supplies those). */
export interface RequestParts {
  method: string;
  path: string;
  query?: string;
  /**
   * Request headers, lower-case. Shared by the requests of a session and never changed: the factory adds
   * `accept` and, with a body, `content-type` without copying where it can.
   */
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** The route template (`/v2/invoices/{invoiceId}`): picks the upstream service and typical sizes. */
  route: string;
  consumer?: string;
  /** Response body bytes, when the source knows better than the route's typical size. */
  responseSize?: number;
}

/** A whole request: its parts and when, from where, with what client, to which host. */
export interface RequestSpec extends RequestParts {
  time: number;
  ip: string;
  device: DeviceProfile;
  host: string;
}

interface RouteShape {
  service: string;
  /** The service's address behind the gateway (filled in below). */
  address: string;
  /** `{ service, address }`, shared by every exchange the service answers (filled in below). */
  upstream?: SimExchange['upstream'];
  /** Typical response bytes and upstream milliseconds (log-normal around them). */
  bytes: number;
  ms: number;
}

const SERVICES: Array<[prefix: string, shape: RouteShape]> = [
  ['/v2/auth', { service: 'identity', address: '', bytes: 900, ms: 45 }],
  ['/v2/accounts', { service: 'accounts', address: '', bytes: 1_400, ms: 25 }],
  ['/v2/invoices/{invoiceId}/pdf', { service: 'billing', address: '', bytes: 48_000, ms: 120 }],
  ['/v2/invoices', { service: 'billing', address: '', bytes: 2_100, ms: 30 }],
  ['/v1/', { service: 'legacy', address: '', bytes: 2_600, ms: 60 }],
  ['/v2/payments', { service: 'payments', address: '', bytes: 700, ms: 180 }],
  ['/v2/checkout', { service: 'payments', address: '', bytes: 800, ms: 150 }],
  ['/v2/cart', { service: 'orders', address: '', bytes: 600, ms: 20 }],
  ['/v2/orders', { service: 'orders', address: '', bytes: 1_800, ms: 35 }],
  ['/v2/products', { service: 'catalog', address: '', bytes: 3_200, ms: 15 }],
  ['/v2/search', { service: 'search', address: '', bytes: 5_400, ms: 70 }],
  ['/v2/giftcards', { service: 'payments', address: '', bytes: 300, ms: 40 }],
  ['/partner/v1/export', { service: 'partner-gateway', address: '', bytes: 250_000, ms: 900 }],
  ['/partner/', { service: 'partner-gateway', address: '', bytes: 6_000, ms: 80 }],
  ['/admin/', { service: 'backoffice', address: '', bytes: 2_500, ms: 50 }],
  ['/health', { service: 'edge', address: '', bytes: 20, ms: 1 }],
];
const OTHER: RouteShape = { service: 'edge', address: '', bytes: 400, ms: 10 };
const ADDRESSES = new Map<string, string>();
for (const [, shape] of [...SERVICES, ['', OTHER] as const]) {
  if (!ADDRESSES.has(shape.service)) ADDRESSES.set(shape.service, `10.1.${ADDRESSES.size + 1}.10:8080`);
  shape.address = ADDRESSES.get(shape.service) as string;
  shape.upstream = Object.freeze({ service: shape.service, address: shape.address });
}

/** Turns request specs into complete exchanges, deterministically for a seed. */
export class ExchangeFactory {
  readonly #random: Random;
  readonly #company: Company;
  readonly #seedHex: string;
  /** Exchanges made: ids are the seed, then the count in 24 hex digits (high 16 cached, low 8 per request). */
  #count = 0;
  #high = -1;
  #highHex = '';

  /** `idBase`: where this factory's ids start (each source of requests takes its own block). */
  constructor(random: Random, company: Company, seed: number, idBase: number) {
    this.#random = random;
    this.#company = company;
    this.#seedHex = (seed >>> 0).toString(16).padStart(8, '0');
    this.#count = idBase;
  }

  /** Exchanges made so far. */
  get count(): number {
    return this.#count;
  }

  make(spec: RequestSpec): SimExchange {
    return this.request(spec, spec.time, spec.ip, spec.device, spec.host);
  }

  /** An exchange from its parts (no copy of `parts` is made). */
  request(parts: RequestParts, time: number, ip: string, device: DeviceProfile, host: string): SimExchange {
    const random = this.#random;
    const shape = shapeOf(parts.route);
    const status = parts.status;
    const bytes = parts.responseSize ?? (status >= 400 ? random.int(60, 240) : Math.round(shape.bytes * Math.exp(random.normal() * 0.35)));
    const upstreamMs = Math.max(0.5, shape.ms * Math.exp(random.normal() * 0.5) * (status >= 500 ? 8 : 1));
    // a request with a body has its own headers; the others share their session's
    let headers: Readonly<Record<string, string>>;
    let headersSize: number;
    if (parts.body === undefined) {
      const session = sessionHeaders(parts.headers);
      headers = session.headers;
      headersSize = session.bytes;
    } else {
      headers = { accept: 'application/json', ...parts.headers, 'content-type': 'application/json' };
      headersSize = headerBytes(headers);
    }
    const query = parts.query ?? '';
    const id = this.#nextId();
    return {
      time,
      id,
      client: { ip, port: random.int(1024, 65535), userAgent: device.userAgent, tls: device.tls },
      proxyIp: random.pick(this.#company.proxies),
      request: {
        method: parts.method,
        scheme: 'https',
        host,
        path: parts.path,
        query,
        headers,
        body: parts.body,
        size: 220 + parts.path.length + query.length + (parts.body?.length ?? 0) + headersSize,
      },
      response: { status, headers: RESPONSE_HEADERS, size: bytes },
      latencyMs: round3(upstreamMs + random.exponential(2)),
      upstreamMs: round3(upstreamMs),
      upstream: shape.upstream as SimExchange['upstream'],
      consumer: parts.consumer,
      route: parts.route,
    };
  }

  #nextId(): string {
    const count = this.#count++;
    const high = Math.floor(count / 2 ** 32);
    if (high !== this.#high) {
      this.#high = high;
      this.#highHex = `${this.#seedHex}${high.toString(16).padStart(16, '0')}`;
    }
    return `${this.#highHex}${(count % 2 ** 32).toString(16).padStart(8, '0')}`;
  }
}

/** Response headers of every simulated answer (shared, never changed). */
const RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });
/** A header object the requests of a session share (frozen), and its size on the wire. */
interface SharedHeaders {
  headers: Readonly<Record<string, string>>;
  bytes: number;
}

const PLAIN = shared({ accept: 'application/json' });
/** The header objects made from each session's headers, so a session's requests share one. */
const WITH_ACCEPT = new WeakMap<Record<string, string>, SharedHeaders>();

function shared(headers: Record<string, string>): SharedHeaders {
  return { headers: Object.freeze(headers), bytes: headerBytes(headers) };
}

/** The headers of a request without a body: `accept` and the session's headers, made once per session. */
function sessionHeaders(given: Record<string, string> | undefined): SharedHeaders {
  if (given === undefined) return PLAIN;
  let headers = WITH_ACCEPT.get(given);
  if (headers === undefined) {
    headers = shared({ accept: 'application/json', ...given });
    WITH_ACCEPT.set(given, headers);
  }
  return headers;
}

/** Route templates already matched to their service (campaigns' routes included: a few dozen). */
const SHAPES = new Map<string, RouteShape>();

function shapeOf(route: string): RouteShape {
  let shape = SHAPES.get(route);
  if (shape === undefined) {
    shape = SERVICES.find(([prefix]) => route.startsWith(prefix))?.[1] ?? OTHER;
    if (SHAPES.size < 10_000) SHAPES.set(route, shape);
  }
  return shape;
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
  const iat = Math.floor(issuedAt / 1000);
  // JSON.stringify of the claims, as a template: the values need no escaping
  const claims = `{"sub":"user-${user.id}","iss":"https://id.shop.example","aud":"shop-api","iat":${iat},"exp":${iat + 3600},"sid":"${random.hex(12)}"}`;
  const header = alg === undefined ? JWT_HEADER : Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  return `${header}.${Buffer.from(claims, 'latin1').toString('base64url')}.${random.alnum(43)}`;
}
