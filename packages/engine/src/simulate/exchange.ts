/**
 * One simulated HTTP exchange: what a gateway, proxy or sensor in front of the simulated company would see.
 * Every output format (`writers/`) renders these; the generator never writes a format itself.
 *
 * Secrets in headers are the simulated company's fake credentials (JWTs signed with nothing, API keys made
 * up by the seeded generator): the formats write them as a real gateway would, so ingestion tokenizes them.
 */
export interface SimExchange {
  /** Request start, epoch ms. */
  time: number;
  /** A unique, stable id per exchange (hex, 32 characters): also the request id written to logs. */
  id: string;
  client: {
    /** The address the client connects from (after carrier NAT: shared by many users). */
    ip: string;
    port: number;
    userAgent: string;
    /** TLS the client negotiated, and its fingerprints (ClientHello-derived, as a sensor computes them). */
    tls: { version: string; cipher: string; ja3: string; ja4: string };
  };
  /** The load balancer or proxy that forwarded the request to the logging hop (`X-Forwarded-For` right-most). */
  proxyIp: string;
  request: {
    method: string;
    scheme: 'https' | 'http';
    host: string;
    /** Path without the query. */
    path: string;
    /** Raw query without `?`, or ''. */
    query: string;
    /** Header names lower-case; values as sent (credentials included). */
    headers: Record<string, string>;
    /** A JSON body for writes, or undefined. */
    body?: string;
    /** Bytes on the wire (headers and body). */
    size: number;
  };
  response: {
    status: number;
    headers: Record<string, string>;
    /** A JSON body sample when the source logs bodies (HAR, OTLP with body capture), or undefined. */
    body?: string;
    /** Body bytes sent. */
    size: number;
  };
  /** Total request time at the gateway, ms. */
  latencyMs: number;
  /** Time spent in the upstream, ms. */
  upstreamMs: number;
  /** The upstream service that answered (`orders`, `payments`, …) and its address. */
  upstream: { service: string; address: string };
  /** The gateway consumer (API key owner) when the gateway authenticated one: Kong writes it. */
  consumer?: string;
  /** The route the gateway matched (a template), when the gateway has one. */
  route?: string;
}

/** Renders exchanges in one output format. */
export interface SimWriter {
  /** The format name as `palisade formats` lists it (`nginx-json`, `kong`, …). */
  readonly format: string;
  /** File name extension, with the dot. */
  readonly extension: string;
  /** Text before the first record (a header line, `{"log":{"entries":[`), or ''. */
  begin(): string;
  /** One record, ending with its separator (`\n` for line formats). `first` is true for the first record of a file. */
  write(exchange: SimExchange, first: boolean): string;
  /**
   * Optional, for line formats: the same bytes as `write(exchange, false)` in UTF-8, written into `out` at
   * `at`; returns how many, or -1 (nothing written) when `out` has too little room. Saves building each line
   * as one string where most of a line repeats from request to request.
   */
  writeInto?(exchange: SimExchange, out: Buffer, at: number): number;
  /** Text after the last record, or ''. */
  end(): string;
}
