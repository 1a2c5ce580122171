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
}
