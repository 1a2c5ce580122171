import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor } from './internal.js';

/**
 * Envoy / Istio JSON access log lines with Istio's default JSON keys, plus the downstream TLS operators, as
 * the `envoy-json` parser reads them.
 *
 * Contract: Envoy is the logging hop, so `downstream_remote_address` is the proxy in front of it and the
 * client is in `x_forwarded_for` (unless the exchange sent its own). `bytes_received` and `bytes_sent` are
 * body bytes and `duration` whole ms, as Envoy logs them. Headers other than these are not logged.
 */
export const envoyJsonWriter: SimWriter = {
  format: 'envoy-json',
  extension: '.ndjson',
  begin: () => '',
  write: (exchange) => `${JSON.stringify(serializeEnvoy(exchange))}\n`,
  end: () => '',
};

function serializeEnvoy(x: SimExchange): Record<string, unknown> {
  const { request, response, client } = x;
  const https = request.scheme === 'https';
  return {
    start_time: new Date(x.time).toISOString(),
    route_name: x.route ?? null,
    method: request.method,
    path: request.query === '' ? request.path : `${request.path}?${request.query}`,
    // the ALPN of the JA4 fingerprint (`t13d1516h2_…`)
    protocol: https && client.tls.ja4.slice(8, 10) === 'h2' ? 'HTTP/2' : 'HTTP/1.1',
    response_code: response.status,
    response_flags: '-',
    response_code_details: 'via_upstream',
    connection_termination_details: null,
    upstream_transport_failure_reason: null,
    bytes_received: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    bytes_sent: response.size,
    duration: Math.round(x.latencyMs),
    upstream_service_time: String(Math.round(x.upstreamMs)),
    x_forwarded_for: forwardedFor(x),
    user_agent: request.headers['user-agent'] ?? client.userAgent,
    request_id: x.id,
    authority: request.host,
    upstream_host: x.upstream.address,
    upstream_cluster: x.upstream.service,
    // the proxy's source port is not part of the exchange: the client's stands in
    downstream_remote_address: x.proxyIp.includes(':') ? `[${x.proxyIp}]:${client.port}` : `${x.proxyIp}:${client.port}`,
    requested_server_name: https ? request.host : null,
    downstream_tls_version: https ? client.tls.version : null,
    downstream_tls_cipher: https ? client.tls.cipher : null,
  };
}
