import {
  type ApiEvent,
  type BatchWriter,
  type Clock,
  isReject,
  isSkip,
  PalisadeError,
  type ParsedEvent,
  type ParseOutcome,
  type Parser,
  type RecordParser,
  type RejectReason,
  reject,
  type Store,
} from '@palisade/core';
import type { Enricher } from '../enrich/enrich.js';
import type { ParserRegistry } from '../parsers/registry.js';
import type { ByteSource } from './byte-source.js';
import type { DeadLetterSink } from './dead-letter.js';
import { createEventId, fingerprintStream } from './fingerprint.js';
import { LineSplitter, type LineRecord, type OversizedLine } from './line-splitter.js';
import type { ParsePool, ParseResult } from './parse-pool.js';

/** Largest document (HAR) read whole, bytes. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

/** Settings of an ingest run. */
export interface IngestorOptions {
  store: Store;
  registry: ParserRegistry;
  enricher: Enricher;
  clock: Clock;
  deadLetter: DeadLetterSink;
  /** Events per store write. */
  batchSize: number;
  /** Parser options per format name. */
  formatOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Stops reading (between chunks) when aborted; what was read is still stored and checkpointed. */
  signal?: AbortSignal;
  /** Called after every chunk read. */
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Workers that parse large line-framed streams in parallel (formats with `independentRecords`, stores
   * with an `encoderModule` matching the pool's). Without it everything is parsed on this thread.
   */
  parsePool?: ParsePool;
  /** Smallest unread stream, bytes, that goes to the pool (default 4 MiB; compressed and unsized streams always do). */
  parallelMinBytes?: number;
  /** Bytes per slab sent to a worker (default 2 MiB). */
  slabBytes?: number;
}

const DEFAULT_PARALLEL_MIN_BYTES = 4 * 1024 * 1024;
const DEFAULT_SLAB_BYTES = 2 * 1024 * 1024;
/** Held bytes without a newline (past the 16 MiB line limit) after which parallel reading hands the stream to `readLines`. */
const MAX_HELD_BYTES = 17 * 1024 * 1024;

/** Live counters for progress display. */
export interface IngestProgress {
  /** Raw bytes read so far (compressed bytes for gzip inputs). */
  bytesRead: number;
  events: number;
  rejected: number;
}

/** Counters of one format. */
export interface FormatStats {
  format: string;
  streams: number;
  /** Events parsed from records. */
  parsed: number;
  /** Events written to the store. */
  stored: number;
  /** Events already stored (same id). */
  duplicates: number;
  /** Valid records that held no transaction (comments, headers, non-HTTP spans). */
  skipped: number;
  rejected: Partial<Record<RejectReason, number>>;
}

/** What happened to one input stream. */
export interface StreamReport {
  name: string;
  format?: string;
  /** How the format was chosen and, for `auto`, the detection score. */
  chosenBy: 'flag' | 'auto';
  score?: number;
  status: 'read' | 'up-to-date' | 'empty';
  /** Where reading started (a checkpoint) and ended, decompressed bytes. */
  fromOffset: number;
  toOffset: number;
}

/**
 * Runs records from byte sources through parse → enrich → store, in batches, with checkpoints.
 *
 * Contract: every record ends up as stored event(s), a counted skip, or a counted rejection written to
 * the dead-letter sink — never silently dropped. A stream's checkpoint is written in the same store
 * transaction as the events read up to it, so a killed run resumes with no loss and no duplicates.
 * One store write is in flight while the next batch is parsed.
 */
export class Ingestor {
  readonly #o: IngestorOptions;
  readonly #stats = new Map<string, FormatStats>();
  readonly #reports: StreamReport[] = [];
  readonly #dirty = new Set<StreamState>();
  #writer: BatchWriter | undefined;
  #batchKinds = new Map<string, number>();
  #inFlight: Promise<void> | undefined;
  #flushChain: Promise<void> = Promise.resolve();
  #failure: unknown;
  #bytesRead = 0;
  #events = 0;
  #rejected = 0;

  constructor(options: IngestorOptions) {
    this.#o = options;
  }

  /**
   * Reads one source to its end (or from its checkpoint on). `format` is a format name or `auto`.
   * Throws `PAL_ERR_FORMAT_UNDETECTED` when `auto` cannot decide and `PAL_ERR_FORMAT_UNKNOWN` for a bad name.
   */
  async ingest(source: ByteSource, format: string): Promise<StreamReport> {
    const { head, ended } = await source.head();
    if (head.length === 0 || head.toString('utf8').trim() === '') {
      return this.#report({
        name: source.name,
        chosenBy: format === 'auto' ? 'auto' : 'flag',
        status: 'empty',
        fromOffset: 0,
        toOffset: head.length,
      });
    }
    const choice = this.chooseParser(source.name, head, ended, format);
    const key = fingerprintStream(head, true, choice.parser.format) as string;
    const wholeDocument = choice.parser.framing === 'document' || isPrettyJson(head);
    const checkpoint = await this.#o.store.checkpoint(key);
    const from = checkpoint?.offset ?? 0;
    const base = { name: source.name, format: choice.parser.format, chosenBy: choice.chosenBy, score: choice.score, fromOffset: from };
    const state = this.openStream(source.name, source.file, choice.parser, key, from, checkpoint?.line ?? 0);
    if (wholeDocument) {
      if (from > 0) return this.#report({ ...base, status: 'up-to-date', toOffset: from });
      await this.#readDocument(source, state);
    } else {
      if (!source.compressed && source.size !== undefined && from >= source.size) {
        return this.#report({ ...base, status: 'up-to-date', toOffset: from });
      }
      const chunks = source.stream(from, (n) => this.#countRaw(n));
      const pool = this.#o.parsePool;
      const parallel =
        pool !== undefined &&
        choice.parser.independentRecords === true &&
        this.#o.store.encoderModule !== undefined &&
        (source.compressed || source.size === undefined || source.size - from >= (this.#o.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES));
      if (parallel) await this.#readLinesParallel(chunks, state, pool);
      else await this.readLines(chunks, state);
    }
    return this.#report({ ...base, status: state.offset > from ? 'read' : 'up-to-date', toOffset: state.offset });
  }

  /** Chooses the parser for a stream from the flag or by detection over its head. */
  chooseParser(name: string, head: Buffer, ended: boolean, format: string): { parser: Parser; chosenBy: 'flag' | 'auto'; score?: number } {
    if (format !== 'auto') return { parser: this.#o.registry.get(format), chosenBy: 'flag' };
    const lines = detectionSample(head, ended);
    const detected = this.#o.registry.detect(lines);
    if (detected === undefined) {
      throw new PalisadeError(
        'PAL_ERR_FORMAT_UNDETECTED',
        `cannot tell the format of ${name}; give it with --format (see \`palisade formats\`)`,
      );
    }
    return { parser: detected.parser, chosenBy: 'auto', score: Math.round(detected.score * 100) / 100 };
  }

  /** Starts the state of one stream, for callers that read it themselves (follow mode). */
  openStream(name: string, file: string | undefined, parser: Parser, key: string, offset: number, line: number): StreamState {
    const records = this.#openParser(parser);
    const stats = this.#statsOf(parser.format);
    stats.streams++;
    return {
      key,
      name,
      file,
      format: parser.format,
      records,
      offset,
      line,
      stats,
    };
  }

  /** Reads line records from a byte stream into the batch, flushing as batches fill. */
  async readLines(chunks: AsyncIterable<Buffer>, state: StreamState): Promise<void> {
    const splitter = new LineSplitter(state.offset, state.line);
    let out: Array<LineRecord | OversizedLine> = [];
    for await (const chunk of chunks) {
      if (this.#o.signal?.aborted) return;
      out = splitter.push(chunk, out);
      this.takeLines(state, out);
      out.length = 0;
      this.#progress();
      if ((this.#writer?.size ?? 0) >= this.#o.batchSize) await this.flush();
    }
    this.takeLines(state, splitter.finish(out));
    this.#progress();
  }

  /**
   * Reads a stream in slabs of whole lines parsed by the pool, applying results in stream order so
   * offsets, checkpoints and dead letters are exactly those of `readLines`. A line longer than
   * `MAX_HELD_BYTES` hands the rest of the stream to `readLines`, which skips it.
   */
  async #readLinesParallel(chunks: AsyncIterable<Buffer>, state: StreamState, pool: ParsePool): Promise<void> {
    const slabBytes = this.#o.slabBytes ?? DEFAULT_SLAB_BYTES;
    const maxInFlight = pool.size * 3;
    const inFlight: Array<Promise<ParseResult>> = [];
    const iterator = chunks[Symbol.asyncIterator]();
    let held: Buffer[] = [];
    let heldBytes = 0;
    let offset = state.offset;
    let line = state.line;
    const submit = (data: Buffer, final: boolean): void => {
      const job = pool.run({
        key: state.key,
        name: state.name,
        file: state.file,
        format: state.format,
        offset,
        line,
        data,
        final,
        at: this.#o.clock.now(),
      });
      job.catch(() => undefined); // awaited in order below; this only keeps a failure from being unhandled meanwhile
      inFlight.push(job);
      offset += data.length;
      line += countNewlines(data);
    };
    const applyOldest = async (): Promise<void> => {
      this.#apply(state, await (inFlight.shift() as Promise<ParseResult>));
      if ((this.#writer?.size ?? 0) >= this.#o.batchSize) await this.flush();
    };
    let completed = false;
    try {
      for (;;) {
        if (this.#o.signal?.aborted) break;
        const next = await iterator.next();
        if (next.done === true) {
          completed = true;
          break;
        }
        held.push(next.value);
        heldBytes += next.value.length;
        if (heldBytes >= slabBytes) {
          const buf = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, heldBytes);
          const nl = buf.lastIndexOf(10);
          if (nl < 0) {
            held = [buf];
            if (heldBytes > MAX_HELD_BYTES) {
              while (inFlight.length > 0) await applyOldest();
              await this.readLines(prepend(buf, iterator), state);
              return;
            }
          } else {
            submit(buf.subarray(0, nl + 1), false);
            const rest = buf.subarray(nl + 1);
            held = rest.length > 0 ? [rest] : [];
            heldBytes = rest.length;
          }
        }
        while (inFlight.length >= maxInFlight) await applyOldest();
        this.#progress();
      }
      if (completed && heldBytes > 0) submit(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, heldBytes), true);
      while (inFlight.length > 0) await applyOldest();
      this.#progress();
    } finally {
      if (!completed) await iterator.return?.();
    }
  }

  /** Applies a worker's slab result to the stream and the batch, as `takeLines` would have. */
  #apply(state: StreamState, result: ParseResult): void {
    if (result.encoded.count > 0) {
      this.#writer ??= this.#o.store.begin();
      if (this.#writer.addEncoded === undefined) throw new Error('the store takes no encoded events');
      this.#writer.addEncoded(result.encoded);
      this.#batchKinds.set(state.format, (this.#batchKinds.get(state.format) ?? 0) + result.encoded.count);
    }
    const stats = state.stats;
    stats.parsed += result.parsed;
    stats.skipped += result.skipped;
    for (const reason in result.rejected) {
      const n = result.rejected[reason as RejectReason] ?? 0;
      stats.rejected[reason as RejectReason] = (stats.rejected[reason as RejectReason] ?? 0) + n;
      this.#rejected += n;
    }
    for (const letter of result.letters) this.#o.deadLetter.add(letter);
    this.#events += result.parsed;
    state.offset = result.end;
    state.line = result.endLine;
    this.#dirty.add(state);
  }

  async #readDocument(source: ByteSource, state: StreamState): Promise<void> {
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = false;
    for await (const chunk of source.stream(0, (n) => this.#countRaw(n))) {
      length += chunk.length;
      if (length > MAX_DOCUMENT_BYTES) tooLarge = true;
      else chunks.push(chunk);
    }
    const text = tooLarge ? '' : Buffer.concat(chunks).toString('utf8');
    const outcome = tooLarge ? reject('too_large', `document over ${MAX_DOCUMENT_BYTES} bytes`) : this.#parse(state, text);
    this.#take(state, outcome, text, 0, 1);
    state.offset = length;
    state.line = 1;
    this.#dirty.add(state);
    this.#progress();
  }

  /**
   * Ingests one already-framed record (an HTTP push body item). `offset` is its position in the
   * enclosing batch; the stream key makes ids stable across retries.
   */
  ingestRecord(state: StreamState, text: string, offset: number, line: number): void {
    this.#take(state, this.#parse(state, text), text, offset, line);
  }

  /** Creates a stream state for records pushed over HTTP (no checkpoint: the key is the body hash). */
  openPushStream(name: string, parser: Parser, key: string): StreamState {
    const records = this.#openParser(parser);
    const stats = this.#statsOf(parser.format);
    stats.streams++;
    return { key, name, file: undefined, format: parser.format, records, offset: 0, line: 0, stats, ephemeral: true };
  }

  /** Opens a parser with its configured options; bad options are a configuration error. */
  #openParser(parser: Parser): RecordParser {
    try {
      return parser.open({ options: this.#o.formatOptions?.[parser.format] as Record<string, unknown> | undefined });
    } catch (error) {
      throw new PalisadeError(
        'PAL_ERR_CONFIG_INVALID',
        `invalid options for format ${parser.format} (ingest.formats.${parser.format}): ${(error as Error).message}`,
      );
    }
  }

  /** Parses split lines of a stream into the batch and moves its offset past them. */
  takeLines(state: StreamState, lines: Array<LineRecord | OversizedLine>): void {
    for (const rec of lines) {
      if ((rec as OversizedLine).oversized) {
        this.#rejectRecord(state, 'too_large', 'line over 16 MiB (not kept)', '', rec.offset, rec.line);
      } else {
        const text = (rec as LineRecord).text;
        if (text.length > 0 && !(text.length < 3 && text.trim() === '')) {
          this.#take(state, this.#parse(state, text), text, rec.offset, rec.line);
        }
      }
      state.offset = rec.end;
      state.line = rec.line;
    }
    if (lines.length > 0) this.#dirty.add(state);
  }

  #parse(state: StreamState, text: string): ParseOutcome {
    try {
      return state.records.parse(text);
    } catch {
      return reject('unsupported_record', 'the parser failed on this record');
    }
  }

  #take(state: StreamState, outcome: ParseOutcome, text: string, offset: number, line: number): void {
    if (Array.isArray(outcome)) {
      for (let i = 0; i < outcome.length; i++) {
        const item = outcome[i] as ParsedEvent | ReturnType<typeof reject>;
        if (isReject(item))
          this.#rejectRecord(state, item.reject, `entry ${i}${item.detail ? `: ${item.detail}` : ''}`, text, offset, line);
        else this.#addEvent(state, item as ParsedEvent, text, offset, line, i);
      }
    } else if (isReject(outcome as ParseOutcome)) {
      const r = outcome as ReturnType<typeof reject>;
      this.#rejectRecord(state, r.reject, r.detail, text, offset, line);
    } else if (isSkip(outcome as ParseOutcome)) {
      state.stats.skipped++;
    } else {
      this.#addEvent(state, outcome as ParsedEvent, text, offset, line, 0);
    }
  }

  #addEvent(state: StreamState, parsed: ParsedEvent, text: string, offset: number, line: number, index: number): void {
    let event: ApiEvent;
    try {
      const source: ApiEvent['source'] =
        state.file === undefined
          ? { kind: state.format, name: state.name, offset, line }
          : { kind: state.format, name: state.name, file: state.file, offset, line };
      event = this.#o.enricher(parsed, source, createEventId(state.key, offset, index));
    } catch {
      this.#rejectRecord(state, 'enrich_failed', index > 0 ? `entry ${index}` : undefined, text, offset, line);
      return;
    }
    this.#writer ??= this.#o.store.begin();
    this.#writer.add(event);
    this.#batchKinds.set(state.format, (this.#batchKinds.get(state.format) ?? 0) + 1);
    state.stats.parsed++;
    this.#events++;
  }

  #rejectRecord(state: StreamState, reason: RejectReason, detail: string | undefined, text: string, offset: number, line: number): void {
    state.stats.rejected[reason] = (state.stats.rejected[reason] ?? 0) + 1;
    this.#rejected++;
    const letter: Parameters<DeadLetterSink['add']>[0] = {
      at: new Date(this.#o.clock.now()).toISOString(),
      source: state.name,
      format: state.format,
      line,
      offset,
      reason,
      record: text,
    };
    if (detail !== undefined) letter.detail = detail;
    this.#o.deadLetter.add(letter);
  }

  /**
   * Sends the current batch and the checkpoints it reaches to the store. Returns once the previous write
   * finished and this one started; `drain()` waits for it.
   */
  flush(): Promise<void> {
    const next = this.#flushChain.then(() => this.#flushNow());
    this.#flushChain = next.catch(() => undefined);
    return next;
  }

  async #flushNow(): Promise<void> {
    await this.#awaitInFlight();
    const writer = this.#writer;
    const kinds = this.#batchKinds;
    const now = this.#o.clock.now();
    const checkpoints = [...this.#dirty]
      .filter((s) => s.ephemeral !== true)
      .map((s) => ({ key: s.key, path: s.name, offset: s.offset, line: s.line, updatedAt: now }));
    this.#dirty.clear();
    this.#writer = undefined;
    this.#batchKinds = new Map();
    this.#o.deadLetter.flush();
    if (writer === undefined && checkpoints.length === 0) return;
    this.#inFlight = (writer ?? this.#o.store.begin()).commit(checkpoints).then(
      (result) => {
        for (const [kind, parsed] of kinds) {
          const stats = this.#statsOf(kind);
          const stored = result.insertedByKind[kind] ?? 0;
          stats.stored += stored;
          stats.duplicates += parsed - stored;
        }
      },
      (error: unknown) => {
        this.#failure = error;
      },
    );
  }

  /** Flushes and waits until everything handed over is stored. Rethrows a store failure. */
  async drain(): Promise<void> {
    await this.flush();
    const last = this.#flushChain.then(() => this.#awaitInFlight());
    this.#flushChain = last.catch(() => undefined);
    await last;
  }

  /** Per-format counters so far. */
  stats(): FormatStats[] {
    return [...this.#stats.values()];
  }

  /** One report per stream read. */
  reports(): readonly StreamReport[] {
    return this.#reports;
  }

  /** Events per store write. */
  get batchSize(): number {
    return this.#o.batchSize;
  }

  /** The stored checkpoint of a stream key. */
  checkpointOf(key: string): ReturnType<Store['checkpoint']> {
    return this.#o.store.checkpoint(key);
  }

  /** Events waiting in the current batch. */
  get pending(): number {
    return this.#writer?.size ?? 0;
  }

  /** True when streams moved since the last flush (a checkpoint is due). */
  get dirty(): boolean {
    return this.#dirty.size > 0 || (this.#writer?.size ?? 0) > 0;
  }

  /** Records raw bytes read by a caller that reads files itself. */
  countRaw(bytes: number): void {
    this.#bytesRead += bytes;
    this.#progress();
  }

  /** Current totals (for progress displays). */
  progress(): IngestProgress {
    return { bytesRead: this.#bytesRead, events: this.#events, rejected: this.#rejected };
  }

  async #awaitInFlight(): Promise<void> {
    if (this.#inFlight !== undefined) await this.#inFlight;
    this.#inFlight = undefined;
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
  }

  #countRaw(bytes: number): void {
    this.#bytesRead += bytes;
  }

  #progress(): void {
    this.#o.onProgress?.({ bytesRead: this.#bytesRead, events: this.#events, rejected: this.#rejected });
  }

  #statsOf(format: string): FormatStats {
    let stats = this.#stats.get(format);
    if (stats === undefined) {
      stats = { format, streams: 0, parsed: 0, stored: 0, duplicates: 0, skipped: 0, rejected: {} };
      this.#stats.set(format, stats);
    }
    return stats;
  }

  #report(report: StreamReport): StreamReport {
    const clean = { ...report };
    if (clean.score === undefined) delete clean.score;
    this.#reports.push(clean);
    return clean;
  }
}

/** The reading state of one stream. */
export interface StreamState {
  key: string;
  name: string;
  file: string | undefined;
  format: string;
  records: RecordParser;
  /** Offset after the last handled record. */
  offset: number;
  line: number;
  stats: FormatStats;
  /** Pushed records have no checkpoint. */
  ephemeral?: boolean;
}

/** Number of `\n` bytes in a buffer. */
function countNewlines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n++;
  return n;
}

/** `first`, then the rest of `iterator`. */
async function* prepend(first: Buffer, iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/** The first non-empty lines of a head (at most 20), without a cut-off last line. */
export function sampleLines(head: Buffer, ended: boolean): string[] {
  const text = head.toString('utf8');
  const all = text.split('\n');
  if (!ended && all.length > 1) all.pop();
  const lines: string[] = [];
  for (const raw of all) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    lines.push(line);
    if (lines.length === 20) break;
  }
  return lines;
}

/**
 * True when a stream is one pretty-printed JSON document (its first non-empty line is a lone `{` or `[`):
 * such streams are read whole, as one record, whatever the format's framing.
 */
export function isPrettyJson(head: Buffer): boolean {
  const text = head.toString('utf8', 0, Math.min(head.length, 256)).trimStart();
  const nl = text.indexOf('\n');
  const first = (nl < 0 ? text : text.slice(0, nl)).trim();
  return first === '{' || first === '[';
}

/**
 * The lines format detection scores for a stream head: a pretty-printed JSON document that fits in the
 * head compacted to one line, otherwise the first 20 non-empty lines (`sampleLines`).
 */
export function detectionSample(head: Buffer, ended: boolean): string[] {
  if (!isPrettyJson(head) || !ended) return sampleLines(head, ended);
  try {
    return [JSON.stringify(JSON.parse(head.toString('utf8')))];
  } catch {
    return sampleLines(head, true);
  }
}
