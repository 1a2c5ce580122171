import { type ParsedEvent, type ParseOutcome, type Parser, type RecordParser, reject } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { isObject, num, parseJsonObject, putAttribute, splitRequestLine, status, text } from '../internal/fields.js';
import { parseAnyTime, parseIsoTime } from '../internal/time.js';
import { resolveFastlyOptions } from './config.js';

type Fields = Record<string, unknown>;

/**
 * The fields the parser reads, named as in Fastly's recommended JSON log format, each with the keys tried
 * when no `fieldMap` entry names it: first the recommended name, then the names of the other layouts
 * Fastly documents (the Datadog layout nests under `http.*` / `network.*`; the Honeycomb and Sumo Logic
 * layouts use `request`, `protocol`, `status`, `resp_body_size`, `time_start`).
 */
export const FASTLY_FIELDS = {
  timestamp: ['timestamp', 'time_start', 'date', 'time'],
  client_ip: ['client_ip', 'network.client.ip'],
  client_port: ['client_port', 'network.client.port'],
  host: ['host'],
  url: ['url', 'http.url'],
  request_method: ['request_method', 'http.method', 'request', 'method'],
  request_protocol: ['request_protocol', 'protocol', 'http.protocol'],
  request_referer: ['request_referer', 'http.referer'],
  request_user_agent: ['request_user_agent', 'http.useragent'],
  request_x_forwarded_for: ['request_x_forwarded_for', 'http.request_x_forwarded_for'],
  req_header_size: ['req_header_size'],
  req_body_size: ['req_body_size', 'network.bytes_read'],
  response_status: ['response_status', 'status', 'http.status_code'],
  response_state: ['response_state', 'cache_status'],
  response_body_size: ['response_body_size', 'resp_body_size', 'network.bytes_written'],
  content_type: ['content_type'],
  time_elapsed: ['time_elapsed'],
  request_time_ms: ['request_time_ms', 'http.request_time_ms'],
  is_tls: ['is_tls'],
  tls_client_protocol: ['tls_client_protocol'],
  tls_client_cipher: ['tls_client_cipher'],
  tls_client_servername: ['tls_client_servername'],
  tls_client_ja3_md5: ['tls_client_ja3_md5'],
  tls_client_ja4: ['tls_client_ja4'],
  fastly_server: ['fastly_server'],
  fastly_is_edge: ['fastly_is_edge'],
  server_datacenter: ['server_datacenter'],
  geo_country: ['geo_country', 'geo_country_code', 'network.geoip.geo_country_code'],
  request_id: ['request_id'],
  service_id: ['service_id'],
} as const satisfies Record<string, readonly string[]>;

type FieldName = keyof typeof FASTLY_FIELDS;
type Paths = Record<FieldName, readonly (readonly string[])[]>;

/** Keys that are `request_*` / `response_*` but not headers. */
const NOT_HEADERS = new Set(['response_reason', 'response_header_size', 'request_latency']);

/** Logged header keys whose name is not the header name with `_` for `-` (Fastly's Datadog layout). */
const HEADER_NAMES: Record<string, string> = { request_accept_content: 'accept' };

const DEFAULT_PATHS = compilePaths(undefined);
const DEFAULT_CONSUMED = consumedKeys(DEFAULT_PATHS);

/**
 * Fastly real-time log streaming in JSON. Fastly has no fixed schema (the user writes a VCL log format);
 * this reads the JSON layout Fastly recommends for its logging endpoints (`timestamp`, `client_ip`, `host`,
 * `url`, `request_method`, `response_status`, `response_state`, `fastly_server`, `fastly_is_edge`, …) and
 * the Datadog, Honeycomb and Sumo Logic layouts; other layouts through the `fieldMap` option.
 *
 * Contract: a syslog header before the JSON (Fastly's `classic`/`loggly` log line formats) is skipped.
 * `time_elapsed` is microseconds (`time.elapsed.usec`), `request_time_ms` milliseconds. `client_ip`
 * (`Fastly-Client-IP`) is both `client.peerIp` and `client.ip`. Other top-level `request_<name>` and
 * `response_<name>` keys are logged headers (`request_accept_language` → `accept-language`).
 */
export const fastlyParser: Parser = {
  format: 'fastly',
  description: 'Fastly real-time log streaming, JSON log format (recommended, Datadog or custom layout)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, (line) => {
      const outer = parseJsonObject(stripSyslogHeader(line) ?? '');
      if (outer === undefined) return false;
      const o = selectRoot(outer);
      const fastlyKeys =
        'fastly_server' in o ||
        'fastly_is_edge' in o ||
        'response_state' in o ||
        outer.ddsource === 'fastly' ||
        ('service_id' in o && 'time_elapsed' in o);
      return fastlyKeys && ('url' in o || isObject(o.http));
    });
  },
  open(options) {
    const { fieldMap } = resolveFastlyOptions(options?.options);
    if (fieldMap === undefined) return new FastlyRecordParser(DEFAULT_PATHS, DEFAULT_CONSUMED);
    const paths = compilePaths(fieldMap);
    const consumed = consumedKeys(paths);
    for (const key of DEFAULT_CONSUMED) consumed.add(key);
    return new FastlyRecordParser(paths, consumed);
  },
};

class FastlyRecordParser implements RecordParser {
  constructor(
    private readonly paths: Paths,
    private readonly consumed: ReadonlySet<string>,
  ) {}

  parse(line: string): ParseOutcome {
    const json = stripSyslogHeader(line);
    if (json === undefined) return reject('malformed_line');
    const outer = parseJsonObject(json);
    if (outer === undefined) return reject('malformed_json');
    const root = selectRoot(outer);

    const rawTime = this.get(root, outer, 'timestamp');
    if (rawTime === undefined || rawTime === null) return reject('missing_field', 'timestamp');
    const time = readTime(rawTime);
    if (time === undefined) return reject('bad_timestamp');

    let method = text(this.get(root, outer, 'request_method'));
    let url = text(this.get(root, outer, 'url'));
    let httpVersion = text(this.get(root, outer, 'request_protocol'));
    if (method?.includes(' ')) {
      const parts = splitRequestLine(method);
      if (parts === undefined) return reject('bad_request_line');
      method = parts.method;
      url ??= parts.url;
      httpVersion ??= parts.httpVersion;
    }
    if (method === undefined || url === undefined) return reject('missing_field', 'request');

    const code = this.get(root, outer, 'response_status');
    const responseStatus = status(code);
    if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

    const clientIp = text(this.get(root, outer, 'client_ip'));
    const requestHeaders: Record<string, string> = {};
    const responseHeaders: Record<string, string> = {};
    const referer = text(this.get(root, outer, 'request_referer'));
    if (referer !== undefined) requestHeaders.referer = referer;
    this.collectHeaders(root, requestHeaders, responseHeaders);
    const contentType = text(this.get(root, outer, 'content_type'));
    if (contentType !== undefined) responseHeaders['content-type'] ??= contentType;

    const event: ParsedEvent = {
      time,
      request: {
        method,
        scheme: readScheme(this.get(root, outer, 'is_tls')),
        host: text(this.get(root, outer, 'host')),
        url,
        headers: requestHeaders,
        size: sumSizes(num(this.get(root, outer, 'req_header_size')), num(this.get(root, outer, 'req_body_size'))),
        httpVersion,
      },
      latencyMs: this.readLatency(root, outer),
      client: {
        peerIp: clientIp,
        ip: clientIp,
        port: num(this.get(root, outer, 'client_port')),
        forwardedFor: text(this.get(root, outer, 'request_x_forwarded_for')),
        userAgent: text(this.get(root, outer, 'request_user_agent')),
      },
    };
    if (responseStatus !== undefined) {
      event.response = {
        status: responseStatus,
        headers: responseHeaders,
        size: num(this.get(root, outer, 'response_body_size')),
      };
    }
    const version = text(this.get(root, outer, 'tls_client_protocol'));
    const cipher = text(this.get(root, outer, 'tls_client_cipher'));
    const sni = text(this.get(root, outer, 'tls_client_servername'));
    const ja3 = text(this.get(root, outer, 'tls_client_ja3_md5'));
    const ja4 = text(this.get(root, outer, 'tls_client_ja4'));
    if (version !== undefined || cipher !== undefined || sni !== undefined || ja3 !== undefined || ja4 !== undefined) {
      event.client.tls = { version, cipher, sni, ja3, ja4 };
    }
    const attributes = this.readAttributes(root, outer);
    if (attributes !== undefined) event.attributes = attributes;
    return event;
  }

  /** The first defined value among the field's keys, in the record's root, then (nested layouts) its envelope. */
  private get(root: Fields, outer: Fields, name: FieldName): unknown {
    for (const path of this.paths[name]) {
      const value = readPath(root, path);
      if (value !== undefined) return value;
    }
    if (root === outer) return undefined;
    for (const path of this.paths[name]) {
      const value = readPath(outer, path);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private collectHeaders(root: Fields, request: Record<string, string>, response: Record<string, string>): void {
    for (const key in root) {
      if (this.consumed.has(key) || NOT_HEADERS.has(key)) continue;
      const isRequest = key.startsWith('request_');
      if (!isRequest && !key.startsWith('response_')) continue;
      const value = text(root[key]);
      if (value === undefined) continue;
      const name = HEADER_NAMES[key] ?? key.slice(isRequest ? 8 : 9).replaceAll('_', '-');
      if (isRequest) request[name] = value;
      else response[name] = value;
    }
  }

  private readLatency(root: Fields, outer: Fields): number | undefined {
    const micros = num(this.get(root, outer, 'time_elapsed'));
    if (micros !== undefined) return micros / 1000;
    return num(this.get(root, outer, 'request_time_ms'));
  }

  private readAttributes(root: Fields, outer: Fields): Record<string, string | number | boolean> | undefined {
    const attributes: Record<string, string | number | boolean> = {};
    putAttribute(attributes, 'requestId', text(this.get(root, outer, 'request_id')));
    putAttribute(attributes, 'serviceId', text(this.get(root, outer, 'service_id')));
    putAttribute(attributes, 'cacheStatus', text(this.get(root, outer, 'response_state')));
    putAttribute(attributes, 'edgeServer', text(this.get(root, outer, 'fastly_server')));
    putAttribute(attributes, 'edgeLocation', text(this.get(root, outer, 'server_datacenter')));
    putAttribute(attributes, 'fastlyIsEdge', readBoolean(this.get(root, outer, 'fastly_is_edge')));
    putAttribute(attributes, 'clientCountry', text(this.get(root, outer, 'geo_country')));
    for (const _ in attributes) return attributes;
    return undefined;
  }
}

function compilePaths(fieldMap: Record<string, string> | undefined): Paths {
  const paths = {} as Record<FieldName, (readonly string[])[]>;
  for (const name of Object.keys(FASTLY_FIELDS) as FieldName[]) {
    const mapped = fieldMap?.[name];
    const keys: readonly string[] = mapped === undefined ? FASTLY_FIELDS[name] : [mapped];
    paths[name] = keys.map((key) => key.split('.'));
  }
  return paths;
}

/** Top-level keys some field reads, so they are not repeated as headers. */
function consumedKeys(paths: Paths): Set<string> {
  const keys = new Set<string>();
  for (const name of Object.keys(paths) as FieldName[]) {
    for (const path of paths[name]) keys.add(path[0] as string);
  }
  return keys;
}

function readPath(fields: Fields, path: readonly string[]): unknown {
  if (path.length === 1) return fields[path[0] as string];
  let cur: unknown = fields;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The Honeycomb layout nests the request under `data`; every other layout is flat or nests by topic. */
function selectRoot(outer: Fields): Fields {
  const data = outer.data;
  return isObject(data) && !('url' in outer) ? data : outer;
}

/** The JSON part of a line, skipping a syslog header (`<134>2026-… cache-fra-123 endpoint[42]: {…}`). */
function stripSyslogHeader(line: string): string | undefined {
  if (line.charCodeAt(0) !== 60 /* < */) return line;
  const start = line.indexOf('{');
  return start === -1 ? undefined : line.slice(start);
}

/**
 * A logged time: ISO 8601 (`%Y-%m-%dT%H:%M:%S%z`), strftime `%Z` zone names (`…GMT`, `… UTC`), epoch
 * numbers (`%{begin:msec}t`) or the CLF `%t`.
 */
function readTime(value: unknown): number | undefined {
  const parsed = parseAnyTime(value);
  if (parsed !== undefined || typeof value !== 'string') return parsed;
  if (!value.endsWith('GMT') && !value.endsWith('UTC')) return undefined;
  return parseIsoTime(`${value.slice(0, -3).trimEnd()}Z`);
}

function readScheme(value: unknown): string | undefined {
  const tls = readBoolean(value);
  return tls === undefined ? undefined : tls ? 'https' : 'http';
}

function readBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return undefined;
}

function sumSizes(headers: number | undefined, body: number | undefined): number | undefined {
  if (headers === undefined) return body;
  return body === undefined ? headers : headers + body;
}
