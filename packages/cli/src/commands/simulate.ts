import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BulkFile } from '../bulk-file.js';
import { PalisadeError } from '@palisade/core';
import {
  companySpecs,
  createCompany,
  type LiveResult,
  Random,
  SCALE_USERS,
  SIM_WRITERS,
  type Scale,
  type ShopServer,
  type SimExchange,
  type SimWriter,
  type SimulationLabels,
  sendLive,
  simulate,
  simulateLines,
  startShopServer,
} from '@palisade/engine';

export interface SimulateFlags {
  days: string;
  out?: string;
  serve?: boolean;
  listen?: string;
  live?: boolean;
  target?: string;
  maxRequests?: string;
  duration?: string;
  concurrency?: string;
  workers?: string;
  format: string;
  seed: string;
  scale: string;
  quiet?: boolean;
}

/** `palisade simulate`: writes a month (or any span) of realistic, labelled traffic of a simulated company. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('write realistic traffic of a simulated company, with labelled attack campaigns (labels.json)')
    .option('--out <dir>', 'directory for the log files (one per day) and labels.json')
    .option('--days <n>', 'days of traffic', '30')
    .option('--format <format>', `log format: ${[...SIM_WRITERS.keys()].join(', ')}`, 'nginx-json')
    .option('--seed <n>', 'seed: the same seed gives the same traffic', '1')
    .option('--scale <scale>', `${Object.keys(SCALE_USERS).join(', ')} (customers: ${Object.values(SCALE_USERS).join(', ')})`, 'small')
    .option('--serve', 'run the shop as a (deliberately vulnerable) HTTP server until Ctrl-C')
    .option('--listen <host:port>', 'address for --serve', '127.0.0.1:8080')
    .option('--live', 'send the simulated requests over HTTP to --target instead of writing logs')
    .option('--target <url>', 'where --live sends (http://host:port)')
    .option('--max-requests <n>', 'at most this many requests with --live', '10000')
    .option('--duration <seconds>', 'at most this long with --live', '60')
    .option('--concurrency <n>', 'requests in flight with --live', '16')
    .option('--workers <n>', 'threads making days in parallel for line formats (default: one per core, at most 8; 0 = main thread only)')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (flags: SimulateFlags) => {
      if (flags.serve === true) await runServe(flags);
      else if (flags.live === true) await runLive(flags);
      else await runSimulate(flags);
    });
}

/** What a simulation wrote: the log files, the labels, and each declared spec with its host. */
export interface SimulationOutput {
  logs: string[];
  labels: SimulationLabels;
  specs: Array<{ host: string; file: string }>;
}

const DAY_MS = 86_400_000;

/** The seed, days and scale of the flags, checked. */
function world(flags: SimulateFlags): { seed: number; days: number; scale: Scale } {
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new PalisadeError('PAL_ERR_USAGE', '--days must be a whole number from 1 to 366');
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new PalisadeError('PAL_ERR_USAGE', '--seed must be a whole number from 0 to 4294967295');
  if (!(flags.scale in SCALE_USERS))
    throw new PalisadeError('PAL_ERR_USAGE', `--scale must be one of ${Object.keys(SCALE_USERS).join(', ')}`);
  return { seed, days, scale: flags.scale as Scale };
}

function positive(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new PalisadeError('PAL_ERR_USAGE', `${flag} must be a positive whole number`);
  return n;
}

/** `--serve`: the shop built from the seed, as an HTTP server on loopback, until Ctrl-C. */
async function runServe(flags: SimulateFlags): Promise<void> {
  const { seed, scale } = world(flags);
  const listen = flags.listen ?? '127.0.0.1:8080';
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new PalisadeError('PAL_ERR_USAGE', '--listen must be host:port');
  let shop: ShopServer;
  try {
    shop = await startShopServer(createCompany(new Random(seed, 1), scale), { host, port });
  } catch (error) {
    throw new PalisadeError('PAL_ERR_LISTEN', `cannot listen on ${listen}: ${(error as Error).message}`);
  }
  process.stdout.write(`The simulated shop (seed ${seed}, ${scale}) is listening on ${shop.url}; Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await shop.close();
}

/** `--live`: the first requests of the simulation, sent over HTTP to `--target`, bounded in count and time. */
async function runLive(flags: SimulateFlags): Promise<void> {
  const { seed, days, scale } = world(flags);
  if (flags.target === undefined) throw new PalisadeError('PAL_ERR_USAGE', '--live needs --target http://host:port');
  const max = positive(flags.maxRequests, '--max-requests');
  const exchanges: SimExchange[] = [];
  const enough = new Error('enough requests');
  try {
    simulate({ days, seed, scale }, (exchange) => {
      exchanges.push(exchange);
      if (exchanges.length >= max) throw enough;
    });
  } catch (error) {
    if (error !== enough) throw error;
  }
  let result: LiveResult;
  try {
    result = await sendLive(exchanges, {
      target: flags.target,
      concurrency: positive(flags.concurrency, '--concurrency'),
      durationMs: positive(flags.duration, '--duration') * 1000,
    });
  } catch (error) {
    throw new PalisadeError('PAL_ERR_USAGE', (error as Error).message);
  }
  if (flags.quiet === true) return;
  const statuses = Object.entries(result.statuses)
    .map(([code, n]) => `${code} ${(n as number).toLocaleString('en')}`)
    .join(', ');
  const rate = Math.round(result.sent / result.seconds).toLocaleString('en');
  process.stdout.write(
    `Sent ${result.sent.toLocaleString('en')} requests to ${flags.target} in ${result.seconds.toFixed(1)} s (${rate}/s): ${statuses}\n`,
  );
}

/** Writes the simulation's logs, `labels.json` and the company's OpenAPI specs (`specs/`) under `flags.out`. */
export async function runSimulate(flags: SimulateFlags): Promise<SimulationOutput> {
  const { seed, days } = world(flags);
  if (flags.out === undefined) throw new PalisadeError('PAL_ERR_USAGE', 'give --out DIR (or --serve, or --live --target URL)');
  const out = flags.out;
  const writer = SIM_WRITERS.get(flags.format);
  if (writer === undefined)
    throw new PalisadeError(
      'PAL_ERR_FORMAT_UNKNOWN',
      `unknown format ${flags.format}; simulate writes ${[...SIM_WRITERS.keys()].join(', ')}`,
    );
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const files = new DailyFiles(out, writer);
  const options = { days, seed, scale: flags.scale as Scale };
  // one worker per core: the main thread only merges and waits on the disk (measured: BENCHMARKS.md)
  const workers = flags.workers === undefined ? Math.min(8, availableParallelism()) : Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new PalisadeError('PAL_ERR_USAGE', '--workers must be a whole number from 0 to 64');
  const lineFormat = writer.begin() === '' && writer.end() === '';
  let labels: SimulationLabels;
  try {
    labels = lineFormat
      ? await simulateLines(options, writer, workers, (time, chunk) => files.writeLines(time, chunk))
      : simulate(options, (exchange) => files.write(exchange));
  } finally {
    files.close();
  }
  writeFileSync(join(out, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  mkdirSync(join(out, 'specs'), { recursive: true });
  const specs = companySpecs().map((spec) => {
    const file = join(out, 'specs', spec.file);
    writeFileSync(file, `${JSON.stringify(spec.document, null, 2)}\n`);
    return { host: spec.host, file };
  });
  const output = { logs: files.paths, labels, specs };
  if (flags.quiet === true) return output;
  const seconds = (performance.now() - started) / 1000;
  const print = process.stdout;
  print.write(
    `Simulated ${days} days of ${labels.population.users.toLocaleString('en')} customers, ${labels.population.partners} partners (seed ${seed}, ${flags.scale})\n`,
  );
  print.write(
    `  Requests   ${labels.requests.toLocaleString('en')} in ${files.count} ${writer.format} files (${(files.bytes / 2 ** 20).toFixed(0)} MiB), ${seconds.toFixed(1)} s = ${Math.round(labels.requests / seconds).toLocaleString('en')}/s\n`,
  );
  print.write(`  Campaigns  ${labels.campaigns.length}: ${labels.campaigns.map((c) => c.category).join(', ')}\n`);
  print.write(`  Labels     ${join(out, 'labels.json')}\n`);
  print.write(`  Specs      ${specs.map((s) => s.file).join(', ')}\n`);
  return output;
}

/** One file per simulated day (`access-2026-11-01.ndjson`), written in large chunks. */
class DailyFiles {
  readonly #dir: string;
  readonly #writer: SimWriter;
  #day = Number.NaN;
  #file: BulkFile | undefined;
  #first = true;
  readonly paths: string[] = [];
  bytes = 0;

  get count(): number {
    return this.paths.length;
  }

  constructor(dir: string, writer: SimWriter) {
    this.#dir = dir;
    this.#writer = writer;
  }

  write(exchange: SimExchange): void {
    const day = Math.floor(exchange.time / DAY_MS);
    if (day !== this.#day) this.#open(day);
    this.#file?.write(this.#writer.write(exchange, this.#first));
    this.#first = false;
  }

  /** Whole lines already rendered (line formats only), all of the day `time` falls in. */
  writeLines(time: number, chunk: Uint8Array | string): void {
    const day = Math.floor(time / DAY_MS);
    if (day !== this.#day) this.#open(day);
    this.#file?.write(chunk);
  }

  close(): void {
    const file = this.#file;
    if (file === undefined) return;
    file.write(this.#writer.end());
    file.close();
    this.bytes += file.size;
    this.#file = undefined;
  }

  #open(day: number): void {
    this.close();
    this.#day = day;
    const path = join(this.#dir, `access-${new Date(day * DAY_MS).toISOString().slice(0, 10)}${this.#writer.extension}`);
    this.#file = new BulkFile(path);
    this.#first = true;
    this.paths.push(path);
    this.#file.write(this.#writer.begin());
  }
}
