import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { blobValue, type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type Alert,
  type AppendResult,
  type ApiEvent,
  type BatchWriter,
  type DetectionStore,
  type EventBatch,
  type EventQuery,
  PalisadeError,
  type SourceCheckpoint,
  type Store,
  type StoredState,
} from '@palisade/core';
import { readEventRow } from './read-event.js';
import { DuckDbBatchWriter } from './batch-writer.js';
import { MIGRATIONS, SCHEMA_VERSION, STAGE_CSV_COLUMNS, STAGE_SELECT } from './schema.js';

/** Options of the embedded DuckDB store. */
export interface DuckDbStoreOptions {
  /** The database file; `:memory:` for a throw-away store. */
  path: string;
  /** DuckDB worker threads (default: DuckDB's own choice, one per core). */
  threads?: number;
  /** DuckDB memory limit, e.g. `512MB`. */
  memoryLimit?: string;
}

/**
 * Opens (creating and migrating as needed) the embedded DuckDB store.
 *
 * Writes go through a staged CSV file that DuckDB reads natively (far cheaper than appending value by
 * value from JavaScript), inserted in one transaction with the source checkpoints, skipping ids already
 * stored within the batch's time range. Throws `PAL_ERR_STORE_LOCKED` when another process holds the file.
 *
 * @example
 * const store = await createDuckDbStore({ path: 'palisade-data/palisade.duckdb' });
 * await store.append({ events, checkpoints: [] });
 * await store.close();
 */
export async function createDuckDbStore(options: DuckDbStoreOptions): Promise<DuckDbStore> {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(options.path), { recursive: true });
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, config);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/lock/i.test(message)) {
      const pid = /PID (\d+)/.exec(message)?.[1];
      throw new PalisadeError(
        'PAL_ERR_STORE_LOCKED',
        `the store ${options.path} is in use by another process${pid ? ` (pid ${pid})` : ''}`,
      );
    }
    throw new PalisadeError('PAL_ERR_STORE_OPEN', `cannot open the store ${options.path}: ${message.split('\n')[0]}`);
  }
  const connection = await instance.connect();
  const stagePrefix = memory
    ? join(tmpdir(), `palisade-stage-${process.pid}-${randomBytes(4).toString('hex')}`)
    : `${options.path}.stage-${process.pid}`;
  const store = new DuckDbStore(instance, connection, stagePrefix);
  await store.migrate();
  return store;
}

/** The DuckDB implementation of `Store`. Create it with `createDuckDbStore`. */
/** This package's encoder module, next to this file (`.ts` when running from source, `.js` when built). */
const ENCODER_MODULE = new URL(`./encoder${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export class DuckDbStore implements Store, DetectionStore {
  /** Batches can be staged in worker threads (see `encoder.ts`). */
  readonly encoderModule = ENCODER_MODULE;
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #stagePrefix: string;
  #nextStage = 0;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(instance: DuckDBInstance, connection: DuckDBConnection, stagePrefix: string) {
    this.#instance = instance;
    this.#connection = connection;
    this.#stagePrefix = stagePrefix;
  }

  /** Brings the schema to `SCHEMA_VERSION`; refuses a database written by a newer Palisade. */
  async migrate(): Promise<void> {
    await this.#connection.run('CREATE TABLE IF NOT EXISTS palisade_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    const rows = await this.#rows(`SELECT value FROM palisade_meta WHERE key = 'schema_version'`);
    const current = rows.length === 0 ? 0 : Number(rows[0]?.value);
    if (current > SCHEMA_VERSION) {
      throw new PalisadeError(
        'PAL_ERR_STORE_SCHEMA',
        `the store has schema version ${current}; this Palisade knows up to ${SCHEMA_VERSION}`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      await this.#connection.run('BEGIN TRANSACTION');
      try {
        await this.#connection.run(MIGRATIONS[version] as string);
        await this.#connection.run(`INSERT OR REPLACE INTO palisade_meta VALUES ('schema_version', '${version + 1}')`);
        await this.#connection.run('COMMIT');
      } catch (error) {
        await this.#connection.run('ROLLBACK').catch(() => undefined);
        throw new PalisadeError(
          'PAL_ERR_STORE_OPEN',
          `migrating the store to schema ${version + 1} failed: ${(error as Error).message.split('\n')[0]}`,
          { cause: error },
        );
      }
    }
  }

  /** The schema version of the open database. */
  async schemaVersion(): Promise<number> {
    const rows = await this.#rows(`SELECT value FROM palisade_meta WHERE key = 'schema_version'`);
    return Number(rows[0]?.value ?? 0);
  }

  begin(): BatchWriter {
    this.#assertOpen();
    const path = `${this.#stagePrefix}-${this.#nextStage++}.csv`;
    return new DuckDbBatchWriter(path, (writer, checkpoints) => this.#serial(() => this.#commit(writer, checkpoints)));
  }

  async append(batch: EventBatch): Promise<AppendResult> {
    const writer = this.begin();
    for (const event of batch.events) writer.add(event);
    return writer.commit(batch.checkpoints);
  }

  async #commit(writer: DuckDbBatchWriter, checkpoints: readonly SourceCheckpoint[]): Promise<AppendResult> {
    this.#assertOpen();
    const staged = writer.finish();
    let insertedByKind: Record<string, number> = {};
    await this.#connection.run('BEGIN TRANSACTION');
    try {
      if (staged.rows > 0) {
        const source = `read_csv('${sqlString(staged.path)}', delim = '\x1f', quote = '\x1e', escape = '\x1e', header = false,
            nullstr = '\\N', allow_quoted_nulls = false, auto_detect = false, strict_mode = true, columns = ${STAGE_CSV_COLUMNS})`;
        const known = `SELECT id FROM events WHERE ts BETWEEN make_timestamp(${Math.floor(staged.minTime * 1000)}) AND make_timestamp(${Math.ceil(staged.maxTime * 1000) + 1000})`;
        const present = await this.#rows(`SELECT count(*)::BIGINT AS n FROM (${known}) e SEMI JOIN ${source} s ON e.id = s.id`);
        if (Number(present[0]?.n ?? 0) === 0 && !staged.repeats) {
          await this.#connection.run(`INSERT INTO events SELECT ${STAGE_SELECT} FROM ${source} s`);
          insertedByKind = staged.kinds;
        } else {
          const rows = await this.#rows(`
            INSERT INTO events SELECT ${STAGE_SELECT} FROM ${source} s WHERE s.id NOT IN (${known})
            ${staged.repeats ? 'QUALIFY row_number() OVER (PARTITION BY s.id) = 1' : ''}
            RETURNING source_kind`);
          for (const row of rows) insertedByKind[String(row.source_kind)] = (insertedByKind[String(row.source_kind)] ?? 0) + 1;
        }
      }
      for (const cp of checkpoints) {
        await this.#connection.run(
          `INSERT OR REPLACE INTO source_checkpoints VALUES ('${sqlString(cp.key)}', '${sqlString(cp.path)}', ${Math.trunc(cp.offset)}, ${Math.trunc(cp.line)}, make_timestamp(${Math.trunc(cp.updatedAt * 1000)}))`,
        );
      }
      await this.#connection.run('COMMIT');
    } catch (error) {
      await this.#connection.run('ROLLBACK').catch(() => undefined);
      throw new PalisadeError('PAL_ERR_STORE_WRITE', `writing ${staged.rows} events failed: ${(error as Error).message.split('\n')[0]}`, {
        cause: error,
      });
    } finally {
      rmSync(staged.path, { force: true });
    }
    const inserted = Object.values(insertedByKind).reduce((n, v) => n + v, 0);
    return { inserted, duplicates: staged.added - inserted, insertedByKind };
  }

  async checkpoint(key: string): Promise<SourceCheckpoint | undefined> {
    this.#assertOpen();
    const rows = await this.#rows(
      `SELECT key, path, "offset", line, epoch_ms(updated_at) AS updated FROM source_checkpoints WHERE key = '${sqlString(key)}'`,
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      key: String(row.key),
      path: String(row.path),
      offset: Number(row.offset),
      line: Number(row.line),
      updatedAt: Number(row.updated),
    };
  }

  /** Stores a document (JSON text) under a kind, replacing the previous one; `at` is epoch ms. */
  async putDocument(kind: string, body: string, at: number): Promise<void> {
    this.#assertOpen();
    await this.#connection.run(`INSERT OR REPLACE INTO documents VALUES ($kind, make_timestamp(${Math.trunc(at * 1000)}), $body)`, {
      kind,
      body,
    });
  }

  /** The document stored under a kind, with when it was stored (epoch ms). */
  async getDocument(kind: string): Promise<{ body: string; updatedAt: number } | undefined> {
    this.#assertOpen();
    const rows = await this.#rows(`SELECT body, epoch_ms(updated_at) AS at FROM documents WHERE kind = '${sqlString(kind)}'`);
    const row = rows[0];
    return row === undefined ? undefined : { body: String(row.body), updatedAt: Number(row.at) };
  }

  /**
   * Stores a saved state (detection's long horizon) under a kind, replacing the previous one, in one
   * transaction: a reader sees the old state or the new one, never a mix. `clock` is the state's own time.
   */
  putState(kind: string, state: Uint8Array, clock: number, at: number): Promise<void> {
    return this.#serial(async () => {
      this.#assertOpen();
      await this.#connection.run('BEGIN TRANSACTION');
      try {
        await this.#connection.run('DELETE FROM detection_state WHERE kind = $kind', { kind });
        for (let seq = 0, offset = 0; offset < state.length || seq === 0; seq++, offset += STATE_CHUNK) {
          await this.#connection.run(
            `INSERT INTO detection_state VALUES ($kind, ${seq}, make_timestamp(${timestampUs(clock)}), make_timestamp(${timestampUs(at)}), $body)`,
            { kind, body: blobValue(state.subarray(offset, offset + STATE_CHUNK)) },
          );
        }
        await this.#connection.run('COMMIT');
      } catch (error) {
        await this.#connection.run('ROLLBACK').catch(() => undefined);
        throw new PalisadeError('PAL_ERR_STORE_WRITE', `saving the ${kind} state failed: ${(error as Error).message.split('\n')[0]}`);
      }
    });
  }

  /** The state stored under a kind, with its clock and when it was stored (epoch ms). */
  async getState(kind: string): Promise<StoredState | undefined> {
    this.#assertOpen();
    const reader = await this.#connection.runAndReadAll(
      `SELECT body, epoch_ms(clock) AS clock, epoch_ms(updated_at) AS at FROM detection_state WHERE kind = $kind ORDER BY seq`,
      { kind },
    );
    const rows = reader.getRows();
    if (rows.length === 0) return undefined;
    const parts = rows.map((row) => (row[0] as { bytes: Uint8Array }).bytes);
    return { state: Buffer.concat(parts), clock: Number(rows[0]?.[1]), updatedAt: Number(rows[0]?.[2]) };
  }

  /** Stores alerts, replacing earlier versions of the same ones (an alert goes on being updated while it is open). */
  putAlerts(alerts: readonly Alert[]): Promise<void> {
    return this.#serial(async () => {
      this.#assertOpen();
      if (alerts.length === 0) return;
      await this.#connection.run('BEGIN TRANSACTION');
      try {
        for (const a of alerts) {
          await this.#connection.run(
            `INSERT OR REPLACE INTO alerts VALUES ($id, $rule, $category, $severity, $confidence, make_timestamp(${timestampUs(a.firstSeen)}),
              make_timestamp(${timestampUs(a.lastSeen)}), make_timestamp(${timestampUs(a.raisedAt)}), $summary, $entities, $evidence, $links)`,
            {
              id: a.id,
              rule: a.ruleId,
              category: a.category,
              severity: a.severity,
              confidence: a.confidence,
              summary: a.summary,
              entities: JSON.stringify(a.entities),
              evidence: JSON.stringify(a.evidence),
              links: a.links === undefined ? null : JSON.stringify(a.links),
            },
          );
        }
        await this.#connection.run('COMMIT');
      } catch (error) {
        await this.#connection.run('ROLLBACK').catch(() => undefined);
        throw new PalisadeError('PAL_ERR_STORE_WRITE', `storing alerts failed: ${(error as Error).message.split('\n')[0]}`);
      }
    });
  }

  /** The stored alerts, oldest first; with `since` (epoch ms), those last seen then or later. */
  async alerts(options: { since?: number } = {}): Promise<Alert[]> {
    this.#assertOpen();
    const since = options.since === undefined ? '' : `WHERE last_seen >= make_timestamp(${timestampUs(options.since)})`;
    const rows = await this.#rows(
      `SELECT id, rule_id, category, severity, confidence, epoch_ms(first_seen) AS first, epoch_ms(last_seen) AS last,
        epoch_ms(raised_at) AS raised, summary, entities::VARCHAR AS entities, evidence::VARCHAR AS evidence,
        links::VARCHAR AS links
       FROM alerts ${since} ORDER BY raised_at, id`,
    );
    return rows.map((r) => ({
      ...(r.links === null || r.links === undefined ? {} : { links: JSON.parse(String(r.links)) }),
      id: String(r.id),
      ruleId: String(r.rule_id),
      category: String(r.category) as Alert['category'],
      severity: String(r.severity) as Alert['severity'],
      confidence: Number(r.confidence),
      entities: JSON.parse(String(r.entities)),
      firstSeen: Number(r.first),
      lastSeen: Number(r.last),
      raisedAt: Number(r.raised),
      summary: String(r.summary),
      evidence: JSON.parse(String(r.evidence)),
    }));
  }

  /**
   * (Re)computes the hourly per-entity rollups (`entity_hourly`) of the hours from `from` to `to` (epoch ms)
   * from the stored events: requests, 4xx/5xx/404/401+403, bytes out, and distinct paths, addresses and user
   * agents, for every ip, user, API key (consumer name when known) and session.
   * The rollups stay when retention deletes the raw events: months of per-entity history at one row per
   * entity and active hour. Returns the rows written.
   */
  rollUp(from: number, to: number): Promise<number> {
    return this.#serial(async () => {
      this.#assertOpen();
      const hours = `date_trunc('hour', make_timestamp(${timestampUs(from)}))`;
      const range = `ts >= ${hours} AND ts < date_trunc('hour', make_timestamp(${timestampUs(to)})) + INTERVAL 1 HOUR`;
      const select = ROLLUP_KINDS.map(
        ([kind, column]) => `SELECT date_trunc('hour', ts) AS hour, '${kind}' AS kind, ${column} AS value,
          count(*) AS requests,
          count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client_errors,
          count(*) FILTER (WHERE status >= 500) AS server_errors,
          count(*) FILTER (WHERE status = 404) AS not_found,
          count(*) FILTER (WHERE status IN (401, 403)) AS denied,
          coalesce(sum(response_size), 0) AS bytes_out,
          count(DISTINCT path) AS paths,
          count(DISTINCT client_ip) AS addresses,
          count(DISTINCT user_agent) AS user_agents
        FROM events WHERE ${range} AND ${column} IS NOT NULL GROUP BY 1, 2, 3`,
      ).join('\nUNION ALL\n');
      await this.#connection.run('BEGIN TRANSACTION');
      try {
        await this.#connection.run(`DELETE FROM entity_hourly WHERE hour >= ${hours} AND hour <= make_timestamp(${timestampUs(to)})`);
        const result = await this.#connection.run(`INSERT INTO entity_hourly ${select}`);
        await this.#connection.run('COMMIT');
        return Number((await result.getRows())[0]?.[0] ?? 0);
      } catch (error) {
        await this.#connection.run('ROLLBACK').catch(() => undefined);
        throw new PalisadeError('PAL_ERR_STORE_WRITE', `rolling up entity hours failed: ${(error as Error).message.split('\n')[0]}`);
      }
    });
  }

  async query(query: EventQuery = {}): Promise<ApiEvent[]> {
    this.#assertOpen();
    const limit = Math.max(0, Math.trunc(query.limit ?? 1000));
    const reader = await this.#connection.runAndReadAll(
      `SELECT *, epoch_us(ts) AS ts_us FROM events ${where(query)} ORDER BY ts, id LIMIT ${limit}`,
    );
    return reader.getRowObjectsJS().map((row) => readEventRow(row as Record<string, unknown>));
  }

  async count(query: EventQuery = {}): Promise<number> {
    this.#assertOpen();
    const rows = await this.#rows(`SELECT count(*)::BIGINT AS n FROM events ${where(query)}`);
    return Number(rows[0]?.n ?? 0);
  }

  applyRetention(now: number, retentionDays: number): Promise<number> {
    return this.#serial(async () => {
      this.#assertOpen();
      const cutoffDay = Math.floor(now / 86_400_000) - retentionDays;
      const result = await this.#connection.run(`DELETE FROM events WHERE day < DATE '1970-01-01' + INTERVAL (${cutoffDay}) DAY`);
      return Number((await result.getRows())[0]?.[0] ?? 0);
    });
  }

  /** Runs any SQL on the store (tests, maintenance); rows as plain JS values. Not sandboxed: never for user input. */
  async sql(text: string): Promise<Record<string, unknown>[]> {
    this.#assertOpen();
    return this.#rows(text);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue.catch(() => undefined);
    this.#closed = true;
    this.#connection.closeSync();
    this.#instance.closeSync();
  }

  async #rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.#connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #assertOpen(): void {
    if (this.#closed) throw new PalisadeError('PAL_ERR_STORE_WRITE', 'the store is closed');
  }
}

/** Rows of a saved state are at most this long (a state of a large deployment is hundreds of MB). */
const STATE_CHUNK = 16 * 1024 * 1024;

/** The entity kinds rolled up per hour, and the events column that holds each. */
const ROLLUP_KINDS: ReadonlyArray<[string, string]> = [
  ['ip', 'client_ip'],
  ['user', '"user"'],
  ['api_key', 'coalesce(consumer, api_key)'],
  ['session', 'session'],
];

function timestampUs(ms: number): number {
  return Math.trunc(ms * 1000);
}

function where(query: EventQuery): string {
  const parts: string[] = [];
  if (query.from !== undefined) parts.push(`ts >= make_timestamp(${Math.floor(query.from * 1000)})`);
  if (query.to !== undefined) parts.push(`ts < make_timestamp(${Math.floor(query.to * 1000)})`);
  if (query.host !== undefined) parts.push(`host = '${sqlString(query.host)}'`);
  if (query.clientIp !== undefined) parts.push(`client_ip = '${sqlString(query.clientIp)}'`);
  return parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
}

/** Escapes a value for a single-quoted SQL literal. */
function sqlString(value: string): string {
  return value.replaceAll("'", "''");
}
