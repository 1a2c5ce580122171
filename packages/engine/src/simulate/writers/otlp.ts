import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor, type SessionPart, sessionPart } from './internal.js';
import { esc, memo, THREE } from './json-text.js';

/**
 * OpenTelemetry traces in OTLP/JSON as the Collector file exporter writes them: one `ExportTraceServiceRequest`
 * per line, holding one HTTP server span per exchange with the current HTTP semantic conventions
 * (`http.request.method`, `url.path`, `client.address`, `http.request.header.<name>`, …): the format the
 * `otlp-json` parser reads.
 *
 * Contract: the span is the upstream service's server span (`service.name` is `upstream.service`), with the
 * client resolved from `X-Forwarded-For` into `client.address` and the proxy as `network.peer.address`. It
 * starts at `time` and lasts `latencyMs`, so the parsed event has the same time and latency as the other
 * formats give. Times are unix nanoseconds as decimal strings, exact to the microsecond. Every request and
 * response header is captured (credentials included, as a gateway that captures them would write them);
 * bodies are not written, because no OTel HTTP convention carries them. The trace id is the exchange id.
 *
 * Hot path: the line is the text `JSON.stringify` gives for the request as an object, but joined from
 * fragments rendered once (the resource per service, the server per host, the attributes of a method, a
 * proxy, a user agent, a route, a status) and the few values that change per request, escaped only when
 * they need it. The request header attributes, most of a line, are rendered once per session
 * (`sessionPart`), and `writeInto` copies their bytes instead of building a whole line.
 */
export const otlpJsonWriter: SimWriter = {
  format: 'otlp-json',
  extension: '.ndjson',
  begin: () => '',
  write: writeOtlpJsonLine,
  writeInto: writeOtlpJsonInto,
  end: () => '',
};

const SPAN_KIND_SERVER = 2;
const STATUS_CODE_ERROR = 2;
/** The methods the HTTP conventions name; any other is `_OTHER` with the method in `http.request.method_original`. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

function writeOtlpJsonLine(x: SimExchange): string {
  return `${lineHead(x)}${requestHeaderAttributes(x).text}${lineTail(x).text}`;
}

/**
 * The line in three pieces: the head, the request header attributes and the tail. The request header
 * attributes cannot end the line, as the session part does in the nginx writer: the response header
 * attributes and the span status follow them.
 */
function writeOtlpJsonInto(x: SimExchange, out: Buffer, at: number): number {
  const head = lineHead(x);
  const headers = requestHeaderAttributes(x);
  const tail = lineTail(x);
  // a UTF-16 code unit takes at most three bytes
  if (out.length - at < 3 * head.length + room(headers) + room(tail)) return -1;
  let n = out.write(head, at);
  n += put(headers, out, at + n);
  return n + put(tail, out, at + n);
}

/** The most bytes `put` writes for a piece. */
function room(piece: SessionPart): number {
  return piece.bytes === undefined ? 3 * piece.text.length : piece.bytes.length;
}

function put(piece: SessionPart, out: Buffer, at: number): number {
  const bytes = piece.bytes;
  if (bytes === undefined) return out.write(piece.text, at);
  out.set(bytes, at);
  return bytes.length;
}

/**
 * `{"resourceSpans":…` to the last attribute before the request headers (`http.response.body.size`, with
 * its comma): what changes from request to request. The cached fragments end with the opening of the value
 * that follows them, so the line is joined from fewer pieces. The id is hex (the exchange's contract) and
 * needs no escaping; numbers are written as `String` writes them, as `JSON.stringify` did for `intValue`.
 */
function lineHead(x: SimExchange): string {
  const { client, request, response } = x;
  const method = request.method;
  const route = x.route;
  const startMicros = Math.round(x.time * 1000);
  const endMicros = startMicros + Math.round(x.latencyMs * 1000);
  return (
    `${resource(x.upstream.service)}${x.id}","spanId":"${x.id.slice(16, 32)}","name":"${spanName(route)(method)}",` +
    `"kind":${SPAN_KIND_SERVER},"startTimeUnixNano":"${nanos(startMicros)}","endTimeUnixNano":"${nanos(endMicros)}",` +
    `"attributes":[${methodAttributes(method)}${esc(request.path)}"}},` +
    (request.query === '' ? '' : `{"key":"url.query","value":{"stringValue":"${esc(request.query)}"}},`) +
    `${serverAttributes(request.scheme)(request.host)}${esc(client.ip)}"}},` +
    `{"key":"client.port","value":{"intValue":"${client.port}"}},${peerAttributes(x.proxyIp)}${agentAttribute(client.userAgent)}` +
    (route === undefined ? '' : routeAttribute(route)) +
    `${statusAttributes(response.status)}${request.size}"}},` +
    (request.body === undefined ? '' : `{"key":"http.request.body.size","value":{"intValue":"${Buffer.byteLength(request.body)}"}},`) +
    `{"key":"http.response.body.size","value":{"intValue":"${response.size}"}},`
  );
}

/**
 * The captured request headers, `X-Forwarded-For` first as the logging hop received it (`forwardedFor`):
 * they depend only on the header object and the client address, so they are rendered once per session.
 */
const requestHeaderAttributes = sessionPart((x) => {
  let text = `${requestHeaderKey('x-forwarded-for')}${esc(forwardedFor(x))}"}]}}}`;
  for (const [name, value] of Object.entries(x.request.headers)) {
    if (name !== 'x-forwarded-for') text += `,${requestHeaderKey(name)}${esc(value)}"}]}}}`;
  }
  return text;
});

/** The tails of the lines with one response header object: without and with the error status. */
interface Tails {
  ok: SessionPart;
  error: SessionPart;
}

/** Tails by response header object: every simulated answer shares one frozen object. */
const tails = new WeakMap<Readonly<Record<string, string>>, Tails>();

/**
 * The response header attributes and the span status to the end of the line. Cached for a frozen header
 * object only: one that is not could change between requests.
 */
function lineTail(x: SimExchange): SessionPart {
  const { headers, status } = x.response;
  let known = tails.get(headers);
  if (known === undefined) {
    let attributes = '';
    for (const [name, value] of Object.entries(headers)) attributes += `,${responseHeaderKey(name)}${esc(value)}"}]}}}`;
    const ok = `${attributes}],"status":{}}]}]}]}\n`;
    const error = `${attributes}],"status":{"code":${STATUS_CODE_ERROR}}}]}]}]}\n`;
    if (!Object.isFrozen(headers)) return { text: status >= 500 ? error : ok };
    known = { ok: { text: ok, bytes: Buffer.from(ok) }, error: { text: error, bytes: Buffer.from(error) } };
    tails.set(headers, known);
  }
  return status >= 500 ? known.error : known.ok;
}

/** `0000` … `9999`. */
const FOUR = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));

/**
 * Whole unix microseconds as nanoseconds in decimal: the text of `${micros}000`. Converting a number as large
 * as today's microseconds to text costs several times more than converting the first digits (a small
 * integer for any time before the year 2286) and looking the last seven up in tables.
 */
function nanos(micros: number): string {
  if (!(micros >= 1e7 && micros < 1e16 && Number.isInteger(micros))) return `${micros}000`;
  let high = Math.floor(micros / 1e7);
  let rest = micros - high * 1e7;
  // the quotient can round up to the next integer near the top of the range
  if (rest < 0) {
    high -= 1;
    rest += 1e7;
  }
  const thousands = Math.floor(rest / 1000);
  return `${high}${FOUR[thousands]}${THREE[rest - thousands * 1000]}000`;
}

/** The line up to the span's trace id: the resource (the service) and the instrumentation scope. */
const resource = memo(
  (service: string) =>
    `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"${esc(service)}"}},` +
    `{"key":"telemetry.sdk.name","value":{"stringValue":"opentelemetry"}}]},` +
    `"scopeSpans":[{"scope":{"name":"@opentelemetry/instrumentation-http"},"spans":[{"traceId":"`,
);

/** The span name (`GET /v2/orders/{id}`, or the method alone without a route), by route and then by method. */
const spanName = memo((route: string | undefined) => memo((method: string) => esc(route === undefined ? method : `${method} ${route}`)));

/** The method (`_OTHER` and the method when the conventions do not name it), up to the `url.path` value. */
const methodAttributes = memo(
  (method: string) =>
    (KNOWN_METHODS.has(method)
      ? `{"key":"http.request.method","value":{"stringValue":"${esc(method)}"}},`
      : `{"key":"http.request.method","value":{"stringValue":"_OTHER"}},` +
        `{"key":"http.request.method_original","value":{"stringValue":"${esc(method)}"}},`) + `{"key":"url.path","value":{"stringValue":"`,
);

/** `url.scheme`, `server.address` and `server.port`, by scheme and then by host, up to the `client.address` value. */
const serverAttributes = memo((scheme: string) =>
  memo((host: string) => {
    const server = splitHost(host, scheme === 'https' ? 443 : 80);
    return (
      `{"key":"url.scheme","value":{"stringValue":"${esc(scheme)}"}},` +
      `{"key":"server.address","value":{"stringValue":"${esc(server.name)}"}},` +
      `{"key":"server.port","value":{"intValue":"${server.port}"}},{"key":"client.address","value":{"stringValue":"`
    );
  }),
);

/** `network.peer.address` (the proxy) and `network.protocol.version`, up to the `user_agent.original` value. */
const peerAttributes = memo(
  (address: string) =>
    `{"key":"network.peer.address","value":{"stringValue":"${esc(address)}"}},` +
    `{"key":"network.protocol.version","value":{"stringValue":"1.1"}},{"key":"user_agent.original","value":{"stringValue":"`,
);

/** The `user_agent.original` value, to the end of the attribute. */
const agentAttribute = memo((userAgent: string) => `${esc(userAgent)}"}},`);

const routeAttribute = memo((route: string) => `{"key":"http.route","value":{"stringValue":"${esc(route)}"}},`);

/** `http.response.status_code` (and `error.type` for a server error), up to the `http.request.size` value. */
const statusAttributes = memo(
  (status: number) =>
    `{"key":"http.response.status_code","value":{"intValue":"${status}"}},` +
    (status >= 500 ? `{"key":"error.type","value":{"stringValue":"${status}"}},` : '') +
    `{"key":"http.request.size","value":{"intValue":"`,
);

/**
 * A header attribute up to its value: the conventions make every captured header an array of its values.
 * The name goes through `JSON.stringify` whole, as the attribute key did.
 */
const requestHeaderKey = memo(
  (name: string) => `{"key":${JSON.stringify(`http.request.header.${name}`)},"value":{"arrayValue":{"values":[{"stringValue":"`,
);
const responseHeaderKey = memo(
  (name: string) => `{"key":${JSON.stringify(`http.response.header.${name}`)},"value":{"arrayValue":{"values":[{"stringValue":"`,
);

/** `api.example.com:8443` → name and port; a bare name (or an IPv6 literal without brackets) gets `defaultPort`. */
export function splitHost(host: string, defaultPort: number): { name: string; port: number } {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const port = Number(host.slice(end + 2));
    return { name: host.slice(1, end), port: host[end + 1] === ':' && Number.isInteger(port) ? port : defaultPort };
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.indexOf(':') !== colon) return { name: host, port: defaultPort };
  const port = Number(host.slice(colon + 1));
  return Number.isInteger(port) ? { name: host.slice(0, colon), port } : { name: host, port: defaultPort };
}
