import { z } from 'zod';

/** off: not run; monitor: run and record, never block; block: run, record and block. */
export const ProtectionModeSchema = z.enum(['off', 'monitor', 'block']);

/** Which requests a route applies to. Paths are globs: `*` is one segment, `**` any number of them. */
export const RouteMatchSchema = z.strictObject({
  paths: z.array(z.string().startsWith('/')).min(1).optional(),
  methods: z.array(z.string().regex(/^[A-Za-z]+$/)).optional(),
  hosts: z.array(z.string().min(1)).optional(),
});

/** Rules (ids or `category/*`) switched off for some places of a request (`json:$.query`, `header:referer`, `query`). */
export const ExclusionSchema = z.strictObject({
  rules: z.array(z.string().min(1)).min(1),
  locations: z.array(z.string().min(1)).optional(),
});

const protectionModes = z.strictObject({
  signatures: ProtectionModeSchema.optional(),
  openapi: ProtectionModeSchema.optional(),
  policies: ProtectionModeSchema.optional(),
});

/** A part of the API with its own settings; the first route that matches a request wins. */
export const SensorRouteSchema = z.strictObject({
  name: z.string().min(1).optional(),
  match: RouteMatchSchema,
  protections: protectionModes.optional(),
  exclusions: z.array(ExclusionSchema).default([]),
  /** Largest request body this route accepts, bytes (uploads need more than the default). */
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 * 1024 * 1024)
    .optional(),
  /** Values the signatures inspect in the head and in the body of one request (bulk APIs need more than the default). */
  maxInputs: z.number().int().min(1).max(1_000_000).optional(),
});

/** The inline sensor (`palisade proxy`). Every key is optional; defaults are the documented ones. */
export const SensorConfigSchema = z.strictObject({
  /** `HOST:PORT` to listen on. */
  listen: z.string().default('127.0.0.1:8080'),
  /** The upstream origin, e.g. `http://127.0.0.1:9000`. */
  upstream: z.url({ protocol: /^https?$/ }).optional(),
  /** block: protections in block mode block; monitor: nothing is ever blocked, everything is recorded. */
  mode: z.enum(['block', 'monitor']).default('block'),
  /**
   * When inspecting a request fails (a bug, or an input crafted to break a detector): `closed` refuses the
   * request with 503, `open` forwards it. Both record the failure. See docs/rationale.md.
   */
  failMode: z.enum(['closed', 'open']).default('closed'),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  limits: z
    .strictObject({
      /** Largest request body, bytes; larger requests get 413 and never reach the upstream. */
      maxBodyBytes: z
        .number()
        .int()
        .min(0)
        .max(1024 * 1024 * 1024)
        .default(1024 * 1024),
      /** Largest request head (request line and headers), bytes; larger get 431. */
      maxHeaderBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024)
        .default(16 * 1024),
      /** Longest wait for the upstream's response headers, ms (then 504). */
      upstreamTimeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
      /** Longest wait to connect to the upstream, ms (then 502). */
      connectTimeoutMs: z.number().int().min(1).max(600_000).default(5_000),
      /** Longest a client may take to send its request head and body, ms (then 408). */
      clientTimeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
      /** Response bodies up to this size are inspected (OpenAPI response checks); larger ones stream through. */
      maxResponseInspectBytes: z
        .number()
        .int()
        .min(0)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
    })
    .prefault({}),
  upstreamConnections: z.number().int().min(1).max(4096).default(128),
  /** Keep the client's Host header towards the upstream (otherwise the upstream's host is sent). */
  preserveHost: z.boolean().default(true),
  signatures: z
    .strictObject({
      mode: ProtectionModeSchema.default('block'),
      paranoia: z.number().int().min(1).max(4).default(1),
      /** Anomaly score at which a request is an attack. */
      threshold: z.number().int().min(1).max(1000).default(5),
      /** Extra rule folders (user rules), loaded after the shipped ones. */
      rules: z.array(z.string().min(1)).default([]),
      /** Rule ids or `category/*` switched off everywhere. */
      disabled: z.array(z.string().min(1)).default([]),
      /**
       * Values inspected in the head (path, query, headers, cookies) and, apart, in the body of one request.
       * A request with more, or nested deeper than 32 levels, could hide an attack past the bound: it is
       * refused (`limits/inspection-bounds`) when signatures block, as a parse failure would be (failMode).
       */
      maxInputs: z.number().int().min(1).max(1_000_000).default(20_000),
    })
    .prefault({}),
  openapi: z
    .strictObject({
      mode: ProtectionModeSchema.default('block'),
      specs: z.array(z.string().min(1)).default([]),
      /** Query parameters the spec does not declare: allowed, or reported as a violation. */
      additionalQuery: z.enum(['allow', 'report']).default('allow'),
      /** Undeclared sensitive fields in responses: off, reported, or reported and masked. */
      responses: z.enum(['off', 'report', 'mask']).default('report'),
    })
    .prefault({}),
  /** Rate limits, access lists, geo-fencing, deception and business flows (see the policy docs). */
  policies: z
    .strictObject({
      mode: ProtectionModeSchema.default('block'),
    })
    .catchall(z.unknown())
    .prefault({}),
  routes: z.array(SensorRouteSchema).default([]),
  /** Where transaction events go besides the store: stdout as NDJSON, and/or an NDJSON file. */
  events: z
    .strictObject({
      stdout: z.boolean().default(false),
      file: z.string().min(1).optional(),
      /** Write events to the store (the DuckDB file of `dataDir`). */
      store: z.boolean().default(false),
    })
    .prefault({}),
});

/** The resolved sensor configuration. */
export type SensorConfig = z.output<typeof SensorConfigSchema>;
/** One resolved route of the sensor. */
export type SensorRoute = z.output<typeof SensorRouteSchema>;
