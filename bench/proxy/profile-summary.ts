/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, a `.cpuprofile` file): self time by area (Palisade's
 * packages, undici, Node's own JavaScript, native work, the garbage collector), the functions with the most
 * self time, and the functions with the most inclusive time (their own and their callees', each sample counted
 * once per function however deep the recursion). Times are in ms and in % of the samples that were not idle;
 * with `--per N` they are also divided by N (the requests served while profiling) and printed in µs per request.
 *
 * Each sample weighs the profile's mean interval, not the wall time since the sample before: on a shared
 * machine a process descheduled in a system call would otherwise charge the whole wait to that call.
 *
 * Usage: node --import tsx bench/proxy/profile-summary.ts FILE.cpuprofile [--top 40] [--per REQUESTS] [--match TEXT]
 * (`--match` keeps only functions whose name or file contains TEXT in the inclusive list).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self and inclusive time per function, in µs, and the total of non-idle samples. */
export interface ProfileSummary {
  totalMicros: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  /** Self time by area: `palisade`, `undici`, `node`, `native`, `gc`, `other`. */
  areas: Map<string, number>;
}

/** The area of a function, from its file. */
function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'gc';
  if (url.includes('/packages/')) return 'palisade';
  if (url.includes('/undici/') || url.startsWith('wasm://')) return 'undici';
  if (url.startsWith('node:')) return 'node';
  if (url === '') return 'native';
  return 'other';
}

/** Samples of a process with nothing to do; `(program)` (native work outside JavaScript) and `(garbage collector)` count. */
const IDLE = new Set(['(idle)']);

/** A function's name with its file (the path after the last `packages/` or `node_modules/`) and line. */
function functionKey(node: ProfileNode): string {
  const frame = node.callFrame;
  const url = frame.url.replace(/^.*\/(packages|node_modules)\//, '').replace(/^file:\/\//, '');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return url === '' ? name : `${name} ${url}:${frame.lineNumber + 1}`;
}

/** Reads a profile's samples into self and inclusive times per function. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalMicros = 0;
  let wall = 0;
  for (let i = 1; i < profile.timeDeltas.length; i++) wall += profile.timeDeltas[i] as number;
  const interval = profile.samples.length > 1 ? wall / (profile.samples.length - 1) : 0;
  const stacks = new Map<number, string[]>();
  const stackOf = (id: number): string[] => {
    let keys = stacks.get(id);
    if (keys === undefined) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const node = byId.get(at);
        if (node !== undefined && node.callFrame.functionName !== '(root)') seen.add(functionKey(node));
      }
      keys = [...seen];
      stacks.set(id, keys);
    }
    return keys;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    const delta = interval;
    const node = byId.get(id);
    if (node === undefined || IDLE.has(node.callFrame.functionName)) continue;
    totalMicros += delta;
    const key = functionKey(node);
    self.set(key, (self.get(key) ?? 0) + delta);
    const area = areaOf(node);
    areas.set(area, (areas.get(area) ?? 0) + delta);
    for (const name of stackOf(id)) inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
  }
  return { totalMicros, self, inclusive, areas };
}

function printTop(title: string, times: Map<string, number>, total: number, top: number, per: number | undefined): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...times].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, micros] of rows) {
    const perRequest = per === undefined ? '' : `${(micros / per).toFixed(1).padStart(8)} µs/req`;
    process.stdout.write(
      `${(micros / 1000).toFixed(0).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)} %${perRequest}  ${name}\n`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '40' }, per: { type: 'string' }, match: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N] [--per REQUESTS] [--match TEXT]');
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const top = Number(values.top);
  const per = values.per === undefined ? undefined : Number(values.per);
  const total = summary.totalMicros;
  process.stdout.write(
    `${(total / 1000).toFixed(0)} ms of non-idle samples${per === undefined ? '' : ` (${(total / per).toFixed(1)} µs per request)`}\n`,
  );
  printTop('self time by area', summary.areas, total, top, per);
  printTop('self time', summary.self, total, top, per);
  const match = values.match;
  const inclusive = match === undefined ? summary.inclusive : new Map([...summary.inclusive].filter(([name]) => name.includes(match)));
  printTop('inclusive time', inclusive, total, top, per);
}
