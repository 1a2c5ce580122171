import { type ParsedEvent, type ParseOutcome, type Parser, type ParseReject, reject, skip } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { isObject, num, parseJsonObject, status, text } from '../internal/fields.js';
import { addHeader, normalizeHttpVersion, splitUrl, takeHeader } from '../har/internal-url.js';

/** A decoded OTLP `AnyValue`: arrays keep their scalar items as strings. */
type AttrValue = string | number | boolean | string[];
type Attrs = Record<string, AttrValue>;

const SPAN_KIND_SERVER = 2;
const REQUEST_HEADER = 'http.request.header.';
const RESPONSE_HEADER = 'http.response.header.';
const NANOS = /^\d{1,20}$/;
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ZEROS = /^0+$/;

/**
 * OpenTelemetry traces in OTLP/JSON (`ExportTraceServiceRequest`, one per line as the Collector file exporter
 * writes them, or one OTLP/HTTP push body): one event per HTTP server span.
 *
 * Reads both the current HTTP semantic conventions (`http.request.method`, `url.path`, `client.address`,
 * `http.request.header.<name>`, …) and the old ones (`http.method`, `http.target`, `http.client_ip`,
 * `net.peer.ip`, …), `resourceSpans[].scopeSpans[]` and the older `instrumentationLibrarySpans[]`. A record
 * gives an array with one item per HTTP server span (an event, or the rejection of an unusable span); a
 * record without one is skipped. Client, internal and non-HTTP spans are not events.
 */
export const otlpJsonParser: Parser = {
  format: 'otlp-json',
  aliases: ['otlp', 'opentelemetry'],
  description: 'OpenTelemetry traces, OTLP/JSON ExportTraceServiceRequest per line (HTTP server spans)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, (line) => line.includes('"resourceSpans"') && Array.isArray(parseJsonObject(line)?.resourceSpans));
  },
  open() {
    return { parse: parseOtlpJson };
  },
};

function parseOtlpJson(line: string): ParseOutcome {
  const request = parseJsonObject(line);
  if (request === undefined) return reject('malformed_json');
  const resourceSpans = request.resourceSpans;
  if (!Array.isArray(resourceSpans)) {
    if ('resourceLogs' in request || 'resourceMetrics' in request || 'resourceProfiles' in request) {
      return skip('not a trace export');
    }
    return reject('missing_field', 'resourceSpans');
  }
  const items: (ParsedEvent | ParseReject)[] = [];
  for (const resourceSpan of resourceSpans) {
    if (!isObject(resourceSpan)) continue;
    const resource = resourceSpan.resource;
    const service = isObject(resource) ? text(findAttribute(resource.attributes, 'service.name')) : undefined;
    const scopes = resourceSpan.scopeSpans ?? resourceSpan.instrumentationLibrarySpans;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      if (!isObject(scope) || !Array.isArray(scope.spans)) continue;
      for (const span of scope.spans) {
        if (!isObject(span)) continue;
        const item = parseSpan(span, service);
        if (item !== undefined) items.push(item);
      }
    }
  }
  return items.length === 0 ? skip('no http server spans') : items;
}

/** One span: an event, a rejection, or `undefined` when it is not an HTTP server span. */
function parseSpan(span: Record<string, unknown>, service: string | undefined): ParsedEvent | ParseReject | undefined {
  const kind = span.kind;
  const isServer = kind === SPAN_KIND_SERVER || kind === 'SPAN_KIND_SERVER';
  const isUnset = kind === undefined || kind === null || kind === 0 || kind === 'SPAN_KIND_UNSPECIFIED';
  if (!isServer && !isUnset) return undefined;

  const a: Attrs = Object.create(null);
  const requestHeaders: Record<string, string> = {};
  const responseHeaders: Record<string, string> = {};
  if (Array.isArray(span.attributes)) {
    for (const kv of span.attributes) {
      if (!isObject(kv) || typeof kv.key !== 'string') continue;
      const value = readAnyValue(kv.value);
      if (value === undefined) continue;
      const key = kv.key;
      if (key.startsWith(REQUEST_HEADER)) addHeaderAttribute(requestHeaders, key.slice(REQUEST_HEADER.length), value);
      else if (key.startsWith(RESPONSE_HEADER)) addHeaderAttribute(responseHeaders, key.slice(RESPONSE_HEADER.length), value);
      else a[key] = value;
    }
  }

  const requestMethod = text(a['http.request.method']);
  const method =
    requestMethod === '_OTHER' ? (text(a['http.request.method_original']) ?? requestMethod) : (requestMethod ?? text(a['http.method']));
  if (method === undefined) return undefined;
  let path = text(a['url.path']);
  const target = path === undefined ? text(a['http.target']) : undefined;
  if (isUnset && path === undefined && target === undefined) return undefined;

  const start = readNanos(span.startTimeUnixNano);
  if (start === undefined) return reject('bad_timestamp');

  let query = typeof a['url.query'] === 'string' ? a['url.query'] : undefined;
  let scheme = text(a['url.scheme']) ?? text(a['http.scheme']);
  let host = text(a['server.address']) ?? text(a['http.host']) ?? text(a['net.host.name']) ?? text(a['http.server_name']);
  if (path === undefined) {
    const full = text(a['url.full']) ?? text(a['http.url']);
    const raw = target ?? full;
    if (raw === undefined) return reject('missing_field', 'url.path');
    const parts = splitUrl(raw);
    if (parts === undefined) return reject('bad_request_line', target === undefined ? 'url.full' : 'http.target');
    path = parts.path;
    query = parts.query;
    const fullParts = target !== undefined && full !== undefined ? splitUrl(full) : parts;
    scheme ??= fullParts?.scheme;
    host ??= fullParts?.host;
  }

  const code = a['http.response.status_code'] ?? a['http.status_code'];
  const responseStatus = status(code);
  if (code !== undefined && responseStatus === undefined && num(code) !== 0) return reject('bad_status');

  const end = readNanos(span.endTimeUnixNano);
  // Exact in integer nanoseconds for any duration under 104 days.
  const durationNanos = end === undefined ? -1 : (end.ms - start.ms) * 1e6 + (end.subMsNanos - start.subMsNanos);
  const latencyMs = durationNanos < 0 ? undefined : durationNanos / 1e6;
  const hostHeader = takeHeader(requestHeaders, 'host');
  const headerUserAgent = takeHeader(requestHeaders, 'user-agent');
  const event: ParsedEvent = {
    time: start.ms + start.subMsNanos / 1e6,
    request: {
      method,
      scheme,
      host: host ?? hostHeader,
      path,
      query,
      headers: requestHeaders,
      size: num(a['http.request.size']) ?? num(a['http.request.body.size']) ?? num(a['http.request_content_length']),
      httpVersion: normalizeHttpVersion(text(a['network.protocol.version']) ?? text(a['http.flavor'])),
    },
    latencyMs,
    client: {
      ip: text(a['client.address']) ?? text(a['http.client_ip']),
      peerIp: text(a['network.peer.address']) ?? text(a['net.sock.peer.addr']) ?? text(a['net.peer.ip']),
      port: num(a['client.port']) ?? num(a['network.peer.port']) ?? num(a['net.sock.peer.port']) ?? num(a['net.peer.port']),
      forwardedFor: takeHeader(requestHeaders, 'x-forwarded-for'),
      userAgent: text(a['user_agent.original']) ?? text(a['http.user_agent']) ?? headerUserAgent,
    },
    traceId: readId(span.traceId, 16),
    spanId: readId(span.spanId, 8),
  };
  if (responseStatus !== undefined) {
    event.response = {
      status: responseStatus,
      headers: responseHeaders,
      size: num(a['http.response.body.size']) ?? num(a['http.response_content_length']),
    };
  }
  const user = text(a['enduser.id']);
  if (user !== undefined) event.identity = { user };
  const route = text(a['http.route']);
  if (service !== undefined || route !== undefined) event.upstream = { service, route };
  const errorType = text(a['error.type']);
  if (errorType !== undefined) event.attributes = { errorType };
  return event;
}

/** Decodes an OTLP/JSON `AnyValue` (`{"stringValue":…}`, `{"intValue":"123"}`, …); maps and bytes are not read. */
function readAnyValue(value: unknown): AttrValue | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  const int = value.intValue;
  if (int !== undefined) {
    const n = typeof int === 'number' ? int : typeof int === 'string' && int !== '' ? Number(int) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  const array = value.arrayValue;
  if (isObject(array) && Array.isArray(array.values)) {
    const items: string[] = [];
    for (const item of array.values) {
      const scalar = readAnyValue(item);
      if (typeof scalar === 'string' || typeof scalar === 'number' || typeof scalar === 'boolean') items.push(String(scalar));
    }
    return items;
  }
  return undefined;
}

/** The value of one attribute in an OTLP `KeyValue` list, or `undefined`. */
function findAttribute(list: unknown, key: string): AttrValue | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const kv of list) if (isObject(kv) && kv.key === key) return readAnyValue(kv.value);
  return undefined;
}

/**
 * A captured header attribute: the name is lower-case, with `_` for `-` in older semantic conventions and
 * SDKs (`x_forwarded_for`); the value is an array of values, or one string.
 */
function addHeaderAttribute(headers: Record<string, string>, name: string, value: AttrValue): void {
  if (name === '') return;
  const header = name.replaceAll('_', '-');
  if (Array.isArray(value)) {
    for (const item of value) addHeader(headers, header, item);
  } else {
    addHeader(headers, header, String(value));
  }
}

/** Epoch nanoseconds split into whole milliseconds and the nanoseconds beyond, so no precision is lost. */
interface Nanos {
  ms: number;
  subMsNanos: number;
}

/**
 * Reads a `fixed64` nanosecond time: a decimal string in OTLP/JSON (beyond 2^53, so it is split rather
 * than converted whole) or a JSON number (kept to the microsecond). `undefined` for junk, negatives and times within the
 * first millisecond of the epoch (an unset time is 0).
 */
function readNanos(value: unknown): Nanos | undefined {
  if (typeof value === 'number') {
    // A JSON number this large is only exact to ~256 ns: keep whole microseconds.
    if (!Number.isFinite(value) || value < 1e6) return undefined;
    const micros = Math.round(value / 1000);
    const ms = Math.floor(micros / 1000);
    return { ms, subMsNanos: (micros - ms * 1000) * 1000 };
  }
  if (typeof value !== 'string' || !NANOS.test(value)) return undefined;
  const cut = value.length - 6;
  const ms = cut > 0 ? Number(value.slice(0, cut)) : 0;
  const subMsNanos = Number(cut > 0 ? value.slice(cut) : value);
  return ms === 0 ? undefined : { ms, subMsNanos };
}

/**
 * A trace or span id as lower-case hex. OTLP/JSON writes hex (any case); exporters that use the plain
 * protobuf JSON mapping write base64, which is converted. All-zero (invalid) ids give `undefined`.
 */
function readId(value: unknown, bytes: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  let id: string | undefined;
  if (value.length === bytes * 2 && HEX.test(value)) id = value.toLowerCase();
  else if (value.length === Math.ceil(bytes / 3) * 4 && BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) id = decoded.toString('hex');
  }
  return id === undefined || ZEROS.test(id) ? undefined : id;
}
