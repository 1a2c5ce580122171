/**
 * Proxy performance benchmark: throughput and latency of the same traffic sent (with wrk) to the upstream
 * directly, through a bare Node proxy, through Palisade with every protection on, through nginx, and through
 * nginx + ModSecurity + CRS; then a fixed-rate open-loop run (default 1,000 req/s) to measure the p99 that
 * Palisade adds over the bare proxy. "Every protection on" = `palisade proxy` in block mode with the shipped
 * signature rules at its default paranoia (every value of every body inspected: the 64 KB document's ~3,000
 * values are within the default `maxInputs`), policies that judge every request but refuse none of the benchmark's
 * (rate limits by address and endpoint, an access deny list, a honeypot, a flow; `--no-policies` leaves them
 * out), an OpenAPI spec of the workloads' paths (`--no-spec` leaves it
 * out), and every transaction serialised as an event (to /dev/null). Every server runs as its own process on 127.0.0.1 in front of one
 * upstream process; each cell is bounded (`--duration` seconds after a `--warmup`). Never part of `npm test`.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/proxy/run.ts [--duration 8] [--warmup 2]
 *        [--targets direct,bare,palisade,nginx,modsec] [--workloads get,json1k,json64k,mix,json1k-varied,json64k-varied] [--connections 50]
 *        [--threads 1] [--rate 1000] [--rate-workloads get,json1k] [--rate-duration 8] [--nginx-workers 1]
 *        [--crs-pl 1] [--modsec-args-limit 10000] [--palisade-args="--paranoia 2"] [--no-spec] [--no-policies] [--palisade "<command with {listen} {upstream}>"] [--json FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { onCleanup } from '../internal/cleanup.js';
import { freePort } from '../internal/loopback-port.js';
import { sendRaw } from '../internal/raw-http.js';
import { nginxMissing, type RunningNginx, startNginx } from '../internal/nginx-waf.js';
import type { ServerProcess } from '../internal/spawned-server.js';
import { textTable } from '../internal/text-table.js';
import { startUpstreamProcess } from '../internal/upstream-server.js';
import { startBareProxy } from './bare-proxy.js';
import { type PacedResult, pacedRun } from './paced-client.js';
import { startPalisade } from './palisade-target.js';
import { runWrk, type WrkResult, wrkMissing } from './wrk.js';
import { benchPolicies, openApiSpec, pacedRequest, rawRequest, type Workload, workloads } from './workloads.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    targets: { type: 'string', default: 'direct,bare,palisade,nginx,modsec' },
    workloads: { type: 'string', default: 'get,json1k,json64k,mix' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    rate: { type: 'string', default: '1000' },
    'rate-workloads': { type: 'string', default: 'get,json1k' },
    'rate-duration': { type: 'string' },
    'nginx-workers': { type: 'string', default: '1' },
    'crs-pl': { type: 'string', default: '1' },
    'modsec-args-limit': { type: 'string', default: '10000' },
    'palisade-args': { type: 'string', default: '' },
    'no-spec': { type: 'boolean', default: false },
    'no-policies': { type: 'boolean', default: false },
    palisade: { type: 'string' },
    host: { type: 'string', default: 'localhost' },
    json: { type: 'string' },
  },
});

const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const threads = Number(values.threads);
const rate = Number(values.rate);
const rateDuration = Number(values['rate-duration'] ?? values.duration);
const host = values.host as string;
const bounded = (name: string, value: number, min: number, max: number) => {
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be between ${min} and ${max}`);
};
bounded('duration', duration, 1, 600);
bounded('warmup', warmup, 0, 60);
bounded('connections', connections, 1, 1000);
bounded('threads', threads, 1, 16);
bounded('rate', rate, 0, 100_000);
bounded('rate-duration', rateDuration, 1, 600);

const LABELS: Record<string, string> = {
  direct: 'upstream direct',
  bare: 'bare Node proxy',
  palisade: 'Palisade (all on)',
  nginx: 'nginx proxy_pass',
  modsec: `nginx+ModSec+CRS PL${values['crs-pl']}`,
};
const targetNames = (values.targets as string).split(',').filter(Boolean);
for (const name of targetNames)
  if (LABELS[name] === undefined) throw new Error(`unknown target ${name} (known: ${Object.keys(LABELS).join(', ')})`);
const allWorkloads: Readonly<Record<string, Workload | undefined>> = workloads();
const pick = (list: string) =>
  list
    .split(',')
    .filter(Boolean)
    .map((name) => {
      const workload = allWorkloads[name];
      if (workload === undefined) throw new Error(`unknown workload ${name} (known: ${Object.keys(allWorkloads).join(', ')})`);
      return workload;
    });
const chosen = pick(values.workloads as string);
const rateChosen = rate > 0 ? pick(values['rate-workloads'] as string) : [];

const missingWrk = wrkMissing();
if (missingWrk !== undefined && chosen.length > 0) throw new Error(missingWrk);

/** A target: where it listens and the process whose CPU time is its cost. */
interface Target {
  name: string;
  port?: number;
  process?: ServerProcess;
  unavailable?: string;
}

/** One wrk cell with the CPU the target's process spent on it. */
interface Cell extends WrkResult {
  cpuMicrosPerRequest: number | null;
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-proxy-'));
const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
const upstream = await startUpstreamProcess('json');
const targets: Target[] = [];
const nginxes: RunningNginx[] = [];
const started: ServerProcess[] = [upstream];

async function startTargets(): Promise<void> {
  for (const name of targetNames) {
    try {
      if (name === 'direct') targets.push({ name, port: upstream.port, process: upstream });
      else if (name === 'bare') {
        const child = await startBareProxy(upstream.port);
        started.push(child);
        targets.push({ name, port: child.port, process: child });
      } else if (name === 'palisade') {
        const extraArgs = (values['palisade-args'] as string).split(' ').filter(Boolean);
        if (!values['no-spec']) {
          const spec = join(dir, 'openapi.json');
          writeFileSync(spec, JSON.stringify(openApiSpec(), null, 1));
          extraArgs.push('--spec', spec);
        }
        if (!values['no-policies']) {
          const config = join(dir, 'palisade.json');
          writeFileSync(config, JSON.stringify({ sensor: { policies: benchPolicies() } }, null, 1));
          extraArgs.push('--config', config);
        }
        const child = await startPalisade({
          listenPort: await freePort(),
          upstreamPort: upstream.port,
          extraArgs,
          command: values.palisade,
        });
        started.push(child);
        targets.push({ name, port: child.port, process: child });
      } else targets.push({ name });
    } catch (error) {
      targets.push({ name, unavailable: (error as Error).message });
    }
  }
  // plain nginx and nginx+ModSecurity run as two instances: a ModSecurity backlog must not stall the plain proxy
  for (const target of targets) {
    if (target.name !== 'nginx' && target.name !== 'modsec') continue;
    const modsec = target.name === 'modsec';
    const missing = nginxMissing(modsec);
    if (missing !== undefined) {
      target.unavailable = missing;
      continue;
    }
    try {
      const port = await freePort();
      const instance = await startNginx({
        upstreamPort: upstream.port,
        ...(modsec ? { modsecPort: port } : { plainPort: port }),
        paranoia: Number(values['crs-pl']),
        workers: Number(values['nginx-workers']),
        argumentsLimit: Number(values['modsec-args-limit']),
      });
      nginxes.push(instance);
      target.port = port;
      target.process = instance.process;
    } catch (error) {
      target.unavailable = (error as Error).message;
    }
  }
}

/**
 * Waits until `target` answers a plain GET within 2 s again (a server left with a backlog by an overloaded
 * cell must not slow the next one); gives up after 60 s and says so.
 */
async function settle(target: Target): Promise<void> {
  const probe = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if ((await sendRaw(target.port as number, probe, 2_000)).status > 0) return;
  }
  process.stderr.write(`    ${target.name} still does not answer after 60 s\n`);
}

async function wrkCell(target: Target, workload: Workload): Promise<Cell> {
  const port = target.port as number;
  const requests = workload.requests.map((request) => rawRequest(request, host));
  const options = { port, requests, connections, threads, dir, name: `${target.name}-${workload.name}` };
  if (warmup > 0) {
    await runWrk({ ...options, seconds: warmup });
    await settle(target);
  }
  const cpuBefore = target.process?.cpuSeconds();
  const result = await runWrk({ ...options, seconds: duration });
  const cpuAfter = target.process?.cpuSeconds();
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined || result.requests === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / result.requests;
  return { ...result, cpuMicrosPerRequest: cpu };
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;

const report: Record<string, unknown> = {};
try {
  await startTargets();
  const ready = targets.filter((target) => target.port !== undefined);
  for (const target of targets) {
    process.stdout.write(
      target.unavailable !== undefined
        ? `target ${target.name}: unavailable — ${target.unavailable}\n`
        : `target ${target.name}: ${LABELS[target.name]} on 127.0.0.1:${target.port}\n`,
    );
  }
  process.stdout.write(
    `wrk ${threads} thread(s), ${connections} connections, ${warmup} s warm-up + ${duration} s per cell; upstream: one Node process; nginx workers: ${values['nginx-workers']}; ModSecurity SecArgumentsLimit ${values['modsec-args-limit']} (Debian: 1000, which refuses the 64 KB body with 400 uninspected)\n`,
  );
  const load = loadavg()[0] ?? 0;
  const cores = availableParallelism();
  process.stdout.write(`load average ${load.toFixed(2)} on ${cores} cores before the run\n`);
  if (load > cores / 2) process.stdout.write('WARNING: the machine is busy; throughput and latency figures are not reliable\n');

  const cells = new Map<string, Map<string, Cell>>();
  for (const workload of chosen) {
    const row = new Map<string, Cell>();
    cells.set(workload.name, row);
    for (const target of ready) {
      process.stderr.write(`  wrk ${workload.name} → ${target.name}\n`);
      try {
        row.set(target.name, await wrkCell(target, workload));
      } catch (error) {
        process.stderr.write(`    failed: ${(error as Error).message}\n`);
      }
      await settle(target);
    }
  }

  const paced = new Map<string, Map<string, PacedResult>>();
  for (const workload of rateChosen) {
    const row = new Map<string, PacedResult>();
    paced.set(workload.name, row);
    const requests = workload.requests.map((request) => pacedRequest(request, host));
    for (const target of ready) {
      process.stderr.write(`  ${rate} req/s ${workload.name} → ${target.name}\n`);
      await pacedRun({ port: target.port as number, rate, durationMs: Math.min(2, rateDuration) * 1000, requests });
      await settle(target);
      row.set(target.name, await pacedRun({ port: target.port as number, rate, durationMs: rateDuration * 1000, requests }));
      await settle(target);
    }
  }

  const names = ready.map((target) => target.name);
  const out: string[] = [];
  for (const workload of chosen) {
    const row = cells.get(workload.name);
    const attacks = workload.requests.filter((request) => request.attack).length;
    out.push(
      `\n=== ${workload.name}: ${workload.description} ===`,
      textTable(
        ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', attacks > 0 ? '≥400 (blocked)' : '≥400', 'sock err', 'CPU µs/req'],
        names.map((name) => {
          const cell = row?.get(name);
          if (cell === undefined) return [LABELS[name] ?? name, 'failed'];
          if (cell.requests === 0) return [LABELS[name] ?? name, 'no answer within 5 s', '', '', '', '', '', String(cell.socketErrors)];
          return [
            LABELS[name] ?? name,
            cell.requestsPerSecond.toFixed(0),
            ms(cell.p50),
            ms(cell.p90),
            ms(cell.p99),
            ms(cell.max),
            `${cell.non2xx} (${((100 * cell.non2xx) / Math.max(1, cell.requests)).toFixed(1)}%)`,
            String(cell.socketErrors),
            cell.cpuMicrosPerRequest === null ? '–' : cell.cpuMicrosPerRequest.toFixed(0),
          ];
        }),
      ),
    );
  }
  if (chosen.length > 0) {
    out.push(
      '\n=== Palisade compared (wrk, closed loop) ===',
      textTable(
        [
          'workload',
          'req/s Palisade/bare',
          'req/s Palisade/nginx+ModSec',
          'req/s Palisade/nginx',
          'p99 Palisade−bare ms',
          'CPU/req Palisade/bare',
        ],
        chosen.map((workload) => {
          const row = cells.get(workload.name);
          const p = row?.get('palisade');
          const bare = row?.get('bare');
          return [
            workload.name,
            ratio(p?.requestsPerSecond, bare?.requestsPerSecond),
            ratio(p?.requestsPerSecond, row?.get('modsec')?.requestsPerSecond),
            ratio(p?.requestsPerSecond, row?.get('nginx')?.requestsPerSecond),
            p === undefined || bare === undefined ? '–' : ms(p.p99 - bare.p99),
            ratio(p?.cpuMicrosPerRequest ?? undefined, bare?.cpuMicrosPerRequest ?? undefined),
          ];
        }),
      ),
    );
  }
  for (const workload of rateChosen) {
    const row = paced.get(workload.name);
    out.push(
      `\n=== fixed rate ${rate} req/s for ${rateDuration} s (open loop, latency from scheduled start): ${workload.name} ===`,
      textTable(
        ['target', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', '≥400', 'errors'],
        names.map((name) => {
          const r = row?.get(name);
          if (r === undefined) return [LABELS[name] ?? name, 'failed'];
          if (r.completed === 0)
            return [LABELS[name] ?? name, r.achievedRate.toFixed(0), 'no answer', '', '', '', '', '', String(r.errors)];
          return [
            LABELS[name] ?? name,
            r.achievedRate.toFixed(0),
            ms(r.p50),
            ms(r.p90),
            ms(r.p99),
            ms(r.p999),
            ms(r.max),
            String(r.non2xx),
            String(r.errors),
          ];
        }),
      ),
    );
    const p = row?.get('palisade');
    const bare = row?.get('bare');
    if (p !== undefined && bare !== undefined) {
      out.push(`added by Palisade over the bare proxy at ${rate} req/s: p50 ${ms(p.p50 - bare.p50)} ms, p99 ${ms(p.p99 - bare.p99)} ms`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);

  report.date = new Date().toISOString();
  report.loadAverageBefore = load;
  report.cores = cores;
  report.options = values;
  report.targets = Object.fromEntries(
    targets.map((target) => [target.name, target.unavailable ? { unavailable: target.unavailable } : { label: LABELS[target.name] }]),
  );
  report.wrk = Object.fromEntries([...cells].map(([workload, row]) => [workload, Object.fromEntries(row)]));
  report.fixedRate = Object.fromEntries([...paced].map(([workload, row]) => [workload, Object.fromEntries(row)]));
  report.workloads = Object.fromEntries(chosen.map((workload) => [workload.name, workload.description]));
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 1)}\n`);
    process.stdout.write(`\nwrote ${values.json}\n`);
  }
} finally {
  for (const instance of nginxes) await instance.stop();
  for (const child of started.reverse()) await child.stop();
  removeDir();
}
