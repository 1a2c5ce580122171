import type { SimExchange, SimWriter } from '../exchange.js';
import { forwardedFor } from './internal.js';

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
 */
export const otlpJsonWriter: SimWriter = {
  format: 'otlp-json',
  extension: '.ndjson',
  begin: () => '',
  write: writeOtlpJsonLine,
  end: () => '',
};

/** An OTLP/JSON `AnyValue`, as far as HTTP span attributes need it (`int64` is a decimal string). */
type AnyValue = { stringValue: string } | { intValue: string } | { arrayValue: { values: { stringValue: string }[] } };

interface KeyValue {
  key: string;
  value: AnyValue;
}

const SPAN_KIND_SERVER = 2;
const STATUS_CODE_ERROR = 2;
/** The methods the HTTP conventions name; any other is `_OTHER` with the method in `http.request.method_original`. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

function writeOtlpJsonLine(x: SimExchange): string {
  const { client, request, response } = x;
  const attributes: KeyValue[] = [];
  const put = (key: string, value: AnyValue): void => {
    attributes.push({ key, value });
  };
  if (KNOWN_METHODS.has(request.method)) {
    put('http.request.method', str(request.method));
  } else {
    put('http.request.method', str('_OTHER'));
    put('http.request.method_original', str(request.method));
  }
  put('url.path', str(request.path));
  if (request.query !== '') put('url.query', str(request.query));
  put('url.scheme', str(request.scheme));
  const server = splitHost(request.host, request.scheme === 'https' ? 443 : 80);
  put('server.address', str(server.name));
  put('server.port', int(server.port));
  put('client.address', str(client.ip));
  put('client.port', int(client.port));
  put('network.peer.address', str(x.proxyIp));
  put('network.protocol.version', str('1.1'));
  put('user_agent.original', str(client.userAgent));
  if (x.route !== undefined) put('http.route', str(x.route));
  put('http.response.status_code', int(response.status));
  if (response.status >= 500) put('error.type', str(String(response.status)));
  put('http.request.size', int(request.size));
  if (request.body !== undefined) put('http.request.body.size', int(Buffer.byteLength(request.body)));
  put('http.response.body.size', int(response.size));

  put('http.request.header.x-forwarded-for', list([forwardedFor(x)]));
  for (const [name, value] of Object.entries(request.headers)) {
    if (name !== 'x-forwarded-for') put(`http.request.header.${name}`, list([value]));
  }
  for (const [name, value] of Object.entries(response.headers)) put(`http.response.header.${name}`, list([value]));

  const startMicros = Math.round(x.time * 1000);
  const endMicros = startMicros + Math.round(x.latencyMs * 1000);
  const exportRequest = {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: str(x.upstream.service) },
            { key: 'telemetry.sdk.name', value: str('opentelemetry') },
          ],
        },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-http' },
            spans: [
              {
                traceId: x.id,
                spanId: x.id.slice(16, 32),
                name: x.route === undefined ? request.method : `${request.method} ${x.route}`,
                kind: SPAN_KIND_SERVER,
                startTimeUnixNano: `${startMicros}000`,
                endTimeUnixNano: `${endMicros}000`,
                attributes,
                status: response.status >= 500 ? { code: STATUS_CODE_ERROR } : {},
              },
            ],
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(exportRequest)}\n`;
}

function str(value: string): AnyValue {
  return { stringValue: value };
}

function int(value: number): AnyValue {
  return { intValue: String(value) };
}

/** A header attribute: the conventions make every captured header an array of its values. */
function list(values: readonly string[]): AnyValue {
  return { arrayValue: { values: values.map((value) => ({ stringValue: value })) } };
}

/** `api.example.com:8443` → name and port; a bare name (or an IPv6 literal without brackets) gets `defaultPort`. */
function splitHost(host: string, defaultPort: number): { name: string; port: number } {
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
