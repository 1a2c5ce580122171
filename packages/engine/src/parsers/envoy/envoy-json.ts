import { type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { parseJsonObject } from '../internal/fields.js';
import { buildEnvoyEvent } from './internal-envoy.js';

/**
 * Envoy / Istio JSON access logs (`json_format`, Istio `accessLogEncoding: JSON`) with the key names of
 * Istio's default JSON format (`start_time`, `method`, `path`, `response_code`, `response_flags`,
 * `upstream_host`, …); Envoy Gateway's default keys (`:authority`, `x-envoy-origin-path`, `user-agent`,
 * `x-forwarded-for`, `x-request-id`, `x-envoy-upstream-service-time`) are accepted too, and the TLS keys
 * named after their command operators (`downstream_peer_subject`, `downstream_peer_uri_san`,
 * `downstream_tls_version`, `downstream_tls_cipher`).
 *
 * Contract: unset operators are `null` (or `-`) and read as absent; TCP proxy entries are skipped.
 */
export const envoyJsonParser: Parser = {
  format: 'envoy-json',
  aliases: ['istio-json'],
  description: 'Envoy / Istio JSON access log (json_format with Istio key names)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(
      lines,
      (o) => 'start_time' in o && 'response_code' in o && ('response_flags' in o || 'upstream_cluster' in o || 'upstream_host' in o),
    );
  },
  open() {
    return { parse: parseEnvoyJson };
  },
};

function parseEnvoyJson(line: string): ParseOutcome {
  const o = parseJsonObject(line);
  if (o === undefined) return reject('malformed_json');
  return buildEnvoyEvent({
    startTime: o.start_time,
    method: o.method,
    path: o.path ?? o['x-envoy-origin-path'],
    protocol: o.protocol,
    responseCode: o.response_code,
    responseFlags: o.response_flags,
    responseCodeDetails: o.response_code_details,
    connectionTerminationDetails: o.connection_termination_details,
    upstreamTransportFailureReason: o.upstream_transport_failure_reason,
    bytesReceived: o.bytes_received,
    bytesSent: o.bytes_sent,
    duration: o.duration,
    upstreamServiceTime: o.upstream_service_time ?? o['x-envoy-upstream-service-time'],
    forwardedFor: o.x_forwarded_for ?? o['x-forwarded-for'],
    userAgent: o.user_agent ?? o['user-agent'],
    requestId: o.request_id ?? o['x-request-id'],
    authority: o.authority ?? o[':authority'],
    upstreamHost: o.upstream_host,
    upstreamCluster: o.upstream_cluster,
    downstreamRemoteAddress: o.downstream_remote_address,
    downstreamDirectRemoteAddress: o.downstream_direct_remote_address,
    requestedServerName: o.requested_server_name,
    routeName: o.route_name,
    peerSubject: o.downstream_peer_subject,
    peerUriSan: o.downstream_peer_uri_san,
    tlsVersion: o.downstream_tls_version,
    tlsCipher: o.downstream_tls_cipher,
    traceparent: o.traceparent,
    traceId: o.trace_id,
  });
}
