import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../internal/module-worker.js';
import type { EncodedEvents, RejectReason } from '@palisade/core';
import type { EnrichSettings } from '../enrich/enrich.js';
import type { DeadLetter } from './dead-letter.js';

/** What every parse worker is started with. */
export interface ParseWorkerSetup {
  /** The enricher's settings (the `ingest` config section). */
  enrich: EnrichSettings;
  /** The deployment's tokenization key. */
  secretKey: Uint8Array;
  /** Parser options per format name. */
  formatOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The store's `encoderModule`. */
  encoderModule: string;
}

/** A slab of whole lines of one stream, starting at `offset` (after line `line`). */
export interface ParseJob {
  key: string;
  name: string;
  file: string | undefined;
  /** A registered format name whose parser has `independentRecords`. */
  format: string;
  offset: number;
  line: number;
  /** Whole lines (each ending in `\n`), or the stream's last bytes when `final`. */
  data: Uint8Array;
  /** The stream ends with this slab: a last line without a newline is a record. */
  final: boolean;
  /** The main clock's time, epoch ms, stamped on dead letters. */
  at: number;
}

/** What one slab became. */
export interface ParseResult {
  encoded: EncodedEvents;
  parsed: number;
  skipped: number;
  rejected: Partial<Record<RejectReason, number>>;
  letters: DeadLetter[];
  /** Offset and line after the slab's last record. */
  end: number;
  endLine: number;
}

/**
 * Parse workers for this machine: the cores minus the `reserved` ones, at most 4. Ingesting into a store
 * reserves two (the main thread and the store's writer: on two cores no worker, measured there workers only
 * add contention); `analyze` in memory reserves one (the thread that builds the inventory). BENCHMARKS.md.
 */
export function defaultParseWorkers(cores = availableParallelism(), reserved = 2): number {
  return Math.max(0, Math.min(4, cores - reserved));
}

interface Pending {
  resolve: (result: ParseResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const YOUNG_GENERATION_MB = 192;
const WORKER_URL = siblingModule('parse-worker', import.meta.url);

function startWorker(setup: ParseWorkerSetup): Worker {
  // A young generation as large as the main thread's (`--max-semi-space-size=64`): parsing allocates short-lived objects fast.
  return startModuleWorker(WORKER_URL, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/**
 * Worker threads that parse, enrich and encode slabs of line-framed streams, so parsing uses every
 * core while the store writes. Jobs go to the least busy worker; results come back per job. A worker
 * that dies fails its jobs and every later one (the ingest stops with the reason).
 */
export class ParsePool {
  readonly #slots: Slot[] = [];
  readonly #setup: ParseWorkerSetup;
  readonly #size: number;
  #nextId = 0;
  #jobsRun = 0;
  #failure: Error | undefined;
  #closed = false;

  /** Workers start with the first slab, so inputs too small to be read in parallel never pay for them. */
  constructor(setup: ParseWorkerSetup, workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`a parse pool needs at least one worker, not ${workers}`);
    this.#setup = setup;
    this.#size = workers;
  }

  /** Number of workers. */
  get size(): number {
    return this.#size;
  }

  /** Slabs parsed so far. */
  get jobsRun(): number {
    return this.#jobsRun;
  }

  /** Parses one slab. The slab's bytes are copied to the worker, so the caller may reuse its buffer. */
  run(job: ParseJob): Promise<ParseResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error('the parse pool is closed'));
    while (this.#slots.length < this.#size) this.#slots.push(this.#start(this.#setup));
    let slot = this.#slots[0] as Slot;
    for (const s of this.#slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.#nextId++;
    const data = new Uint8Array(job.data); // a copy: Buffer#slice would share (and transfer) the caller's memory
    return new Promise<ParseResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job: { ...job, data } }, [data.buffer]);
    });
  }

  /** Stops the workers; pending jobs fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    for (const s of this.#slots) this.#failSlot(s, new Error('the parse pool was closed'));
  }

  #start(setup: ParseWorkerSetup): Slot {
    const worker = startWorker(setup);
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (message: { id: number; result?: ParseResult; error?: string }) => {
      const pending = slot.pending.get(message.id);
      if (pending === undefined) return;
      slot.pending.delete(message.id);
      if (message.result !== undefined) {
        this.#jobsRun++;
        pending.resolve(message.result);
      } else pending.reject(new Error(`a parse worker failed: ${message.error ?? 'unknown error'}`));
    });
    worker.on('error', (error) => this.#fail(new Error(`a parse worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`a parse worker exited (code ${code})`));
    });
    return slot;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const s of this.#slots) this.#failSlot(s, error);
  }

  #failSlot(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }
}
