import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor, sessionPart, writeHeadAndPart } from './internal.js';
import { esc, isoTime, memo, quoted } from './json-text.js';

/**
 * Envoy / Istio JSON access log lines with Istio's default JSON keys, plus the downstream TLS operators, as
 * the `envoy-json` parser reads them.
 *
 * Contract: Envoy is the logging hop, so `downstream_remote_address` is the proxy in front of it and the
 * client is in `x_forwarded_for` (unless the exchange sent its own). `bytes_received` and `bytes_sent` are
 * body bytes and `duration` whole ms, as Envoy logs them. Headers other than these are not logged. Hot path:
 * strings escaped only when they need it, values from small sets (routes, upstreams, proxies) rendered once,
 * the fields a session's requests share rendered once per session (`clientFields`), and `writeInto` copies
 * their bytes instead of building a whole line.
 */
export const envoyJsonWriter: SimWriter = {
  format: 'envoy-json',
  extension: '.ndjson',
  begin: () => '',
  write: writeEnvoyLine,
  writeInto: writeEnvoyInto,
  end: () => '',
};

function writeEnvoyLine(x: SimExchange): string {
  return `${lineHead(x)}${clientFields(x).text}`;
}

function writeEnvoyInto(x: SimExchange, out: Buffer, at: number): number {
  return writeHeadAndPart(lineHead(x), clientFields(x), out, at);
}

/** The keys whose values never change, with their values. */
const FIXED =
  '"response_flags":"-","response_code_details":"via_upstream","connection_termination_details":null,' +
  '"upstream_transport_failure_reason":null,';

/**
 * `{"start_time":…` to the fixed keys: what changes from request to request. The path is escaped by parts
 * (no surrogate pair can span the `?` between them); the id is hex (the exchange's contract).
 */
function lineHead(x: SimExchange): string {
  const { request } = x;
  const query = request.query === '' ? '' : `?${esc(request.query)}`;
  const received = request.body === undefined ? 0 : Buffer.byteLength(request.body);
  return (
    `{"start_time":"${isoTime(x.time)}",${routeName(x.route)}"method":${few(request.method)},` +
    `"path":"${esc(request.path)}${query}","response_code":${x.response.status},` +
    `"bytes_received":${received},"bytes_sent":${x.response.size},"duration":${Math.round(x.latencyMs)},` +
    `"upstream_service_time":"${Math.round(x.upstreamMs)}","request_id":"${x.id}",${upstreamFields(x.upstream)}` +
    `${remoteAddress(x.proxyIp)}${x.client.port}",${FIXED}`
  );
}

/** `"protocol":…` to the end of the line: what the client and its headers make of it, once per session. */
const clientFields = sessionPart((x) => {
  const { client, request } = x;
  const https = request.scheme === 'https';
  // the ALPN of the JA4 fingerprint (`t13d1516h2_…`)
  const protocol = https && client.tls.ja4.slice(8, 10) === 'h2' ? 'HTTP/2' : 'HTTP/1.1';
  return (
    `"protocol":"${protocol}","x_forwarded_for":${quoted(forwardedFor(x))},` +
    `"user_agent":${quoted(request.headers['user-agent'] ?? client.userAgent)},"authority":${quoted(request.host)},` +
    `"requested_server_name":${https ? quoted(request.host) : 'null'},` +
    `"downstream_tls_version":${https ? quoted(client.tls.version) : 'null'},` +
    `"downstream_tls_cipher":${https ? quoted(client.tls.cipher) : 'null'}}\n`
  );
});

/** `"route_name":…,` for each route template seen (a few dozen), and for none. */
const routeName = memo((route: string | undefined) => (route === undefined ? '"route_name":null,' : `"route_name":${quoted(route)},`));

/** `quoted` for values from a small set (methods). */
const few = memo(quoted);

interface KnownUpstream {
  service: string;
  address: string;
  text: string;
}

/**
 * `"upstream_host":…,"upstream_cluster":…,` of an upstream. Exchanges of a service share one upstream object,
 * so the text is kept with it; the strings are compared too, as an exchange built by hand may reuse an object
 * it changed.
 */
const upstreams = new WeakMap<SimExchange['upstream'], KnownUpstream>();

function upstreamFields(upstream: SimExchange['upstream']): string {
  const known = upstreams.get(upstream);
  if (known !== undefined && known.service === upstream.service && known.address === upstream.address) return known.text;
  const text = `"upstream_host":${quoted(upstream.address)},"upstream_cluster":${quoted(upstream.service)},`;
  upstreams.set(upstream, { service: upstream.service, address: upstream.address, text });
  return text;
}

/**
 * `"downstream_remote_address":"<proxy>:` (IPv6 in brackets), for the port to follow. Proxies are a handful
 * of addresses.
 */
const remoteAddress = memo((proxyIp: string) => `"downstream_remote_address":"${esc(proxyIp.includes(':') ? `[${proxyIp}]` : proxyIp)}:`);
