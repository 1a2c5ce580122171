/**
 * Attack-reader bench: turns a simulated data set (`palisade simulate`) into events the way `palisade analyze`
 * does (the parser registry's `nginx-json` parser, the run enricher), runs the attack reader of behavioural
 * detection over them, and prints:
 * - the reader's throughput alone, in events per CPU second: on each batch of 2,000 events as soon as the
 *   enricher made it (as the ingestor hands batches over), in a first pass (code not yet optimized by the JIT)
 *   and a second one (a new reader, its caches empty); then over all events held in memory; with the rate of
 *   a bare `JSON.parse` of the same log lines for scale (a machine's speed varies, the ratio less);
 * - the events flagged per attack class, and which come from the scanning campaign's address (`labels.json`:
 *   the campaign of category `injection`) and which from any other client (false positives);
 * - the reader with its prefilter switched off, and whether any result differs.
 * Prints figures; never part of `npm test`.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/detection/attack-reader.ts [--dir /tmp/attack-reader-data] [--paranoia 1] [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ApiEvent, isReject, isSkip, loadConfig, type ParsedEvent } from '@palisade/core';
import { createDefaultParserRegistry } from '@palisade/engine';
import { createRunEnricher } from '../../packages/cli/src/commands/ingest.js';
import { type AttackReader, createAttackReader } from '../../packages/engine/src/detect/attack-reader.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/attack-reader-data' },
    paranoia: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
  },
});
const dir = values.dir as string;
const paranoia = Number(values.paranoia);
const runs = Number(values.runs);
const root = new URL('../..', import.meta.url).pathname;

interface Labels {
  campaigns: Array<{ id: string; category: string; entities: Array<{ kind: string; value: string }>; requests: number }>;
}

if (!existsSync(join(dir, 'labels.json'))) {
  const args = ['simulate', '--out', dir, '--days', '7', '--seed', '3', '--scale', 'small', '-q'];
  const r = spawnSync(process.execPath, [join(root, 'packages/cli/bin/palisade.js'), ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`palisade simulate exited ${r.status}`);
}

/** Events per batch, as `palisade analyze` hands them over in memory. */
const BATCH = 2000;
const files = readdirSync(dir)
  .filter((f) => f.startsWith('access-') && f.endsWith('.ndjson'))
  .sort();
const lines = files.map((file) => readFileSync(join(dir, file), 'utf8').split('\n'));

/**
 * Every event of the data set, parsed and enriched as `palisade analyze` does, in file order; each batch of
 * `BATCH` events is handed to `onBatch` as soon as it is made.
 */
function loadEvents(onBatch: (batch: readonly ApiEvent[]) => void): ApiEvent[] {
  const enrich = createRunEnricher(loadConfig({}), new Uint8Array(randomBytes(32)));
  const parser = createDefaultParserRegistry().get('nginx-json');
  const events: ApiEvent[] = [];
  let batch: ApiEvent[] = [];
  files.forEach((file, f) => {
    const records = parser.open();
    const source = { kind: 'nginx-json', name: file, file: join(dir, file) };
    (lines[f] as string[]).forEach((line, i) => {
      if (line === '') return;
      const outcome = records.parse(line);
      for (const one of Array.isArray(outcome) ? outcome : [outcome]) {
        if (isReject(one) || isSkip(one)) continue;
        const event = enrich(one as ParsedEvent, { ...source, line: i + 1 }, `${file}:${i + 1}`);
        events.push(event);
        batch.push(event);
        if (batch.length === BATCH) {
          onBatch(batch);
          batch = [];
        }
      }
    });
  });
  if (batch.length > 0) onBatch(batch);
  return events;
}

/** CPU microseconds (user and system, this process) that `work` takes. */
function cpuOf(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** CPU microseconds `read` takes over `events`. */
const readingCpu = (read: AttackReader, events: readonly ApiEvent[]): number =>
  cpuOf(() => {
    for (const event of events) read(event);
  });

const format = (n: number): string => Math.round(n).toLocaleString('en-US');
const perCpuSecond = (count: number, micros: number): string =>
  `${format(count / (micros / 1e6))} events/s (${(micros / count).toFixed(2)} µs/event)`;

const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Labels;
const scanning = labels.campaigns.find((c) => c.category === 'injection');
const scannerIps = new Set(scanning?.entities.filter((e) => e.kind === 'ip').map((e) => e.value) ?? []);
const isScanner = (event: ApiEvent): boolean => scannerIps.has(event.client.ip ?? '');

const created = performance.now();
const firstRead = await createAttackReader({ paranoia });
console.log(`reader created in ${(performance.now() - created).toFixed(0)} ms (paranoia ${paranoia})`);

// first pass: one reader sees every batch
let firstCpu = 0;
const loading = performance.now();
const events = loadEvents((batch) => {
  firstCpu += readingCpu(firstRead, batch);
});
console.log(`${format(events.length)} events from ${dir} (${((performance.now() - loading) / 1000).toFixed(1)} s to read, parse, enrich)`);
console.log(`scanning campaign ${scanning?.id ?? '(none)'} from ${[...scannerIps].join(', ')}: ${scanning?.requests ?? 0} requests`);

// second pass: new readers (empty caches) on batches made again; one of them sees only the other clients' events
const read = await createAttackReader({ paranoia });
const benignRead = await createAttackReader({ paranoia });
let secondCpu = 0;
let benignCpu = 0;
let benignCount = 0;
loadEvents((batch) => {
  secondCpu += readingCpu(read, batch);
  const benignBatch = batch.filter((e) => !isScanner(e));
  benignCount += benignBatch.length;
  benignCpu += readingCpu(benignRead, benignBatch);
});
const parseCpu = cpuOf(() => {
  for (const file of lines) for (const line of file) if (line !== '') JSON.parse(line);
});
const again: number[] = [];
for (let i = 0; i < runs; i++) again.push(readingCpu(read, events));

console.log(`\nreader alone, per CPU second, on batches of ${BATCH} events as the enricher makes them:`);
console.log(`  first pass (JIT cold):          ${perCpuSecond(events.length, firstCpu)}`);
console.log(`  second pass (new reader):       ${perCpuSecond(events.length, secondCpu)}`);
console.log(`  second pass, other clients only: ${perCpuSecond(benignCount, benignCpu)}`);
console.log(`  all events again, from memory:  ${perCpuSecond(events.length, Math.min(...again))} (best of ${runs})`);
console.log(`  JSON.parse of the same log lines: ${format(events.length / (parseCpu / 1e6))} lines/s`);

// what was flagged
const fresh = await createAttackReader({ paranoia });
const results = events.map((e) => fresh(e));
const perCategory = new Map<string, number>();
let fromScanner = 0;
let scannerEvents = 0;
/** The scanner's address's events flagged with nothing, by user agent. */
const scannerMissed = new Map<string, number>();
const falsePositives: Array<{ event: ApiEvent; attacks: string[] }> = [];
events.forEach((event, i) => {
  const attacks = results[i] as string[];
  const scanner = isScanner(event);
  if (scanner) scannerEvents++;
  if (attacks.length === 0) {
    const agent = event.client.userAgent ?? '(none)';
    if (scanner) scannerMissed.set(agent, (scannerMissed.get(agent) ?? 0) + 1);
    return;
  }
  for (const a of attacks) perCategory.set(a, (perCategory.get(a) ?? 0) + 1);
  if (scanner) fromScanner++;
  else falsePositives.push({ event, attacks });
});
console.log('\nflagged events per attack class:');
for (const [category, n] of [...perCategory].sort((a, b) => b[1] - a[1])) console.log(`  ${category.padEnd(20)} ${n}`);
const flaggedPayloads = events.filter((e, i) => isScanner(e) && (results[i] as string[]).some((a) => a !== 'scanner')).length;
console.log(
  `flagged from the scanner's address: ${fromScanner} of its ${scannerEvents} events (${flaggedPayloads} for a payload, not only its user agent)`,
);
const missed = [...scannerMissed].sort((a, b) => b[1] - a[1]);
// the campaign's address is shared (NAT): its other requests come with other user agents
console.log(`  not flagged, by user agent: ${missed.map(([agent, n]) => `${n} × ${agent}`).join('; ') || 'none'}`);
console.log(`flagged from any other client (false positives): ${falsePositives.length} of ${format(events.length - scannerEvents)} events`);
for (const { event, attacks } of falsePositives.slice(0, 10)) {
  const q = event.request.query === undefined ? '' : `?${event.request.query}`;
  console.log(
    `  ${attacks.join(',')}  ${event.client.ip} ${event.request.method} ${event.request.path}${q} ${event.request.body?.text.slice(0, 80) ?? ''}`,
  );
}

// the prefilter and the caches change no result
const slow = await createAttackReader({ paranoia, prefilter: false });
let differences = 0;
const slowCpu = cpuOf(() => {
  events.forEach((event, i) => {
    const expected = slow(event);
    const got = results[i] as string[];
    if (expected.join(',') === got.join(',')) return;
    differences++;
    if (differences <= 5)
      console.log(`  differs: ${event.request.path}?${event.request.query ?? ''}: ${got.join(',')} vs ${expected.join(',')}`);
  });
});
console.log(
  `\nwithout the prefilter (one pass from memory, caches empty): ${perCpuSecond(events.length, slowCpu)}; results that differ: ${differences}`,
);
