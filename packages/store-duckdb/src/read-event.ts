import { API_EVENT_SCHEMA_VERSION, type ApiEvent, type AuthScheme } from '@palisade/core';

/** Rebuilds an `ApiEvent` from a row of the `events` table (plus `ts_us`, the time in microseconds). */
export function readEventRow(row: Record<string, unknown>): ApiEvent {
  const event: ApiEvent = {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id: row.id as string,
    time: Number(row.ts_us) / 1000,
    source: { kind: row.source_kind as string, name: row.source_name as string },
    request: { method: row.method as string, path: row.path as string, headers: json(row.request_headers) ?? {} },
    client: {},
    identity: { authScheme: row.auth_scheme as AuthScheme },
    entities: json(row.entities) ?? {},
  };
  set(event.source, 'file', row.source_file);
  set(event.source, 'offset', num(row.source_offset));
  set(event.source, 'line', num(row.source_line));
  const req = event.request;
  set(req, 'scheme', row.scheme);
  set(req, 'host', row.host);
  set(req, 'query', row.query);
  set(req, 'queryParams', json(row.query_params));
  set(req, 'body', json(row.request_body));
  set(req, 'size', num(row.request_size));
  set(req, 'httpVersion', row.http_version);
  if (row.status !== null && row.status !== undefined) {
    event.response = { status: Number(row.status), headers: json(row.response_headers) ?? {} };
    set(event.response, 'body', json(row.response_body));
    set(event.response, 'size', num(row.response_size));
  }
  set(event, 'latencyMs', row.latency_ms);
  set(event.client, 'ip', row.client_ip);
  set(event.client, 'port', num(row.client_port));
  set(event.client, 'peerIp', row.peer_ip);
  set(event.client, 'forwardedFor', json(row.forwarded_for));
  set(event.client, 'userAgent', row.user_agent);
  set(event.client, 'tls', json(row.tls));
  set(event.identity, 'user', row.user);
  set(event.identity, 'apiKey', row.api_key);
  set(event.identity, 'consumer', row.consumer);
  set(event.identity, 'session', row.session);
  set(event.identity, 'jwt', json(row.jwt));
  set(event, 'upstream', json(row.upstream));
  set(event, 'traceId', row.trace_id);
  set(event, 'spanId', row.span_id);
  set(event, 'attributes', json(row.attributes));
  set(event, 'protection', json(row.protection));
  return event;
}

function set<T extends object>(target: T, key: string, value: unknown): void {
  if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value;
}

function num(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function json<T>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
