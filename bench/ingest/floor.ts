/**
 * The two costs every ingested event pays, measured apart on the same file:
 * - JavaScript: read, split, parse, enrich and encode each line for the store (one thread, no store);
 * - the store alone: committing the already-encoded batches to a new DuckDB store through the same
 *   `BatchWriter.addEncoded` + `commit` path `palisade ingest` uses (CPU of all DuckDB threads).
 * Their sum is the CPU one event costs; the machine's cores divided by it bound the events/s any
 * scheduling of this work can reach here.
 *
 * Usage: node --import tsx bench/ingest/floor.ts --file F --format nginx-json [--dir D] [--batch 100000]
 * Prints one JSON line.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EncodedEvents,
  type EncoderModule,
  encodedLines,
  isReject,
  isSkip,
  loadConfig,
  type ParsedEvent,
  type ParseOutcome,
} from '@palisade/core';
import {
  createDefaultParserRegistry,
  createEnricher,
  createEventId,
  createTokenizer,
  LineSplitter,
  openFileSource,
} from '@palisade/engine';
import { createDuckDbStore } from '@palisade/store-duckdb';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    format: { type: 'string' },
    dir: { type: 'string', default: '/tmp/palisade-bench/floor' },
    batch: { type: 'string', default: '100000' },
  },
});
const file = values.file as string;
const format = values.format as string;
const dir = values.dir as string;
const batchSize = Number(values.batch);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const config = loadConfig({ env: {} });
const key = new Uint8Array(32).fill(1);
const enrich = createEnricher(config.ingest, createTokenizer(key));
const parser = createDefaultParserRegistry().get(format).open({});
const store = await createDuckDbStore({ path: join(dir, 'floor.duckdb'), memoryLimit: config.store.memoryLimit });
const { createEventEncoder } = (await import(store.encoderModule)) as EncoderModule;
const encoder = await createEventEncoder();

// 1. JavaScript: everything up to the encoded batch, on one thread; batches go to files (not timed).
interface Staged extends Omit<EncodedEvents, 'data'> {
  path: string;
}
const staged: Staged[] = [];
let jsCpu = 0;
let events = 0;
let pending = 0;
const spill = (): void => {
  const started = process.cpuUsage();
  const taken = encoder.take();
  jsCpu += cpuMicros(started);
  const path = join(dir, `batch-${staged.length}.stage`);
  const fd = openSync(path, 'w');
  writeSync(fd, encodedLines(taken));
  closeSync(fd);
  staged.push({ path, count: taken.count, ids: taken.ids, kinds: taken.kinds, minTime: taken.minTime, maxTime: taken.maxTime });
  pending = 0;
};
const source = await openFileSource(file);
const splitter = new LineSplitter(0, 0);
const streamKey = '0123456789abcdef0123456789abcdef';
for await (const chunk of source.stream(0)) {
  const started = process.cpuUsage();
  for (const record of splitter.push(chunk)) {
    if (!('text' in record)) continue;
    const outcome = parser.parse(record.text);
    if (Array.isArray(outcome) || isReject(outcome as ParseOutcome) || isSkip(outcome as ParseOutcome)) continue;
    const id = createEventId(streamKey, record.offset, 0);
    encoder.add(enrich(outcome as ParsedEvent, { kind: format, name: file, file, offset: record.offset, line: record.line }, id));
    events++;
    pending++;
  }
  jsCpu += cpuMicros(started);
  if (pending >= batchSize) spill();
}
if (pending > 0) spill();

// 2. The store alone: the same encoded batches, committed as `palisade ingest` commits them.
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
for (const batch of staged) {
  const writer = store.begin();
  writer.addEncoded?.({ ...batch, data: readFileSync(batch.path, 'utf8') });
  await writer.commit([]);
}
await store.close();
const storeSeconds = (performance.now() - wallStart) / 1000;
const storeCpu = cpuMicros(cpuStart);
rmSync(dir, { recursive: true, force: true });

const jsPerEvent = jsCpu / events;
const storePerEvent = storeCpu / events;
const cores = availableParallelism();
console.log(
  JSON.stringify({
    events,
    jsCpuMicrosPerEvent: round(jsPerEvent),
    storeRowsPerSecond: Math.round(events / storeSeconds),
    storeCpuMicrosPerEvent: round(storePerEvent),
    cores,
    cpuBoundEventsPerSecond: Math.round((cores * 1e6) / (jsPerEvent + storePerEvent)),
  }),
);

function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
