/**
 * Analyze benchmark: whole `palisade analyze` processes (in memory: parse, enrich, discover, posture, report)
 * on an nginx JSON file from `bench/ingest/generate.ts`, with the JSON.parse line rate of the same file as
 * the ceiling. Prints figures; never part of `npm test`.
 *
 * Usage: node --import tsx bench/analyze/run.ts [--lines 1000000] [--dir /tmp/palisade-bench] [--runs 2] [--workers 0]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonParseRate } from '../internal/json-parse-rate.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: '/tmp/palisade-bench' },
    runs: { type: 'string', default: '2' },
    workers: { type: 'string' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/palisade.js');
const dir = values.dir as string;
const lines = Number(values.lines);
mkdirSync(dir, { recursive: true });

const file = join(dir, `nginx-json-${lines}.ndjson`);
if (!existsSync(file)) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/ingest/generate.ts'), '--format', 'nginx-json', '--lines', String(lines), '--out', file],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  if (r.status !== 0) throw new Error(`generating ${file} failed`);
}

/** Runs one analyze process; wall time and peak RSS (sampled from /proc every 50 ms). */
async function analyze(): Promise<{ seconds: number; peakMiB: number; events: number }> {
  const out = join(dir, 'analyze-report.json');
  const args = [bin, 'analyze', file, '-q', '--json', out];
  if (values.workers !== undefined) args.push('--workers', values.workers);
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {}
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`analyze exited ${code}`);
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(readFileSync(out, 'utf8')) as { input: { events: number } };
  return { seconds, peakMiB: peak / 1024, events: report.input.events };
}

const ceiling = await jsonParseRate(file);
console.log(
  `file ${file}: ${lines.toLocaleString('en')} lines, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB; JSON.parse ${Math.round(ceiling).toLocaleString('en')} lines/s`,
);
for (let i = 0; i < Number(values.runs); i++) {
  const r = await analyze();
  const rate = r.events / r.seconds;
  console.log(
    `run ${i + 1}: ${r.events.toLocaleString('en')} events in ${r.seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString('en')} events/s, peak RSS ${r.peakMiB.toFixed(0)} MiB, ratio to JSON.parse ${(rate / ceiling).toFixed(3)}`,
  );
}
