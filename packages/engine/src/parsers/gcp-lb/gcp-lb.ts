import { type ParsedEvent, type ParseOutcome, type Parser, reject, skip } from '@palisade/core';
import { splitAbsoluteUrl, splitHostPort } from '../aws-alb/internal-cloud.js';
import { shareOfJson } from '../internal/detect.js';
import { isObject, num, parseJsonObject, status, text } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';

type Fields = Record<string, unknown>;

const LB_PAYLOAD_TYPE = 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry';

/** Monitored-resource types of Application Load Balancer request logs (global/classic, regional, internal). */
const LB_RESOURCE_TYPES = new Set(['http_load_balancer', 'http_external_regional_lb_rule', 'internal_http_lb_rule']);

const EMPTY: Fields = {};

/**
 * Google Cloud external Application (HTTP(S)) Load Balancer request logs as Cloud Logging `LogEntry` JSON,
 * one entry per line; other `LogEntry`s with an `httpRequest` (Cloud Run, App Engine) are read the same way.
 *
 * `time` is the entry `timestamp`; `httpRequest.latency` (a `"0.123s"` duration) becomes `latencyMs`.
 * `remoteIp` is the client as the Google front end saw it (`client.peerIp` and `client.ip`; a logged port
 * goes to `client.port`). Cloud Armor outcome, `statusDetails` and cache facts go to `attributes`; TLS,
 * JA3/JA4 and a verified mTLS client certificate go to `client.tls` (the latter also sets
 * `identity.authScheme: 'mtls'`). Entries without `httpRequest` are skipped.
 */
export const gcpLbParser: Parser = {
  format: 'gcp-lb',
  aliases: ['gcp-http-lb'],
  description: 'Google Cloud Application Load Balancer request logs (Cloud Logging LogEntry JSON with httpRequest)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    const withRequest = shareOfJson(lines, isRequestEntry);
    if (withRequest === 0) return 0;
    return 0.8 * withRequest + 0.2 * shareOfJson(lines, isLoadBalancerEntry);
  },
  open() {
    return { parse: parseGcpLine };
  },
};

function isRequestEntry(o: Fields): boolean {
  const http = o.httpRequest;
  return isObject(http) && 'requestMethod' in http && ('timestamp' in o || 'insertId' in o || 'logName' in o);
}

function isLoadBalancerEntry(o: Fields): boolean {
  const resource = o.resource;
  if (isObject(resource) && typeof resource.type === 'string' && LB_RESOURCE_TYPES.has(resource.type)) return true;
  const payload = o.jsonPayload;
  return isObject(payload) && payload['@type'] === LB_PAYLOAD_TYPE;
}

function parseGcpLine(line: string): ParseOutcome {
  const entry = parseJsonObject(line);
  if (entry === undefined) return reject('malformed_json');
  const http = entry.httpRequest;
  if (!isObject(http)) {
    if ('logName' in entry || 'insertId' in entry) return skip('log entry without httpRequest');
    return reject('missing_field', 'httpRequest');
  }
  const time = typeof entry.timestamp === 'string' ? parseIsoTime(entry.timestamp) : undefined;
  if (time === undefined) return reject('bad_timestamp');

  const method = text(http.requestMethod);
  const requestUrl = text(http.requestUrl);
  if (method === undefined || requestUrl === undefined) return reject('missing_field', 'requestMethod/requestUrl');
  const url = splitAbsoluteUrl(requestUrl);

  const code = http.status;
  const responseStatus = status(code);
  if (responseStatus === undefined && code !== undefined && num(code) !== 0) return reject('bad_status');

  const payload = isObject(entry.jsonPayload) ? entry.jsonPayload : EMPTY;
  const referer = text(http.referer);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: url?.scheme,
      host: url?.host,
      url: url === undefined ? requestUrl : undefined,
      path: url?.path,
      query: url?.query,
      headers: referer === undefined ? {} : { referer },
      size: num(http.requestSize),
      httpVersion: text(http.protocol),
    },
    latencyMs: readDurationMs(http.latency),
    client: { userAgent: text(http.userAgent) },
  };
  if (responseStatus !== undefined) {
    event.response = { status: responseStatus, headers: {}, size: num(http.responseSize) };
  }
  const remoteText = text(http.remoteIp) ?? text(payload.remoteIp);
  const remote = remoteText === undefined ? undefined : splitHostPort(remoteText, false);
  if (remote !== undefined) {
    event.client.peerIp = remote.ip;
    event.client.ip = remote.ip;
    event.client.port = remote.port;
  }
  readTls(payload, event);

  const labels = isObject(entry.resource) && isObject(entry.resource.labels) ? entry.resource.labels : EMPTY;
  const server = text(http.serverIp);
  const service = text(labels.backend_service_name) ?? text(labels.backend_target_name) ?? text(labels.service_name);
  if (server !== undefined || service !== undefined) event.upstream = { address: server, service };

  event.traceId = readTraceId(entry.trace);
  event.spanId = text(entry.spanId);
  event.attributes = readAttributes(http, payload);
  return event;
}

function readTls(payload: Fields, event: ParsedEvent): void {
  const tls = isObject(payload.tls) ? payload.tls : EMPTY;
  const request = isObject(payload.securityPolicyRequestData) ? payload.securityPolicyRequestData : EMPTY;
  const mtls = isObject(payload.mtls) ? payload.mtls : EMPTY;
  const version = text(tls.protocol);
  const cipher = text(tls.cipher);
  const ja3 = text(request.tlsJa3Fingerprint);
  const ja4 = text(request.tlsJa4Fingerprint);
  const verified = mtls.clientCertChainVerified === true;
  const clientCertSubject = verified ? text(mtls.clientCertSubjectDn) : undefined;
  if (version !== undefined || cipher !== undefined || ja3 !== undefined || ja4 !== undefined || verified) {
    event.client.tls = { version, cipher, ja3, ja4, clientCertSubject };
  }
  if (verified) event.identity = { authScheme: 'mtls' };
}

function readAttributes(http: Fields, payload: Fields): Record<string, string | number | boolean> | undefined {
  const attributes: Record<string, string | number | boolean> = {};
  const statusDetails = text(payload.statusDetails);
  if (statusDetails !== undefined) attributes.statusDetails = statusDetails;
  const policy = isObject(payload.enforcedSecurityPolicy)
    ? payload.enforcedSecurityPolicy
    : isObject(payload.enforcedEdgeSecurityPolicy)
      ? payload.enforcedEdgeSecurityPolicy
      : undefined;
  if (policy !== undefined) {
    const name = text(policy.name);
    const outcome = text(policy.outcome);
    const action = text(policy.configuredAction);
    if (name !== undefined) attributes.securityPolicy = name;
    if (outcome !== undefined) attributes.securityPolicyOutcome = outcome;
    if (action !== undefined) attributes.securityPolicyAction = action;
  }
  if (http.cacheLookup === true || typeof http.cacheHit === 'boolean') attributes.cacheHit = http.cacheHit === true;
  const cacheId = text(payload.cacheId);
  if (cacheId !== undefined) attributes.cacheId = cacheId;
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}

/** A protobuf JSON duration (`"0.007911s"`, or `{seconds, nanos}`) in milliseconds. */
function readDurationMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    if (!value.endsWith('s')) return undefined;
    const seconds = num(value.slice(0, -1));
    return seconds === undefined ? undefined : Math.round(seconds * 1e6) / 1e3;
  }
  if (isObject(value)) {
    const seconds = num(value.seconds) ?? 0;
    const nanos = num(value.nanos) ?? 0;
    return value.seconds === undefined && value.nanos === undefined ? undefined : seconds * 1000 + nanos / 1e6;
  }
  return undefined;
}

/** `projects/my-project/traces/241d…` → `241d…`. */
function readTraceId(value: unknown): string | undefined {
  const trace = text(value);
  if (trace === undefined) return undefined;
  const at = trace.lastIndexOf('/traces/');
  const id = at < 0 ? trace : trace.slice(at + 8);
  return id === '' ? undefined : id;
}
