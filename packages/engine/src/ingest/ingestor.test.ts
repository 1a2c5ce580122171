import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfig, ManualClock } from '@palisade/core';
import { createMemoryStore } from '@palisade/testkit';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import { openFileSource, openStreamSource } from './byte-source.js';
import { createDeadLetterFile } from './dead-letter.js';
import { followFile } from './follow.js';
import { Ingestor } from './ingestor.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-ingest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function nginxLine(i: number, extra = ''): string {
  const time = new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + i * 1000).toISOString().replace('.000Z', '+00:00');
  return JSON.stringify({
    time_iso8601: time,
    remote_addr: '10.0.0.7',
    request: `GET /api/v2/accounts/${i}/invoices?page=1${extra} HTTP/1.1`,
    status: '200',
    body_bytes_sent: '512',
    request_time: '0.010',
    http_user_agent: 'okhttp/4.12.0',
    http_x_forwarded_for: `203.0.113.${i % 250}`,
    host: 'api.example.com',
  });
}

function setup(batchSize = 1000) {
  const store = createMemoryStore();
  const deadDir = join(dir, `dead-${n++}`);
  const deadLetter = createDeadLetterFile(deadDir, 'test');
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const ingestor = (): Ingestor =>
    new Ingestor({
      store,
      registry: createDefaultParserRegistry(),
      enricher: createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 3))),
      clock,
      deadLetter,
      batchSize,
    });
  return { store, deadLetter, deadDir, ingestor, clock };
}

test('every line is an event, a rejection or a skip; rejections are dead-lettered with file and line', async () => {
  const path = join(dir, `mixed-${n++}.log`);
  const lines = [
    nginxLine(1),
    '{"broken json',
    nginxLine(2),
    '',
    nginxLine(3),
    '{"time_iso8601":"nope","request":"GET / HTTP/1.1","remote_addr":"10.0.0.1","status":"200"}',
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  const { store, deadLetter, ingestor } = setup();
  const run = ingestor();
  const report = await run.ingest(await openFileSource(path), 'auto');
  await run.drain();
  deadLetter.close();
  assert.equal(report.format, 'nginx-json');
  assert.equal(report.chosenBy, 'auto');
  assert.equal(await store.count(), 3);
  const [stats] = run.stats();
  assert.deepEqual(
    { parsed: stats?.parsed, stored: stats?.stored, rejected: stats?.rejected },
    { parsed: 3, stored: 3, rejected: { malformed_json: 1, bad_timestamp: 1 } },
  );
  const letters = readFileSync(deadLetter.path as string, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    letters.map((l) => [l.line, l.reason, l.source]),
    [
      [2, 'malformed_json', path],
      [6, 'bad_timestamp', path],
    ],
  );
  assert.equal(letters[0].record, '{"broken json');
});

test('re-reading a file stores nothing twice; appended lines are picked up from the checkpoint', async () => {
  const path = join(dir, `grow-${n++}.log`);
  writeFileSync(path, `${Array.from({ length: 50 }, (_, i) => nginxLine(i)).join('\n')}\n`);
  const { store, ingestor } = setup(7);
  let run = ingestor();
  await run.ingest(await openFileSource(path), 'nginx-json');
  await run.drain();
  assert.equal(await store.count(), 50);
  run = ingestor();
  const again = await run.ingest(await openFileSource(path), 'nginx-json');
  await run.drain();
  assert.equal(again.status, 'up-to-date');
  assert.equal(await store.count(), 50);
  appendFileSync(path, `${Array.from({ length: 10 }, (_, i) => nginxLine(100 + i)).join('\n')}\n`);
  run = ingestor();
  const more = await run.ingest(await openFileSource(path), 'nginx-json');
  await run.drain();
  assert.equal(more.status, 'read');
  assert.ok(more.fromOffset > 0);
  assert.equal(await store.count(), 60);
  assert.equal(run.stats()[0]?.stored, 10);
});

test('a rotated and gzipped copy of a log, and the same log on stdin, are recognised as already read', async () => {
  const path = join(dir, `rot-${n++}.log`);
  const content = `${Array.from({ length: 30 }, (_, i) => nginxLine(i)).join('\n')}\n`;
  writeFileSync(path, content);
  const { store, ingestor } = setup();
  let run = ingestor();
  await run.ingest(await openFileSource(path), 'auto');
  await run.drain();
  const gz = `${path}.1.gz`;
  writeFileSync(gz, gzipSync(content));
  run = ingestor();
  const report = await run.ingest(await openFileSource(gz), 'auto');
  await run.drain();
  assert.equal(report.format, 'nginx-json');
  assert.equal(await store.count(), 30);
  run = ingestor();
  await run.ingest(
    openStreamSource('stdin', Readable.from([Buffer.from(content.slice(0, 1000)), Buffer.from(content.slice(1000))])),
    'auto',
  );
  await run.drain();
  assert.equal(await store.count(), 30);
  assert.equal(run.stats()[0]?.stored ?? 0, 0);
});

test('stdin and gzip inputs are read in full, with ids stable across the two', async () => {
  const content = `${Array.from({ length: 25 }, (_, i) => nginxLine(i, '&x=1')).join('\n')}\n`;
  const gz = join(dir, `fresh-${n++}.log.gz`);
  writeFileSync(gz, gzipSync(content));
  const a = setup();
  const runA = a.ingestor();
  await runA.ingest(await openFileSource(gz), 'auto');
  await runA.drain();
  const b = setup();
  const runB = b.ingestor();
  await runB.ingest(openStreamSource('stdin', Readable.from([Buffer.from(content)])), 'auto');
  await runB.drain();
  const idsA = (await a.store.query()).map((e) => e.id);
  const idsB = (await b.store.query()).map((e) => e.id);
  assert.equal(idsA.length, 25);
  assert.deepEqual(idsA, idsB);
});

test('an undetectable input is a PAL_ERR_FORMAT_UNDETECTED error, an unknown format PAL_ERR_FORMAT_UNKNOWN', async () => {
  const path = join(dir, `prose-${n++}.txt`);
  writeFileSync(path, 'Dear diary,\ntoday I read no logs at all.\n');
  const { ingestor } = setup();
  await assert.rejects(ingestor().ingest(await openFileSource(path), 'auto'), { code: 'PAL_ERR_FORMAT_UNDETECTED' });
  await assert.rejects(ingestor().ingest(await openFileSource(path), 'not-a-format'), { code: 'PAL_ERR_FORMAT_UNKNOWN' });
});

test('a HAR document is read whole and each entry becomes an event', async () => {
  const har = new URL('../parsers/har/fixtures/chrome.har', import.meta.url).pathname;
  const { store, ingestor } = setup();
  const run = ingestor();
  const report = await run.ingest(await openFileSource(har), 'auto');
  await run.drain();
  assert.equal(report.format, 'har');
  assert.ok((await store.count()) >= 2);
  const again = ingestor();
  assert.equal((await again.ingest(await openFileSource(har), 'auto')).status, 'up-to-date');
});

test('follow mode reads new lines, survives rename rotation and truncation, and stops on abort with nothing lost', async () => {
  const path = join(dir, `follow-${n++}.log`);
  writeFileSync(path, `${nginxLine(0)}\n${nginxLine(1)}\n`);
  const { store, ingestor, clock } = setup(1000);
  const run = ingestor();
  const abort = new AbortController();
  const following = followFile(path, run, { format: 'auto', signal: abort.signal, pollMs: 20, flushIntervalMs: 0, clock });
  const waitFor = async (count: number): Promise<void> => {
    for (let i = 0; i < 500 && (await store.count()) < count; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await store.count(), count);
  };
  await waitFor(2);
  appendFileSync(path, `${nginxLine(2)}\n${nginxLine(3).slice(0, 40)}`);
  await waitFor(3);
  appendFileSync(path, `${nginxLine(3).slice(40)}\n`);
  await waitFor(4);
  renameSync(path, `${path}.1`);
  appendFileSync(`${path}.1`, `${nginxLine(4)}\n`);
  writeFileSync(path, `${nginxLine(5)}\n`);
  await waitFor(6);
  writeFileSync(path, `${nginxLine(6)}\n${nginxLine(7)}\n`);
  await waitFor(8);
  clock.advance(1);
  abort.abort();
  await following;
  assert.equal(await store.count(), 8);
  const ids = new Set((await store.query()).map((e) => e.request.path));
  assert.equal(ids.size, 8);
});
