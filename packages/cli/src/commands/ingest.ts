import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, PalisadeError, type PalisadeConfig, systemClock } from '@palisade/core';
import {
  createDeadLetterFile,
  createDefaultParserRegistry,
  createEnricher,
  createTokenizer,
  defaultParseWorkers,
  followFile,
  Ingestor,
  type IngestorOptions,
  type ParserRegistry,
  loadOrCreateSecretKey,
  ParsePool,
  resolveInputs,
  startPushServer,
  type StreamReport,
} from '@palisade/engine';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { createProgressDisplay } from '../progress.js';
import { openSources } from './sources.js';
import { type IngestSummary, printSummary } from '../summary.js';

interface IngestFlags {
  format: string;
  db?: string;
  dataDir?: string;
  config?: string;
  follow?: boolean;
  json?: boolean;
  quiet?: boolean;
  batchSize?: string;
  listen?: string;
  pushToken?: string;
  workers?: string;
}

/** `palisade ingest <paths…>`: reads logs into the store. */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('read API traffic logs (files, directories, globs, .gz, - for stdin) into the store')
    .argument('[paths...]', 'log files, directories or globs; - reads stdin')
    .option('-f, --format <format>', 'log format, or auto to detect it per input (see `palisade formats`)', 'auto')
    .option('--db <path>', 'DuckDB store file (default: <data-dir>/palisade.duckdb)')
    .option('--data-dir <dir>', 'data directory: store, secret key, dead letters (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .option('--follow', 'keep reading files as they grow, across rotation, until Ctrl-C')
    .option('--batch-size <n>', 'events per store write')
    .option('--workers <n>', 'threads parsing large inputs in parallel; 0 parses on the main thread (default: cores minus 2, at most 4)')
    .option('--listen <host:port>', 'receive pushed logs over HTTP instead of reading files (POST /v1/events, /v1/traces)')
    .option('--push-token <token>', 'bearer token the push endpoint requires')
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'no progress display and no per-input lines')
    .action(async (paths: string[], flags: IngestFlags) => {
      process.exitCode = await runIngest(paths, flags);
    });
}

async function runIngest(paths: string[], flags: IngestFlags): Promise<number> {
  const started = performance.now();
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir, storePath: flags.db } });
  const batchSize = flags.batchSize === undefined ? config.ingest.batchSize : parsePositiveInt(flags.batchSize, '--batch-size');
  const registry = createDefaultParserRegistry();
  if (flags.format !== 'auto') registry.get(flags.format);
  if (flags.listen !== undefined) {
    if (paths.length > 0 || flags.follow === true)
      throw new PalisadeError('PAL_ERR_USAGE', '--listen receives pushed logs; give no paths and no --follow with it');
    return runPushIngest(flags, batchSize);
  }
  if (paths.length === 0)
    throw new PalisadeError('PAL_ERR_USAGE', 'give the logs to read (files, directories, globs or - for stdin), or --listen');
  const inputs = await resolveInputs(paths);
  if (flags.follow === true && inputs.some((i) => i.kind === 'stdin')) {
    throw new PalisadeError('PAL_ERR_USAGE', '--follow reads files; stdin is followed anyway until it ends');
  }
  const sources = await openSources(inputs);
  if (flags.follow === true && sources.some((s) => s.source.compressed)) {
    throw new PalisadeError('PAL_ERR_USAGE', '--follow cannot follow gzip files; ingest them without --follow');
  }

  const workers = flags.workers === undefined ? (config.ingest.workers ?? defaultParseWorkers()) : parseCount(flags.workers, '--workers');
  const { storePath, enricher, store, deadLetter, secretKey } = await openIngestTargets(config);
  const parsePool =
    workers > 0 && flags.follow !== true && store.encoderModule !== undefined
      ? new ParsePool(
          { enrich: config.ingest, secretKey, formatOptions: config.ingest.formats, encoderModule: store.encoderModule },
          workers,
        )
      : undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const quiet = flags.quiet === true || flags.json === true;
  const totalBytes =
    sources.every((s) => s.source.size !== undefined) && flags.follow !== true
      ? sources.reduce((n, s) => n + (s.source.size ?? 0), 0)
      : undefined;
  const display = quiet ? { update() {}, stop() {} } : createProgressDisplay(process.stderr, totalBytes, started);
  const ingestor = createIngestor(
    config,
    registry,
    { store, enricher, deadLetter },
    { batchSize, signal: abort.signal, onProgress: (p) => display.update(p), parsePool },
  );
  const warnings: string[] = [];
  let retentionDeleted = 0;
  const say = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  try {
    if (flags.follow === true) {
      say(`following ${sources.length} file(s); Ctrl-C to stop`);
      await Promise.all(
        sources.map(({ input }) =>
          followFile(input.path, ingestor, {
            format: flags.format,
            signal: abort.signal,
            flushIntervalMs: config.ingest.flushIntervalMs,
            clock: systemClock,
            onFile: (r) => say(describeChoice(r)),
          }),
        ),
      );
    } else {
      for (const { input, source } of sources) {
        if (abort.signal.aborted) break;
        let report: StreamReport;
        try {
          report = await ingestor.ingest(source, flags.format);
        } catch (error) {
          if (error instanceof PalisadeError && error.code === 'PAL_ERR_FORMAT_UNDETECTED' && !input.explicit) {
            warnings.push(`skipped ${input.path}: format not recognised`);
            continue;
          }
          throw error;
        }
        if (report.status !== 'empty') say(describeChoice(report));
      }
    }
    if (sources.length > 0 && warnings.length === sources.length) {
      throw new PalisadeError(
        'PAL_ERR_FORMAT_UNDETECTED',
        `no input was in a format Palisade recognises (${sources.length} skipped); give --format (see \`palisade formats\`)`,
      );
    }
    await ingestor.drain();
    retentionDeleted = await store.applyRetention(systemClock.now(), config.store.retentionDays);
  } finally {
    display.stop();
    await parsePool?.close();
    deadLetter.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  const summary: IngestSummary = {
    store: storePath,
    formats: ingestor.stats(),
    inputs: ingestor.reports(),
    warnings,
    deadLetterFile: deadLetter.path,
    deadLetters: deadLetter.count,
    bytesRead: ingestor.progress().bytesRead,
    elapsedMs: performance.now() - started,
    interrupted: abort.signal.aborted && flags.follow !== true,
    retention: { days: config.store.retentionDays, deleted: retentionDeleted },
  };
  printSummary(process.stdout, summary, flags.json === true);
  return summary.interrupted ? 130 : 0;
}

export function describeChoice(
  r: Pick<StreamReport, 'name' | 'format' | 'chosenBy' | 'score' | 'fromOffset'> & { status?: string },
): string {
  const how = r.chosenBy === 'auto' ? `detected ${r.format} (score ${r.score})` : `${r.format} (--format)`;
  const where = r.status === 'up-to-date' ? ', already ingested' : r.fromOffset > 0 ? `, resuming at byte ${r.fromOffset}` : '';
  return `${r.name}: ${how}${where}`;
}

/** A whole number from 0 to 64 given to `flag`; anything else is `PAL_ERR_USAGE`. */
export function parseCount(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new PalisadeError('PAL_ERR_USAGE', `${flag} must be a whole number from 0 to 64`);
  return n;
}

function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new PalisadeError('PAL_ERR_USAGE', `${flag} must be a positive integer`);
  return n;
}

/** `palisade ingest --listen HOST:PORT`: the HTTP push endpoint, until Ctrl-C. */
async function runPushIngest(flags: IngestFlags, batchSize: number): Promise<number> {
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir, storePath: flags.db } });
  const match = /^(.*):(\d{1,5})$/.exec(flags.listen ?? '');
  if (match === null) throw new PalisadeError('PAL_ERR_USAGE', '--listen takes HOST:PORT, e.g. 127.0.0.1:4318');
  const host = (match[1] as string).replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  const registry = createDefaultParserRegistry();
  const { storePath, enricher, store, deadLetter } = await openIngestTargets(config);
  const started = performance.now();
  const ingestor = createIngestor(config, registry, { store, enricher, deadLetter }, { batchSize });
  try {
    const server = await startPushServer({
      ingestor,
      registry,
      host,
      port,
      token: flags.pushToken,
      onError: (error) => process.stderr.write(`palisade: push request failed: ${(error as Error).message?.split('\n')[0]}\n`),
    });
    if (flags.quiet !== true) process.stderr.write(`listening on ${server.url} (POST /v1/events, POST /v1/traces); Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
    await ingestor.drain();
  } finally {
    deadLetter.close();
    await store.close();
  }
  printSummary(
    process.stdout,
    {
      store: storePath,
      formats: ingestor.stats(),
      inputs: [],
      warnings: [],
      deadLetterFile: deadLetter.path,
      deadLetters: deadLetter.count,
      bytesRead: ingestor.progress().bytesRead,
      elapsedMs: performance.now() - started,
      interrupted: false,
      retention: { days: config.store.retentionDays, deleted: 0 },
    },
    flags.json === true,
  );
  return 0;
}

/** What every ingest mode writes through: the enricher (with the deployment key), the store, the dead letters. */
export async function openIngestTargets(config: Readonly<PalisadeConfig>) {
  const storePath = config.store.path ?? join(config.dataDir, 'palisade.duckdb');
  const secretKey = loadOrCreateSecretKey(config.dataDir);
  const enricher = createRunEnricher(config, secretKey);
  const store = await createDuckDbStore({ path: storePath, memoryLimit: config.store.memoryLimit });
  const stamp = new Date(systemClock.now()).toISOString().replace(/[:.]/g, '-');
  const deadLetter = createDeadLetterFile(join(config.dataDir, 'dead-letter'), stamp);
  return { storePath, enricher, store, deadLetter, secretKey };
}

/** The enricher of a run, with a tokenization key; invalid ingest settings are `PAL_ERR_CONFIG_INVALID`. */
export function createRunEnricher(config: Readonly<PalisadeConfig>, secretKey: Uint8Array): ReturnType<typeof createEnricher> {
  try {
    return createEnricher(config.ingest, createTokenizer(secretKey));
  } catch (error) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `invalid configuration: ${(error as Error).message}`);
  }
}

/** The ingestor of a run, over the targets `openIngestTargets` opened. */
function createIngestor(
  config: Readonly<PalisadeConfig>,
  registry: ParserRegistry,
  targets: Pick<IngestorOptions, 'store' | 'enricher' | 'deadLetter'>,
  run: Pick<IngestorOptions, 'batchSize' | 'signal' | 'onProgress' | 'parsePool'>,
): Ingestor {
  return new Ingestor({ ...targets, ...run, registry, clock: systemClock, formatOptions: config.ingest.formats });
}
