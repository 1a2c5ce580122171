import { isSkip, type ParsedEvent, type ParseOutcome, type Parser, type ParseReject, type ParseSkip, reject, skip } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { isObject, num, parseJsonObject, status, text } from '../internal/fields.js';
import { parseEpochTime } from '../internal/time.js';

type Fields = Record<string, unknown>;

/**
 * Kong Gateway `http-log` / `file-log` JSON (the `kong.log.serialize()` object): `request`, `response`,
 * `latencies` (ms), `client_ip`, `started_at` (epoch ms), `consumer`, `authenticated_entity`, `route`,
 * `service`, `tries`, `upstream_uri`. A line may also be a JSON array of such objects (http-log batches).
 *
 * Contract: `client_ip` is nginx `$remote_addr` and goes to `client.peerIp`; the consumer is
 * `username ?? custom_id ?? id`; `request.tls.client_verify: SUCCESS` means mTLS. Stream (TCP/TLS/UDP)
 * records, which have `session` instead of `request`, are skipped. A batch gives one event or rejection per
 * object (stream records left out), so a bad object is counted without losing the others.
 */
export const kongParser: Parser = {
  format: 'kong',
  aliases: ['kong-http-log', 'kong-file-log'],
  description: 'Kong Gateway http-log / file-log JSON, one object or a batch array per line',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, isKongLine);
  },
  open() {
    return { parse: parseKongLine };
  },
};

function parseKongLine(line: string): ParseOutcome {
  const first = line.charCodeAt(line.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (first === 91 /* [ */) {
    const items = parseJsonArray(line);
    return items === undefined ? reject('malformed_json') : buildBatch(items);
  }
  const fields = parseJsonObject(line);
  return fields === undefined ? reject('malformed_json') : buildKongEvent(fields);
}

function buildBatch(items: readonly unknown[]): ParseOutcome {
  const outcomes: (ParsedEvent | ParseReject)[] = [];
  for (const item of items) {
    const outcome = isObject(item) ? buildKongEvent(item) : reject('malformed_json');
    if (!isSkip(outcome)) outcomes.push(outcome);
  }
  return outcomes.length > 0 ? outcomes : skip(items.length > 0 ? 'stream sessions' : 'empty batch');
}

function buildKongEvent(o: Fields): ParsedEvent | ParseReject | ParseSkip {
  const request = o.request;
  if (!isObject(request)) return isObject(o.session) ? skip('stream session') : reject('missing_field', 'request');
  const time = parseEpochTime(o.started_at);
  if (time === undefined) return reject('bad_timestamp');
  const method = text(request.method);
  if (method === undefined) return reject('missing_field', 'method');
  const uri = text(request.uri);
  const absolute = text(request.url);
  if (uri === undefined && absolute === undefined) return reject('missing_field', 'uri');

  const headers = readHeaders(request.headers);
  const latencies = isObject(o.latencies) ? o.latencies : undefined;
  const event: ParsedEvent = {
    time,
    request: { method, url: uri ?? absolute, headers, size: num(request.size) },
    latencyMs: num(latencies?.request),
    client: {
      peerIp: text(o.client_ip),
      forwardedFor: text(headers?.['x-forwarded-for']),
      userAgent: text(headers?.['user-agent']),
    },
  };
  if (uri !== undefined && absolute !== undefined) readOrigin(absolute, uri, event);

  const response = o.response;
  if (isObject(response)) {
    const code = status(response.status);
    if (code !== undefined) {
      event.response = { status: code, headers: readHeaders(response.headers), size: num(response.size) };
    } else if (text(response.status) !== undefined && num(response.status) !== 0) {
      return reject('bad_status');
    }
  }

  const attributes: Record<string, string | number> = {};
  let hasAttributes = false;

  const tls = request.tls;
  let mtls = false;
  if (isObject(tls)) {
    event.client.tls = { version: text(tls.version), cipher: text(tls.cipher) };
    const verify = text(tls.client_verify);
    if (verify !== undefined && verify !== 'NONE') {
      mtls = verify === 'SUCCESS';
      attributes.tlsClientVerify = verify;
      hasAttributes = true;
    }
  }

  const entity = o.authenticated_entity;
  let consumer = isObject(o.consumer) ? (text(o.consumer.username) ?? text(o.consumer.custom_id) ?? text(o.consumer.id)) : undefined;
  if (isObject(entity)) {
    consumer ??= isObject(entity.consumer_id) ? text(entity.consumer_id.id) : text(entity.consumer_id);
    const credentialId = text(entity.id);
    if (credentialId !== undefined) {
      attributes.credentialId = credentialId;
      hasAttributes = true;
    }
  }
  if (consumer !== undefined || mtls) {
    event.identity = mtls ? { consumer, authScheme: 'mtls' } : { consumer };
  }

  const route = isObject(o.route) ? (text(o.route.name) ?? text(o.route.id)) : undefined;
  const service = isObject(o.service) ? (text(o.service.name) ?? text(o.service.host)) : undefined;
  const tries = Array.isArray(o.tries) ? o.tries : undefined;
  const address = readTriedAddress(tries);
  const upstreamMs = num(latencies?.proxy);
  if (route !== undefined || service !== undefined || address !== undefined || upstreamMs !== undefined) {
    event.upstream = { address, service, route, latencyMs: upstreamMs };
  }

  const requestId = text(request.id);
  if (requestId !== undefined) {
    attributes.requestId = requestId;
    hasAttributes = true;
  }
  const source = text(o.source);
  if (source !== undefined) {
    attributes.responseSource = source;
    hasAttributes = true;
  }
  const upstreamUri = text(o.upstream_uri);
  if (upstreamUri !== undefined) {
    const q = upstreamUri.indexOf('?');
    attributes.upstreamPath = q < 0 ? upstreamUri : upstreamUri.slice(0, q);
    hasAttributes = true;
  }
  const kongMs = num(latencies?.kong);
  if (kongMs !== undefined) {
    attributes.kongLatencyMs = kongMs;
    hasAttributes = true;
  }
  if (tries !== undefined && tries.length > 1) {
    attributes.upstreamTries = tries.length;
    hasAttributes = true;
  }
  if (hasAttributes) event.attributes = attributes;
  return event;
}

/**
 * Kong logs headers as an object whose values are strings, or arrays for repeated headers. Normalises the
 * parsed object in place (arrays joined with `, `) to avoid a copy on the hot path.
 */
function readHeaders(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  for (const name in value) {
    const v = value[name];
    if (typeof v === 'string') continue;
    if (Array.isArray(v)) value[name] = v.join(', ');
    else if (typeof v === 'number' || typeof v === 'boolean') value[name] = String(v);
    else delete value[name];
  }
  return value as Record<string, string>;
}

/** `request.url` is `scheme://host:port` + `request.uri`; takes the scheme and the host without port. */
function readOrigin(absolute: string, uri: string, event: ParsedEvent): void {
  const schemeEnd = absolute.indexOf('://');
  if (schemeEnd <= 0 || !absolute.endsWith(uri)) return;
  event.request.scheme = absolute.slice(0, schemeEnd);
  const authority = absolute.slice(schemeEnd + 3, absolute.length - uri.length);
  const bracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  const host = colon > bracket ? authority.slice(0, colon) : authority;
  if (host !== '') event.request.host = host;
}

/** The address of the last balancer try (`ip:port`, `[v6]:port`). */
function readTriedAddress(tries: readonly unknown[] | undefined): string | undefined {
  const last = tries === undefined ? undefined : tries[tries.length - 1];
  if (!isObject(last)) return undefined;
  const ip = text(last.ip);
  if (ip === undefined) return undefined;
  const port = num(last.port);
  if (port === undefined) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function parseJsonArray(line: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isKongLine(line: string): boolean {
  const trimmed = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  const o = trimmed.charCodeAt(0) === 91 ? firstObject(parseJsonArray(trimmed)) : parseJsonObject(trimmed);
  return o !== undefined && 'latencies' in o && 'started_at' in o && (isObject(o.request) || isObject(o.session));
}

function firstObject(items: unknown[] | undefined): Fields | undefined {
  const first = items?.[0];
  return isObject(first) ? first : undefined;
}
