/**
 * A parse worker (see `ParsePool`): runs slabs of lines through the same `Ingestor` record path as the
 * main thread (parse → enrich → store writer), where the "store" is the real store's encoder, and sends
 * back the encoded events, the counters and the dead letters of each slab.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ApiEvent, BatchWriter, EncoderModule, EventEncoder, Store } from '@palisade/core';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import type { DeadLetter, DeadLetterSink } from './dead-letter.js';
import { Ingestor, type StreamState } from './ingestor.js';
import { LineSplitter } from './line-splitter.js';
import type { ParseJob, ParseResult, ParseWorkerSetup } from './parse-pool.js';

const setup = workerData as ParseWorkerSetup;
const port = parentPort;
if (port === null) throw new Error('parse-worker runs as a worker thread');

const { createEventEncoder } = (await import(setup.encoderModule)) as EncoderModule;
const encoder = await createEventEncoder();
let letters: DeadLetter[] = [];
let now = 0;
const registry = createDefaultParserRegistry();
const ingestor = new Ingestor({
  store: encodingStore(encoder),
  registry,
  enricher: createEnricher(setup.enrich, createTokenizer(setup.secretKey)),
  clock: { now: () => now },
  deadLetter: collectingSink(),
  batchSize: Number.MAX_SAFE_INTEGER,
  formatOptions: setup.formatOptions,
});
let stream: StreamState | undefined;

port.on('message', ({ id, job }: { id: number; job: ParseJob }) => {
  try {
    port.postMessage({ id, result: parse(job) });
  } catch (error) {
    port.postMessage({ id, error: (error as Error).message });
  }
});

function parse(job: ParseJob): ParseResult {
  now = job.at;
  if (stream?.key !== job.key || stream.format !== job.format || stream.name !== job.name) {
    stream = ingestor.openStream(job.name, job.file, registry.get(job.format), job.key, job.offset, job.line);
  }
  const splitter = new LineSplitter(job.offset, job.line);
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const records = splitter.push(data);
  if (job.final) splitter.finish(records);
  else if (splitter.pendingBytes > 0) throw new Error('a slab that is not the last one must end with a newline');
  ingestor.takeLines(stream, records);
  const stats = stream.stats;
  const result: ParseResult = {
    encoded: encoder.take(),
    parsed: stats.parsed,
    skipped: stats.skipped,
    rejected: stats.rejected,
    letters,
    end: splitter.offset,
    endLine: splitter.line,
  };
  stats.parsed = 0;
  stats.skipped = 0;
  stats.rejected = {};
  letters = [];
  return result;
}

/** The store the worker's ingestor writes to: every batch goes to the encoder; nothing else is used. */
function encodingStore(target: EventEncoder): Store {
  let size = 0;
  const writer: BatchWriter = {
    add(event: ApiEvent) {
      size++;
      target.add(event);
    },
    get size() {
      return size;
    },
    commit: () => Promise.reject(new Error('a parse worker never commits')),
  };
  const unavailable = (): Promise<never> => Promise.reject(new Error('not available in a parse worker'));
  return {
    begin: () => writer,
    append: unavailable,
    checkpoint: unavailable,
    query: unavailable,
    count: unavailable,
    applyRetention: unavailable,
    close: async () => {},
  };
}

function collectingSink(): DeadLetterSink {
  return {
    add(letter) {
      letters.push(letter);
    },
    flush() {},
    path: undefined,
    count: 0,
    close() {},
  };
}
