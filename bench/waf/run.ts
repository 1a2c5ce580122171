/**
 * WAF detection benchmark: replays GoTestWAF, BlazeHTTP, the CRS regression tests and HttpParams over raw
 * sockets to several targets started side by side on 127.0.0.1 in front of one upstream, and prints each
 * suite's table with the targets as columns. Never part of `npm test`. Palisade runs as `palisade proxy` from
 * source (bench/proxy/palisade-target.ts) unless `--palisade` gives another command line.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/waf/run.ts [--targets palisade,modsec,nginx]
 *        [--suites gotestwaf,blazehttp,crs,httpparams] [--concurrency 16] [--limit N] [--json out.json]
 *        [--palisade "<command with {listen} {upstream}>"] [--palisade-args="--paranoia 2"] [--palisade-config FILE] [--host localhost]
 *        [--timeout-ms 10000] [--max-seconds 1800] [--crs-pl 1] [--httpparams test|full] [--keep-nginx-dir]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { forEachBounded } from '../internal/bounded-pool.js';
import { freePort } from '../internal/loopback-port.js';
import { nginxMissing, type RunningNginx, startNginx } from '../internal/nginx-waf.js';
import { type RawResult, sendRaw } from '../internal/raw-http.js';
import type { ServerProcess } from '../internal/spawned-server.js';
import { startUpstreamProcess } from '../internal/upstream-server.js';
import { startPalisade } from '../proxy/palisade-target.js';
import { blazeHttpSuite } from './blazehttp.js';
import { crsRegressionSuite } from './crs-regression.js';
import { goTestWafSuite, preCheckBytes } from './gotestwaf.js';
import { httpParamsSuite } from './httpparams.js';
import type { Results, Suite } from './probe.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'palisade,modsec,nginx' },
    suites: { type: 'string', default: 'gotestwaf,blazehttp,crs,httpparams' },
    concurrency: { type: 'string', default: '16' },
    limit: { type: 'string' },
    json: { type: 'string' },
    palisade: { type: 'string' },
    'palisade-args': { type: 'string', default: '' },
    'palisade-config': { type: 'string' },
    host: { type: 'string', default: 'localhost' },
    'timeout-ms': { type: 'string', default: '10000' },
    'max-seconds': { type: 'string', default: '1800' },
    'crs-pl': { type: 'string', default: '1' },
    httpparams: { type: 'string', default: 'test' },
    'nginx-workers': { type: 'string', default: '1' },
    'keep-nginx-dir': { type: 'boolean', default: false },
    data: { type: 'string', default: '/work/shared/benchmarks' },
  },
});

const data = values.data as string;
const host = values.host as string;
const limit = values.limit === undefined ? undefined : Number(values.limit);
const concurrency = Number(values.concurrency);
const timeoutMs = Number(values['timeout-ms']);
const maxSeconds = Number(values['max-seconds']);
const targetNames = (values.targets as string).split(',').filter(Boolean);
const suiteNames = (values.suites as string).split(',').filter(Boolean);
const known = ['palisade', 'modsec', 'nginx', 'direct'];
for (const name of targetNames) if (!known.includes(name)) throw new Error(`unknown target ${name} (known: ${known.join(', ')})`);

/** A target to replay against, or why it is not available. */
interface Target {
  name: string;
  port?: number;
  unavailable?: string;
  process?: ServerProcess;
}

function buildSuite(name: string): Suite {
  switch (name) {
    case 'gotestwaf':
      return goTestWafSuite(join(data, 'gotestwaf', 'testcases'), host, limit);
    case 'blazehttp':
      return blazeHttpSuite(join(data, 'blazehttp'), host, limit);
    case 'crs':
      return crsRegressionSuite(join(data, 'crs-regression'), Number(values['crs-pl']), limit);
    case 'httpparams':
      return httpParamsSuite(join(data, 'httpparams-dataset', `payload_${values.httpparams}.csv`), host, limit);
    default:
      throw new Error(`unknown suite ${name} (known: gotestwaf, blazehttp, crs, httpparams)`);
  }
}

/** Extra `palisade proxy` arguments: `--palisade-args` split on spaces, then `--config FILE`. */
function palisadeArgs(): string[] {
  const args = (values['palisade-args'] as string).split(' ').filter(Boolean);
  const config = values['palisade-config'];
  if (config !== undefined) args.push('--config', config);
  return args;
}

async function replay(target: Target, suite: Suite, deadline: number): Promise<Results> {
  const port = target.port as number;
  const results: Array<RawResult | undefined> = new Array(suite.probes.length).fill(undefined);
  let done = 0;
  const started = performance.now();
  let lastReport = started;
  await forEachBounded(suite.probes, concurrency, deadline, async (probe, index) => {
    results[index] =
      probe.bytes === undefined
        ? { status: 0, error: `unsendable: ${probe.unsendable}`, ms: 0 }
        : await sendRaw(port, probe.bytes, timeoutMs);
    done++;
    const now = performance.now();
    if (now - lastReport > 5000) {
      lastReport = now;
      process.stderr.write(`  ${target.name} ${suite.name}: ${done}/${suite.probes.length}\n`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const skipped = results.filter((result) => result === undefined).length;
  process.stderr.write(
    `  ${target.name} ${suite.name}: ${done} requests in ${seconds.toFixed(1)} s${skipped ? `, ${skipped} not sent (time bound)` : ''}\n`,
  );
  return results;
}

const suites = suiteNames.map(buildSuite);
for (const suite of suites) process.stderr.write(`${suite.name}: ${suite.probes.length} requests\n`);

const upstream = await startUpstreamProcess('ok');
const targets: Target[] = [];
let nginx: RunningNginx | undefined;
try {
  const wantPlain = targetNames.includes('nginx');
  const wantModsec = targetNames.includes('modsec');
  if (wantPlain || wantModsec) {
    const missing = nginxMissing(wantModsec);
    const plainPort = wantPlain ? await freePort() : undefined;
    const modsecPort = wantModsec ? await freePort() : undefined;
    let failure = missing;
    if (failure === undefined) {
      try {
        nginx = await startNginx({
          upstreamPort: upstream.port,
          plainPort,
          modsecPort,
          paranoia: Number(values['crs-pl']),
          workers: Number(values['nginx-workers']),
          keepDir: values['keep-nginx-dir'] as boolean,
        });
        if (values['keep-nginx-dir']) process.stderr.write(`nginx dir: ${nginx.dir}\n`);
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    if (wantModsec) targets.push(failure ? { name: 'modsec', unavailable: failure } : { name: 'modsec', port: modsecPort });
    if (wantPlain) targets.push(failure ? { name: 'nginx', unavailable: failure } : { name: 'nginx', port: plainPort });
  }
  if (targetNames.includes('palisade')) {
    try {
      const child = await startPalisade({
        listenPort: await freePort(),
        upstreamPort: upstream.port,
        extraArgs: palisadeArgs(),
        command: values.palisade,
      });
      targets.unshift({ name: 'palisade', port: child.port, process: child });
    } catch (error) {
      targets.unshift({ name: 'palisade', unavailable: (error as Error).message });
    }
  }
  if (targetNames.includes('direct')) targets.push({ name: 'direct', port: upstream.port });

  const ready = targets.filter((target) => target.port !== undefined);
  for (const target of targets) {
    if (target.unavailable) process.stdout.write(`target ${target.name}: unavailable — ${target.unavailable}\n`);
  }
  const preChecks: Record<string, number> = {};
  for (const target of ready) {
    const probe = await sendRaw(target.port as number, preCheckBytes(host), timeoutMs);
    const benign = await sendRaw(
      target.port as number,
      Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n`),
      timeoutMs,
    );
    preChecks[target.name] = probe.status;
    process.stdout.write(
      `target ${target.name} on 127.0.0.1:${target.port}: benign GET → ${benign.status || benign.error}; GoTestWAF pre-check attack → ${probe.status || probe.error}${probe.status === 403 ? ' (blocked)' : ' (not blocked)'}\n`,
    );
  }

  const allResults = new Map<string, Map<string, Results>>();
  for (const suite of suites) allResults.set(suite.name, new Map());
  for (const target of ready) {
    const deadline = performance.now() + maxSeconds * 1000;
    for (const suite of suites) allResults.get(suite.name)?.set(target.name, await replay(target, suite, deadline));
  }

  const json: Record<string, unknown> = {};
  for (const suite of suites) {
    const results = allResults.get(suite.name) ?? new Map<string, Results>();
    if (results.size === 0) continue;
    const report = suite.report(results);
    process.stdout.write(`\n=== ${suite.name} ===\n${suite.notes.map((note) => `  ${note}`).join('\n')}\n\n${report.text}\n`);
    json[suite.name] = report.json;
  }
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          options: values,
          targets: Object.fromEntries(
            targets.map((target) => [
              target.name,
              target.unavailable ? { unavailable: target.unavailable } : { preCheckStatus: preChecks[target.name] },
            ]),
          ),
          suites: json,
        },
        null,
        1,
      )}\n`,
    );
    process.stdout.write(`\nwrote ${values.json}\n`);
  }
} finally {
  for (const target of targets) await target.process?.stop();
  await nginx?.stop();
  await upstream.stop();
}
