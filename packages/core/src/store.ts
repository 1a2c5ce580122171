import type { Alert } from './alert.js';
import type { ApiEvent } from './api-event.js';

/**
 * How far one source has been read: written in the same transaction as the events read up to it, so a
 * restarted ingest resumes exactly after the last stored record.
 */
export interface SourceCheckpoint {
  /** Stable identity of the stream: the fingerprint of its content start (survives renames and rotation). */
  key: string;
  /** Where it was last seen (for people; the key is what matters). */
  path: string;
  /** Byte offset after the last record handled (stored or rejected). */
  offset: number;
  /** Lines handled up to `offset`. */
  line: number;
  /** When the checkpoint was written, epoch ms. */
  updatedAt: number;
}

/** Events and the checkpoints they reach, stored atomically. */
export interface EventBatch {
  events: readonly ApiEvent[];
  checkpoints: readonly SourceCheckpoint[];
}

/** What a store did with a batch. */
export interface AppendResult {
  /** Events stored. */
  inserted: number;
  /** Events skipped because an event with the same id is already stored (or repeated in the batch). */
  duplicates: number;
  /** Events stored per `source.kind` (format). */
  insertedByKind: Record<string, number>;
}

/** A filter for reading events back. Times are epoch ms, `from` inclusive, `to` exclusive. */
export interface EventQuery {
  from?: number;
  to?: number;
  host?: string;
  clientIp?: string;
  /** At most this many events, oldest first (default 1000). */
  limit?: number;
}

/**
 * A batch being written: events are added one at a time (an adapter may serialize each at once, so a
 * large batch does not keep its events alive) and committed atomically with the checkpoints they reach.
 */
export interface BatchWriter {
  /** Adds one event to the batch. */
  add(event: ApiEvent): void;
  /** Events added so far. */
  readonly size: number;
  /** Stores the batch and the checkpoints in one transaction; the writer cannot be used afterwards. */
  commit(checkpoints: readonly SourceCheckpoint[]): Promise<AppendResult>;
  /**
   * Adds events a worker thread encoded with the store's `encoderModule`. Present exactly when the
   * store has an `encoderModule`.
   */
  addEncoded?(events: EncodedEvents): void;
}

/**
 * Events serialized in a store's own batch format, off the main thread. `data` is opaque to everyone but
 * the store (anything a worker can post: text, typed arrays); the rest lets the writer count, dedupe and
 * order without decoding it.
 */
export interface EncodedEvents<Data = unknown> {
  readonly data: Data;
  readonly count: number;
  /** The event ids, in `data` order. */
  readonly ids: readonly string[];
  /** Events per `source.kind`. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Smallest and largest event `time`, epoch ms (infinite when `count` is 0). */
  readonly minTime: number;
  readonly maxTime: number;
}

/** Encodes events one at a time; `take` hands over what was added since the last `take`. */
export interface EventEncoder<Data = unknown> {
  add(event: ApiEvent): void;
  take(): EncodedEvents<Data>;
}

/** What a store's `encoderModule` exports. */
export interface EncoderModule {
  /** May load what it needs first (rules, dictionaries): the worker awaits it once. */
  createEventEncoder(): EventEncoder | Promise<EventEncoder>;
}

/**
 * Where events live. One adapter per database (DuckDB embedded by default; ClickHouse for scale-out), all
 * passing the conformance suite in `@palisade/testkit`.
 *
 * Contract: `append` is atomic (events and checkpoints land together or not at all) and idempotent by event
 * id; a store is used by one writer process at a time (a second opener gets `PAL_ERR_STORE_LOCKED`).
 */
export interface Store {
  /** Starts a batch. Several batches may be open; commits are applied in the order they are called. */
  begin(): BatchWriter;
  /** Stores a batch atomically, skipping events whose id is already stored (`begin` + `add` + `commit`). */
  append(batch: EventBatch): Promise<AppendResult>;
  /** The checkpoint of a source, or `undefined` if it was never read. */
  checkpoint(key: string): Promise<SourceCheckpoint | undefined>;
  /** Reads events back, oldest first. */
  query(query?: EventQuery): Promise<ApiEvent[]>;
  /** Counts stored events matching the query (ignoring `limit`). */
  count(query?: EventQuery): Promise<number>;
  /** Deletes whole days before the day `retentionDays` days before `now` (that day and later stay); returns the count deleted. */
  applyRetention(now: number, retentionDays: number): Promise<number>;
  /** Flushes and releases the store. */
  close(): Promise<void>;
  /**
   * URL of a module exporting `createEventEncoder()` (see `EncoderModule`), for stores whose batches
   * can be encoded in worker threads; then `BatchWriter.addEncoded` takes the result.
   */
  readonly encoderModule?: string;
}

/** A saved state with its clock: the event time it reached, and when it was stored (epoch ms). */
export interface StoredState {
  state: Uint8Array;
  clock: number;
  updatedAt: number;
}

/**
 * What behavioural detection keeps in a store between runs: its long-horizon state (windows, baselines,
 * profiles, open alerts, as the runner's bytes) and the alerts it raised, so that a restart or the next day's
 * run goes on where the last stopped and incidents span runs. `store-conformance.ts` tests the contract.
 */
export interface DetectionStore {
  /** Replaces the state kept under `kind` (atomically: a reader sees the old state or the new, never a mix). */
  putState(kind: string, state: Uint8Array, clock: number, at: number): Promise<void>;
  /** The state kept under `kind`, or `undefined`. */
  getState(kind: string): Promise<StoredState | undefined>;
  /** Stores alerts, replacing earlier versions of the same ids (an alert goes on being updated while it is open). */
  putAlerts(alerts: readonly Alert[]): Promise<void>;
  /** Stored alerts whose last sighting is at or after `since` (all without it), by the time they were raised, then id. */
  alerts(options?: { since?: number }): Promise<Alert[]>;
}

/** The text of events a line encoder made (`createLineEncoder`); an error for events encoded any other way. */
export function encodedLines(events: EncodedEvents): string {
  if (typeof events.data !== 'string') throw new Error("these events were not encoded as lines (another store's encoder made them)");
  return events.data;
}

/**
 * An `EventEncoder` writing one line per event (`serialize`), with the bookkeeping `EncodedEvents` needs
 * (ids, kinds, time range). `trailingNewline` ends non-empty data with a newline.
 */
export function createLineEncoder(serialize: (event: ApiEvent) => string, trailingNewline = false): EventEncoder<string> {
  let lines: string[] = [];
  let ids: string[] = [];
  let kinds: Record<string, number> = {};
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  return {
    add(event: ApiEvent): void {
      lines.push(serialize(event));
      ids.push(event.id);
      kinds[event.source.kind] = (kinds[event.source.kind] ?? 0) + 1;
      if (event.time < minTime) minTime = event.time;
      if (event.time > maxTime) maxTime = event.time;
    },
    take(): EncodedEvents<string> {
      const data = lines.length === 0 ? '' : trailingNewline ? `${lines.join('\n')}\n` : lines.join('\n');
      const taken: EncodedEvents<string> = { data, count: lines.length, ids, kinds, minTime, maxTime };
      lines = [];
      ids = [];
      kinds = {};
      minTime = Number.POSITIVE_INFINITY;
      maxTime = Number.NEGATIVE_INFINITY;
      return taken;
    },
  };
}
