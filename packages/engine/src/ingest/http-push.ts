import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  ERROR_CATALOGUE,
  type ErrorCode,
  isPalisadeError,
  isReject,
  PalisadeError,
  type ParseReject,
  type Parser,
  reject,
  type RejectReason,
} from '@palisade/core';
import type { ParserRegistry } from '../parsers/registry.js';
import { HEAD_BYTES } from './byte-source.js';
import { type Ingestor, isPrettyJson, type StreamState } from './ingestor.js';
import { LineSplitter, type LineRecord, type OversizedLine } from './line-splitter.js';

/** Largest request body accepted by default (after decompression), bytes. */
export const DEFAULT_PUSH_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The source name of pushed events and their dead letters. */
export const PUSH_SOURCE_NAME = 'http-push';

/** Prefix of the RFC 9457 `type` of every problem answered (followed by the error code). */
export const PROBLEM_TYPE_PREFIX = 'urn:palisade:error:';

/** A code answered in a problem document. */
export type ProblemCode = ErrorCode;

/** Settings of the push endpoint. */
export interface PushServerOptions {
  /** Where pushed records go. Shared with other readers is fine; requests are handled one at a time. */
  ingestor: Ingestor;
  /** Resolves `format` names (the Ingestor's registry). */
  registry: ParserRegistry;
  host: string;
  /** 0 picks any free port (see `PushServer.url`). */
  port: number;
  /** When set, every route but `/healthz` needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest body, raw and decompressed (default 16 MiB). */
  maxBodyBytes?: number;
  /** Told about failures answered with 5xx (store errors, bugs), for logging. Never sent to clients. */
  onError?: (error: unknown) => void;
}

/** A listening push endpoint. */
export interface PushServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting connections, lets requests in progress finish, and resolves once all are closed. */
  close(): Promise<void>;
}

/** An RFC 9457 problem to answer. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly headers: OutgoingHttpHeaders = {},
    cause?: unknown,
  ) {
    super(detail, cause === undefined ? undefined : { cause });
  }
}

/** The client went away while its request was being read. */
class ClientGone extends Error {}

const gunzipAsync = promisify(gunzip);

const ROUTES: Record<string, readonly string[]> = {
  '/v1/events': ['POST'],
  '/v1/traces': ['POST'],
  '/healthz': ['GET', 'HEAD'],
};

/** Short, safe format names are repeated in error details; anything else is not echoed. */
const ECHOABLE_FORMAT = /^[A-Za-z0-9._-]{1,64}$/;

/** Record-level counters of one request. */
interface Tally {
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Partial<Record<RejectReason, number>>;
}

/**
 * Starts the HTTP push endpoint (node:http, no framework), used by `palisade ingest --listen` and
 * `palisade serve`:
 *
 * - `POST /v1/events` — NDJSON records of one format (`?format=`, else header `x-palisade-format`, else
 *   `auto`); answers `{"accepted","rejected","format"}` once the records are stored.
 * - `POST /v1/traces` — OTLP/HTTP, JSON encoding only: the body is one `ExportTraceServiceRequest`;
 *   answers `{}` or `{"partialSuccess":{"rejectedSpans","errorMessage"}}`.
 * - `GET /healthz` — `{"status":"ok"}` (no token needed).
 *
 * Delivery is at least once: a request is answered 200 only after its events are committed, and event ids
 * come from the body's content hash and each record's byte offset, so a retried batch is deduplicated by
 * the store. Rejected records go to the Ingestor's dead-letter sink. Bodies may be gzip-compressed; the
 * size limit applies before and after decompression. Errors are `application/problem+json` and never
 * contain the request body or tokens. Throws `PAL_ERR_LISTEN` when the address cannot be bound.
 */
export async function startPushServer(options: PushServerOptions): Promise<PushServer> {
  const { ingestor, registry } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_PUSH_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', 'the push body limit must be a positive whole number of bytes');
  }
  if (options.token === '') throw new PalisadeError('PAL_ERR_CONFIG_INVALID', 'the push token must not be empty');
  const tokenDigest = options.token === undefined ? undefined : sha256(Buffer.from(options.token, 'utf8'));
  const otlpParser = findParser(registry, 'otlp-json');

  // One request at a time through parse → store: the Ingestor's batch and its drain are shared, and a
  // store failure must reach every request whose records were in the failed batch.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  let closing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://push.invalid');
    const methods = ROUTES[url.pathname];
    if (methods === undefined)
      throw new HttpProblem(404, 'PAL_ERR_HTTP_NOT_FOUND', 'no endpoint at this path; use POST /v1/events or POST /v1/traces');
    const method = req.method ?? 'GET';
    if (!methods.includes(method)) {
      throw new HttpProblem(405, 'PAL_ERR_HTTP_METHOD', `this endpoint accepts ${methods.join(', ')}`, { allow: methods.join(', ') });
    }
    if (url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' }, closing);
      return;
    }
    if (tokenDigest !== undefined) checkToken(req, tokenDigest);
    const encoding = contentEncoding(req);

    if (url.pathname === '/v1/traces') {
      if (otlpParser === undefined) throw new HttpProblem(404, 'PAL_ERR_HTTP_NOT_FOUND', 'OTLP ingestion is not enabled on this server');
      checkOtlpContentType(req);
      const body = await readBody(req, encoding, maxBodyBytes, ingestor);
      const answer = await serialized(() => ingestTraces(ingestor, otlpParser, body));
      sendJson(res, 200, answer, closing);
      return;
    }

    const format = requestedFormat(url, req);
    const explicit = format === 'auto' ? undefined : resolveFormat(registry, format);
    const body = await readBody(req, encoding, maxBodyBytes, ingestor);
    const answer = await serialized(() => ingestEvents(ingestor, registry, explicit, body));
    sendJson(res, 200, answer, closing);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ClientGone) {
        res.destroy();
        return;
      }
      let problem: HttpProblem;
      if (error instanceof HttpProblem) {
        problem = error;
        if (problem.status >= 500) options.onError?.(problem.cause ?? problem);
      } else {
        options.onError?.(error);
        problem = new HttpProblem(500, 'PAL_ERR_HTTP_INTERNAL', 'the request could not be handled; see the server log');
      }
      // The body may not have been read: close the connection instead of parsing leftovers as a request.
      const unread = !req.complete;
      if (unread) req.resume();
      sendProblem(res, problem, closing || unread);
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = problemBody(new HttpProblem(status, 'PAL_ERR_HTTP_BAD_REQUEST', 'the request is not valid HTTP/1.1'));
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, fail) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      fail(
        new PalisadeError(
          'PAL_ERR_LISTEN',
          `cannot listen on ${formatHost(options.host)}:${options.port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      server.on('error', (error) => options.onError?.(error));
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${formatHost(options.host)}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= new Promise<void>((resolve, fail) => {
        closing = true;
        server.close((error) => (error === undefined ? resolve() : fail(error)));
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

/** `POST /v1/events`: NDJSON (or one JSON document) of one format. */
async function ingestEvents(
  ingestor: Ingestor,
  registry: ParserRegistry,
  explicit: Parser | undefined,
  body: Buffer,
): Promise<{ accepted: number; rejected: number; format: string }> {
  if (isBlank(body)) return { accepted: 0, rejected: 0, format: explicit?.format ?? 'auto' };
  const pretty = isPrettyJson(body);
  let parser = explicit;
  if (parser === undefined) {
    // A pretty-printed document is detected whole; NDJSON from its first lines.
    const whole = pretty || body.length <= HEAD_BYTES;
    try {
      parser = ingestor.chooseParser(PUSH_SOURCE_NAME, whole ? body : body.subarray(0, HEAD_BYTES), whole, 'auto').parser;
    } catch (error) {
      if (isPalisadeError(error) && error.code === 'PAL_ERR_FORMAT_UNDETECTED') {
        throw new HttpProblem(
          422,
          'PAL_ERR_FORMAT_UNDETECTED',
          `cannot tell the format of the body; give it with ?format= or the x-palisade-format header (known formats: ${knownFormats(registry)})`,
        );
      }
      throw error;
    }
  }
  const state = ingestor.openPushStream(PUSH_SOURCE_NAME, parser, bodyKey(body));
  const tally = newTally();
  if (parser.framing === 'document' || pretty) {
    // Read whole, like a file of the same content.
    measure(ingestor, state, tally, () => ingestor.ingestRecord(state, body.toString('utf8'), 0, 1));
  } else {
    const splitter = new LineSplitter(0, 0);
    const lines = splitter.finish(splitter.push(body));
    let i = 0;
    while (i < lines.length) {
      measure(ingestor, state, tally, () => {
        for (; i < lines.length && ingestor.pending < ingestor.batchSize; i++)
          takeLine(ingestor, state, lines[i] as LineRecord | OversizedLine);
      });
      if (ingestor.pending >= ingestor.batchSize) await store(() => ingestor.flush());
    }
  }
  await store(() => ingestor.drain());
  return { accepted: tally.accepted, rejected: tally.rejected, format: parser.format };
}

/** `POST /v1/traces`: one OTLP/JSON ExportTraceServiceRequest, maybe pretty-printed. */
async function ingestTraces(ingestor: Ingestor, parser: Parser, body: Buffer): Promise<Record<string, unknown>> {
  if (isBlank(body))
    throw new HttpProblem(400, 'PAL_ERR_HTTP_BAD_REQUEST', 'the body is empty; send an OTLP/JSON ExportTraceServiceRequest');
  const state = ingestor.openPushStream(PUSH_SOURCE_NAME, parser, bodyKey(body));
  // Tell a request the parser refused as a whole (not decodable: 400) from refused spans (partial success).
  let whole: ParseReject | undefined;
  const records = state.records;
  state.records = {
    parse(text) {
      try {
        const outcome = records.parse(text);
        if (!Array.isArray(outcome) && isReject(outcome)) whole = outcome as ParseReject;
        return outcome;
      } catch (error) {
        whole = reject('unsupported_record');
        throw error;
      }
    },
  };
  const tally = newTally();
  measure(ingestor, state, tally, () => ingestor.ingestRecord(state, body.toString('utf8'), 0, 1));
  await store(() => ingestor.drain());
  if (whole !== undefined) {
    throw new HttpProblem(
      400,
      'PAL_ERR_HTTP_BAD_REQUEST',
      `the body is not an OTLP/JSON ExportTraceServiceRequest (${whole.reject}${whole.detail === undefined ? '' : `: ${whole.detail}`}); it was kept as a dead letter`,
    );
  }
  if (tally.rejected === 0) return {};
  const reasons = Object.entries(tally.reasons)
    .map(([reason, n]) => `${reason} ×${n}`)
    .join(', ');
  return {
    partialSuccess: {
      rejectedSpans: tally.rejected,
      errorMessage: `${tally.rejected} span(s) rejected (${reasons}); kept as dead letters`,
    },
  };
}

function takeLine(ingestor: Ingestor, state: StreamState, rec: LineRecord | OversizedLine): void {
  if ((rec as OversizedLine).oversized === true) {
    ingestor.takeLines(state, [rec]); // counted as a `too_large` rejection
    return;
  }
  const { text, offset, line } = rec as LineRecord;
  if (text.trim() !== '') ingestor.ingestRecord(state, text, offset, line);
}

function newTally(): Tally {
  return { accepted: 0, rejected: 0, skipped: 0, reasons: {} };
}

/**
 * Runs a synchronous piece of ingestion and adds what it did to the tally. Exact even when other streams
 * share the Ingestor: nothing else can run between the two snapshots.
 */
function measure(ingestor: Ingestor, state: StreamState, tally: Tally, work: () => void): void {
  const before = ingestor.progress();
  const skipped = state.stats.skipped;
  const reasons = { ...state.stats.rejected };
  work();
  const after = ingestor.progress();
  tally.accepted += after.events - before.events;
  tally.rejected += after.rejected - before.rejected;
  tally.skipped += state.stats.skipped - skipped;
  for (const [reason, n] of Object.entries(state.stats.rejected) as [RejectReason, number][]) {
    const delta = n - (reasons[reason] ?? 0);
    if (delta > 0) tally.reasons[reason] = (tally.reasons[reason] ?? 0) + delta;
  }
}

/** Runs a store write; any failure becomes a 503 (the client retries; ids make the retry idempotent). */
async function store(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new HttpProblem(
      503,
      'PAL_ERR_STORE_WRITE',
      'the events could not be stored; retry the request (retries are deduplicated)',
      { 'retry-after': '5' },
      error,
    );
  }
}

/** The stream key of a body: its content hash, so a retried identical body gets the same event ids. */
function bodyKey(body: Buffer): string {
  return sha256(body).toString('hex').slice(0, 32);
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function isBlank(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

function checkToken(req: IncomingMessage, expected: Buffer): void {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  // Both sides are hashed first, so the comparison takes the same time whatever the token's length.
  if (match !== null && timingSafeEqual(sha256(Buffer.from(match[1] as string, 'utf8')), expected)) return;
  throw new HttpProblem(
    401,
    'PAL_ERR_HTTP_UNAUTHORIZED',
    match === null ? 'send the push token as Authorization: Bearer <token>' : 'the bearer token is not valid',
    { 'www-authenticate': match === null ? 'Bearer realm="palisade"' : 'Bearer realm="palisade", error="invalid_token"' },
  );
}

function contentEncoding(req: IncomingMessage): 'gzip' | 'identity' {
  const raw = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'identity') return 'identity';
  if (raw === 'gzip' || raw === 'x-gzip') return 'gzip';
  throw new HttpProblem(415, 'PAL_ERR_HTTP_MEDIA_TYPE', 'unsupported content encoding; send the body plain or gzip-compressed', {
    'accept-encoding': 'gzip',
  });
}

function checkOtlpContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || type === 'application/json' || type.endsWith('+json')) return;
  const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
  throw new HttpProblem(
    415,
    'PAL_ERR_HTTP_MEDIA_TYPE',
    protobuf
      ? 'OTLP/HTTP protobuf encoding is not supported; only JSON is: configure the exporter with protocol http/json (content-type application/json)'
      : 'OTLP/HTTP bodies must be JSON (content-type application/json); protobuf is not supported',
  );
}

function requestedFormat(url: URL, req: IncomingMessage): string {
  const query = url.searchParams.get('format');
  const header = req.headers['x-palisade-format'];
  const value = query ?? (Array.isArray(header) ? header[0] : header) ?? 'auto';
  return value.trim() === '' ? 'auto' : value.trim();
}

function resolveFormat(registry: ParserRegistry, format: string): Parser {
  const parser = findParser(registry, format);
  if (parser !== undefined) return parser;
  const named = ECHOABLE_FORMAT.test(format) ? `"${format}"` : 'asked for';
  throw new HttpProblem(
    400,
    'PAL_ERR_FORMAT_UNKNOWN',
    `the format ${named} does not exist; known formats: auto, ${knownFormats(registry)}`,
  );
}

function findParser(registry: ParserRegistry, name: string): Parser | undefined {
  try {
    return registry.get(name);
  } catch (error) {
    if (isPalisadeError(error) && error.code === 'PAL_ERR_FORMAT_UNKNOWN') return undefined;
    throw error;
  }
}

function knownFormats(registry: ParserRegistry): string {
  return registry
    .list()
    .map((p) => p.format)
    .join(', ');
}

/** Reads the body, raw and decompressed, within the limit. */
async function readBody(req: IncomingMessage, encoding: 'gzip' | 'identity', limit: number, ingestor: Ingestor): Promise<Buffer> {
  const tooLarge = (what: string): HttpProblem =>
    new HttpProblem(413, 'PAL_ERR_HTTP_TOO_LARGE', `the ${what} is over the limit of ${limit} bytes; send smaller batches`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge('body');
  const raw = await new Promise<Buffer>((resolve, fail) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error === undefined) resolve(Buffer.concat(chunks, length));
      else fail(error);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) finish(tooLarge('body'));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', () => finish(new ClientGone()));
    req.once('close', () => finish(req.complete ? undefined : new ClientGone()));
  });
  ingestor.countRaw(raw.length);
  if (encoding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('decompressed body');
    throw new HttpProblem(400, 'PAL_ERR_HTTP_BAD_REQUEST', 'the body is not valid gzip data');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, close: boolean): void {
  send(res, status, 'application/json', JSON.stringify(body), {}, close);
}

function sendProblem(res: ServerResponse, problem: HttpProblem, close: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, problem.status, 'application/problem+json', problemBody(problem), problem.headers, close);
}

/** The RFC 9457 document: fixed text per code plus a detail written here, never request content. */
function problemBody(problem: HttpProblem): string {
  const title = ERROR_CATALOGUE[problem.code];
  return JSON.stringify({
    type: `${PROBLEM_TYPE_PREFIX}${problem.code}`,
    title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: OutgoingHttpHeaders, close: boolean): void {
  res.writeHead(status, {
    ...headers,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
