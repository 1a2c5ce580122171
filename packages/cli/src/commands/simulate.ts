import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PalisadeError } from '@palisade/core';
import {
  companySpecs,
  SCALE_USERS,
  SIM_WRITERS,
  type Scale,
  type SimExchange,
  type SimWriter,
  type SimulationLabels,
  simulate,
} from '@palisade/engine';

export interface SimulateFlags {
  days: string;
  out: string;
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
    .requiredOption('--out <dir>', 'directory for the log files (one per day) and labels.json')
    .option('--days <n>', 'days of traffic', '30')
    .option('--format <format>', `log format: ${[...SIM_WRITERS.keys()].join(', ')}`, 'nginx-json')
    .option('--seed <n>', 'seed: the same seed gives the same traffic', '1')
    .option('--scale <scale>', `${Object.keys(SCALE_USERS).join(', ')} (customers: ${Object.values(SCALE_USERS).join(', ')})`, 'small')
    .option('-q, --quiet', 'print nothing but errors')
    .action((flags: SimulateFlags) => {
      runSimulate(flags);
    });
}

/** What a simulation wrote: the log files, the labels, and each declared spec with its host. */
export interface SimulationOutput {
  logs: string[];
  labels: SimulationLabels;
  specs: Array<{ host: string; file: string }>;
}

const DAY_MS = 86_400_000;

/** Bytes buffered before a write to the current file. */
const CHUNK = 1 << 20;

/** Writes the simulation's logs, `labels.json` and the company's OpenAPI specs (`specs/`) under `flags.out`. */
export function runSimulate(flags: SimulateFlags): SimulationOutput {
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new PalisadeError('PAL_ERR_USAGE', '--days must be a whole number from 1 to 366');
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new PalisadeError('PAL_ERR_USAGE', '--seed must be a whole number from 0 to 4294967295');
  if (!(flags.scale in SCALE_USERS))
    throw new PalisadeError('PAL_ERR_USAGE', `--scale must be one of ${Object.keys(SCALE_USERS).join(', ')}`);
  const writer = SIM_WRITERS.get(flags.format);
  if (writer === undefined)
    throw new PalisadeError(
      'PAL_ERR_FORMAT_UNKNOWN',
      `unknown format ${flags.format}; simulate writes ${[...SIM_WRITERS.keys()].join(', ')}`,
    );
  mkdirSync(flags.out, { recursive: true });
  const started = performance.now();
  const files = new DailyFiles(flags.out, writer);
  let labels: ReturnType<typeof simulate>;
  try {
    labels = simulate({ days, seed, scale: flags.scale as Scale }, (exchange) => files.write(exchange));
  } finally {
    files.close();
  }
  writeFileSync(join(flags.out, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  mkdirSync(join(flags.out, 'specs'), { recursive: true });
  const specs = companySpecs().map((spec) => {
    const file = join(flags.out, 'specs', spec.file);
    writeFileSync(file, `${JSON.stringify(spec.document, null, 2)}\n`);
    return { host: spec.host, file };
  });
  const output = { logs: files.paths, labels, specs };
  if (flags.quiet === true) return output;
  const seconds = (performance.now() - started) / 1000;
  const out = process.stdout;
  out.write(
    `Simulated ${days} days of ${labels.population.users.toLocaleString('en')} customers, ${labels.population.partners} partners (seed ${seed}, ${flags.scale})\n`,
  );
  out.write(
    `  Requests   ${labels.requests.toLocaleString('en')} in ${files.count} ${writer.format} files (${(files.bytes / 2 ** 20).toFixed(0)} MiB), ${seconds.toFixed(1)} s = ${Math.round(labels.requests / seconds).toLocaleString('en')}/s\n`,
  );
  out.write(`  Campaigns  ${labels.campaigns.length}: ${labels.campaigns.map((c) => c.category).join(', ')}\n`);
  out.write(`  Labels     ${join(flags.out, 'labels.json')}\n`);
  out.write(`  Specs      ${specs.map((s) => s.file).join(', ')}\n`);
  return output;
}

/** One file per simulated day (`access-2026-11-01.ndjson`), written in large chunks. */
class DailyFiles {
  readonly #dir: string;
  readonly #writer: SimWriter;
  #day = Number.NaN;
  #fd: number | undefined;
  #buffer = '';
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
    this.#buffer += this.#writer.write(exchange, this.#first);
    this.#first = false;
    if (this.#buffer.length >= CHUNK) this.#flush();
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.#buffer += this.#writer.end();
    this.#flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(day: number): void {
    this.close();
    this.#day = day;
    const path = join(this.#dir, `access-${new Date(day * DAY_MS).toISOString().slice(0, 10)}${this.#writer.extension}`);
    this.#fd = openSync(path, 'w');
    this.#buffer = this.#writer.begin();
    this.#first = true;
    this.paths.push(path);
  }

  #flush(): void {
    if (this.#fd === undefined || this.#buffer === '') return;
    const bytes = Buffer.from(this.#buffer);
    writeSync(this.#fd, bytes);
    this.bytes += bytes.length;
    this.#buffer = '';
  }
}
