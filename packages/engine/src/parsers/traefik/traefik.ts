import { type ClientTls, type ParsedEvent, type ParseOutcome, type Parser, reject, skip } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { num, parseJsonObject, status, text } from '../internal/fields.js';
import { parseAnyTime, parseIsoTime } from '../internal/time.js';

type Fields = Record<string, unknown>;

/** Keys only Traefik's access log writes (besides `RequestMethod` / `RequestPath`). */
const TRAEFIK_KEYS = [
  'DownstreamStatus',
  'DownstreamContentSize',
  'OriginStatus',
  'OriginDuration',
  'RouterName',
  'ServiceName',
  'ClientHost',
  'ClientAddr',
  'StartUTC',
  'StartLocal',
  'RequestHost',
  'RequestProtocol',
];
const REQUEST_PREFIX = 'request_';
const DOWNSTREAM_PREFIX = 'downstream_';
const ORIGIN_PREFIX = 'origin_';
/** Request headers read into dedicated fields, so they are not repeated as headers. */
const CONSUMED_REQUEST_HEADERS = new Set(['User-Agent', 'X-Forwarded-For']);
/** What Traefik writes for headers configured as `redact`. */
const REDACTED = 'REDACTED';
const BARE_TLS_VERSION = /^1\.[0-3]$/;

/**
 * Traefik v2/v3 access log with `accessLog.format=json`: flat keys such as `ClientAddr`, `RequestMethod`,
 * `RequestPath`, `DownstreamStatus`, `Duration` (ns), `StartUTC`, plus `request_<Header>`,
 * `downstream_<Header>` and `origin_<Header>` keys for the headers kept by `accessLog.fields.headers`.
 *
 * Contract: the peer is the host of `ClientAddr` (Traefik replaces `ClientHost` with the X-Forwarded-For
 * value when there is one, so a `ClientHost` that differs from it becomes `client.forwardedFor`); durations
 * are nanoseconds; `RequestContentSize` is the request body size; `downstream_*` headers are the response
 * headers (`origin_*` fill in names the downstream set lacks); `REDACTED` header values are dropped;
 * `ClientUsername` (URL user info or the basic/digest auth user) becomes `identity.user`; a bare TLS version
 * (`1.3`) becomes `TLSv1.3`. Objects without `RequestMethod` that carry a `msg` (Traefik's own log) are skipped.
 */
export const traefikParser: Parser = {
  format: 'traefik-json',
  description: 'Traefik v2/v3 JSON access log (accessLog.format=json)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(lines, (o) => {
      if (!('RequestMethod' in o) && !('RequestPath' in o)) return false;
      let hits = 0;
      for (const key of TRAEFIK_KEYS) if (key in o) hits++;
      return hits >= 2;
    });
  },
  open() {
    return { parse: parseTraefik };
  },
};

function parseTraefik(line: string): ParseOutcome {
  const fields = parseJsonObject(line);
  if (fields === undefined) return reject('malformed_json');
  const method = text(fields.RequestMethod);
  if (method === undefined) {
    const ownLog = 'msg' in fields && !('RequestPath' in fields);
    return ownLog ? skip('traefik log message') : reject('missing_field', 'RequestMethod');
  }
  const url = text(fields.RequestPath);
  if (url === undefined) return reject('missing_field', 'RequestPath');
  const time = readTime(fields);
  if (time === undefined) return reject('bad_timestamp');
  const code = fields.DownstreamStatus;
  const downstreamStatus = status(code);
  if (code !== undefined && downstreamStatus === undefined && num(code) !== 0) return reject('bad_status');

  const requestHeaders: Record<string, string> = {};
  const responseHeaders: Record<string, string> = {};
  let originHeaders: Record<string, string> | undefined;
  for (const key in fields) {
    if (key.startsWith(REQUEST_PREFIX)) {
      const name = key.slice(REQUEST_PREFIX.length);
      const value = headerValue(fields[key]);
      if (value !== undefined && !CONSUMED_REQUEST_HEADERS.has(name)) requestHeaders[name] = value;
    } else if (key.startsWith(DOWNSTREAM_PREFIX)) {
      const value = headerValue(fields[key]);
      if (value !== undefined) responseHeaders[key.slice(DOWNSTREAM_PREFIX.length)] = value;
    } else if (key.startsWith(ORIGIN_PREFIX)) {
      const value = headerValue(fields[key]);
      if (value === undefined) continue;
      originHeaders ??= {};
      originHeaders[key.slice(ORIGIN_PREFIX.length)] = value;
    }
  }
  if (originHeaders !== undefined) {
    for (const name in originHeaders) responseHeaders[name] ??= originHeaders[name] as string;
  }

  const peer = readPeer(fields);
  const clientHost = text(fields.ClientHost);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: text(fields.RequestScheme),
      host: text(fields.RequestHost),
      url,
      headers: requestHeaders,
      size: num(fields.RequestContentSize),
      httpVersion: text(fields.RequestProtocol),
    },
    latencyMs: nanosToMs(fields.Duration),
    client: {
      peerIp: peer.ip,
      port: num(fields.ClientPort) ?? peer.port,
      forwardedFor: headerValue(fields['request_X-Forwarded-For']) ?? (clientHost !== peer.ip ? clientHost : undefined),
      userAgent: headerValue(fields['request_User-Agent']),
    },
  };
  if (downstreamStatus !== undefined) {
    event.response = { status: downstreamStatus, headers: responseHeaders, size: num(fields.DownstreamContentSize) };
  }
  const tls = readTls(fields);
  if (tls !== undefined) event.client.tls = tls;
  const user = text(fields.ClientUsername);
  if (user !== undefined) event.identity = { user };
  const service = text(fields.ServiceName);
  const route = text(fields.RouterName);
  const address = text(fields.ServiceAddr) ?? text(fields.ServiceURL);
  const upstreamMs = nanosToMs(fields.OriginDuration);
  if (service !== undefined || route !== undefined || address !== undefined || upstreamMs !== undefined) {
    event.upstream = { address, service, route, latencyMs: upstreamMs };
  }
  event.traceId = text(fields.trace_id) ?? text(fields.TraceId);
  event.spanId = text(fields.span_id) ?? text(fields.SpanId);
  const attributes = readAttributes(fields, downstreamStatus);
  if (attributes !== undefined) event.attributes = attributes;
  return event;
}

/** `StartUTC` (RFC 3339, nanoseconds), else `StartLocal`, else the logger's `time` (end of the request). */
function readTime(fields: Fields): number | undefined {
  if (typeof fields.StartUTC === 'string') return parseIsoTime(fields.StartUTC);
  if (typeof fields.StartLocal === 'string') return parseIsoTime(fields.StartLocal);
  return fields.time === undefined ? undefined : parseAnyTime(fields.time);
}

/** The peer from `ClientAddr` (`ip:port`, `[v6]:port`), else a single-address `ClientHost`. */
function readPeer(fields: Fields): { ip?: string; port?: number } {
  const addr = text(fields.ClientAddr);
  if (addr !== undefined) {
    const colon = addr.lastIndexOf(':');
    if (addr.startsWith('[')) {
      const close = addr.indexOf(']');
      if (close > 0) return { ip: addr.slice(1, close), port: num(addr.slice(close + 2)) };
    } else if (colon > 0 && addr.indexOf(':') === colon) {
      return { ip: addr.slice(0, colon), port: num(addr.slice(colon + 1)) };
    }
    return { ip: addr };
  }
  const host = text(fields.ClientHost);
  return host === undefined || host.includes(',') ? {} : { ip: host };
}

function readTls(fields: Fields): ClientTls | undefined {
  const rawVersion = text(fields.TLSVersion);
  const version = rawVersion !== undefined && BARE_TLS_VERSION.test(rawVersion) ? `TLSv${rawVersion}` : rawVersion;
  const cipher = text(fields.TLSCipher);
  const clientCertSubject = text(fields.TLSClientSubject);
  if (version === undefined && cipher === undefined && clientCertSubject === undefined) return undefined;
  return { version, cipher, clientCertSubject };
}

function readAttributes(fields: Fields, downstreamStatus?: number): Record<string, string | number> | undefined {
  let attributes: Record<string, string | number> | undefined;
  const entryPoint = text(fields.entryPointName);
  if (entryPoint !== undefined) attributes = { entryPoint };
  const originStatus = status(fields.OriginStatus);
  if (originStatus !== undefined && originStatus !== downstreamStatus) attributes = { ...attributes, originStatus };
  const retries = num(fields.RetryAttempts);
  if (retries !== undefined && retries > 0) attributes = { ...attributes, retryAttempts: retries };
  return attributes;
}

function headerValue(value: unknown): string | undefined {
  const s = text(value);
  return s === REDACTED ? undefined : s;
}

function nanosToMs(value: unknown): number | undefined {
  const n = num(value);
  return n === undefined ? undefined : n / 1e6;
}
