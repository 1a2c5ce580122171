import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Company, HOSTS, type User } from './company.js';

/**
 * The simulated shop as a real HTTP server, for demonstrating and benchmarking the inline sensor against real
 * requests. It serves the company built from the same seed as the simulated traffic, and it is deliberately
 * vulnerable the way the traffic's attacks assume:
 * - BOLA: any signed-in caller reads any account, invoice or order by id (ownership is never checked);
 * - excessive exposure: invoices return the customer's e-mail, phone and full card number;
 * - business flow: `/v2/checkout/pay` works without a cart or checkout; gift-card codes can be tried without limit;
 * - `/v2/internal/debug/config` (undocumented) returns configuration with secrets to anyone;
 * - the deprecated `/v1` endpoints still answer.
 * The catalogue (`/v2/products`, `/v2/search`) is public; other customer endpoints need a token, checked for
 * shape only (`Bearer <three dot-separated parts>`), never verified; partner endpoints need a known key. Listen on
 * loopback only: this server is meant to be attacked.
 */
export interface ShopServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

interface Indexes {
  accounts: Map<number, User>;
  invoices: Map<number, { user: User; account: number }>;
  orders: Map<number, User>;
  usersByName: Map<string, User>;
  skus: Set<string>;
  giftCards: Set<string>;
  apiKeys: Set<string>;
}

/** Starts the shop on `host:port` (port 0 picks a free one). */
export async function startShopServer(company: Company, options: { host?: string; port?: number } = {}): Promise<ShopServer> {
  const indexes = index(company);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 65_536) chunks.push(chunk);
    });
    req.on('end', () => {
      let reply: Reply;
      try {
        reply = route(indexes, req, Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply = problem(500, 'Internal Server Error');
      }
      send(res, reply);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function index(company: Company): Indexes {
  const accounts = new Map<number, User>();
  const invoices = new Map<number, { user: User; account: number }>();
  const orders = new Map<number, User>();
  const usersByName = new Map<string, User>();
  for (const user of company.users) {
    usersByName.set(user.username, user);
    for (const [account, ids] of user.invoices) {
      accounts.set(account, user);
      for (const id of ids) invoices.set(id, { user, account });
    }
    for (const id of user.orders) orders.set(id, user);
  }
  return {
    accounts,
    invoices,
    orders,
    usersByName,
    skus: new Set(company.skus),
    giftCards: new Set(company.giftCards),
    apiKeys: new Set(company.partners.map((p) => p.apiKey)),
  };
}

/** An answer: status, body (JSON unless a string), content type. */
type Reply = [status: number, body: unknown, type?: string];

function send(res: ServerResponse, [status, body, type = 'application/json']: Reply): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const problem = (status: number, title: string): Reply => [status, { type: 'about:blank', title, status }];
const NOT_FOUND = problem(404, 'Not Found');
const UNAUTHORIZED = problem(401, 'Unauthorized');
const BEARER = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ACCOUNT = /^\/v[12]\/accounts\/(\d+)(\/invoices)?$/;
const INVOICE = /^\/v[12]\/invoices\/(\d+)(\/pdf)?$/;
const ORDER = /^\/v2\/orders\/(\d+)$/;
const PRODUCT = /^\/v2\/products\/([^/]+)$/;

function route(ix: Indexes, req: IncomingMessage, body: string): Reply {
  const url = new URL(req.url ?? '/', 'http://shop');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const host = (req.headers.host ?? '').split(':')[0];
  const page = Number(url.searchParams.get('page') ?? 1);
  if (path === '/health') return [200, { status: 'ok' }];
  if (host === HOSTS.partner || path.startsWith('/partner/')) return partner(ix, req, method, path, page);
  if (host === HOSTS.admin || path.startsWith('/admin/')) return [200, { ok: true, path }];
  if (method === 'POST' && (path === '/v2/auth/login' || path === '/v1/login')) {
    const username = (parseJson(body) as { username?: unknown } | undefined)?.username;
    return typeof username === 'string' && ix.usersByName.has(username) ? [200, { token: 'issued', expiresIn: 3600 }] : UNAUTHORIZED;
  }
  if (path === '/v2/internal/debug/config')
    return [200, { db: 'postgres://shop:s3cr3t@10.1.9.10/shop', featureFlags: { newCheckout: true } }];
  // the catalogue is public
  if (path === '/v2/products' || path === '/v2/search') return [200, { items: [], page }];
  const product = PRODUCT.exec(path);
  if (product !== null) return ix.skus.has(decodeURIComponent(product[1] as string)) ? [200, { sku: product[1], price: 19.99 }] : NOT_FOUND;
  if (!BEARER.test(req.headers.authorization ?? '')) return UNAUTHORIZED;
  const account = ACCOUNT.exec(path);
  if (account !== null) {
    const id = Number(account[1]);
    const user = ix.accounts.get(id);
    if (user === undefined) return NOT_FOUND;
    if (account[2] === undefined) return [200, { id, owner: user.id, email: user.username, balance: 120.5 }];
    const ids = user.invoices.get(id) ?? [];
    return [200, { items: ids.slice((page - 1) * 10, page * 10).map((invoice) => ({ id: invoice, total: 42 })), page }];
  }
  const invoice = INVOICE.exec(path);
  if (invoice !== null) {
    const found = ix.invoices.get(Number(invoice[1]));
    if (found === undefined) return NOT_FOUND;
    if (invoice[2] !== undefined) return [200, `%PDF-1.7 invoice ${invoice[1]}`, 'application/pdf'];
    // excessive exposure: the whole customer record rides along
    return [
      200,
      {
        id: Number(invoice[1]),
        account: found.account,
        customer: { email: found.user.username, phone: '+14155550123', card: '4111111111111111' },
        total: 42,
      },
    ];
  }
  const order = ORDER.exec(path);
  if (order !== null) {
    const owner = ix.orders.get(Number(order[1]));
    return owner === undefined ? NOT_FOUND : [200, { id: Number(order[1]), owner: owner.id, status: 'shipped' }];
  }
  if (path === '/v2/orders' || path === '/v2/recommendations') return [200, { items: [], page }];
  if (method === 'POST' && path === '/v2/giftcards/redeem') {
    const code = (parseJson(body) as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && ix.giftCards.has(code) ? [200, { credited: 25 }] : NOT_FOUND;
  }
  if (method === 'POST' && path === '/v2/cart/items') return [201, { ok: true }];
  if (method === 'POST' && (path === '/v2/checkout' || path === '/v2/checkout/pay' || path === '/v2/auth/refresh'))
    return [200, { ok: true }];
  return NOT_FOUND;
}

function partner(ix: Indexes, req: IncomingMessage, method: string, path: string, page: number): Reply {
  const key = req.headers['x-api-key'];
  if (typeof key !== 'string' || !ix.apiKeys.has(key)) return UNAUTHORIZED;
  if (method === 'POST' && path === '/partner/v1/shipments') return [201, { ok: true }];
  if (['/partner/v1/orders', '/partner/v1/catalog', '/partner/v1/export', '/partner/v1/customers'].includes(path))
    return [200, { items: [], page }];
  return NOT_FOUND;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
