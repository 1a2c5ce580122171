import { z } from 'zod';
import { SensorConfigSchema } from './sensor-schema.js';

/** Default trusted proxies: loopback, private and link-local ranges (see docs/rationale.md). */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/** Header names that carry API keys by default. */
export const DEFAULT_API_KEY_HEADERS: readonly string[] = [
  'x-api-key',
  'api-key',
  'apikey',
  'x-apikey',
  'x-api-token',
  'x-auth-token',
  'ocp-apim-subscription-key',
  'x-goog-api-key',
];

/** Query parameter names that carry API keys by default. */
export const DEFAULT_API_KEY_QUERY: readonly string[] = ['api_key', 'apikey', 'api-key', 'key', 'subscription-key'];

/** Cookie names that hold a session by default (case-insensitive). */
export const DEFAULT_SESSION_COOKIES: readonly string[] = [
  'session',
  'sessionid',
  'session_id',
  'sid',
  'connect.sid',
  'jsessionid',
  'phpsessid',
  'asp.net_sessionid',
  '_session',
  '_session_id',
  'laravel_session',
  'auth_token',
];

/**
 * Field and parameter names whose values are secrets wherever they appear (query, form and JSON bodies),
 * matched case-insensitively as whole names after removing `-` and `_`.
 */
export const DEFAULT_SECRET_FIELDS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'apisecret',
  'privatekey',
  'authorization',
  'credentials',
  'otp',
  'pin',
  'cvv',
  'cvc',
  'signature',
  'sig',
];

/** JWT claims treated as tenant-like by default; the first present wins. */
export const DEFAULT_TENANT_CLAIMS: readonly string[] = [
  'tenant',
  'tenant_id',
  'tid',
  'org_id',
  'organization',
  'organization_id',
  'account_id',
  'customer_id',
];

const entityName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'entity names are identifiers (letters, digits, _)');

/** One business-entity extractor: where to find the value that names a business object. */
export const EntityExtractorSchema = z.discriminatedUnion('from', [
  z.strictObject({
    name: entityName,
    from: z.literal('path'),
    /** A path template such as `/accounts/{accountId}`, matched on whole segments anywhere in the path. */
    template: z
      .string()
      .regex(/^\//, 'templates start with /')
      .regex(/\{[A-Za-z][A-Za-z0-9_]*\}/, 'templates need a {param}'),
    /** Only for this host (optional). */
    host: z.string().optional(),
  }),
  z.strictObject({ name: entityName, from: z.literal('query'), param: z.string().min(1), host: z.string().optional() }),
  z.strictObject({ name: entityName, from: z.literal('header'), header: z.string().min(1), host: z.string().optional() }),
  z.strictObject({ name: entityName, from: z.literal('jwt'), claim: z.string().min(1), host: z.string().optional() }),
  z.strictObject({
    name: entityName,
    from: z.literal('body'),
    /** A dotted path into a JSON request body, e.g. `order.accountId`. */
    path: z.string().min(1),
    host: z.string().optional(),
  }),
]);

/** A human decision about endpoint templates: this template is one endpoint, whatever traffic suggests. */
export const TemplateOverrideSchema = z.strictObject({
  /**
   * An OpenAPI-style template (`/users/{userId}/settings/{key}` merges what traffic split; a literal path
   * such as `/reports/daily` keeps apart what traffic merged). Matched before anything is learned.
   */
  template: z.string().regex(/^\//, 'a path starting with /'),
  /** Only for this host (default: every host). */
  host: z.string().min(1).optional(),
  /** Only for this method (default: every method seen on the path). */
  method: z.string().min(1).optional(),
});

/** A user-defined sensitive data type. */
export const SensitivePatternSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _'),
  /** A JavaScript regular expression (compiled with the `u` flag) tested against values up to 4 KiB. */
  pattern: z.string().min(1),
  /** Only fields (parameters, headers, JSON members) with one of these names. */
  fieldNames: z.array(z.string().min(1)).optional(),
});

/** The whole configuration file (`palisade.yaml`). Every key is optional; defaults are the documented ones. */
export const ConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('palisade-data'),
  store: z
    .strictObject({
      /** The DuckDB file; default `<dataDir>/palisade.duckdb`. */
      path: z.string().min(1).optional(),
      retentionDays: z.number().int().min(1).max(3650).default(90),
      /** DuckDB's memory limit (its buffer pool), e.g. `384MB`, `2GB`. */
      memoryLimit: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 384MB or 2GB')
        .default('256MB'),
    })
    .prefault({}),
  discovery: z
    .strictObject({
      /** Human overrides of the learned templates (merge or split endpoints). */
      templates: z.array(TemplateOverrideSchema).default([]),
      /** Extra sensitive data types. */
      sensitivePatterns: z.array(SensitivePatternSchema).default([]),
      /** An undocumented endpoint first seen within this many days of the end of the data is `new`. */
      newWithinDays: z.number().int().min(1).max(365).default(7),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      batchSize: z.number().int().min(1).max(1_000_000).default(100_000),
      /**
       * Threads that parse large line-framed inputs in parallel with the store's writes; 0 parses on the
       * main thread. Default: the cores minus two, at most 4 (so none on two cores).
       */
      workers: z.number().int().min(0).max(64).optional(),
      /** Longest a batch waits before it is written in follow mode, ms. */
      flushIntervalMs: z.number().int().min(10).max(60_000).default(1000),
      trustedProxies: z.array(z.string()).default([...DEFAULT_TRUSTED_PROXIES]),
      apiKeyHeaders: z.array(z.string().min(1)).default([...DEFAULT_API_KEY_HEADERS]),
      apiKeyQuery: z.array(z.string().min(1)).default([...DEFAULT_API_KEY_QUERY]),
      sessionCookies: z.array(z.string().min(1)).default([...DEFAULT_SESSION_COOKIES]),
      secretFields: z.array(z.string().min(1)).default([...DEFAULT_SECRET_FIELDS]),
      jwt: z
        .strictObject({
          userClaim: z.string().min(1).default('sub'),
          tenantClaims: z.array(z.string().min(1)).default([...DEFAULT_TENANT_CLAIMS]),
        })
        .prefault({}),
      /** Largest body sample kept per request/response, bytes. */
      bodySampleBytes: z.number().int().min(0).max(1_048_576).default(8192),
      entities: z.array(EntityExtractorSchema).default([]),
      /** Parser options per format name, e.g. `{ "nginx-json": { fieldMap: { … } } }`. */
      formats: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    })
    .prefault({}),
  /** The inline sensor, `palisade proxy`. */
  sensor: SensorConfigSchema.prefault({}),
});

/** The resolved, validated and frozen configuration. */
export type PalisadeConfig = z.output<typeof ConfigSchema>;
/** One resolved entity extractor. */
export type EntityExtractorConfig = z.output<typeof EntityExtractorSchema>;
/** The ingest part of the configuration. */
export type IngestConfig = PalisadeConfig['ingest'];
