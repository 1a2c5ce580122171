/**
 * The one typed model of an API transaction, whatever source it came from.
 *
 * Contract: every field that a source cannot provide is `undefined` (never an empty string standing for
 * "unknown"); times are epoch milliseconds UTC (fractions allowed); sizes are bytes; header names are
 * lower-case. Secrets never appear in an `ApiEvent` that left the enrich stage: they are replaced by
 * `tok_…` tokens (see `enrich/tokenize`).
 */
export const API_EVENT_SCHEMA_VERSION = 1 as const;

/** How the caller authenticated, as far as the transaction shows it. */
export type AuthScheme = 'none' | 'basic' | 'bearer-jwt' | 'bearer-opaque' | 'api-key' | 'cookie' | 'mtls';

/** All auth schemes, in a stable order (used by validators and the store). */
export const AUTH_SCHEMES: readonly AuthScheme[] = ['none', 'basic', 'bearer-jwt', 'bearer-opaque', 'api-key', 'cookie', 'mtls'];

/** Where an event came from. */
export interface EventSource {
  /** The format that produced it, e.g. `nginx-json`, `kong`, `otlp-json`, or `sensor`. */
  kind: string;
  /** The source instance: a file path, `stdin`, `http-push`, a sensor name. */
  name: string;
  /** The file the record was read from, when it was read from one. */
  file?: string;
  /** Byte offset of the record in the (decompressed) stream. */
  offset?: number;
  /** 1-based line number of the record in the (decompressed) stream. */
  line?: number;
}

/** A sample of a request or response body. Never the whole body unless it is small. */
export interface BodySample {
  /** The (possibly truncated) text; binary bodies are base64 with `encoding: 'base64'`. */
  text: string;
  encoding?: 'utf8' | 'base64';
  /** True when `text` is shorter than the body. */
  truncated: boolean;
  contentType?: string;
}

/** The request half. */
export interface EventRequest {
  method: string;
  scheme?: 'http' | 'https' | 'ws' | 'wss';
  host?: string;
  /** The path as sent (percent-encoding kept), never with the query. */
  path: string;
  /** The raw query string without `?`; empty string when the URL had `?` and nothing after it. */
  query?: string;
  /** The parsed query: repeated names give arrays. Secret-bearing parameters are tokenized. */
  queryParams?: Record<string, string | string[]>;
  /** Lower-case header names; secret-bearing values are tokenized. */
  headers: Record<string, string>;
  body?: BodySample;
  /** Request size in bytes (headers + body when the source counts both). */
  size?: number;
  /** `HTTP/1.1`, `HTTP/2.0`, … when the source reports it. */
  httpVersion?: string;
}

/** The response half. Absent when the source never saw a response. */
export interface EventResponse {
  status: number;
  headers: Record<string, string>;
  body?: BodySample;
  /** Response size in bytes as the source reports it (usually body bytes sent). */
  size?: number;
}

/** TLS facts of the client connection, where the source has them. */
export interface ClientTls {
  version?: string;
  cipher?: string;
  ja3?: string;
  ja4?: string;
  sni?: string;
  /** Subject of a verified client certificate (mTLS). */
  clientCertSubject?: string;
}

/** Who sent the request, network-wise. */
export interface EventClient {
  /** The resolved client address: the first address in the forwarded chain not in the trusted proxies. */
  ip?: string;
  port?: number;
  /** The address that connected to the source (the last hop). */
  peerIp?: string;
  /** The forwarded-for chain as received, left to right (client first). */
  forwardedFor?: string[];
  userAgent?: string;
  tls?: ClientTls;
}

/** JWT claims Palisade keeps. The token itself is never kept; claims are decoded, not verified. */
export interface JwtClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  clientId?: string;
  scope?: string;
  tenant?: string;
  alg?: string;
  exp?: number;
  iat?: number;
}

/** Who the caller is, as far as the transaction shows it. */
export interface EventIdentity {
  authScheme: AuthScheme;
  /** A user name or subject (`sub`, Basic user, gateway user). */
  user?: string;
  /** The API key as a token (`tok_…`), never the key. */
  apiKey?: string;
  /** The gateway's consumer / key name or id (Kong consumer, API Gateway apiKeyId). */
  consumer?: string;
  /** The session cookie as a token. */
  session?: string;
  jwt?: JwtClaims;
}

/** Upstream (backend) facts reported by gateways and proxies. */
export interface EventUpstream {
  address?: string;
  /** Gateway route, service or backend name. */
  service?: string;
  route?: string;
  latencyMs?: number;
}

/** The protections of the inline sensor that can decide about a transaction. */
export type ProtectionKind = 'signatures' | 'openapi' | 'rate-limit' | 'access' | 'deception' | 'flow' | 'protocol';

/** One reason the sensor found in a transaction. Never holds a secret or the payload itself. */
export interface ProtectionFinding {
  protection: ProtectionKind;
  /** The rule, e.g. `sqli/tokens`, `openapi/body-schema`, `rate-limit/login-per-ip`. */
  ruleId: string;
  /** The attack class for signatures (`sqli`, `xss`, …). */
  category?: string;
  /** Where in the request: `query:id`, `json:$.user.name`, `header:user-agent`. */
  location?: string;
  /** A short masked piece of the decoded value around the match. */
  snippet?: string;
  /** The detector's or policy's reason in a few words. */
  detail: string;
  /** Anomaly points the finding added (signatures). */
  score?: number;
  /** The mode of the protection that made the finding. */
  mode: 'block' | 'monitor';
  /** The entity a policy keyed on, e.g. `{ kind: 'ip', value: '203.0.113.7' }`. */
  entity?: { kind: string; value: string };
}

/** What the inline sensor did with a transaction, and why. */
export interface EventProtection {
  /**
   * `allow`: forwarded with nothing found in block mode; `block`: answered 403 (or 429 for rate limits) without
   * reaching the upstream; `monitor`: forwarded though a monitoring protection would have blocked it;
   * `tarpit`: forwarded (or answered) late on purpose; `deceive`: answered with a decoy, never forwarded;
   * `reject`: refused as malformed or oversized before inspection could finish.
   */
  action: 'allow' | 'block' | 'monitor' | 'tarpit' | 'deceive' | 'reject';
  /** The signatures' anomaly score, the threshold it was compared with, and the paranoia level. */
  score: number;
  threshold: number;
  paranoia: number;
  findings: ProtectionFinding[];
  /** Inputs left uninspected because of the bounds (too many, too deep, binary). */
  uninspected?: number;
  /** Set when inspection itself failed: the error code, and whether the fail policy let the request through. */
  inspectionError?: { code: string; failOpen: boolean };
}

/** One API transaction. */
export interface ApiEvent {
  schemaVersion: typeof API_EVENT_SCHEMA_VERSION;
  /** Stable dedupe key (32 hex chars): the same record read twice gets the same id. */
  id: string;
  /** Request start, epoch milliseconds UTC. */
  time: number;
  source: EventSource;
  request: EventRequest;
  response?: EventResponse;
  /** Total time the source measured, in milliseconds. */
  latencyMs?: number;
  client: EventClient;
  identity: EventIdentity;
  /** Business entities, e.g. `{ accountId: '8812' }`, from configured extractors. */
  entities: Record<string, string>;
  upstream?: EventUpstream;
  /** Trace context when the source has one. */
  traceId?: string;
  spanId?: string;
  /** Format-specific facts worth keeping that have no field of their own (cache status, edge POP, WAF action). */
  attributes?: Record<string, string | number | boolean>;
  /** What the inline sensor decided, for events it produced. */
  protection?: EventProtection;
}
