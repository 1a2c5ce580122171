/**
 * Detection benchmark: simulates the shop's traffic (`palisade simulate`), runs `palisade analyze` on it with
 * the shop's specs, and scores the report's alerts against `labels.json`:
 * - per campaign: detected or not (an alert of the campaign's category naming one of its entities), and the
 *   time to detect (when the first such alert was raised, on the events' clock, minus the campaign's start);
 * - false positives: alerts naming no campaign entity, per 10,000 benign entity-days (users, IPs and API
 *   keys of the normal traffic, one count per entity per active day — from the labels).
 * Prints figures; never part of `npm test`.
 *
 * Usage: node --import tsx bench/detection/run.ts [--days 30] [--seed 1] [--scale small] [--dir /tmp/palisade-bench/detection]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    scale: { type: 'string', default: 'small' },
    dir: { type: 'string', default: '/tmp/palisade-bench/detection' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/palisade.js');
const out = join(values.dir as string, `${values.scale}-${values.days}d-seed${values.seed}`);

function palisade(args: string[]): void {
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`palisade ${args[0]} exited ${r.status}`);
}

interface Entity {
  kind: string;
  value: string;
}
interface Label {
  id: string;
  category: string;
  variant: string;
  start: string;
  end: string;
  entities: Entity[];
  requests: number;
}
interface Labels {
  campaigns: Label[];
  benignEntityDays: Record<string, number>;
  requests: number;
}
interface Alert {
  category?: string;
  entities?: Entity[];
  firstSeen?: string | number;
  /** When the rule crossed its threshold: the detection time. */
  raisedAt?: string | number;
}

if (!existsSync(join(out, 'labels.json'))) {
  palisade([
    'simulate',
    '--out',
    out,
    '--days',
    values.days as string,
    '--seed',
    values.seed as string,
    '--scale',
    values.scale as string,
    '-q',
  ]);
}
const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as Labels;
const logs = readdirSync(out)
  .filter((f) => f.startsWith('access-'))
  .map((f) => join(out, f));
const specs = readdirSync(join(out, 'specs')).map((f) => join(out, 'specs', f));
const hostOf: Record<string, string> = { 'customer-api.json': 'api.shop.example', 'partner-api.json': 'partner.shop.example' };
const reportFile = join(out, 'report.json');
const started = performance.now();
palisade([
  'analyze',
  ...logs,
  ...specs.flatMap((s) => ['--spec', `${hostOf[s.split('/').at(-1) as string]}=${s}`]),
  '--json',
  reportFile,
  '-q',
]);
const seconds = (performance.now() - started) / 1000;
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { alerts: Alert[] };
const alerts = report.alerts ?? [];

const key = (e: Entity) => `${e.kind}\u0000${e.value}`;
const timeOf = (t: string | number | undefined) => (typeof t === 'number' ? t : t === undefined ? Number.NaN : Date.parse(t));
const campaignEntities = new Set(labels.campaigns.flatMap((c) => c.entities.filter((e) => e.kind !== 'fingerprint').map(key)));

console.log(
  `${labels.requests.toLocaleString('en')} requests, ${labels.campaigns.length} campaigns; analyze took ${seconds.toFixed(1)} s; ${alerts.length} alerts`,
);
console.log(`${'campaign'.padEnd(24)} ${'category'.padEnd(22)} ${'variant'.padEnd(42)} detected  time to detect`);
const byCategory = new Map<string, { n: number; detected: number }>();
for (const c of labels.campaigns) {
  const own = new Set(c.entities.map(key));
  const hits = alerts.filter((a) => a.category === c.category && (a.entities ?? []).some((e) => own.has(key(e))));
  const first = Math.min(...hits.map((a) => timeOf(a.raisedAt ?? a.firstSeen)));
  const detected = hits.length > 0;
  const ttd = detected && Number.isFinite(first) ? `${((first - Date.parse(c.start)) / 60_000).toFixed(0)} min` : '-';
  console.log(`${c.id.padEnd(24)} ${c.category.padEnd(22)} ${c.variant.padEnd(42)} ${(detected ? 'yes' : 'no').padEnd(9)} ${ttd}`);
  const row = byCategory.get(c.category) ?? { n: 0, detected: 0 };
  row.n++;
  if (detected) row.detected++;
  byCategory.set(c.category, row);
}
const falsePositives = alerts.filter((a) => !(a.entities ?? []).some((e) => campaignEntities.has(key(e)))).length;
const entityDays = Object.values(labels.benignEntityDays).reduce((a, b) => a + b, 0);
console.log(
  `detected ${[...byCategory.values()].reduce((a, r) => a + r.detected, 0)} of ${labels.campaigns.length} campaigns; ` +
    `${[...byCategory].map(([cat, r]) => `${cat} ${r.detected}/${r.n}`).join(', ')}`,
);
console.log(
  `false positives: ${falsePositives} alerts on benign entities over ${entityDays.toLocaleString('en')} benign entity-days = ${((falsePositives / entityDays) * 10_000).toFixed(2)} per 10,000`,
);
