import type { EndpointRecord } from '../report-types.js';
import type { JsonSchema } from '../types.js';

/** Options of {@link exportOpenApi}. */
export interface OpenApiExportOptions {
  /** The API's title (default: `<host> (discovered by Palisade)`). */
  title?: string;
  /** Include orphans (declared, never called)? Default false: the export describes what traffic shows. */
  includeOrphans?: boolean;
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '301': 'Moved Permanently',
  '302': 'Found',
  '304': 'Not Modified',
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '422': 'Unprocessable Content',
  '429': 'Too Many Requests',
  '500': 'Internal Server Error',
  '502': 'Bad Gateway',
  '503': 'Service Unavailable',
};

/**
 * The discovered endpoints of one host as an OpenAPI 3.1 document: paths and methods, path/query/header
 * parameters and JSON bodies with their inferred schemas (types and formats — never values from traffic),
 * responses per observed status, and the authentication schemes seen. Extensions `x-palisade-*` carry the
 * lifecycle and request counts.
 */
export function exportOpenApi(
  host: string,
  endpoints: readonly EndpointRecord[],
  options: OpenApiExportOptions = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemes = new Set<string>();
  const mine = endpoints
    .filter((e) => e.host === host && (options.includeOrphans === true || e.requests > 0))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : 1));
  const operationIds = new Set<string>();
  for (const e of mine) {
    paths[e.path] ??= {};
    const item = paths[e.path] as Record<string, unknown>;
    const security = securityOf(e);
    for (const alternative of security) for (const name of Object.keys(alternative)) schemes.add(name);
    const operation: Record<string, unknown> = {
      operationId: uniqueId(`${e.method.toLowerCase()}${pascal(e.path)}`, operationIds),
      responses: responsesOf(e),
      'x-palisade-lifecycle': e.lifecycle,
      'x-palisade-requests': e.requests,
    };
    if (e.deprecated || e.lifecycle === 'zombie') operation.deprecated = true;
    const parameters = parametersOf(e);
    if (parameters.length > 0) operation.parameters = parameters;
    if (e.requestBody !== undefined && !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(e.method)) {
      operation.requestBody = { content: { 'application/json': { schema: clean(e.requestBody) } } };
    }
    if (security.length > 0) operation.security = security;
    item[e.method.toLowerCase()] = operation;
  }
  const doc: Record<string, unknown> = {
    openapi: '3.1.0',
    info: {
      title: options.title ?? `${host} (discovered by Palisade)`,
      version: 'discovered',
      description: 'Generated from observed traffic: endpoints, parameters and schemas as seen, not as designed.',
    },
    servers: [{ url: `https://${host}` }],
    paths,
  };
  if (schemes.size > 0) {
    const securitySchemes: Record<string, unknown> = {};
    for (const name of [...schemes].sort()) securitySchemes[name] = SCHEMES[name];
    doc.components = { securitySchemes };
  }
  return doc;
}

const SCHEMES: Record<string, unknown> = {
  basicAuth: { type: 'http', scheme: 'basic' },
  bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  bearerToken: { type: 'http', scheme: 'bearer' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (the exact header or query name varies).' },
  cookieSession: { type: 'apiKey', in: 'cookie', name: 'session' },
  mutualTls: { type: 'mutualTLS' },
};

const SCHEME_NAMES: Record<string, string> = {
  basic: 'basicAuth',
  'bearer-jwt': 'bearerJwt',
  'bearer-opaque': 'bearerToken',
  'api-key': 'apiKey',
  cookie: 'cookieSession',
  mtls: 'mutualTls',
};

/** Security alternatives: every scheme seen; `{}` (none) too when some requests had no credentials and got 2xx. */
function securityOf(e: EndpointRecord): Array<Record<string, string[]>> {
  const out: Array<Record<string, string[]>> = [];
  for (const a of e.auth) {
    if (a.scheme === 'none') continue;
    const name = SCHEME_NAMES[a.scheme];
    if (name !== undefined) out.push({ [name]: [] });
  }
  if (out.length > 0 && e.auth.some((a) => a.scheme === 'none')) out.push({});
  return out;
}

function parametersOf(e: EndpointRecord): unknown[] {
  return e.parameters
    .filter((p) => p.in !== 'body')
    .map((p) => ({
      name: p.name,
      in: p.in,
      required: p.in === 'path' ? true : p.alwaysPresent,
      schema: clean(p.schema),
    }));
}

function responsesOf(e: EndpointRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const codes = Object.keys(e.statuses).filter((c) => /^[1-5]\d\d$/.test(c));
  for (const code of codes.sort()) {
    const response: Record<string, unknown> = { description: STATUS_TEXT[code] ?? `Status ${code}` };
    const schema = e.responses[code];
    if (schema !== undefined) response.content = { 'application/json': { schema: clean(schema) } };
    out[code] = response;
  }
  if (codes.length === 0) out.default = { description: 'No response status observed' };
  return out;
}

/** A copy of a schema without Palisade's bookkeeping (`x-palisade-samples`); other extensions stay. */
function clean(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'x-palisade-samples' ? undefined : value))) as JsonSchema;
}

function pascal(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join('');
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let i = 2; used.has(candidate); i++) candidate = `${id}${i}`;
  used.add(candidate);
  return candidate;
}
