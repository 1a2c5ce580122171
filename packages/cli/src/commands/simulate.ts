import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PalisadeError } from '@palisade/core';
import { SCALE_USERS, SIM_WRITERS, type Scale, type SimExchange, type SimWriter, simulate } from '@palisade/engine';

interface SimulateFlags {
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

/** Bytes buffered before a write to the current file. */
const CHUNK = 1 << 20;

function runSimulate(flags: SimulateFlags): void {
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
  if (flags.quiet === true) return;
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
}

/** One file per simulated day (`access-2026-11-01.ndjson`), written in large chunks. */
class DailyFiles {
  readonly #dir: string;
  readonly #writer: SimWriter;
  #day = '';
  #fd: number | undefined;
  #buffer = '';
  #first = true;
  count = 0;
  bytes = 0;

  constructor(dir: string, writer: SimWriter) {
    this.#dir = dir;
    this.#writer = writer;
  }

  write(exchange: SimExchange): void {
    const day = new Date(exchange.time).toISOString().slice(0, 10);
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

  #open(day: string): void {
    this.close();
    this.#day = day;
    this.#fd = openSync(join(this.#dir, `access-${day}${this.#writer.extension}`), 'w');
    this.#buffer = this.#writer.begin();
    this.#first = true;
    this.count++;
  }

  #flush(): void {
    if (this.#fd === undefined || this.#buffer === '') return;
    const bytes = Buffer.from(this.#buffer);
    writeSync(this.#fd, bytes);
    this.bytes += bytes.length;
    this.#buffer = '';
  }
}
