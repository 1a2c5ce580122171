import { closeSync, openSync, writeSync } from 'node:fs';
import type { AppendResult, ApiEvent, BatchWriter, EncodedEvents, SourceCheckpoint } from '@palisade/core';
import { encodedLines } from '@palisade/core';
import { toStageRow } from './stage-csv.js';

/** What a finished writer hands to the commit. */
export interface StagedBatch {
  path: string;
  /** Events added (including repeats of an id). */
  added: number;
  /** Rows staged (distinct ids). */
  rows: number;
  minTime: number;
  maxTime: number;
  /** Staged rows per `source.kind`. */
  kinds: Record<string, number>;
  /** True when encoded rows repeat an id: the staged file then holds repeats the insert must drop. */
  repeats: boolean;
}

const FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * Stages a batch as CSV rows in its own file, written in 4 MiB slices as events arrive, so a batch of any
 * size costs little memory and no event object outlives its `add`. Repeated ids within the batch are
 * staged once.
 */
export class DuckDbBatchWriter implements BatchWriter {
  readonly #path: string;
  readonly #commit: (writer: DuckDbBatchWriter, checkpoints: readonly SourceCheckpoint[]) => Promise<AppendResult>;
  readonly #ids = new Set<string>();
  readonly #kinds: Record<string, number> = {};
  #fd: number | undefined;
  #buffer: string[] = [];
  #bufferBytes = 0;
  #added = 0;
  #minTime = Number.POSITIVE_INFINITY;
  #maxTime = Number.NEGATIVE_INFINITY;
  #done = false;
  #repeats = false;

  constructor(path: string, commit: (writer: DuckDbBatchWriter, checkpoints: readonly SourceCheckpoint[]) => Promise<AppendResult>) {
    this.#path = path;
    this.#commit = commit;
  }

  get size(): number {
    return this.#added;
  }

  add(event: ApiEvent): void {
    if (this.#done) throw new Error('this batch was already committed');
    this.#added++;
    if (this.#ids.has(event.id)) return;
    this.#ids.add(event.id);
    this.#kinds[event.source.kind] = (this.#kinds[event.source.kind] ?? 0) + 1;
    const row = toStageRow(event);
    this.#buffer.push(row);
    this.#bufferBytes += row.length + 1;
    if (event.time < this.#minTime) this.#minTime = event.time;
    if (event.time > this.#maxTime) this.#maxTime = event.time;
    if (this.#bufferBytes >= FLUSH_BYTES) this.#flush();
  }

  /**
   * Adds rows a worker staged with `createEventEncoder`. Their ids join the batch's id set; a repeated id
   * is left in the staged text and dropped by the insert.
   */
  addEncoded(events: EncodedEvents): void {
    if (this.#done) throw new Error('this batch was already committed');
    if (events.count === 0) return;
    this.#added += events.count;
    for (const id of events.ids) {
      if (this.#ids.has(id)) this.#repeats = true;
      else this.#ids.add(id);
    }
    for (const kind in events.kinds) this.#kinds[kind] = (this.#kinds[kind] ?? 0) + (events.kinds[kind] ?? 0);
    if (events.minTime < this.#minTime) this.#minTime = events.minTime;
    if (events.maxTime > this.#maxTime) this.#maxTime = events.maxTime;
    this.#flush();
    this.#fd ??= openSync(this.#path, 'w', 0o600);
    writeSync(this.#fd, encodedLines(events));
  }

  commit(checkpoints: readonly SourceCheckpoint[]): Promise<AppendResult> {
    if (this.#done) return Promise.reject(new Error('this batch was already committed'));
    this.#flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#done = true;
    return this.#commit(this, checkpoints);
  }

  /** Called by the store at commit time. */
  finish(): StagedBatch {
    return {
      path: this.#path,
      added: this.#added,
      rows: this.#ids.size,
      minTime: this.#minTime,
      maxTime: this.#maxTime,
      kinds: { ...this.#kinds },
      repeats: this.#repeats,
    };
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    this.#fd ??= openSync(this.#path, 'w', 0o600);
    writeSync(this.#fd, `${this.#buffer.join('\n')}\n`);
    this.#buffer = [];
    this.#bufferBytes = 0;
  }
}
