/**
 * Ingest benchmark: whole `palisade ingest` processes into DuckDB, against the raw `JSON.parse` line rate
 * of the same file (the ceiling), DuckDB's own raw load of it, and the per-event JavaScript and store
 * costs measured apart (`floor.ts`). Also checks the acceptance behaviour on the large file: every event
 * stored once, a second run stores nothing, a SIGKILL halfway then a re-run ends with exactly every event.
 *
 * Usage: node --import tsx bench/ingest/run.ts [--nginx-lines 2000000] [--kong-lines 1000000] [--dir /tmp/palisade-bench]
 *        [--formats nginx-json,kong] [--skip-kill]
 * Prints figures; never part of `npm test`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonParseRate } from '../internal/json-parse-rate.js';

const { values } = parseArgs({
  options: {
    'nginx-lines': { type: 'string', default: '2000000' },
    'kong-lines': { type: 'string', default: '1000000' },
    dir: { type: 'string', default: '/tmp/palisade-bench' },
    'skip-kill': { type: 'boolean', default: false },
    formats: { type: 'string', default: 'nginx-json,kong' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/palisade.js');
const dir = values.dir as string;
mkdirSync(dir, { recursive: true });

function generate(format: string, lines: number): string {
  const file = join(dir, `${format}-${lines}.ndjson`);
  if (!existsSync(file)) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/ingest/generate.ts'), '--format', format, '--lines', String(lines), '--out', file],
      { stdio: 'inherit', cwd: root },
    );
    if (r.status !== 0) throw new Error(`generating ${file} failed`);
  }
  return file;
}

interface Run {
  seconds: number;
  peakRssMiB: number;
  exitSignal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs `palisade ingest` and samples its peak RSS (VmHWM) from /proc until it exits. */
async function ingest(file: string, data: string, killAfterMs?: number): Promise<Run> {
  const started = performance.now();
  const child = spawn(bin, ['ingest', file, '--data-dir', data, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]));
    } catch {
      // the process has exited
    }
  }, 50);
  const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  clearInterval(timer);
  if (killer) clearTimeout(killer);
  return { seconds: (performance.now() - started) / 1000, peakRssMiB: peak / 1024, exitSignal: signal, stdout };
}

function storedOf(run: Run): number {
  return (JSON.parse(run.stdout) as { formats: Array<{ stored: number }> }).formats.reduce((n, f) => n + f.stored, 0);
}

/** DuckDB alone loading the raw file (no normalization, no identity, no tokens): a reference point. */
function duckdbRawRate(file: string, lines: number): number {
  const db = join(dir, 'raw-load.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { DuckDBInstance } from '@duckdb/node-api';
    const i = await DuckDBInstance.create(${JSON.stringify(db)}); const c = await i.connect();
    const t = performance.now();
    await c.run(${JSON.stringify(`CREATE TABLE raw AS SELECT * FROM read_json('${file}', format = 'newline_delimited')`)});
    await c.run('CHECKPOINT');
    console.log(performance.now() - t);`,
    ],
    { cwd: join(root, 'packages/store-duckdb'), encoding: 'utf8' },
  );
  rmSync(db, { force: true });
  return lines / (Number(r.stdout.trim()) / 1000);
}

interface Floor {
  jsCpuMicrosPerEvent: number;
  storeRowsPerSecond: number;
  storeCpuMicrosPerEvent: number;
  cpuBoundEventsPerSecond: number;
}

/** The JavaScript and store costs per event measured apart (`floor.ts`). */
function floorOf(file: string, format: string): Floor {
  const r = spawnSync(
    process.execPath,
    [
      '--max-semi-space-size=64',
      '--conditions=palisade-src',
      '--import',
      'tsx',
      join(root, 'bench/ingest/floor.ts'),
      '--file',
      file,
      '--format',
      format,
      '--dir',
      join(dir, 'floor'),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`floor.ts failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Floor;
}

async function countEvents(data: string): Promise<number> {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { createDuckDbStore } from '@palisade/store-duckdb';
    const s = await createDuckDbStore({ path: ${JSON.stringify(join(data, 'palisade.duckdb'))} });
    console.log(await s.count()); await s.close();`,
    ],
    { cwd: join(root, 'packages/cli'), encoding: 'utf8' },
  );
  return Number(r.stdout.trim());
}

const rows: string[][] = [];
for (const [format, lines] of [
  ['nginx-json', Number(values['nginx-lines'])],
  ['kong', Number(values['kong-lines'])],
] as const) {
  if (!(values.formats as string).split(',').includes(format)) continue;
  const file = generate(format, lines);
  const ceiling = await jsonParseRate(file);
  const duckRaw = duckdbRawRate(file, lines);
  const floor = floorOf(file, format);
  const data = join(dir, `data-${format}`);
  rmSync(data, { recursive: true, force: true });
  const first = await ingest(file, data);
  const stored = storedOf(first);
  const rate = stored / first.seconds;
  const second = await ingest(file, data);
  rows.push([
    format,
    lines.toLocaleString('en'),
    `${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`,
    Math.round(rate).toLocaleString('en'),
    `${first.seconds.toFixed(1)} s`,
    `${first.peakRssMiB.toFixed(0)} MiB`,
    Math.round(ceiling).toLocaleString('en'),
    (rate / ceiling).toFixed(3),
    Math.round(duckRaw).toLocaleString('en'),
    (rate / duckRaw).toFixed(3),
    stored.toLocaleString('en'),
    storedOf(second).toLocaleString('en'),
    String(floor.jsCpuMicrosPerEvent),
    floor.storeRowsPerSecond.toLocaleString('en'),
    String(floor.storeCpuMicrosPerEvent),
    floor.cpuBoundEventsPerSecond.toLocaleString('en'),
  ]);
  if (format === 'nginx-json' && values['skip-kill'] !== true) {
    const killData = join(dir, 'data-kill');
    rmSync(killData, { recursive: true, force: true });
    const killed = await ingest(file, killData, Math.round(first.seconds * 500));
    const partial = await countEvents(killData);
    const resumed = await ingest(file, killData);
    const final = await countEvents(killData);
    console.log(
      `SIGKILL at ${(first.seconds / 2).toFixed(1)} s: signal ${killed.exitSignal}, ${partial.toLocaleString('en')} events stored before the kill; ` +
        `re-run stored ${storedOf(resumed).toLocaleString('en')}; total ${final.toLocaleString('en')} (expected ${lines.toLocaleString('en')}: ${final === lines ? 'OK' : 'MISMATCH'})`,
    );
  }
}
const header = [
  'format',
  'lines',
  'file',
  'events/s',
  'wall',
  'peak RSS',
  'JSON.parse lines/s',
  'ratio',
  'DuckDB raw load rows/s',
  'ratio',
  'stored',
  'stored on re-run',
  'JS CPU µs/event',
  'store-only rows/s',
  'store CPU µs/event',
  'CPU-bound events/s',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
console.log([header, ...rows].map((r) => r.map((c, i) => c.padStart(widths[i] as number)).join('  ')).join('\n'));
