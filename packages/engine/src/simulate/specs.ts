import { HOSTS } from './company.js';

/** One declared API of the simulated company: the OpenAPI document its team published. */
export interface CompanySpec {
  /** File name to write it under. */
  file: string;
  host: string;
  document: Record<string, unknown>;
}

type Operation = [method: string, path: string, summary: string, options?: { deprecated?: boolean; body?: boolean; query?: string[] }];

/**
 * What the shop's teams documented. Left out on purpose, as in real companies: the web app's
 * `/v2/recommendations` and the operations team's `/v2/internal/debug/config` (shadow APIs), the partner
 * `/partner/v1/customers` endpoint, and the whole admin API. The `v1` endpoints the old app still calls are
 * marked deprecated (zombies while they get traffic).
 */
const CUSTOMER: Operation[] = [
  ['post', '/v2/auth/login', 'Log in with e-mail and password', { body: true }],
  ['post', '/v2/auth/refresh', 'Refresh a session token'],
  ['get', '/v2/accounts/{accountId}', 'An account of the caller'],
  ['get', '/v2/accounts/{accountId}/invoices', 'Invoices of an account', { query: ['page', 'size'] }],
  ['get', '/v2/invoices/{invoiceId}', 'One invoice'],
  ['get', '/v2/invoices/{invoiceId}/pdf', 'One invoice as PDF'],
  ['get', '/v2/orders', 'Orders of the caller', { query: ['page'] }],
  ['get', '/v2/orders/{orderId}', 'One order'],
  ['get', '/v2/products', 'Products of a category', { query: ['category', 'page', 'size'] }],
  ['get', '/v2/products/{sku}', 'One product'],
  ['get', '/v2/search', 'Search the catalogue', { query: ['q', 'page'] }],
  ['post', '/v2/cart/items', 'Add to the cart', { body: true }],
  ['post', '/v2/checkout', 'Start a checkout', { body: true }],
  ['post', '/v2/checkout/pay', 'Pay a checkout', { body: true }],
  ['post', '/v2/giftcards/redeem', 'Redeem a gift card', { body: true }],
  ['get', '/health', 'Liveness'],
  ['post', '/v1/login', 'Log in (old app)', { deprecated: true, body: true }],
  ['get', '/v1/accounts/{accountId}', 'An account (old app)', { deprecated: true }],
  ['get', '/v1/invoices/{invoiceId}', 'One invoice (old app)', { deprecated: true }],
];

const PARTNER: Operation[] = [
  ['get', '/partner/v1/orders', 'Orders since a time', { query: ['since', 'page'] }],
  ['get', '/partner/v1/catalog', 'The catalogue', { query: ['page'] }],
  ['post', '/partner/v1/shipments', 'Report a shipment', { body: true }],
  ['get', '/partner/v1/export', 'Monthly export', { query: ['month', 'page'] }],
];

function document(title: string, host: string, operations: Operation[], security: Record<string, unknown>): Record<string, unknown> {
  const schemeName = Object.keys(security)[0] as string;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [method, path, summary, options = {}] of operations) {
    const parameters: unknown[] = [];
    for (const m of path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    for (const name of options.query ?? [])
      parameters.push({ name, in: 'query', schema: { type: name === 'page' || name === 'size' ? 'integer' : 'string' } });
    const operation: Record<string, unknown> = {
      operationId: `${method}${path.replace(/[{}]/g, '').replace(/[/_-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      summary,
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
        '401': { description: 'Not authenticated' },
      },
    };
    if (parameters.length > 0) operation.parameters = parameters;
    if (options.body === true) operation.requestBody = { content: { 'application/json': { schema: { type: 'object' } } } };
    if (options.deprecated === true) operation.deprecated = true;
    if (path === '/health' || path.endsWith('/login')) operation.security = [];
    paths[path] = { ...paths[path], [method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title, version: '2.4.0' },
    servers: [{ url: `https://${host}` }],
    security: [{ [schemeName]: [] }],
    components: { securitySchemes: security },
    paths,
  };
}

/** The OpenAPI documents the simulated company publishes (OAS 3.1, JSON). */
export function companySpecs(): CompanySpec[] {
  return [
    {
      file: 'customer-api.json',
      host: HOSTS.api,
      document: document('Shop customer API', HOSTS.api, CUSTOMER, { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }),
    },
    {
      file: 'partner-api.json',
      host: HOSTS.partner,
      document: document('Shop partner API', HOSTS.partner, PARTNER, { apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } }),
    },
  ];
}
