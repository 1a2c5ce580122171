import { type ClientTls, type ParsedEvent, type ParseOutcome, reject, skip } from '@palisade/core';
import { num, status, text } from '../internal/fields.js';
import { parseAnyTime, parseEpochTime, parseIsoTime } from '../internal/time.js';

/**
 * The Envoy command operators both Envoy parsers read, as logged (strings in text logs, strings, numbers
 * or `null` in JSON logs). The text and JSON parsers fill one of these and share {@link buildEnvoyEvent}.
 */
export interface EnvoyRecord {
  startTime?: unknown;
  method?: unknown;
  path?: unknown;
  protocol?: unknown;
  responseCode?: unknown;
  responseFlags?: unknown;
  responseCodeDetails?: unknown;
  connectionTerminationDetails?: unknown;
  upstreamTransportFailureReason?: unknown;
  bytesReceived?: unknown;
  bytesSent?: unknown;
  duration?: unknown;
  upstreamServiceTime?: unknown;
  forwardedFor?: unknown;
  userAgent?: unknown;
  requestId?: unknown;
  authority?: unknown;
  upstreamHost?: unknown;
  upstreamCluster?: unknown;
  downstreamRemoteAddress?: unknown;
  downstreamDirectRemoteAddress?: unknown;
  requestedServerName?: unknown;
  routeName?: unknown;
  peerSubject?: unknown;
  peerUriSan?: unknown;
  tlsVersion?: unknown;
  tlsCipher?: unknown;
  traceparent?: unknown;
  traceId?: unknown;
}

/**
 * Builds the event for one Envoy access log entry.
 *
 * Contract: TCP proxy entries (no method and no path) are skipped; `%RESPONSE_CODE%` 0 means the
 * downstream never got a response, so the event has no `response`. `%DOWNSTREAM_REMOTE_ADDRESS%` is the
 * peer unless `%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%` is logged too, in which case the direct address is the
 * peer and a differing remote address (inferred by Envoy from XFF / PROXY protocol) is the client. A peer
 * certificate subject or URI SAN (only present once Envoy validated the handshake) means mTLS.
 */
export function buildEnvoyEvent(r: EnvoyRecord): ParseOutcome {
  const method = text(r.method);
  const url = text(r.path);
  if (method === undefined && url === undefined) return skip('tcp connection');
  const time = readEnvoyTime(r.startTime);
  if (time === undefined) return reject('bad_timestamp');
  if (method === undefined) return reject('missing_field', 'method');
  if (url === undefined) return reject('missing_field', 'path');

  const code = num(r.responseCode);
  if (code === undefined ? text(r.responseCode) !== undefined : code !== 0 && status(code) === undefined) {
    return reject('bad_status');
  }

  const event: ParsedEvent = {
    time,
    request: {
      method,
      host: text(r.authority),
      url,
      size: num(r.bytesReceived),
      httpVersion: text(r.protocol),
    },
    latencyMs: num(r.duration),
    client: {
      forwardedFor: text(r.forwardedFor),
      userAgent: text(r.userAgent),
    },
  };
  if (code !== undefined && code !== 0) event.response = { status: code, size: num(r.bytesSent) };

  const direct = text(r.downstreamDirectRemoteAddress);
  const remote = text(r.downstreamRemoteAddress);
  const peer = direct ?? remote;
  if (peer !== undefined) {
    const colon = portColon(peer);
    event.client.peerIp = stripBrackets(colon < 0 ? peer : peer.slice(0, colon));
    const port = colon < 0 ? undefined : num(peer.slice(colon + 1));
    if (port !== undefined && port > 0) event.client.port = port;
    if (direct !== undefined && remote !== undefined && remote !== direct) {
      const remoteColon = portColon(remote);
      event.client.ip = stripBrackets(remoteColon < 0 ? remote : remote.slice(0, remoteColon));
    }
  }

  const tls = readTls(r);
  if (tls !== undefined) event.client.tls = tls;
  const peerUriSan = text(r.peerUriSan);
  if (tls?.clientCertSubject !== undefined || peerUriSan !== undefined) event.identity = { authScheme: 'mtls' };

  const upstreamHost = text(r.upstreamHost);
  const upstreamCluster = text(r.upstreamCluster);
  const routeName = text(r.routeName);
  const upstreamMs = num(r.upstreamServiceTime);
  if (upstreamHost !== undefined || upstreamCluster !== undefined || routeName !== undefined || upstreamMs !== undefined) {
    const scheme = upstreamHost === undefined ? -1 : upstreamHost.indexOf('://');
    event.upstream = {
      address: scheme < 0 ? upstreamHost : upstreamHost?.slice(scheme + 3),
      service: upstreamCluster,
      route: routeName,
      latencyMs: upstreamMs,
    };
  }

  readTrace(r, event);

  const attributes: Record<string, string> = {};
  let hasAttributes = false;
  const flags = text(r.responseFlags);
  if (flags !== undefined) hasAttributes = setAttribute(attributes, 'responseFlags', flags);
  const details = text(r.responseCodeDetails);
  if (details !== undefined) hasAttributes = setAttribute(attributes, 'responseCodeDetails', details);
  const termination = text(r.connectionTerminationDetails);
  if (termination !== undefined) hasAttributes = setAttribute(attributes, 'connectionTerminationDetails', termination);
  const failure = text(r.upstreamTransportFailureReason);
  if (failure !== undefined) hasAttributes = setAttribute(attributes, 'upstreamTransportFailureReason', failure);
  const requestId = text(r.requestId);
  if (requestId !== undefined) hasAttributes = setAttribute(attributes, 'requestId', requestId);
  if (peerUriSan !== undefined) hasAttributes = setAttribute(attributes, 'peerUriSan', peerUriSan);
  if (hasAttributes) event.attributes = attributes;
  return event;
}

function setAttribute(attributes: Record<string, string>, key: string, value: string): true {
  attributes[key] = value;
  return true;
}

/** `%START_TIME%` is RFC 3339 by default; a custom `%START_TIME(%s.%3f)%` gives epoch seconds. */
function readEnvoyTime(value: unknown): number | undefined {
  if (typeof value === 'number') return parseEpochTime(value);
  if (typeof value !== 'string') return undefined;
  return parseIsoTime(value) ?? parseAnyTime(value);
}

function readTls(r: EnvoyRecord): ClientTls | undefined {
  const version = text(r.tlsVersion);
  const cipher = text(r.tlsCipher);
  const sni = text(r.requestedServerName);
  const clientCertSubject = text(r.peerSubject);
  if (version === undefined && cipher === undefined && sni === undefined && clientCertSubject === undefined) return undefined;
  return { version, cipher, sni, clientCertSubject };
}

/** W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<flags>`) or a bare trace id. */
function readTrace(r: EnvoyRecord, event: ParsedEvent): void {
  const traceparent = text(r.traceparent);
  if (traceparent !== undefined && traceparent.length >= 55 && traceparent[2] === '-' && traceparent[35] === '-') {
    event.traceId = traceparent.slice(3, 35);
    event.spanId = traceparent.slice(36, 52);
    return;
  }
  const traceId = text(r.traceId);
  if (traceId !== undefined) event.traceId = traceId;
}

/** Index of the colon before the port in `ip:port` / `[v6]:port`, or -1 (bare IPv6, no port, pipe path). */
function portColon(address: string): number {
  const last = address.lastIndexOf(':');
  if (last < 0) return -1;
  if (address.charCodeAt(0) === 91 /* [ */) return address.charCodeAt(last - 1) === 93 /* ] */ ? last : -1;
  return address.indexOf(':') === last ? last : -1;
}

function stripBrackets(ip: string): string {
  return ip.charCodeAt(0) === 91 && ip.charCodeAt(ip.length - 1) === 93 ? ip.slice(1, -1) : ip;
}
