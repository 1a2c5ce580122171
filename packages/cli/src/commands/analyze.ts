import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, PalisadeError, systemClock } from '@palisade/core';
import {
  type AnalysisReport,
  createDeadLetterFile,
  createDefaultParserRegistry,
  applyTriage,
  createEventDetection,
  createInventory,
  createInventoryStore,
  type DeclaredApi,
  defaultParseWorkers,
  foldIncidents,
  type EventDetection,
  Ingestor,
  type Inventory,
  loadOrCreateSecretKey,
  loadDetectionSetup,
  loadTriage,
  ParsePool,
  resolveInputs,
  triagePath,
} from '@palisade/engine';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { createProgressDisplay } from '../progress.js';
import { renderAnalysisHtml } from '../report/html.js';
import { printAnalysisSummary } from '../report/terminal.js';
import { createRunEnricher, describeChoice, parseCount } from './ingest.js';
import { loadSpecFor } from './specs.js';
import { openSources } from './sources.js';

/**
 * Events per batch in memory: small, so events die young (the inventory keeps what it needs) instead of
 * being promoted and collected expensively. With `--db` the store's batch size applies.
 */
const IN_MEMORY_BATCH = 2000;

/** The document kind under which `analyze --db` stores its report. */
export const INVENTORY_DOCUMENT = 'inventory';

export interface AnalyzeFlags {
  spec: string[];
  json?: string;
  html?: string;
  db?: string;
  dataDir?: string;
  config?: string;
  format: string;
  quiet?: boolean;
  color: boolean;
  workers?: string;
  /** `--no-detect` (false): inventory and posture only. */
  detect?: boolean;
  /** Extra behaviour rule folders. */
  rules?: string[];
  /** `--fresh-state`: with `--db`, ignore the saved detection state (baselines start afresh). */
  freshState?: boolean;
}

/** How far back stored alerts fold with a run's own into incidents (`analyze --db`). */
const INCIDENT_HORIZON_MS = 30 * 86_400_000;

/** The kind under which `analyze --db` keeps detection's state between runs. */
export const DETECTION_STATE = 'detection';

/** `palisade analyze <logs…>`: inventory, posture and a report, from logs alone (in memory unless `--db`). */
export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('discover the APIs in traffic logs, assess their posture, and report (in memory unless --db)')
    .argument('<paths...>', 'log files, directories or globs; - reads stdin')
    .option(
      '--spec <file>',
      'a declared OpenAPI 3.x or Swagger 2.0 spec, or HOST=FILE to map it to a host (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--json <file>', 'write the full report as JSON')
    .option('--html <file>', 'write the report as one self-contained HTML file')
    .option('--db <path>', 'also store the events in this DuckDB store')
    .option('-f, --format <format>', 'log format, or auto to detect it per input', 'auto')
    .option('--data-dir <dir>', 'data directory (secret key, dead letters) when --db is given (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .option('--workers <n>', 'threads parsing large inputs in memory (default: cores minus 1, at most 4; 0 = main thread only)')
    .option(
      '--rules <dir>',
      'extra behaviour rule folder, loaded with the shipped rules (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--no-detect', 'no behavioural detection (inventory and posture only)')
    .option('--fresh-state', 'with --db: start detection baselines afresh instead of going on from the saved state')
    .option('--no-color', 'no colours in the summary')
    .option('-q, --quiet', 'no progress display')
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      process.exitCode = await runAnalyze(paths, flags);
    });
}

/** The time span of the events a run read (epoch ms), for the hourly rollups. */
interface Span {
  first: number;
  last: number;
}

/** What detection is fed: events after `judgedUntil` (epoch ms; an earlier run with `--db` judged the rest), and how many it was not. */
interface DetectionFeed {
  detection: EventDetection;
  judgedUntil: number;
  skipped: number;
}

/** The inventory, with every event it is given also fed to detection (in the same order), and the events' span kept. */
function withDetection(inventory: Inventory, feed: DetectionFeed | undefined, span: Span): Inventory {
  return {
    add(event) {
      if (event.time < span.first) span.first = event.time;
      if (event.time > span.last) span.last = event.time;
      // one templater for both: detection takes the inventory's template (null: a 404, resolved on demand)
      const template = inventory.add(event);
      if (feed !== undefined) {
        // logs read again (or overlapping a run already made) are not judged twice on top of the state that holds them
        if (event.time <= feed.judgedUntil) feed.skipped++;
        else feed.detection.add(event, template ?? null);
      }
      return template;
    },
    resolve: (request) => inventory.resolve(request),
    get events() {
      return inventory.events;
    },
    report: (input) => inventory.report(input),
  };
}

export async function runAnalyze(paths: string[], flags: AnalyzeFlags): Promise<number> {
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir, storePath: flags.db } });
  const registry = createDefaultParserRegistry();
  if (flags.format !== 'auto') registry.get(flags.format);
  const specs: DeclaredApi[] = [];
  for (const spec of flags.spec) specs.push(await loadSpecFor(spec));
  const sources = await openSources(await resolveInputs(paths));

  // In memory, tokens only need to be consistent within the run: a throw-away key, nothing written to disk.
  const secretKey = flags.db === undefined ? new Uint8Array(randomBytes(32)) : loadOrCreateSecretKey(config.dataDir);
  const enricher = createRunEnricher(config, secretKey);
  let inventory: ReturnType<typeof createInventory>;
  try {
    inventory = createInventory({
      declared: specs,
      overrides: config.discovery.templates,
      sensitive: { custom: config.discovery.sensitivePatterns },
      newWithinDays: config.discovery.newWithinDays,
    });
  } catch (error) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `invalid configuration: ${(error as Error).message}`);
  }
  const inner = flags.db === undefined ? undefined : await createDuckDbStore({ path: flags.db, memoryLimit: config.store.memoryLimit });
  const setup = await loadDetectionSetup({ ruleDirs: flags.rules ?? [] });
  // marks people made on earlier incidents (palisade incidents mark): read first, so a bad file fails before a long run
  const triage = loadTriage(triagePath(config.dataDir));
  const detection = createEventDetection({
    declared: specs,
    scenarios: setup.scenarios,
    detectors: setup.detectors(),
    attacks: setup.attacks,
    secret: secretKey,
    resolve: (request) => inventory.resolve(request),
  });
  const feed: DetectionFeed = { detection, judgedUntil: Number.NEGATIVE_INFINITY, skipped: 0 };
  if (inner !== undefined && flags.detect !== false) {
    const saved = flags.freshState === true ? undefined : await inner.getState(DETECTION_STATE);
    if (saved !== undefined) {
      const { restored, fresh } = detection.runner.restore(saved.state);
      feed.judgedUntil = saved.clock;
      if (flags.quiet !== true) {
        process.stderr.write(
          `detection: going on from the state saved at ${new Date(saved.clock).toISOString()} (event time): ${restored.length} rules` +
            `${fresh.length > 0 ? `; new or changed, started afresh: ${fresh.join(', ')}` : ''}\n`,
        );
      }
    }
  }
  const span: Span = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
  const store = createInventoryStore(withDetection(inventory, flags.detect === false ? undefined : feed, span), inner);
  const stamp = new Date(systemClock.now()).toISOString().replace(/[:.]/g, '-');
  const deadLetter = createDeadLetterFile(join(config.dataDir, 'dead-letter'), `analyze-${stamp}`);
  const started = performance.now();
  const quiet = flags.quiet === true;
  const totalBytes = sources.every((s) => s.source.size !== undefined) ? sources.reduce((n, s) => n + (s.source.size ?? 0), 0) : undefined;
  const display = quiet ? { update() {}, stop() {} } : createProgressDisplay(process.stderr, totalBytes, started);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  // Workers parse and enrich, and hand over only what the inventory reads (one JSON array per event); the
  // main thread builds the inventory. In memory that leaves one core for the inventory and gives the rest to
  // workers (on two cores one worker: about 1.3 times the events/s, BENCHMARKS.md). With `--db` the events go
  // whole to DuckDB, which needs the cores itself: no workers.
  const workers =
    flags.workers !== undefined ? parseCount(flags.workers, '--workers') : (config.ingest.workers ?? defaultParseWorkers(undefined, 1));
  const parsePool =
    workers > 0 && store.encoderModule !== undefined
      ? new ParsePool(
          { enrich: config.ingest, secretKey, formatOptions: config.ingest.formats, encoderModule: store.encoderModule },
          workers,
        )
      : undefined;
  const ingestor = new Ingestor({
    parsePool,
    store,
    registry,
    enricher,
    clock: systemClock,
    deadLetter,
    batchSize: inner === undefined ? Math.min(config.ingest.batchSize, IN_MEMORY_BATCH) : config.ingest.batchSize,
    formatOptions: config.ingest.formats,
    signal: abort.signal,
    onProgress: (p) => display.update(p),
  });
  const warnings: string[] = [];
  let report: AnalysisReport;
  try {
    for (const { input, source } of sources) {
      if (abort.signal.aborted) break;
      try {
        const report = await ingestor.ingest(source, flags.format);
        if (!quiet && report.status !== 'empty') process.stderr.write(`${describeChoice(report)}\n`);
      } catch (error) {
        if (error instanceof PalisadeError && error.code === 'PAL_ERR_FORMAT_UNDETECTED' && !input.explicit) {
          warnings.push(`skipped ${input.path}: format not recognised`);
          continue;
        }
        throw error;
      }
    }
    await ingestor.drain();
    display.stop();
    const rejected = ingestor.stats().reduce((n, s) => n + Object.values(s.rejected).reduce((a, b) => a + (b ?? 0), 0), 0);
    report = inventory.report({
      files: sources.map((s) => s.source.name),
      rejected,
      specs: specs.map((s) => s.source),
      now: systemClock.now(),
    });
    // the state is saved before `finish()`, which ends the open alerts: the next run goes on with them open
    const state = inner !== undefined && flags.detect !== false ? detection.runner.save() : undefined;
    let raw = detection.finish();
    const current = new Set(raw.alerts.map((a) => a.id));
    if (inner !== undefined) {
      if (state !== undefined && span.last > feed.judgedUntil) await inner.putState(DETECTION_STATE, state, span.last, systemClock.now());
      await inner.putAlerts(raw.alerts);
      if (span.last >= span.first) {
        await inner.rollUp(span.first, span.last);
        // incidents span runs: this run's alerts fold with the stored ones of the 30 days before
        const earlier = (await inner.alerts({ since: span.first - INCIDENT_HORIZON_MS })).filter((a) => !current.has(a.id));
        raw = foldIncidents([...earlier, ...raw.alerts]);
      }
    }
    if (feed.skipped > 0) {
      warnings.push(
        `detection: ${feed.skipped} events at or before ${new Date(feed.judgedUntil).toISOString()} were judged by an earlier run and not again ` +
          '(--fresh-state judges everything afresh)',
      );
    }
    const detected = applyTriage(raw, triage);
    // the report holds the incidents this run added to, with every alert they hold (earlier runs' too)
    detected.incidents = detected.incidents.filter((i) => i.alertIds.some((id) => current.has(id)));
    const shown = new Set(detected.incidents.flatMap((i) => i.alertIds));
    report.alerts = detected.alerts.filter((a) => current.has(a.id) || shown.has(a.id));
    report.incidents = detected.incidents;
    if (detected.suppressed.length > 0) {
      warnings.push(`${detected.suppressed.length} alerts suppressed by false-positive marks (palisade incidents list)`);
    }
    // `palisade discover export|diff` read the stored inventory
    await inner?.putDocument(INVENTORY_DOCUMENT, JSON.stringify(report), systemClock.now());
  } finally {
    display.stop();
    await parsePool?.close();
    deadLetter.close();
    process.off('SIGINT', onSignal);
    await store.close();
  }
  for (const w of warnings) process.stderr.write(`palisade: ${w}\n`);
  if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.html !== undefined) writeFileSync(flags.html, renderAnalysisHtml(report));
  printAnalysisSummary(process.stdout, report, {
    color: flags.color && process.stdout.isTTY === true,
    jsonPath: flags.json,
    htmlPath: flags.html,
  });
  if (deadLetter.path !== undefined) process.stderr.write(`${deadLetter.count} rejected records written to ${deadLetter.path}\n`);
  return abort.signal.aborted ? 130 : 0;
}
