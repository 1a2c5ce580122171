import type { Alert, AuthScheme, Incident } from '@palisade/core';
import type { JsonSchema } from './types.js';

/** Where an endpoint stands against the declared specs (definitions in `docs/discovery.md`). */
export type Lifecycle = 'documented' | 'shadow' | 'zombie' | 'orphan' | 'new';

/** OWASP API Security Top 10 (2023) categories. */
export type OwaspApiCategory =
  | 'API1:2023 Broken Object Level Authorization'
  | 'API2:2023 Broken Authentication'
  | 'API3:2023 Broken Object Property Level Authorization'
  | 'API4:2023 Unrestricted Resource Consumption'
  | 'API5:2023 Broken Function Level Authorization'
  | 'API6:2023 Unrestricted Access to Sensitive Business Flows'
  | 'API7:2023 Server Side Request Forgery'
  | 'API8:2023 Security Misconfiguration'
  | 'API9:2023 Improper Inventory Management'
  | 'API10:2023 Unsafe Consumption of APIs';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** One parameter of an endpoint, as observed (and declared, when a spec has it). */
export interface ParameterRecord {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie' | 'body';
  /** Inferred JSON Schema (types and formats only: never values from traffic). */
  schema: JsonSchema;
  /** Requests to the endpoint that carried it. */
  seen: number;
  /** True when present in every request observed. */
  alwaysPresent: boolean;
  declared: boolean;
}

/** One kind of sensitive data found at one place of an endpoint. */
export interface SensitiveDataRecord {
  type: string;
  /** `request.query.email`, `request.header.x-ssn`, `request.body.$.user.email`, `response.body.$.items[].card` */
  location: string;
  count: number;
  confidence: 'high' | 'medium';
}

/** One endpoint of the inventory. */
export interface EndpointRecord {
  host: string;
  method: string;
  /** OpenAPI-style template: `/api/v2/users/{userId}`. */
  path: string;
  lifecycle: Lifecycle;
  /** True when a loaded spec declares this operation; `deprecated` when it marks it so. */
  declared: boolean;
  deprecated: boolean;
  requests: number;
  /** Epoch ms; `null` for an orphan (declared, never called). */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Responses per status code (`"200"`, `"404"`…). */
  statuses: Record<string, number>;
  /** Latency percentiles, ms, when the source reports latency. */
  latencyMs?: { p50: number; p95: number; p99: number };
  /** Distinct consumers (users, API keys, else client IPs), estimated beyond 10,000. */
  consumers: number;
  /** Authentication schemes seen, with request counts. */
  auth: Array<{ scheme: AuthScheme; requests: number }>;
  parameters: ParameterRecord[];
  /** Inferred JSON body schemas: request, and responses per status code. */
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  sensitiveData: SensitiveDataRecord[];
  /** 0–100, and the finding ids it is made of. */
  risk: { score: number; findings: string[] };
  /** A few event ids of requests to this endpoint. */
  sampleEventIds: string[];
  /**
   * Templates this endpoint was known by earlier in the data and that were merged into it once traffic
   * showed them to be values of one parameter (`/users/alice` → `/users/{user}`), at most 20: the history
   * of the merge.
   */
  mergedFrom?: string[];
}

/** Evidence of a finding: what was observed, how often, where to look. */
export interface FindingEvidence {
  /** One sentence a person can act on. */
  summary: string;
  /** Requests that showed it. */
  requests?: number;
  /** Event ids of examples (never raw secrets or values). */
  sampleEventIds?: string[];
  /** Extra facts: locations, header names, counts. Never secret values. */
  details?: Record<string, string | number | boolean | string[]>;
}

/** A posture finding on one endpoint (or one host when `endpoint` is absent). */
export interface Finding {
  /** Stable rule id, `posture/<slug>`, e.g. `posture/credentials-in-url`. */
  id: string;
  owasp: OwaspApiCategory;
  severity: Severity;
  title: string;
  host: string;
  endpoint?: { method: string; path: string };
  evidence: FindingEvidence;
}

/** The result of `palisade analyze`, as written by `--json`. */
export interface AnalysisReport {
  /** Report format version. */
  version: 1;
  generatedAt: string;
  /** What was read. */
  input: { files: string[]; events: number; rejected: number; from?: number; to?: number; specs: string[] };
  summary: {
    hosts: number;
    endpoints: number;
    byLifecycle: Record<Lifecycle, number>;
    findingsBySeverity: Record<Severity, number>;
  };
  endpoints: EndpointRecord[];
  findings: Finding[];
  /** Behavioural alerts (filled by detection), oldest first. */
  alerts: Alert[];
  /** The alerts folded by actor, worst first. */
  incidents: Incident[];
}
