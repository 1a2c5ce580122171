/**
 * The inline sensor: an HTTP/1.1 reverse proxy (node:http in front, an undici pool behind) that inspects
 * every request phase by phase, blocks what its protections in block mode find, forwards the rest, and
 * reports every transaction as an `ApiEvent` with what was decided and why.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ApiEvent, type Clock, type ErrorCode, type EventProtection, type SensorConfig, systemClock } from '@palisade/core';
import { type Enricher, type RequestReadings, readQueryPairs } from '@palisade/engine';
import { errors as undiciErrors, Pool } from 'undici';
import { upstreamRequestHeaders } from './forwarding.js';
import { Inspection, type SensorProtections, type Verdict } from './inspection.js';
import { factsOf, fingerprintsOf, flatHeaders, parsedRequestOf, type RequestFingerprints } from './events.js';
import { rawProblem, sendProblem } from './problem.js';
import { isReadableJson, ResponseRelay } from './response-inspection.js';
import { compileRoutes, type RouteResolver } from './routes.js';
import { attachTlsTermination } from './tls/tls-listener.js';
import { newTransactionId } from './transaction-id.js';
import { openUpgradeTunnel } from './upgrade.js';

/** What a sensor needs besides its configuration. */
export interface SensorDeps {
  protections: SensorProtections;
  /** Builds the privacy-safe event (identity, client address, tokens) from what the sensor saw. */
  enrich: Enricher;
  /** Receives every transaction's event, after the response was sent. Must not throw. */
  onEvent: (event: ApiEvent) => void;
  clock?: Clock;
  /** The sensor's name in events' `source.name`. */
  name?: string;
}

/** Counters of what the sensor did since it started. */
export interface SensorStats {
  requests: number;
  forwarded: number;
  blocked: number;
  monitored: number;
  rejected: number;
  upstreamErrors: number;
  inspectionErrors: number;
  /** Requests answered with a fake success (deception). */
  deceived: number;
  /** Requests held before being forwarded (tarpit). */
  tarpitted: number;
  /** Connections that sent bytes that are not HTTP (answered 400 and closed). */
  malformed: number;
}

/** A running sensor. */
export interface Sensor {
  readonly server: Server;
  /** The address it listens on. */
  address(): AddressInfo;
  stats(): Readonly<SensorStats>;
  /** Stops accepting connections, lets requests in flight finish (up to `graceMs`), closes the upstream pool. */
  close(graceMs?: number): Promise<void>;
}

/** The upstream answered, or could not. */
type UpstreamFailure = { status: 502 | 504; code: ErrorCode };

/** Starts a sensor listening on `config.listen` (a port of 0 picks a free one). */
export async function startSensor(config: SensorConfig, deps: SensorDeps): Promise<Sensor> {
  if (config.upstream === undefined) throw new Error('the sensor needs an upstream');
  const upstream = new URL(config.upstream);
  const clock = deps.clock ?? systemClock;
  const name = deps.name ?? 'palisade-proxy';
  const routes: RouteResolver = compileRoutes(config);
  const stats: SensorStats = {
    requests: 0,
    forwarded: 0,
    blocked: 0,
    monitored: 0,
    rejected: 0,
    upstreamErrors: 0,
    inspectionErrors: 0,
    deceived: 0,
    tarpitted: 0,
    malformed: 0,
  };
  const pool = new Pool(upstream.origin, {
    connections: config.upstreamConnections,
    connectTimeout: config.limits.connectTimeoutMs,
    headersTimeout: config.limits.upstreamTimeoutMs,
    bodyTimeout: config.limits.upstreamTimeoutMs,
    keepAliveTimeout: 4_000,
  });
  const upstreamHost = upstream.host;
  const limits = config.limits;

  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: limits.clientTimeoutMs,
    headersTimeout: Math.min(limits.clientTimeoutMs, 60_000),
    keepAliveTimeout: 5_000,
  });

  // TLS termination, when configured: each connection's ClientHello is fingerprinted (JA3, JA4) first
  const tls = config.tls === undefined ? undefined : attachTlsTermination(server, { cert: config.tls.cert, key: config.tls.key });
  const proto = tls === undefined ? 'http' : 'https';
  const checkResponses = deps.protections.openapi !== undefined && config.openapi.responses !== 'off';
  const maskResponses = config.openapi.responses === 'mask';

  /** The request's headers as the upstream gets them: proxy chain recorded, Host kept or replaced. */
  const headersForUpstream = (req: IncomingMessage, upgrade?: string): string[] => {
    const headers = upstreamRequestHeaders(req.rawHeaders, {
      peerIp: req.socket.remoteAddress ?? '',
      proto,
      host: req.headers.host,
      preserveHost: config.preserveHost,
      upgrade,
    });
    if (!config.preserveHost) headers.push('host', upstreamHost);
    return headers;
  };

  const emit = (event: ApiEvent): void => {
    try {
      deps.onEvent(event);
    } catch {
      // a sink that fails must not take the proxy down; sinks count their own failures
    }
  };

  const source = { kind: 'sensor', name };

  /** The enriched event of a request, before its answer is known (the policies need its identity). */
  const buildRequestEvent = (
    id: string,
    time: number,
    req: IncomingMessage,
    path: string,
    query: string | undefined,
    fingerprints: RequestFingerprints,
    inspection: Inspection,
    body?: Buffer,
  ) => deps.enrich(parsedRequestOf(time, req, path, query, body, fingerprints, inspection.bodyText), source, id, readingsOf(inspection));

  /** The transaction's event: one enricher pass, or the request's event completed with the answer. */
  const buildEvent = (
    id: string,
    time: number,
    req: IncomingMessage,
    path: string,
    query: string | undefined,
    answer: { status?: number; headers?: Record<string, string | string[]>; latencyMs: number; protection: EventProtection },
    fingerprints: RequestFingerprints,
    body: Buffer | undefined,
    inspection: Inspection,
    requestEvent?: ApiEvent,
  ): ApiEvent => {
    const response = answer.status === undefined ? undefined : { status: answer.status, headers: flatHeaders(answer.headers) };
    let event: ApiEvent;
    if (requestEvent === undefined) {
      const parsed = parsedRequestOf(time, req, path, query, body, fingerprints, inspection.bodyText);
      if (response !== undefined) parsed.response = response;
      event = deps.enrich(parsed, source, id, readingsOf(inspection));
    } else {
      event = requestEvent;
      if (response !== undefined) {
        // the answer's headers go through the enricher too (Set-Cookie and credentials are tokenized)
        event.response = deps.enrich.response(response);
      }
    }
    event.latencyMs = answer.latencyMs;
    event.protection = answer.protection;
    return event;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    handle(req, res).catch(() => {
      // handle() answers every failure itself; this only guards against a bug leaking a rejection
      if (!res.headersSent) sendProblem(res, 500, 'PAL_ERR_HTTP_INTERNAL', 'unknown');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = newTransactionId();
    const time = clock.now();
    const started = performance.now();
    const target = req.url ?? '/';
    const { path, query } = splitTarget(target);
    const method = req.method ?? 'GET';
    const route = routes(method, req.headers.host, path);
    const inspection = new Inspection(deps.protections, route, config.mode);
    let body: Buffer | undefined;
    let requestEvent: ApiEvent | undefined;
    const fingerprints = fingerprintsOf(req);

    const finish = (
      action: EventProtection['action'],
      status: number | undefined,
      headers?: Record<string, string | string[]>,
      error?: { code: string; failOpen: boolean },
    ): void => {
      const protection = inspection.record(action);
      if (error !== undefined) protection.inspectionError = error;
      emit(
        buildEvent(
          id,
          time,
          req,
          path,
          query,
          { status, headers, latencyMs: performance.now() - started, protection },
          fingerprints,
          body,
          inspection,
          requestEvent,
        ),
      );
    };
    const refuse = (verdict: Extract<Verdict, { kind: 'block' }>): void => {
      stats.blocked++;
      if (body === undefined) {
        // an unread body would be read as the next request: drain an empty one, close on anything else
        if (expectsBody(req)) res.shouldKeepAlive = false;
        else req.resume();
      }
      sendProblem(res, verdict.status, verdict.code, id, verdict.headers);
      finish('block', verdict.status, verdict.headers);
    };

    // phase: request headers (the query is decoded once, for the signatures, the API description and the event)
    const queryPairs = readQueryPairs(query ?? '');
    let verdict: Verdict;
    try {
      verdict = inspection.requestHead({
        path,
        query: query ?? '',
        queryPairs,
        headers: req.headers,
        method,
        httpVersion: req.httpVersion,
      });
    } catch {
      inspectionFailed(res, id, finish);
      if (config.failMode === 'closed') return;
      verdict = { kind: 'continue' };
    }
    if (verdict.kind === 'block') {
      // refused on its head: the policies still see it (a honeypot marks its sender, the request counts
      // against its sender's limits), from what the head tells
      if (deps.protections.policies !== undefined) {
        try {
          requestEvent = buildRequestEvent(id, time, req, path, query, fingerprints, inspection);
          inspection.requestPolicies(factsOf(requestEvent, path, undefined, fingerprints));
        } catch {
          stats.inspectionErrors++;
        }
      }
      return refuse(verdict);
    }

    // phase: request body
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > route.maxBodyBytes) return tooLarge(req, res, id, finish);
    let read: Buffer | 'too-large' | 'aborted';
    if (expectsBody(req)) read = await readBody(req, route.maxBodyBytes);
    else {
      // no body announced: nothing to wait for (node ends the empty stream by itself)
      read = EMPTY;
      req.resume();
    }
    if (read === 'too-large') return tooLarge(req, res, id, finish);
    if (read === 'aborted') {
      stats.rejected++;
      finish('reject', undefined);
      return;
    }
    body = read;
    try {
      verdict = inspection.requestBody(body, req.headers['content-type']);
      if (verdict.kind === 'continue') {
        verdict = inspection.requestOpenApi({ method, path, query: query ?? '', queryPairs, headers: req.headers, body });
      }
      if (verdict.kind === 'continue' && deps.protections.policies !== undefined) {
        requestEvent = buildRequestEvent(id, time, req, path, query, fingerprints, inspection, body);
        verdict = inspection.requestPolicies(factsOf(requestEvent, path, inspection.endpoint, fingerprints));
      }
    } catch {
      inspectionFailed(res, id, finish);
      if (config.failMode === 'closed') return;
      verdict = { kind: 'continue' };
    }
    if (verdict.kind === 'block') return refuse(verdict);
    if (verdict.kind === 'deceive') {
      // a marked actor or a honeypot: a convincing answer, and the upstream never sees the request
      stats.deceived++;
      const fake = verdict.response;
      res.writeHead(fake.status, { ...fake.headers, 'content-length': Buffer.byteLength(fake.body) });
      res.end(fake.body);
      finish('deceive', fake.status, fake.headers);
      return;
    }
    let tarpitted = false;
    if (verdict.kind === 'tarpit') {
      stats.tarpitted++;
      tarpitted = true;
      await new Promise((resolve) => setTimeout(resolve, verdict.delayMs).unref());
      if (res.destroyed) {
        finish('tarpit', undefined);
        return;
      }
    }
    if (inspection.wouldHaveBlocked) stats.monitored++;

    // forward
    const headers = headersForUpstream(req);
    forward(id, inspection, req, res, target, headers, body, (status, responseHeaders, failure) => {
      if (failure !== undefined) stats.upstreamErrors++;
      else stats.forwarded++;
      finish(tarpitted ? 'tarpit' : inspection.wouldHaveBlocked ? 'monitor' : 'allow', status, responseHeaders);
    });
  }

  /**
   * Sends the request upstream and relays the answer to the client (`ResponseRelay` writes straight into the
   * response). Reports how it ended: the status sent, or the failure answered as 502/504. A failure after
   * the head was sent cuts the client connection: the client never gets a half answer that looks whole.
   */
  function forward(
    id: string,
    inspection: Inspection,
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    headers: string[],
    body: Buffer,
    done: (status: number, headers: Record<string, string | string[]> | undefined, failure?: UpstreamFailure) => void,
  ): void {
    const method = req.method ?? 'GET';
    pool.dispatch(
      {
        method: method as 'GET',
        path: target,
        headers,
        body: body.length > 0 || (method !== 'GET' && method !== 'HEAD') ? body : undefined,
      },
      new ResponseRelay({
        res,
        limit: limits.maxResponseInspectBytes,
        inspectorFor: (statusCode, sent) => {
          if (!checkResponses || method === 'HEAD' || !isReadableJson(sent)) return undefined;
          const contentType = String(sent['content-type']);
          return (held) => inspection.responseOpenApi(statusCode, contentType, held, maskResponses);
        },
        done: (error, status, responseHeaders) => {
          if (error === null) return done(status, responseHeaders);
          const failure = upstreamFailure(error);
          if (res.headersSent) {
            res.destroy();
            return done(status, responseHeaders, failure);
          }
          sendProblem(res, failure.status, failure.code, id);
          done(failure.status, undefined, failure);
        },
      }),
    );
  }

  function inspectionFailed(
    res: ServerResponse,
    id: string,
    finish: (
      a: EventProtection['action'],
      s: number | undefined,
      h?: Record<string, string>,
      e?: { code: string; failOpen: boolean },
    ) => void,
  ): void {
    stats.inspectionErrors++;
    const failOpen = config.failMode === 'open';
    if (!failOpen) {
      res.shouldKeepAlive = false;
      sendProblem(res, 503, 'PAL_ERR_SENSOR_INSPECTION_FAILED', id);
      finish('reject', 503, undefined, { code: 'PAL_ERR_SENSOR_INSPECTION_FAILED', failOpen });
    }
  }

  function tooLarge(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    finish: (a: EventProtection['action'], s: number | undefined) => void,
  ): void {
    stats.rejected++;
    res.shouldKeepAlive = false;
    sendProblem(res, 413, 'PAL_ERR_HTTP_TOO_LARGE', id);
    req.resume();
    finish('reject', 413);
  }

  /** Upgraded connections: the HTTP server no longer tracks them, so closing the sensor cuts them itself. */
  const tunnels = new Set<Socket>();

  // Protocol upgrades (WebSocket): the head is inspected like any request, then bytes pass through untouched.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    stats.requests++;
    const id = newTransactionId();
    const time = clock.now();
    const started = performance.now();
    const target = req.url ?? '/';
    const { path, query } = splitTarget(target);
    const route = routes(req.method ?? 'GET', req.headers.host, path);
    const inspection = new Inspection(deps.protections, route, config.mode);
    const finish = (action: EventProtection['action'], status: number | undefined): void =>
      emit(
        buildEvent(
          id,
          time,
          req,
          path,
          query,
          { status, latencyMs: performance.now() - started, protection: inspection.record(action) },
          fingerprintsOf(req),
          undefined,
          inspection,
        ),
      );
    socket.on('error', () => socket.destroy());
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    let verdict: Verdict;
    try {
      verdict = inspection.requestHead({
        path,
        query: query ?? '',
        headers: req.headers,
        method: req.method ?? 'GET',
        httpVersion: req.httpVersion,
      });
    } catch {
      stats.inspectionErrors++;
      verdict = { kind: 'continue' };
      if (config.failMode === 'closed') {
        socket.end(rawProblem(503, 'Service Unavailable', 'PAL_ERR_SENSOR_INSPECTION_FAILED', id));
        finish('reject', 503);
        return;
      }
    }
    if (verdict.kind === 'block') {
      stats.blocked++;
      socket.end(rawProblem(verdict.status, verdict.status === 429 ? 'Too Many Requests' : 'Forbidden', verdict.code, id, verdict.headers));
      finish('block', verdict.status);
      return;
    }
    if (inspection.wouldHaveBlocked) stats.monitored++;
    const headers = headersForUpstream(req, String(req.headers.upgrade ?? 'websocket'));
    const action = inspection.wouldHaveBlocked ? 'monitor' : 'allow';
    openUpgradeTunnel(
      { upstream, connectTimeoutMs: limits.connectTimeoutMs, method: req.method ?? 'GET', target, headers, client: socket, head },
      (outcome) => {
        if (outcome.kind === 'answered') {
          stats.forwarded++;
          finish(action, outcome.status);
        } else if (outcome.kind === 'failed') {
          stats.upstreamErrors++;
          const timeout = outcome.reason === 'timeout';
          socket.end(
            rawProblem(
              timeout ? 504 : 502,
              timeout ? 'Gateway Timeout' : 'Bad Gateway',
              timeout ? 'PAL_ERR_SENSOR_UPSTREAM_TIMEOUT' : 'PAL_ERR_SENSOR_UPSTREAM_UNAVAILABLE',
              id,
            ),
          );
          finish(action, timeout ? 504 : 502);
        } else finish('reject', undefined);
      },
    );
  });

  // Bytes that are not HTTP, heads over the limit, slow clients: answered here, before any request exists.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const code = error.code ?? '';
    const id = newTransactionId();
    let reply: string;
    if (code === 'HPE_HEADER_OVERFLOW') reply = rawProblem(431, 'Request Header Fields Too Large', 'PAL_ERR_HTTP_HEADERS_TOO_LARGE', id);
    else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') reply = rawProblem(408, 'Request Timeout', 'PAL_ERR_HTTP_TIMEOUT', id);
    else if (code === 'ECONNRESET') {
      socket.destroy();
      return;
    } else reply = rawProblem(400, 'Bad Request', 'PAL_ERR_HTTP_MALFORMED', id);
    stats.malformed++;
    socket.end(reply);
  });

  const [host, port] = splitListen(config.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    server,
    address: () => server.address() as AddressInfo,
    stats: () => ({ ...stats }),
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      await pool.close();
    },
  };
}

const EMPTY = Buffer.alloc(0);

/** What the inspection read of a request that the enricher would otherwise read again (the query's pairs, the parsed JSON body). */
function readingsOf(inspection: Inspection): RequestReadings | undefined {
  const json = inspection.bodyJson;
  const query = inspection.queryPairs;
  if (json === undefined && query === undefined) return undefined;
  const read: RequestReadings = {};
  if (json !== undefined) read.json = json;
  if (query !== undefined) read.query = query;
  return read;
}

/** The body of a request, or what went wrong reading it. Never buffers more than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  if (req.complete && req.readableLength === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const settle = (value: Buffer | 'too-large' | 'aborted'): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle('too-large');
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    const onError = (): void => settle('aborted');
    const onClose = (): void => {
      if (!req.complete) settle('aborted');
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** `/a/b?x=1` as its path and its query (without `?`; undefined when there is none). */
function splitTarget(target: string): { path: string; query: string | undefined } {
  const mark = target.indexOf('?');
  return mark < 0 ? { path: target, query: undefined } : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

/** True when the request announces a body (a positive length, or chunks). */
function expectsBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** How an upstream failure is answered: 504 when it did not answer in time, 502 otherwise. */
function upstreamFailure(error: unknown): UpstreamFailure {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return { status: 504, code: 'PAL_ERR_SENSOR_UPSTREAM_TIMEOUT' };
  }
  return { status: 502, code: 'PAL_ERR_SENSOR_UPSTREAM_UNAVAILABLE' };
}

/** `HOST:PORT`, `[v6]:PORT` or `PORT` as host and port. */
export function splitListen(listen: string): [string, number] {
  const found = /^(?:\[([^\]]+)\]|([^:]+))?:?(\d+)$/.exec(listen.trim());
  if (found === null) throw new Error(`not a HOST:PORT address: ${listen}`);
  const port = Number(found[3]);
  if (port > 65_535) throw new Error(`not a port: ${found[3]}`);
  return [found[1] ?? found[2] ?? '127.0.0.1', port];
}
