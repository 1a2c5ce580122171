/**
 * Simulator benchmark: whole `palisade simulate` processes (nginx JSON, one file a day, local disk), and
 * side by side the cost of the file writes alone: the same bytes through the page cache and with direct
 * I/O (`BulkFile`). Prints figures; never part of `npm test`.
 *
 * Usage: node --import tsx bench/simulate/run.ts [--scale large] [--days 30] [--runs 2] [--workers N]
 *        [--write-gib 12] [--dir /tmp/palisade-bench/simulate]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BulkFile } from '../../packages/cli/src/bulk-file.js';
import { measuredProcess } from '../internal/measured-process.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'large' },
    days: { type: 'string', default: '30' },
    runs: { type: 'string', default: '2' },
    workers: { type: 'string' },
    'write-gib': { type: 'string', default: '12' },
    dir: { type: 'string', default: '/tmp/palisade-bench/simulate' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/palisade.js');
const dir = values.dir as string;
const out = join(dir, 'out');

for (let i = 0; i < Number(values.runs); i++) {
  rmSync(out, { recursive: true, force: true });
  const args = [bin, 'simulate', '--out', out, '--days', values.days as string, '--scale', values.scale as string, '--seed', '7'];
  if (values.workers !== undefined) args.push('--workers', values.workers);
  const run = await measuredProcess(args);
  if (run.code !== 0) throw new Error(`simulate exited ${run.code}`);
  const requests = Number(/Requests\s+([\d,]+)/.exec(run.stdout)?.[1]?.replaceAll(',', ''));
  const mib = /\((\d+) MiB\)/.exec(run.stdout)?.[1];
  console.log(
    `run ${i + 1}: ${requests.toLocaleString('en')} requests (${mib} MiB) in ${run.seconds.toFixed(1)} s = ${Math.round(requests / run.seconds).toLocaleString('en')} requests/s; CPU user ${run.userSeconds.toFixed(1)} s, system ${run.systemSeconds.toFixed(1)} s; peak RSS ${run.peakMiB.toFixed(0)} MiB`,
  );
}
rmSync(out, { recursive: true, force: true });

/** Writes `gib` GiB of log-like bytes in 1 MiB pieces, through the page cache or not. */
function writeCost(gib: number, direct: boolean): { seconds: number; cpu: number; direct: boolean } {
  mkdirSync(dir, { recursive: true });
  const line = Buffer.from(
    `{"time_iso8601":"2026-11-05T00:00:00.208Z","request":"GET /v2/accounts/160878 HTTP/1.1","pad":"${'x'.repeat(900)}"}\n`,
  );
  const piece = Buffer.alloc(1 << 20);
  for (let at = 0; at < piece.length; at += line.length) line.copy(piece, at);
  const path = join(dir, `write-${direct ? 'direct' : 'buffered'}.log`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const file = new BulkFile(path, { direct });
  for (let i = 0; i < gib * 1024; i++) file.write(piece);
  file.close();
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  rmSync(path);
  return { seconds, cpu: (used.user + used.system) / 1e6, direct: file.direct };
}

const gib = Number(values['write-gib']);
if (gib > 0) {
  for (const direct of [false, true]) {
    const r = writeCost(gib, direct);
    console.log(
      `write ${gib} GiB ${r.direct ? 'with direct I/O' : 'through the page cache'}: ${r.seconds.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s`,
    );
  }
}
