import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { hasKeys, shareOfJson } from '../internal/detect.js';
import { num, parseJsonObject, pick, secondsToMs, splitRequestLine, status, text, upstreamSecondsToMs } from '../internal/fields.js';
import { parseAnyTime, parseClfTime, parseEpochTime, parseIsoTime } from '../internal/time.js';
import { resolveNginxJsonOptions } from './config.js';

type Fields = Record<string, unknown>;
type Getter = (fields: Fields, variable: string) => unknown;

const directGet: Getter = (fields, variable) => fields[variable];

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
    const get: Getter =
      fieldMap === undefined
        ? directGet
        : (fields, variable) => {
            const key = fieldMap[variable];
            if (key === undefined) return fields[variable];
            return key.includes('.') ? pick(fields, key) : fields[key];
          };
    const reverse = new Map<string, string>();
    for (const [variable, key] of Object.entries(fieldMap ?? {})) reverse.set(key, variable);
    return { parse: (line) => parseNginxJson(line, get, reverse) };
  },
};

function parseNginxJson(line: string, get: Getter, reverse: Map<string, string>): ParseOutcome {
  const fields = parseJsonObject(line);
  if (fields === undefined) return reject('malformed_json');

  const time = readTime(fields, get);
  if (time === undefined) return reject('bad_timestamp');

  let method = text(get(fields, 'request_method'));
  let url = text(get(fields, 'request_uri'));
  let httpVersion = text(get(fields, 'server_protocol'));
  const requestLine = text(get(fields, 'request'));
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
    path = text(get(fields, 'uri'));
    query = text(get(fields, 'args')) ?? text(get(fields, 'query_string'));
  }
  if (method === undefined || (url === undefined && path === undefined)) return reject('missing_field', 'request');

  const code = get(fields, 'status');
  const responseStatus = status(code);
  if (code !== undefined && responseStatus === undefined && text(code) !== undefined && num(code) !== 0) {
    return reject('bad_status');
  }

  const requestHeaders: Record<string, string> = {};
  const responseHeaders: Record<string, string> = {};
  for (const key in fields) {
    const variable = reverse.size === 0 ? key : (reverse.get(key) ?? key);
    if (variable.startsWith('http_')) {
      if (CONSUMED_HEADER_VARIABLES.has(variable)) continue;
      const value = text(fields[key]);
      if (value !== undefined) requestHeaders[headerName(variable, 5)] = value;
    } else if (variable.startsWith('sent_http_')) {
      const value = text(fields[key]);
      if (value !== undefined) responseHeaders[headerName(variable, 10)] = value;
    }
  }
  const host = text(get(fields, 'host')) ?? text(get(fields, 'http_host')) ?? text(get(fields, 'server_name'));

  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: text(get(fields, 'scheme')),
      host,
      url,
      path,
      query,
      headers: requestHeaders,
      size: num(get(fields, 'request_length')),
      httpVersion,
    },
    latencyMs: secondsToMs(get(fields, 'request_time')),
    client: {
      peerIp: text(get(fields, 'remote_addr')),
      port: num(get(fields, 'remote_port')),
      forwardedFor: text(get(fields, 'http_x_forwarded_for')),
      userAgent: text(get(fields, 'http_user_agent')),
    },
  };
  const requestBody = text(get(fields, 'request_body'));
  if (requestBody !== undefined) event.request.body = { text: requestBody, truncated: false };
  if (responseStatus !== undefined) {
    event.response = {
      status: responseStatus,
      headers: responseHeaders,
      size: num(get(fields, 'body_bytes_sent')) ?? num(get(fields, 'bytes_sent')),
    };
  }
  const sslProtocol = text(get(fields, 'ssl_protocol'));
  const sslCipher = text(get(fields, 'ssl_cipher'));
  const sni = text(get(fields, 'ssl_server_name'));
  if (sslProtocol !== undefined || sslCipher !== undefined || sni !== undefined) {
    event.client.tls = { version: sslProtocol, cipher: sslCipher, sni };
  }
  const remoteUser = text(get(fields, 'remote_user'));
  if (remoteUser !== undefined) event.identity = { user: remoteUser };
  const upstreamAddr = text(get(fields, 'upstream_addr'));
  const upstreamMs = upstreamSecondsToMs(get(fields, 'upstream_response_time'));
  if (upstreamAddr !== undefined || upstreamMs !== undefined) {
    event.upstream = { address: upstreamAddr, latencyMs: upstreamMs };
  }
  const requestId = text(get(fields, 'request_id'));
  if (requestId !== undefined) event.attributes = { requestId };
  return event;
}

function readTime(fields: Fields, get: Getter): number | undefined {
  const iso = get(fields, 'time_iso8601');
  if (typeof iso === 'string') return parseIsoTime(iso);
  const msec = get(fields, 'msec');
  if (msec !== undefined) return parseEpochTime(msec);
  const local = get(fields, 'time_local');
  if (typeof local === 'string') return parseClfTime(local);
  const other = get(fields, 'time');
  return other === undefined ? undefined : parseAnyTime(other);
}

const headerNames = new Map<string, string>();

/** `http_x_api_key` → `x-api-key` (cached: a log has few distinct header variables). */
function headerName(variable: string, prefix: number): string {
  let name = headerNames.get(variable);
  if (name === undefined) {
    name = variable.slice(prefix).replaceAll('_', '-');
    if (headerNames.size < 1000) headerNames.set(variable, name);
  }
  return name;
}
