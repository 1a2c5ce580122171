import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { loadConfig, ManualClock, type Store } from '@palisade/core';
import { createMemoryStore } from '@palisade/testkit';
import { createInventory, createInventoryStore } from '../discover/index.js';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import { openStreamSource } from './byte-source.js';
import type { DeadLetter, DeadLetterSink } from './dead-letter.js';
import { Ingestor } from './ingestor.js';
import { ParsePool } from './parse-pool.js';

const settings = loadConfig({ env: {} }).ingest;
const secretKey = new Uint8Array(32).fill(5);
const pools: ParsePool[] = [];
after(() => Promise.all(pools.map((p) => p.close())));

function pool(store: Store, workers = 2, encoderModule = store.encoderModule as string): ParsePool {
  const created = new ParsePool({ enrich: settings, secretKey, encoderModule }, workers);
  pools.push(created);
  return created;
}

function nginxLine(i: number): string {
  const time = new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + i * 1000).toISOString().replace('.000Z', '+00:00');
  return JSON.stringify({
    time_iso8601: time,
    remote_addr: '10.0.0.7',
    request: `GET /api/v2/accounts/${i}/invoices?page=1&api_key=k${i % 7} HTTP/1.1`,
    status: i % 11 === 0 ? '404' : '200',
    body_bytes_sent: '512',
    request_time: '0.010',
    http_user_agent: `okhttp/4.12.0 ünïcödé 🙂 ${i}`,
    http_x_forwarded_for: `203.0.113.${i % 250}, 10.0.0.1`,
    http_authorization: i % 3 === 0 ? 'Basic YWxpY2U6c2VjcmV0' : '',
    host: 'api.example.com',
  });
}

/** A stream with every kind of line: events, broken JSON, blanks, CRLF endings, a last line without `\n`. */
function streamText(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 97 === 5) out.push('{"broken json');
    else if (i % 89 === 7) out.push('');
    else if (i % 53 === 3) out.push(`${nginxLine(i)}\r`);
    else if (i % 71 === 9) out.push(JSON.stringify({ remote_addr: '10.0.0.1', request: 'GET / HTTP/1.1', time_iso8601: 'yesterday' }));
    else out.push(nginxLine(i));
  }
  return `${out.join('\n')}\n${nginxLine(lines)}`;
}

/** Chunks that cut lines and multi-byte characters anywhere. */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts);
}

function collectingSink(): DeadLetterSink & { letters: DeadLetter[] } {
  const letters: DeadLetter[] = [];
  return { letters, add: (l) => letters.push(l), flush() {}, path: undefined, count: 0, close() {} };
}

async function ingestWith<S extends Store = ReturnType<typeof createMemoryStore>>(
  bytes: Buffer,
  chunkSize: number,
  parallel: ParsePool | 'none',
  store: S = createMemoryStore() as Store as S,
) {
  const deadLetter = collectingSink();
  const ingestor = new Ingestor({
    store,
    registry: createDefaultParserRegistry(),
    enricher: createEnricher(settings, createTokenizer(secretKey)),
    clock: new ManualClock(Date.UTC(2026, 11, 1)),
    deadLetter,
    batchSize: 300,
    parsePool: parallel === 'none' ? undefined : parallel,
    parallelMinBytes: 0,
    slabBytes: 8 * 1024,
  });
  const report = await ingestor.ingest(openStreamSource('app.log', chunked(bytes, chunkSize)), 'nginx-json');
  await ingestor.drain();
  return { store, report, stats: ingestor.stats(), letters: deadLetter.letters };
}

test('parallel parsing stores, counts, dead-letters and checkpoints exactly what the main thread does', async () => {
  const bytes = Buffer.from(streamText(3000));
  const sequential = await ingestWith(bytes, 65_536, 'none');
  const sharedPool = pool(createMemoryStore());
  for (const chunkSize of [777, 20_000, 300_000]) {
    const slabsBefore = sharedPool.jobsRun;
    const parallel = await ingestWith(bytes, chunkSize, sharedPool);
    assert.ok(
      sharedPool.jobsRun - slabsBefore >= bytes.length / Math.max(chunkSize, 8192) / 2,
      `the workers parsed the slabs (${sharedPool.jobsRun - slabsBefore}, ${bytes.length})`,
    );
    assert.equal(parallel.store.events().length, sequential.store.events().length);
    assert.deepStrictEqual(parallel.store.events(), sequential.store.events());
    assert.deepStrictEqual(parallel.stats, sequential.stats);
    assert.deepStrictEqual(parallel.letters, sequential.letters);
    assert.deepStrictEqual(parallel.report, sequential.report);
  }
  const stats = sequential.stats[0];
  assert.ok(
    stats !== undefined && stats.stored > 2800 && (stats.rejected.malformed_json ?? 0) > 20 && (stats.rejected.bad_timestamp ?? 0) > 20,
  );
  assert.equal(sequential.letters[0]?.line, 6, 'dead letters keep their line numbers');
  // the last line had no newline and still became an event
  assert.equal(sequential.store.events().at(-1)?.source.line, 3001);
});

test('an inventory fed by parse workers reports exactly what one fed by the main thread does', async () => {
  const bytes = Buffer.from(streamText(3000));
  const reportOf = async (parallel: boolean) => {
    const inventory = createInventory();
    const store = createInventoryStore(inventory);
    await ingestWith(bytes, 20_000, parallel ? pool(store) : 'none', store);
    return inventory.report({ files: ['app.log'], rejected: 0, specs: [], now: Date.UTC(2026, 11, 1) });
  };
  const sequential = await reportOf(false);
  const parallel = await reportOf(true);
  assert.ok(sequential.input.events > 2800 && sequential.endpoints.length > 0);
  assert.deepStrictEqual(parallel, sequential);
});

test('a resumed parallel read continues from the checkpoint with no loss and no repeats', async () => {
  const bytes = Buffer.from(`${streamText(1200)}\n`);
  const whole = await ingestWith(bytes, 4096, 'none');
  const store = createMemoryStore();
  const sharedPool = pool(store);
  // the first half, as if the process had stopped after it, then the whole stream again
  const cut = bytes.indexOf('\n', bytes.length >> 1) + 1;
  await ingestWith(bytes.subarray(0, cut), 4096, sharedPool, store);
  const again = await ingestWith(bytes, 4096, sharedPool, store);
  assert.equal(again.report.fromOffset, cut);
  assert.equal(again.stats[0]?.duplicates, 0);
  assert.ok((again.stats[0]?.stored ?? 0) > 400);
  assert.deepStrictEqual(store.events(), whole.store.events());
});

test('a line longer than the line limit is skipped as too_large and the rest is still read', async () => {
  const huge = `{"request":"${'x'.repeat(18 * 1024 * 1024)}"}`;
  const bytes = Buffer.from(`${nginxLine(1)}\n${huge}\n${nginxLine(2)}\n`);
  const parallel = await ingestWith(bytes, 1024 * 1024, pool(createMemoryStore(), 1));
  const sequential = await ingestWith(bytes, 1024 * 1024, 'none');
  assert.deepStrictEqual(parallel.stats, sequential.stats);
  assert.equal(parallel.stats[0]?.rejected.too_large, 1);
  assert.equal(parallel.store.events().length, 2);
  assert.deepStrictEqual(parallel.letters, sequential.letters);
});

test('a worker that cannot start fails the ingest with its reason instead of hanging', async () => {
  const store = createMemoryStore();
  const broken = pool(store, 1, new URL('./no-such-encoder.js', import.meta.url).href);
  await assert.rejects(ingestWith(Buffer.from(streamText(50)), 4096, broken, store), /parse worker/);
});
