/**
 * Discovery benchmark: how well the path templater recovers the endpoints of real API descriptions from
 * traffic alone. For every spec of a directory: load it (`loadSpec`), generate labelled traffic
 * (`generate.ts`), feed the requests in order to a templater, and score its endpoints for the spec's host
 * against the spec's templates (`score.ts`). Also scores a templater given the spec (`declared`), and the
 * templater after the first 500 / 2,000 / 20,000 requests (convergence; each prefix is fed to a fresh
 * templater, so asking for endpoints never changes what it learns).
 *
 * Only spec operations that received at least one non-404 request in the requests seen count as false
 * negatives: an endpoint never called cannot be discovered. Query strings are cut before `observe`.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/discovery/run.ts
 *        [--specs /work/shared/benchmarks/openapi-specs] [--requests 20000] [--seed 7] [--noise 0.05]
 *        [--only netlify,xkcd] [--json OUT] [--templater MODULE]
 * `--templater` names the module exporting `createPathTemplater` (default `@palisade/engine`; a path is
 * resolved from the current directory). Prints figures; never part of `npm test`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type DeclaredApi, loadSpec } from '@palisade/engine';
import { type GeneratedRequest, generateTraffic, trafficHost } from './generate.js';
import { scoreTemplates, type TemplateRef, type TemplateScore } from './score.js';

const { values } = parseArgs({
  options: {
    specs: { type: 'string', default: '/work/shared/benchmarks/openapi-specs' },
    requests: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '7' },
    noise: { type: 'string', default: '0.05' },
    only: { type: 'string' },
    json: { type: 'string' },
    templater: { type: 'string', default: '@palisade/engine' },
  },
});
const specsDir = values.specs as string;
const requests = Number(values.requests);
const seed = Number(values.seed);
const noise = Number(values.noise);
/** Prefix lengths scored for convergence (capped at `--requests`). */
const CHECKPOINTS = [...new Set([500, 2000, 20_000].map((n) => Math.min(n, requests)))];

/** The templater contract this benchmark relies on (`packages/engine/src/discover/templating`). */
interface PathTemplater {
  observe(request: { host: string; method: string; path: string; status?: number }): unknown;
  endpoints(): Array<{ host: string; method: string; template: string; requests: number }>;
}
type CreatePathTemplater = (options?: { declared?: DeclaredApi[] }) => PathTemplater;

async function importTemplater(specifier: string): Promise<CreatePathTemplater> {
  const url = specifier.startsWith('.') || specifier.startsWith('/') ? pathToFileURL(resolve(specifier)).href : specifier;
  const module = (await import(url)) as { createPathTemplater?: CreatePathTemplater };
  if (typeof module.createPathTemplater !== 'function') {
    console.error(`${specifier} does not export createPathTemplater; name the module that does with --templater`);
    process.exit(1);
  }
  return module.createPathTemplater;
}

/** The spec files of a directory: those its manifest.json lists, else every .json/.yaml/.yml file. */
function specFiles(dir: string): string[] {
  const manifest = join(dir, 'manifest.json');
  const files = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ file: string }>).map((entry) => entry.file)
    : readdirSync(dir)
        .filter((name) => /\.(json|ya?ml)$/.test(name) && name !== 'manifest.json')
        .sort();
  const only = values.only?.split(',').filter((name) => name !== '');
  return only === undefined ? files : files.filter((file) => only.some((name) => file.includes(name)));
}

/** The spec operations that got a non-404 response among `traffic`. */
function calledOperations(api: DeclaredApi, traffic: readonly GeneratedRequest[]): TemplateRef[] {
  const called = new Set<string>();
  for (const request of traffic) {
    if (request.operation !== undefined && request.status !== 404) called.add(`${request.method} ${request.operation}`);
  }
  return api.operations.filter((op) => called.has(`${op.method} ${op.template}`));
}

interface Fed {
  score: TemplateScore;
  endpoints: number;
  microsPerRequest: number;
}

/** Feeds `traffic` in order to a new templater and scores its endpoints for `host`. */
function feed(create: CreatePathTemplater, api: DeclaredApi, traffic: readonly GeneratedRequest[], declared: boolean): Fed {
  const host = trafficHost(api);
  const templater = create(declared ? { declared: [api] } : {});
  const started = performance.now();
  for (const request of traffic) {
    const query = request.path.indexOf('?');
    templater.observe({
      host: request.host,
      method: request.method,
      path: query < 0 ? request.path : request.path.slice(0, query),
      status: request.status,
    });
  }
  const microsPerRequest = traffic.length === 0 ? 0 : ((performance.now() - started) * 1000) / traffic.length;
  const found = templater.endpoints().filter((endpoint) => endpoint.host === host && endpoint.requests > 0);
  return { score: scoreTemplates(calledOperations(api, traffic), found), endpoints: found.length, microsPerRequest };
}

interface SpecResult {
  file: string;
  operations: number;
  called: number;
  requests: number;
  endpoints: number;
  microsPerRequest: number;
  score: TemplateScore;
  withSpec: TemplateScore;
  convergence: Record<string, TemplateScore>;
}

const create = await importTemplater(values.templater as string);
const results: SpecResult[] = [];
for (const file of specFiles(specsDir)) {
  const api = await loadSpec(join(specsDir, file));
  const traffic = generateTraffic(api, { requests, seed, noise });
  const full = feed(create, api, traffic, false);
  const convergence: Record<string, TemplateScore> = {};
  for (const checkpoint of CHECKPOINTS) {
    convergence[checkpoint] = checkpoint >= traffic.length ? full.score : feed(create, api, traffic.slice(0, checkpoint), false).score;
  }
  results.push({
    file,
    operations: api.operations.length,
    called: calledOperations(api, traffic).length,
    requests: traffic.length,
    endpoints: full.endpoints,
    microsPerRequest: full.microsPerRequest,
    score: full.score,
    withSpec: feed(create, api, traffic, true).score,
    convergence,
  });
}

const mean = (pick: (result: SpecResult) => number): number =>
  results.length === 0 ? 0 : results.reduce((sum, result) => sum + pick(result), 0) / results.length;
const ratio = (value: number): string => value.toFixed(3);
const header = [
  'spec',
  'ops',
  'called',
  'endpoints',
  'F1',
  'precision',
  'recall',
  'over-merges',
  'over-splits',
  'F1 with spec',
  ...CHECKPOINTS.map((n) => `F1 @${n.toLocaleString('en')}`),
  'µs/request',
];
const rows = results.map((r) => [
  r.file,
  String(r.operations),
  String(r.called),
  String(r.endpoints),
  ratio(r.score.f1),
  ratio(r.score.precision),
  ratio(r.score.recall),
  String(r.score.overMerges),
  String(r.score.overSplits),
  ratio(r.withSpec.f1),
  ...CHECKPOINTS.map((n) => ratio((r.convergence[n] as TemplateScore).f1)),
  r.microsPerRequest.toFixed(2),
]);
rows.push([
  'mean',
  mean((r) => r.operations).toFixed(1),
  mean((r) => r.called).toFixed(1),
  mean((r) => r.endpoints).toFixed(1),
  ratio(mean((r) => r.score.f1)),
  ratio(mean((r) => r.score.precision)),
  ratio(mean((r) => r.score.recall)),
  mean((r) => r.score.overMerges).toFixed(1),
  mean((r) => r.score.overSplits).toFixed(1),
  ratio(mean((r) => r.withSpec.f1)),
  ...CHECKPOINTS.map((n) => ratio(mean((r) => (r.convergence[n] as TemplateScore).f1))),
  mean((r) => r.microsPerRequest).toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
const line = (row: string[]): string =>
  row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
console.log(`requests ${requests.toLocaleString('en')}, seed ${seed}, noise ${noise}, templater ${values.templater}`);
console.log([header, ...rows].map(line).join('\n'));

if (values.json !== undefined) {
  const summary = {
    f1: mean((r) => r.score.f1),
    precision: mean((r) => r.score.precision),
    recall: mean((r) => r.score.recall),
    withSpecF1: mean((r) => r.withSpec.f1),
  };
  writeFileSync(
    values.json,
    `${JSON.stringify({ options: { specs: specsDir, requests, seed, noise }, specs: results, mean: summary }, null, 2)}\n`,
  );
}
