/**
 * A/B of two Palisade builds (and the bare proxy) on a shared, noisy machine: every target runs at once in
 * front of one upstream, and short wrk cells go to each in turn, round after round (the order rotating), so a
 * burst of other work hits every target alike. Each cell's cost is the target process's CPU time divided by
 * the requests it served; the report gives each target's median per workload and, per round, B's cost over
 * A's. Every Palisade target runs like `run.ts`'s "every protection on" (block mode, the workloads' OpenAPI
 * description, the benchmark policies, events to /dev/null).
 *
 * Usage: node --conditions=palisade-src --import tsx bench/proxy/ab.ts [--a ROOT] [--b ROOT] [--node-args="…"]
 *        [--no-bare] [--workloads json1k] [--rounds 6] [--seconds 3] [--connections 50] [--a-args="…"] [--b-args="…"]
 * A ROOT is a built tree whose `packages/cli/bin/palisade.js` is run; A defaults to this repository, B is
 * absent unless given (copy the tree of the other build and `npx tsc -b` it). `--node-args` go to every
 * Palisade process: `--node-args="--cpu-prof --cpu-prof-dir=DIR"` profiles them (each profile is written when
 * its target stops), and the report gives the requests each served, warm-up included, for
 * `profile-summary.ts --per`. `--a-args` / `--b-args` replace that target's `palisade proxy` arguments after
 * `--quiet` (by default `--events /dev/null`, the workloads' description and the benchmark policies): with the
 * same ROOT twice, they measure what a protection or the event costs (`--b-args="--events /dev/null --config
 * plain.json"`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { onCleanup } from '../internal/cleanup.js';
import { freePort } from '../internal/loopback-port.js';
import type { ServerProcess } from '../internal/spawned-server.js';
import { startUpstreamProcess } from '../internal/upstream-server.js';
import { startBareProxy } from './bare-proxy.js';
import { REPO_ROOT, startPalisade } from './palisade-target.js';
import { runWrk } from './wrk.js';
import { benchPolicies, openApiSpec, rawRequest, type Workload, workloads } from './workloads.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string', default: REPO_ROOT },
    b: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'a-args': { type: 'string' },
    'b-args': { type: 'string' },
    'no-bare': { type: 'boolean', default: false },
    workloads: { type: 'string', default: 'json1k' },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});

const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const all: Readonly<Record<string, Workload | undefined>> = workloads();
const chosen = (values.workloads as string).split(',').map((name) => {
  const workload = all[name];
  if (workload === undefined) throw new Error(`unknown workload ${name} (known: ${Object.keys(all).join(', ')})`);
  return workload;
});

interface Target {
  name: string;
  process: ServerProcess;
  /** CPU µs per request of each cell, by workload. */
  cells: Map<string, number[]>;
  requests: number;
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-ab-'));
onCleanup(() => rmSync(dir, { recursive: true, force: true }));
const spec = join(dir, 'openapi.json');
writeFileSync(spec, JSON.stringify(openApiSpec(), null, 1));
const config = join(dir, 'palisade.json');
writeFileSync(config, JSON.stringify({ sensor: { policies: benchPolicies() } }, null, 1));
const extraArgs = ['--events', '/dev/null', '--spec', spec, '--config', config];

const upstream = await startUpstreamProcess('json');
const targets: Target[] = [];
const started: ServerProcess[] = [upstream];
const add = (name: string, process: ServerProcess): void => {
  started.push(process);
  targets.push({ name, process, cells: new Map(), requests: 0 });
};
try {
  if (!values['no-bare']) add('bare', await startBareProxy(upstream.port));
  for (const name of ['a', 'b'] as const) {
    const root = values[name];
    if (root === undefined) continue;
    const command = [
      process.execPath,
      '--max-semi-space-size=64',
      values['node-args'],
      join(root, 'packages/cli/bin/palisade.js'),
      'proxy --upstream {upstream} --listen {listen} --quiet',
    ].join(' ');
    const args = values[`${name}-args`];
    add(
      name,
      await startPalisade({
        listenPort: await freePort(),
        upstreamPort: upstream.port,
        extraArgs: args === undefined ? extraArgs : [],
        command: args === undefined ? command : `${command} ${args}`,
      }),
    );
  }
  process.stdout.write(`load average ${loadavg()[0]?.toFixed(2)} before the run; ${rounds} rounds of ${seconds} s cells\n`);
  for (const workload of chosen) {
    const requests = workload.requests.map((request) => rawRequest(request, '127.0.0.1'));
    // one warm-up cell each: the JIT and the memories of the first requests are not measured
    for (const target of targets) {
      const warm = await runWrk({ port: target.process.port, requests, seconds: 2, connections, threads: 1, dir, name: target.name });
      target.requests += warm.requests;
    }
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const target = targets[(round + k) % targets.length] as Target;
        const before = target.process.cpuSeconds();
        const result = await runWrk({ port: target.process.port, requests, seconds, connections, threads: 1, dir, name: target.name });
        const micros = ((target.process.cpuSeconds() - before) * 1e6) / Math.max(1, result.requests);
        target.requests += result.requests;
        const list = target.cells.get(workload.name) ?? [];
        list.push(micros);
        target.cells.set(workload.name, list);
      }
    }
  }
  const median = (list: readonly number[]): number => {
    const sorted = [...list].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  };
  for (const workload of chosen) {
    process.stdout.write(`\n${workload.name}: CPU µs per request, median [cells]\n`);
    for (const target of targets) {
      const list = target.cells.get(workload.name) ?? [];
      process.stdout.write(
        `  ${target.name.padEnd(5)} ${median(list).toFixed(0).padStart(6)}  [${list.map((v) => v.toFixed(0)).join(' ')}]\n`,
      );
    }
    const a = targets.find((t) => t.name === 'a')?.cells.get(workload.name);
    const b = targets.find((t) => t.name === 'b')?.cells.get(workload.name);
    if (a !== undefined && b !== undefined) {
      const ratios = a.map((value, i) => (b[i] as number) / value);
      process.stdout.write(
        `  b/a   ${median(ratios).toFixed(3).padStart(6)}  [${ratios.map((v) => v.toFixed(2)).join(' ')}] (per round)\n`,
      );
    }
  }
  process.stdout.write(`\nrequests served: ${targets.map((t) => `${t.name} ${t.requests}`).join(', ')} (warm-up included)\n`);
} finally {
  for (const child of started.reverse()) await child.stop();
}
