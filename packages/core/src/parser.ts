import type { BodySample, ClientTls, EventIdentity, EventUpstream } from './api-event.js';

/**
 * What a parser makes of one record, before enrichment.
 *
 * Contract: parsers only translate the source's fields. They never resolve the client address, never
 * decode tokens and never tokenize secrets — the enrich stage does all of that the same way for every
 * format. Header names may be in any case (enrich lower-cases them). `url` may be given instead of
 * `path` + `query` when the source logs a request target or absolute URL.
 */
export interface ParsedEvent {
  /** Request start, epoch milliseconds UTC. */
  time: number;
  request: {
    method: string;
    scheme?: string;
    host?: string;
    /** Request target (`/a/b?x=1`) or absolute URL; used when `path` is absent. */
    url?: string;
    path?: string;
    /** Raw query without `?`. */
    query?: string;
    headers?: Record<string, string | undefined>;
    body?: BodySample;
    size?: number;
    httpVersion?: string;
  };
  response?: {
    status: number;
    headers?: Record<string, string | undefined>;
    body?: BodySample;
    size?: number;
  };
  latencyMs?: number;
  client: {
    /** The address that connected to the source. */
    peerIp?: string;
    port?: number;
    /** The client address when the source already resolved it (CDN edge logs do). */
    ip?: string;
    /** Raw `X-Forwarded-For` value (comma-separated), when logged. */
    forwardedFor?: string;
    userAgent?: string;
    tls?: ClientTls;
  };
  /** Identity the source itself established (gateway consumer, API Gateway key id, mTLS subject). */
  identity?: Partial<EventIdentity>;
  upstream?: EventUpstream;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string | number | boolean>;
}

/** Why a record was rejected. Stable codes: summaries and metrics group by them. */
export type RejectReason =
  | 'malformed_json'
  | 'malformed_line'
  | 'missing_field'
  | 'bad_timestamp'
  | 'bad_request_line'
  | 'bad_status'
  | 'bad_number'
  | 'truncated'
  | 'unsupported_record'
  | 'too_large'
  | 'enrich_failed';

/** A record the parser could not turn into an event. `detail` never contains record content. */
export interface ParseReject {
  readonly reject: RejectReason;
  readonly detail?: string;
}

/** A record that is valid but carries no API transaction (a comment, a header line, a non-HTTP span). */
export interface ParseSkip {
  readonly skip: string;
}

/**
 * The result of parsing one record: an event, a rejection or a skip. A record that holds several entries
 * (a HAR document, a Kong batch array, an Azure `records` document, an OTLP request with many spans) gives
 * an array with one item per entry, so that one bad entry is counted without losing the good ones.
 */
export type ParseOutcome = ParsedEvent | ParseReject | ParseSkip | readonly (ParsedEvent | ParseReject)[];

/** Builds a rejection. */
export function reject(reason: RejectReason, detail?: string): ParseReject {
  return detail === undefined ? { reject: reason } : { reject: reason, detail };
}

/** Builds a skip. */
export function skip(why: string): ParseSkip {
  return { skip: why };
}

/** True when the outcome is a rejection. */
export function isReject(outcome: ParseOutcome): outcome is ParseReject {
  return (outcome as ParseReject).reject !== undefined;
}

/** True when the outcome is a skip. */
export function isSkip(outcome: ParseOutcome): outcome is ParseSkip {
  return (outcome as ParseSkip).skip !== undefined;
}

/**
 * Parses the records of one stream (one file, one push batch). Created per stream because some formats
 * carry state in the stream (Zeek `#fields`, CloudFront `#Fields:` headers).
 */
export interface RecordParser {
  /** Parses one record: one line for line formats, the whole text for document formats. */
  parse(record: string): ParseOutcome;
}

/** Options every parser receives; format-specific options live under `options`. */
export interface ParserOptions {
  /** Format-specific settings from config (e.g. the nginx JSON field map). */
  options?: Record<string, unknown>;
}

/**
 * A log format. One folder per format under `engine/src/parsers/`, registered by name.
 *
 * `framing: 'line'` formats get one record per line (NDJSON, text logs). `framing: 'document'` formats
 * get the whole stream text at once (HAR); a document format may still accept one document per line.
 */
export interface Parser {
  /** Registry name, kebab-case, e.g. `nginx-json`. */
  readonly format: string;
  /** Other names users may give with `--format` (e.g. `apache-combined` for `combined`). */
  readonly aliases?: readonly string[];
  /** One line for `palisade formats`. */
  readonly description: string;
  readonly framing: 'line' | 'document';
  /**
   * True when every record parses on its own, without state from the stream's earlier records (no
   * `#fields`-style headers): the ingestor may then parse parts of one stream in parallel.
   */
  readonly independentRecords?: boolean;
  /**
   * Scores how likely the sample is this format, 0 (no) to 1 (certain). `lines` are the first non-empty
   * lines of the stream (up to 20). Must never throw.
   */
  detect(lines: readonly string[]): number;
  /** Starts parsing one stream. */
  open(options?: ParserOptions): RecordParser;
}
