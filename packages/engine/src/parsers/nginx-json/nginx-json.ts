import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { hasKeys, shareOfJson } from '../internal/detect.js';
import { num, parseJsonObject, pick, secondsToMs, splitRequestLine, status, text, upstreamSecondsToMs } from '../internal/fields.js';
import { parseAnyTime, parseClfTime, parseEpochTime, parseIsoTime } from '../internal/time.js';
import { resolveNginxJsonOptions } from './config.js';

type Fields = Record<string, unknown>;

/** The nginx variables the parser reads, by their nginx names. */
const VARIABLES = [
  'time_iso8601',
  'msec',
  'time_local',
  'time',
  'request_method',
  'request_uri',
  'server_protocol',
  'request',
  'uri',
  'args',
  'query_string',
  'status',
  'host',
  'http_host',
  'server_name',
  'scheme',
  'request_length',
  'request_time',
  'remote_addr',
  'remote_port',
  'http_x_forwarded_for',
  'http_user_agent',
  'request_body',
  'body_bytes_sent',
  'bytes_sent',
  'ssl_protocol',
  'ssl_cipher',
  'ssl_server_name',
  'remote_user',
  'upstream_addr',
  'upstream_response_time',
  'request_id',
] as const;

/**
 * The values of the variables of one record: the log object itself for the standard layout (read by property
 * name, the cheapest read), or an object built through the field map for a custom layout.
 */
type Variables = { readonly [V in (typeof VARIABLES)[number]]?: unknown };

/** Variables read into dedicated fields, so they are not repeated as headers. */
const CONSUMED_HEADER_VARIABLES = new Set(['http_user_agent', 'http_x_forwarded_for', 'http_host']);

/**
 * nginx `log_format … escape=json` access logs whose keys are nginx variable names (`remote_addr`,
 * `time_iso8601`, `request`, `status`, `http_user_agent`, `sent_http_content_type`, …); custom key names
 * through the `fieldMap` option.
 */
export const nginxJsonParser: Parser = {
  format: 'nginx-json',
  description: 'nginx access log, log_format escape=json with nginx variable names as keys',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(
      lines,
      (o) =>
        ('remote_addr' in o || 'http_x_forwarded_for' in o) &&
        ('request' in o || 'request_uri' in o || 'uri' in o) &&
        ('time_iso8601' in o || 'time_local' in o || 'msec' in o) &&
        !hasKeys(o, 'RequestHost'),
    );
  },
  open(options) {
    const { fieldMap } = resolveNginxJsonOptions(options?.options);
    const variablesOf =
      fieldMap === undefined ? (fields: Fields): Variables => fields : (fields: Fields): Variables => mapVariables(fields, fieldMap);
    const reverse = new Map<string, string>();
    for (const [variable, key] of Object.entries(fieldMap ?? {})) reverse.set(key, variable);
    const slots = new Map<string, HeaderSlot>();
    const slotOf = (key: string): HeaderSlot => {
      let slot = slots.get(key);
      if (slot === undefined) {
        slot = headerSlot(reverse.size === 0 ? key : (reverse.get(key) ?? key));
        if (slots.size < MAX_HEADER_SLOTS) slots.set(key, slot);
      }
      return slot;
    };
    // The records of a log mostly have the same keys in the same order: the slots of the last record's keys,
    // by position, are found by comparing the key with the one at the same position.
    const lastKeys: string[] = [];
    const lastSlots: HeaderSlot[] = [];
    const slotAt = (position: number, key: string): HeaderSlot => {
      if (lastKeys[position] === key) return lastSlots[position] as HeaderSlot;
      const slot = slotOf(key);
      if (position < MAX_HEADER_SLOTS) {
        lastKeys[position] = key;
        lastSlots[position] = slot;
      }
      return slot;
    };
    return {
      parse: (line) => {
        const fields = parseJsonObject(line);
        if (fields === undefined) return reject('malformed_json');
        return readNginxEvent(fields, variablesOf(fields), slotAt);
      },
    };
  },
};

function readNginxEvent(fields: Fields, v: Variables, slotAt: (position: number, key: string) => HeaderSlot): ParseOutcome {
  const time = readTime(v);
  if (time === undefined) return reject('bad_timestamp');

  let method = text(v.request_method);
  let url = text(v.request_uri);
  let httpVersion = text(v.server_protocol);
  const requestLine = text(v.request);
  if (requestLine !== undefined && (method === undefined || url === undefined)) {
    const parts = splitRequestLine(requestLine);
    if (parts === undefined) return reject('bad_request_line');
    method ??= parts.method;
    url ??= parts.url;
    httpVersion ??= parts.httpVersion;
  }
  let path: string | undefined;
  let query: string | undefined;
  if (url === undefined) {
    path = text(v.uri);
    query = text(v.args) ?? text(v.query_string);
  }
  if (method === undefined || (url === undefined && path === undefined)) return reject('missing_field', 'request');

  const code = v.status;
  const responseStatus = status(code);
  if (code !== undefined && responseStatus === undefined && text(code) !== undefined && num(code) !== 0) {
    return reject('bad_status');
  }

  const requestHeaders: Record<string, string> = {};
  const responseHeaders: Record<string, string> = {};
  let position = 0;
  for (const key in fields) {
    const slot = slotAt(position++, key);
    if (slot.name === undefined) continue;
    const value = text(fields[key]);
    if (value !== undefined) (slot.response ? responseHeaders : requestHeaders)[slot.name] = value;
  }
  const host = text(v.host) ?? text(v.http_host) ?? text(v.server_name);

  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: text(v.scheme),
      host,
      url,
      path,
      query,
      headers: requestHeaders,
      size: num(v.request_length),
      httpVersion,
    },
    latencyMs: secondsToMs(v.request_time),
    client: {
      peerIp: text(v.remote_addr),
      port: num(v.remote_port),
      forwardedFor: text(v.http_x_forwarded_for),
      userAgent: text(v.http_user_agent),
    },
  };
  const requestBody = text(v.request_body);
  if (requestBody !== undefined) event.request.body = { text: requestBody, truncated: false };
  if (responseStatus !== undefined) {
    event.response = {
      status: responseStatus,
      headers: responseHeaders,
      size: num(v.body_bytes_sent) ?? num(v.bytes_sent),
    };
  }
  const sslProtocol = text(v.ssl_protocol);
  const sslCipher = text(v.ssl_cipher);
  const sni = text(v.ssl_server_name);
  if (sslProtocol !== undefined || sslCipher !== undefined || sni !== undefined) {
    event.client.tls = { version: sslProtocol, cipher: sslCipher, sni };
  }
  const remoteUser = text(v.remote_user);
  if (remoteUser !== undefined) event.identity = { user: remoteUser };
  const upstreamAddr = text(v.upstream_addr);
  const upstreamMs = upstreamSecondsToMs(v.upstream_response_time);
  if (upstreamAddr !== undefined || upstreamMs !== undefined) {
    event.upstream = { address: upstreamAddr, latencyMs: upstreamMs };
  }
  const requestId = text(v.request_id);
  if (requestId !== undefined) event.attributes = { requestId };
  return event;
}

function readTime(v: Variables): number | undefined {
  const iso = v.time_iso8601;
  if (typeof iso === 'string') return parseIsoTime(iso);
  const msec = v.msec;
  if (msec !== undefined) return parseEpochTime(msec);
  const local = v.time_local;
  if (typeof local === 'string') return parseClfTime(local);
  const other = v.time;
  return other === undefined ? undefined : parseAnyTime(other);
}

/** The variables of a record in a custom layout: each read under its mapped key, or its own name. */
function mapVariables(fields: Fields, fieldMap: Record<string, string>): Variables {
  const out: Record<string, unknown> = {};
  for (const variable of VARIABLES) {
    const key = fieldMap[variable];
    out[variable] = key === undefined ? fields[variable] : key.includes('.') ? pick(fields, key) : fields[key];
  }
  return out;
}

/** What a key of the log object is: a request or response header (by its name), or neither. */
interface HeaderSlot {
  /** The header name (`http_x_api_key` → `x-api-key`); `undefined` when the key is not a header kept. */
  name: string | undefined;
  response: boolean;
}

/** Keys whose slot is remembered per stream (a log has few distinct keys; others are worked out each time). */
const MAX_HEADER_SLOTS = 1000;

const NOT_A_HEADER: HeaderSlot = { name: undefined, response: false };

function headerSlot(variable: string): HeaderSlot {
  if (variable.startsWith('http_')) {
    if (CONSUMED_HEADER_VARIABLES.has(variable)) return NOT_A_HEADER;
    return { name: headerName(variable, 5), response: false };
  }
  if (variable.startsWith('sent_http_')) return { name: headerName(variable, 10), response: true };
  return NOT_A_HEADER;
}

/** `http_x_api_key` → `x-api-key`. */
function headerName(variable: string, prefix: number): string {
  return variable.slice(prefix).replaceAll('_', '-');
}
