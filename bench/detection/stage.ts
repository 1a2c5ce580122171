/**
 * The detection stage alone, apart from reading logs and building the inventory: reads a simulated dataset
 * day by day (parse and enrich, not timed), then times, per event,
 * - the facts a parse worker reads of each event alone (attack classes from the sensor's signatures,
 *   network, client fingerprint), and
 * - behavioural detection itself: the observation (templating included) and every shipped rule and detector.
 * `analyze` runs the first in its parse workers and the second on its main thread, beside the inventory.
 * Prints events/s for each (wall clock) and the detection stage's CPU time per event (process CPU, which
 * other load on the machine disturbs less); never part of `npm test`.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/detection/stage.ts --data DIR [--days N] [--cpu-prof]
 *   (DIR: a `palisade simulate` output, e.g. /tmp/palisade-bench/detection/small-30d-seed1 written by run.ts)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ApiEvent, isReject, isSkip, loadConfig, type ParsedEvent } from '@palisade/core';
import {
  createDefaultParserRegistry,
  createEnricher,
  createEventDetection,
  createFactReader,
  createTokenizer,
  loadDetectionSetup,
  PRECOMPUTED,
} from '@palisade/engine';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    days: { type: 'string' },
  },
});
if (values.data === undefined) throw new Error('--data DIR is required (a palisade simulate output)');
const files = readdirSync(values.data)
  .filter((f) => /^access-.*\.ndjson$/.test(f))
  .sort()
  .slice(0, values.days === undefined ? undefined : Number(values.days))
  .map((f) => join(values.data as string, f));

const registry = createDefaultParserRegistry();
const enrich = createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 7)));
const setup = await loadDetectionSetup();
const readFacts = createFactReader(setup.attacks);
const detection = createEventDetection({ scenarios: setup.scenarios, detectors: setup.detectors(), secret: Buffer.alloc(32, 7) });

let events = 0;
let factsMs = 0;
let detectMs = 0;
let detectCpuMs = 0;
let n = 0;
for (const file of files) {
  const parser = registry.get('nginx-json').open();
  const day: ApiEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    for (const outcome of [parser.parse(line)].flat()) {
      if (isReject(outcome) || isSkip(outcome)) continue;
      day.push(enrich(outcome as ParsedEvent, { kind: 'nginx-json', name: 'bench' }, `ev${(n++).toString(16).padStart(30, '0')}`));
    }
  }
  let t = performance.now();
  for (const event of day) (event as ApiEvent & { [PRECOMPUTED]?: unknown })[PRECOMPUTED] = readFacts(event);
  factsMs += performance.now() - t;
  t = performance.now();
  const cpu = process.cpuUsage();
  for (const event of day) detection.add(event);
  const used = process.cpuUsage(cpu);
  detectCpuMs += (used.user + used.system) / 1000;
  detectMs += performance.now() - t;
  events += day.length;
}
const t = performance.now();
const result = detection.finish();
detectMs += performance.now() - t;

const rate = (ms: number): string => `${Math.round(events / (ms / 1000)).toLocaleString('en')} events/s`;
console.log(
  `${files.length} days, ${events.toLocaleString('en')} events, ${result.alerts.length} alerts, ${result.incidents.length} incidents`,
);
console.log(
  `facts (parse workers): ${(factsMs / 1000).toFixed(1)} s = ${rate(factsMs)} (${((factsMs * 1000) / events).toFixed(1)} µs/event)`,
);
console.log(
  `detection (observe + rules + detectors, one thread): ${(detectMs / 1000).toFixed(1)} s = ${rate(detectMs)} (${((detectMs * 1000) / events).toFixed(1)} µs/event)`,
);
console.log(`detection CPU: ${((detectCpuMs * 1000) / events).toFixed(1)} µs/event (process CPU, GC threads included)`);
console.log(`both, one thread: ${rate(factsMs + detectMs)}`);
