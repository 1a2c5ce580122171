import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Alert, type Incident, type IncidentStatus, loadConfig, PalisadeError, systemClock } from '@palisade/core';
import { currentStatuses, loadTriage, markIncident, parseDuration, saveTriage, triagePath } from '@palisade/engine';
import { formatTimestamp, toDisplayText } from '../report/internal/display.js';

interface TriageFlags {
  dataDir?: string;
  config?: string;
}

interface MarkFlags extends TriageFlags {
  note?: string;
  by?: string;
  expires?: string;
  report?: string;
}

/** The statuses `incidents mark` takes, as typed on the command line. */
const STATUS_WORDS: Readonly<Record<string, IncidentStatus>> = {
  open: 'open',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
  'false-positive': 'false_positive',
  false_positive: 'false_positive',
};

const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;

/**
 * `palisade incidents mark|list`: moves incidents of an `analyze` report along (acknowledged, resolved, false
 * positive, open again) and shows what was marked. The marks live in `<data-dir>/detection/triage.json`; a
 * false-positive mark suppresses the same rule on the same acting entity in later `analyze` runs until it expires.
 */
export function registerIncidentsCommand(program: Command): void {
  const incidents = program.command('incidents').description('triage the incidents of `palisade analyze`: mark them and list the marks');
  incidents
    .command('mark')
    .description('set the status of an incident; false-positive also suppresses its patterns (rule + acting entity) until they expire')
    .argument('<incident-id>', 'the incident id, as in the analyze report (inc-…)')
    .argument('<status>', 'acknowledged, resolved, false-positive or open')
    .option('--note <text>', 'why: kept with the status (and the suppressions)')
    .option('--by <name>', 'who marks it')
    .option('--expires <duration>', 'false-positive: suppress alerts raised up to this long after the mark, e.g. 12h, 7d (default: 30d)')
    .option('--report <file>', 'the analyze JSON report (--json) that holds the incident; required for false-positive')
    .option('--data-dir <dir>', 'data directory: the triage file is <data-dir>/detection/triage.json (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .action((id: string, word: string, flags: MarkFlags) => {
      runMark(id, word, flags);
    });
  incidents
    .command('list')
    .description('the incidents marked so far and the suppressions still active')
    .option('--data-dir <dir>', 'data directory (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .action((flags: TriageFlags) => {
      runList(flags);
    });
}

function runMark(id: string, word: string, flags: MarkFlags): void {
  const status = STATUS_WORDS[word.toLowerCase()];
  if (status === undefined) {
    throw new PalisadeError('PAL_ERR_USAGE', `unknown status "${toDisplayText(word)}"; use acknowledged, resolved, false-positive or open`);
  }
  if (flags.expires !== undefined && status !== 'false_positive') {
    throw new PalisadeError('PAL_ERR_USAGE', '--expires applies to false-positive marks only');
  }
  const expiresMs = flags.expires === undefined ? undefined : parseExpiry(flags.expires);
  if (!INCIDENT_ID.test(id)) {
    throw new PalisadeError(
      'PAL_ERR_USAGE',
      `"${toDisplayText(id)}" is not an incident id (inc- and 16 hex digits, as in the analyze report)`,
    );
  }
  if (status === 'false_positive' && flags.report === undefined) {
    throw new PalisadeError(
      'PAL_ERR_USAGE',
      'false-positive needs --report <analyze JSON report>: the suppressions are made from the rules and entities of its alerts',
    );
  }
  let incident: Pick<Incident, 'id' | 'alertIds'> = { id, alertIds: [] };
  let alerts: Alert[] = [];
  if (flags.report !== undefined) {
    const report = readReport(flags.report);
    const found = report.incidents.find((i) => i.id === id);
    if (found === undefined) {
      throw new PalisadeError('PAL_ERR_USAGE', `incident ${id} is not in ${flags.report} (it holds ${report.incidents.length} incidents)`);
    }
    const missing = found.alertIds.filter((alertId) => !report.alerts.some((a) => a.id === alertId));
    if (missing.length > 0) {
      throw new PalisadeError('PAL_ERR_USAGE', `${flags.report} lacks alerts of incident ${id}: ${missing.slice(0, 3).join(', ')}`);
    }
    incident = found;
    alerts = report.alerts;
  }
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir } });
  const path = triagePath(config.dataDir);
  const before = loadTriage(path);
  const after = markIncident(before, incident, alerts, status, { note: flags.note, by: flags.by, expiresMs, now: systemClock.now() });
  saveTriage(path, after);
  process.stdout.write(`Incident ${id} marked ${status.replace('_', ' ')}.\n`);
  const lifted = before.suppressions.filter((s) => s.incidentId === id).length;
  if (status === 'false_positive') {
    const added = after.suppressions.filter((s) => s.incidentId === id);
    process.stdout.write(
      `${added.length} pattern${added.length === 1 ? '' : 's'} suppressed until ${formatTimestamp(added[0]?.expires)}:\n`,
    );
    for (const s of added) process.stdout.write(`  ${s.ruleId}  ${toDisplayText(s.entity.kind)} ${toDisplayText(s.entity.value)}\n`);
  } else if (lifted > 0) {
    process.stdout.write(`${lifted} suppression${lifted === 1 ? '' : 's'} of its false-positive mark lifted.\n`);
  }
  process.stdout.write(`Saved to ${path}; the next \`palisade analyze\` applies it.\n`);
}

function runList(flags: TriageFlags): void {
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir } });
  const path = triagePath(config.dataDir);
  const triage = loadTriage(path);
  const statuses = [...currentStatuses(triage).values()];
  if (statuses.length === 0 && triage.suppressions.length === 0) {
    process.stdout.write(`No incident has been marked (${path}).\n`);
    return;
  }
  process.stdout.write(`Incidents (${statuses.length} marked)\n`);
  for (const s of statuses) {
    const by = s.by === undefined ? '' : `  by ${toDisplayText(s.by)}`;
    const note = s.note === undefined ? '' : `  "${toDisplayText(s.note)}"`;
    process.stdout.write(`  ${toDisplayText(s.incidentId)}  ${s.status.padEnd(14)}  ${formatTimestamp(s.at)}${by}${note}\n`);
  }
  // expired suppressions stay in the file: a replay of logs from before the expiry still suppresses
  const now = systemClock.now();
  const active = triage.suppressions.filter((s) => s.expires > now);
  const expired = triage.suppressions.length - active.length;
  process.stdout.write(`\nSuppressions (${active.length} active${expired > 0 ? `, ${expired} expired` : ''})\n`);
  if (active.length > 0) {
    const rows = active.map((s) => [
      toDisplayText(s.ruleId),
      `${toDisplayText(s.entity.kind)} ${toDisplayText(s.entity.value)}`,
      formatTimestamp(s.expires),
      toDisplayText(s.incidentId),
    ]);
    const header = ['rule', 'entity', 'expires', 'incident'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    for (const row of [header, ...rows]) {
      process.stdout.write(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`);
    }
  }
}

function parseExpiry(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new PalisadeError('PAL_ERR_USAGE', `--expires ${toDisplayText(text)} is not a duration (e.g. 12h, 7d, 30d)`);
  }
  if (!(ms > 0)) throw new PalisadeError('PAL_ERR_USAGE', `--expires ${toDisplayText(text)} must be longer than 0`);
  return ms;
}

function readReport(file: string): { alerts: Alert[]; incidents: Incident[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PalisadeError('PAL_ERR_INPUT_NOT_FOUND', `no report at ${file}`);
    throw new PalisadeError('PAL_ERR_INPUT_UNREADABLE', `cannot read the report ${file}: ${code ?? 'error'}`);
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new PalisadeError('PAL_ERR_INPUT_UNREADABLE', `${file} is not JSON; give the report written by \`palisade analyze --json\``);
  }
  const { alerts, incidents } = (report ?? {}) as { alerts?: unknown; incidents?: unknown };
  if (!Array.isArray(alerts) || !Array.isArray(incidents)) {
    throw new PalisadeError(
      'PAL_ERR_INPUT_UNREADABLE',
      `${file} has no alerts and incidents; give the report written by \`palisade analyze --json\``,
    );
  }
  return { alerts: alerts as Alert[], incidents: incidents as Incident[] };
}
