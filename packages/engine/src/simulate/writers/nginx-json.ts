import type { SimExchange, SimWriter } from '../exchange.js';
import { basicAuthUser, forwardedFor, sessionPart, writeHeadAndPart } from './internal.js';
import { esc, isoTime, memo, THREE } from './json-text.js';

/**
 * nginx access log lines as written by a `log_format palisade escape=json '{…}'` whose keys are nginx variable
 * names (`time_iso8601`, `remote_addr`, `request`, `status`, `http_x_forwarded_for`, …), one JSON object per
 * line, every value a string as that `log_format` quotes them: the format the `nginx-json` parser reads.
 *
 * Contract: nginx is the logging hop behind the proxy, so `remote_addr` is `proxyIp` and
 * `http_x_forwarded_for` is the chain it received (`forwardedFor`: any `X-Forwarded-For` the client sent,
 * then the client). `time_iso8601` carries milliseconds (stock nginx writes whole seconds; the parser reads the
 * fraction). Absent values are `""` as nginx writes them; `request_body` is present only for a request with a
 * body. Hot path: strings escaped only when they need it; the fields a session's requests share are rendered
 * once per session (`clientFields`), and `writeInto` copies their bytes instead of building a whole line.
 */
export const nginxJsonWriter: SimWriter = {
  format: 'nginx-json',
  extension: '.ndjson',
  begin: () => '',
  write: writeNginxJsonLine,
  writeInto: writeNginxJsonInto,
  end: () => '',
};

function writeNginxJsonLine(x: SimExchange): string {
  return `${lineHead(x)}${clientFields(x).text}`;
}

function writeNginxJsonInto(x: SimExchange, out: Buffer, at: number): number {
  return writeHeadAndPart(lineHead(x), clientFields(x), out, at);
}

/**
 * `{"time_iso8601":…` to `"request_id":…,` (and `"request_body"`): what changes from request to request. The
 * request line is escaped by parts (no surrogate pair can span the space or the `?` between them); the id is
 * hex (the exchange's contract).
 */
function lineHead(x: SimExchange): string {
  const { client, request, response } = x;
  const query = request.query === '' ? '' : `?${esc(request.query)}`;
  const body = request.body === undefined ? '' : `"request_body":${JSON.stringify(request.body)},`;
  return (
    `{"time_iso8601":"${isoTime(x.time)}","remote_addr":"${few(x.proxyIp)}","remote_port":"${client.port}",` +
    `"request":"${few(request.method)} ${esc(request.path)}${query} HTTP/1.1",` +
    `"status":"${response.status}","body_bytes_sent":"${response.size}","request_length":"${request.size}",` +
    `"request_time":"${seconds(x.latencyMs)}","upstream_response_time":"${seconds(x.upstreamMs)}",` +
    `"upstream_addr":"${few(x.upstream.address)}","sent_http_content_type":"${few(x.response.headers['content-type'])}",` +
    `"request_id":"${x.id}",${body}`
  );
}

/** `"remote_user":…` to the end of the line: what the client and its headers make of it, once per session. */
const clientFields = sessionPart((x) => {
  const { client, request } = x;
  const headers = request.headers;
  const tls = request.scheme === 'https';
  return (
    `"remote_user":"${esc(basicAuthUser(headers.authorization))}","http_referer":"${esc(headers.referer)}",` +
    `"http_user_agent":"${few(client.userAgent)}","http_x_forwarded_for":"${esc(forwardedFor(x))}",` +
    `"host":"${few(request.host)}","scheme":"${request.scheme}",` +
    `"ssl_protocol":"${tls ? few(client.tls.version) : ''}","ssl_cipher":"${tls ? few(client.tls.cipher) : ''}",` +
    `"http_authorization":"${esc(headers.authorization)}","http_x_api_key":"${few(headers['x-api-key'])}",` +
    `"http_cookie":"${esc(headers.cookie)}","http_content_type":"${few(headers['content-type'])}"}\n`
  );
});

/** `esc` for values that repeat across many requests (addresses, hosts, user agents, methods). */
const few = memo(esc);

/** Milliseconds as nginx writes a duration: seconds with three decimals (`0.042`). */
function seconds(ms: number): string {
  const whole = Math.round(ms);
  const s = Math.floor(whole / 1000);
  return `${s}.${THREE[whole - s * 1000]}`;
}
