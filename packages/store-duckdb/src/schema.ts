/**
 * The DuckDB schema of Palisade's events, and the migrations that build it. One row per `ApiEvent`:
 * scalar fields are typed columns (for fast hunting SQL), maps and samples are JSON columns.
 * `day` is the partition key: retention deletes whole days, and batches are written in time order so
 * DuckDB's zone maps prune by `ts`/`day`.
 */

/** The newest schema version this code writes. */
export const SCHEMA_VERSION = 1;

/** Ordered migrations: index 0 brings an empty database to version 1, and so on. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS events (
    id VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    day DATE NOT NULL,
    schema_version USMALLINT NOT NULL,
    source_kind VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    source_file VARCHAR,
    source_offset BIGINT,
    source_line BIGINT,
    method VARCHAR NOT NULL,
    scheme VARCHAR,
    host VARCHAR,
    path VARCHAR NOT NULL,
    query VARCHAR,
    query_params JSON,
    request_headers JSON,
    request_body JSON,
    request_size BIGINT,
    http_version VARCHAR,
    status USMALLINT,
    response_headers JSON,
    response_body JSON,
    response_size BIGINT,
    latency_ms DOUBLE,
    client_ip VARCHAR,
    client_port INTEGER,
    peer_ip VARCHAR,
    forwarded_for VARCHAR[],
    user_agent VARCHAR,
    tls JSON,
    auth_scheme VARCHAR NOT NULL,
    "user" VARCHAR,
    api_key VARCHAR,
    consumer VARCHAR,
    session VARCHAR,
    jwt JSON,
    entities JSON,
    upstream JSON,
    trace_id VARCHAR,
    span_id VARCHAR,
    attributes JSON
  );
  CREATE TABLE IF NOT EXISTS source_checkpoints (
    key VARCHAR PRIMARY KEY,
    path VARCHAR NOT NULL,
    "offset" BIGINT NOT NULL,
    line BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
  );
  `,
];

/**
 * How `read_json` reads a staged NDJSON file of `ApiEvent`s (the JSON keys are the `ApiEvent` field names).
 */
export const STAGE_COLUMNS = `{
  'schemaVersion': 'USMALLINT',
  'id': 'VARCHAR',
  'time': 'DOUBLE',
  'source': 'STRUCT(kind VARCHAR, name VARCHAR, file VARCHAR, "offset" BIGINT, line BIGINT)',
  'request': 'STRUCT(method VARCHAR, scheme VARCHAR, host VARCHAR, path VARCHAR, query VARCHAR, queryParams JSON, headers JSON, body JSON, size BIGINT, httpVersion VARCHAR)',
  'response': 'STRUCT(status USMALLINT, headers JSON, body JSON, size BIGINT)',
  'latencyMs': 'DOUBLE',
  'client': 'STRUCT(ip VARCHAR, port INTEGER, peerIp VARCHAR, forwardedFor VARCHAR[], userAgent VARCHAR, tls JSON)',
  'identity': 'STRUCT(authScheme VARCHAR, "user" VARCHAR, apiKey VARCHAR, consumer VARCHAR, session VARCHAR, jwt JSON)',
  'entities': 'JSON',
  'upstream': 'JSON',
  'traceId': 'VARCHAR',
  'spanId': 'VARCHAR',
  'attributes': 'JSON'
}`;

/** The SELECT list that maps a staged row `s` to the `events` columns, in table order. */
export const STAGE_SELECT = `
  s.id,
  make_timestamp(CAST(round(s.time * 1000) AS BIGINT)),
  CAST(make_timestamp(CAST(round(s.time * 1000) AS BIGINT)) AS DATE),
  s.schemaVersion,
  s.source.kind, s.source.name, s.source.file, s.source."offset", s.source.line,
  s.request.method, s.request.scheme, s.request.host, s.request.path, s.request.query,
  s.request.queryParams, s.request.headers, s.request.body, s.request.size, s.request.httpVersion,
  s.response.status, s.response.headers, s.response.body, s.response.size,
  s.latencyMs,
  s.client.ip, s.client.port, s.client.peerIp, s.client.forwardedFor, s.client.userAgent, s.client.tls,
  s.identity.authScheme, s.identity."user", s.identity.apiKey, s.identity.consumer, s.identity.session, s.identity.jwt,
  s.entities, s.upstream, s.traceId, s.spanId, s.attributes
`;
