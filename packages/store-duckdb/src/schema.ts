/**
 * The DuckDB schema of Palisade's events, and the migrations that build it. One row per `ApiEvent`:
 * scalar fields are typed columns (for fast hunting SQL), maps and samples are JSON columns.
 * `day` is the partition key: retention deletes whole days, and batches are written in time order so
 * DuckDB's zone maps prune by `ts`/`day`.
 */

/** The newest schema version this code writes. */
export const SCHEMA_VERSION = 5;

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
    forwarded_for JSON,
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
  // 2: documents Palisade keeps beside the events (the latest inventory report, …), one per kind
  `
  CREATE TABLE IF NOT EXISTS documents (
    kind VARCHAR PRIMARY KEY,
    updated_at TIMESTAMP NOT NULL,
    body VARCHAR NOT NULL
  );
  `,
  // 3: what the inline sensor decided about a transaction (`ApiEvent.protection`)
  `
  ALTER TABLE events ADD COLUMN IF NOT EXISTS protection JSON;
  `,
  // 4: behavioural detection's long horizon: its saved state (in chunks), the alerts it raised, and hourly
  // per-entity rollups that outlive the raw events' retention
  `
  CREATE TABLE IF NOT EXISTS detection_state (
    kind VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    clock TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (kind, seq)
  );
  CREATE TABLE IF NOT EXISTS alerts (
    id VARCHAR PRIMARY KEY,
    rule_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    summary VARCHAR NOT NULL,
    entities JSON NOT NULL,
    evidence JSON NOT NULL
  );
  CREATE TABLE IF NOT EXISTS entity_hourly (
    hour TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    requests BIGINT NOT NULL,
    client_errors BIGINT NOT NULL,
    server_errors BIGINT NOT NULL,
    not_found BIGINT NOT NULL,
    denied BIGINT NOT NULL,
    bytes_out BIGINT NOT NULL,
    paths BIGINT NOT NULL,
    addresses BIGINT NOT NULL,
    user_agents BIGINT NOT NULL,
    PRIMARY KEY (hour, kind, value)
  );
  `,
  // 5: how an alert's entities relate to its acting one (\`Alert.links\`, with request counts)
  `
  ALTER TABLE alerts ADD COLUMN IF NOT EXISTS links JSON;
  `,
];

/**
 * The staged CSV layout: one row per event, fields in `events` column order (with `time` as epoch ms
 * instead of `ts`/`day`), separated by U+001F; fields with control characters are quoted with U+001E;
 * `\N` is NULL.
 */
export const STAGE_CSV_COLUMNS = `{
  'id': 'VARCHAR', 'time': 'DOUBLE', 'schema_version': 'USMALLINT',
  'source_kind': 'VARCHAR', 'source_name': 'VARCHAR', 'source_file': 'VARCHAR', 'source_offset': 'BIGINT', 'source_line': 'BIGINT',
  'method': 'VARCHAR', 'scheme': 'VARCHAR', 'host': 'VARCHAR', 'path': 'VARCHAR', 'query': 'VARCHAR',
  'query_params': 'VARCHAR', 'request_headers': 'VARCHAR', 'request_body': 'VARCHAR', 'request_size': 'BIGINT', 'http_version': 'VARCHAR',
  'status': 'USMALLINT', 'response_headers': 'VARCHAR', 'response_body': 'VARCHAR', 'response_size': 'BIGINT',
  'latency_ms': 'DOUBLE',
  'client_ip': 'VARCHAR', 'client_port': 'INTEGER', 'peer_ip': 'VARCHAR', 'forwarded_for': 'VARCHAR', 'user_agent': 'VARCHAR', 'tls': 'VARCHAR',
  'auth_scheme': 'VARCHAR', 'user': 'VARCHAR', 'api_key': 'VARCHAR', 'consumer': 'VARCHAR', 'session': 'VARCHAR', 'jwt': 'VARCHAR',
  'entities': 'VARCHAR', 'upstream': 'VARCHAR', 'trace_id': 'VARCHAR', 'span_id': 'VARCHAR', 'attributes': 'VARCHAR',
  'protection': 'VARCHAR'
}`;

/** The SELECT list that maps a staged CSV row `s` to the `events` columns, in table order. */
export const STAGE_SELECT = `
  s.id,
  make_timestamp(CAST(round(s.time * 1000) AS BIGINT)),
  CAST(make_timestamp(CAST(round(s.time * 1000) AS BIGINT)) AS DATE),
  s.* EXCLUDE (id, time)
`;
