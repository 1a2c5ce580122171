/**
 * Detection benchmark: simulates the shop's traffic (`palisade simulate`), runs `palisade analyze` on it with
 * the shop's specs, and scores the report's alerts against `labels.json`:
 * - per campaign: detected or not (an alert of the campaign's category naming one of its entities), and the
 *   time to detect (when the first such alert was raised, on the events' clock, minus the campaign's start);
 * - false positives: alerts naming no campaign entity, per 10,000 benign entity-days (users, IPs and API
 *   keys of the normal traffic, one count per entity per active day — from the labels).
 * With several seeds, a summary: recall per campaign type and overall, median time to detect per type, and
 * false positives over every seed's benign entity-days; and the analyze throughput (events/s, wall clock).
 * Prints figures; never part of `npm test`.
 *
 * Usage: node --import tsx bench/detection/run.ts [--days 30] [--seeds 1,2,3] [--scale small] [--dir /tmp/palisade-bench/detection]
 *        [--analyze-args "--workers 1"]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '30' },
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    scale: { type: 'string', default: 'small' },
    dir: { type: 'string', default: '/tmp/palisade-bench/detection' },
    'analyze-args': { type: 'string', default: '' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/palisade.js');
const seeds = (values.seed ?? values.seeds).split(',').map((s) => s.trim());

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

const key = (e: Entity) => `${e.kind}\u0000${e.value}`;
const timeOf = (t: string | number | undefined) => (typeof t === 'number' ? t : t === undefined ? Number.NaN : Date.parse(t));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2 === 1
      ? (s[s.length >> 1] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

const byVariant = new Map<string, { category: string; n: number; detected: number; ttd: number[] }>();
let falsePositives = 0;
let entityDays = 0;
let events = 0;
let seconds = 0;

for (const seed of seeds) {
  const out = join(values.dir, `${values.scale}-${values.days}d-seed${seed}`);
  if (!existsSync(join(out, 'labels.json'))) {
    palisade(['simulate', '--out', out, '--days', values.days, '--seed', seed, '--scale', values.scale, '-q']);
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
    ...values['analyze-args'].split(' ').filter((a) => a !== ''),
  ]);
  const took = (performance.now() - started) / 1000;
  seconds += took;
  events += labels.requests;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { alerts: Alert[] };
  const alerts = report.alerts ?? [];
  const campaignEntities = new Set(labels.campaigns.flatMap((c) => c.entities.filter((e) => e.kind !== 'fingerprint').map(key)));

  console.log(
    `seed ${seed}: ${labels.requests.toLocaleString('en')} requests, ${labels.campaigns.length} campaigns; analyze took ${took.toFixed(1)} s ` +
      `(${Math.round(labels.requests / took).toLocaleString('en')} events/s); ${alerts.length} alerts`,
  );
  console.log(`  ${'campaign'.padEnd(24)} ${'category'.padEnd(22)} ${'variant'.padEnd(42)} detected  time to detect`);
  let detectedHere = 0;
  for (const c of labels.campaigns) {
    const own = new Set(c.entities.map(key));
    const hits = alerts.filter((a) => a.category === c.category && (a.entities ?? []).some((e) => own.has(key(e))));
    const first = Math.min(...hits.map((a) => timeOf(a.raisedAt ?? a.firstSeen)));
    const detected = hits.length > 0;
    const minutes = detected && Number.isFinite(first) ? (first - Date.parse(c.start)) / 60_000 : Number.NaN;
    console.log(
      `  ${c.id.padEnd(24)} ${c.category.padEnd(22)} ${c.variant.padEnd(42)} ${(detected ? 'yes' : 'no').padEnd(9)} ${Number.isNaN(minutes) ? '-' : `${minutes.toFixed(0)} min`}`,
    );
    const row = byVariant.get(c.variant) ?? { category: c.category, n: 0, detected: 0, ttd: [] };
    row.n++;
    if (detected) {
      row.detected++;
      detectedHere++;
      if (!Number.isNaN(minutes)) row.ttd.push(minutes);
    }
    byVariant.set(c.variant, row);
  }
  const fp = alerts.filter((a) => !(a.entities ?? []).some((e) => campaignEntities.has(key(e)))).length;
  const days = Object.values(labels.benignEntityDays).reduce((a, b) => a + b, 0);
  falsePositives += fp;
  entityDays += days;
  console.log(
    `  detected ${detectedHere} of ${labels.campaigns.length}; false positives: ${fp} over ${days.toLocaleString('en')} benign entity-days = ${((fp / days) * 10_000).toFixed(2)} per 10,000\n`,
  );
}

const rows = [...byVariant];
const campaigns = rows.reduce((a, [, r]) => a + r.n, 0);
const detected = rows.reduce((a, [, r]) => a + r.detected, 0);
console.log(`=== ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${values.scale}, ${values.days} days) ===`);
console.log(`${'category'.padEnd(22)} ${'variant'.padEnd(42)} recall        median time to detect`);
for (const [variant, r] of rows.sort((a, b) => a[1].category.localeCompare(b[1].category))) {
  const m = median(r.ttd);
  console.log(
    `${r.category.padEnd(22)} ${variant.padEnd(42)} ${`${r.detected}/${r.n} (${((100 * r.detected) / r.n).toFixed(0)} %)`.padEnd(13)} ${Number.isNaN(m) ? '-' : `${m.toFixed(0)} min`}`,
  );
}
console.log(`recall: ${detected} of ${campaigns} campaigns = ${((100 * detected) / campaigns).toFixed(1)} %`);
console.log(
  `false positives: ${falsePositives} alerts on benign entities over ${entityDays.toLocaleString('en')} benign entity-days = ${((falsePositives / entityDays) * 10_000).toFixed(2)} per 10,000`,
);
console.log(
  `analyze: ${events.toLocaleString('en')} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds).toLocaleString('en')} events/s (wall clock, whole process)`,
);
