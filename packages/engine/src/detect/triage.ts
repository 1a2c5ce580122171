import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Alert, type EntityRef, type Incident, type IncidentStatus, PalisadeError } from '@palisade/core';
import { z } from 'zod';
import { type DetectionResult, foldIncidents } from './incidents.js';

/**
 * Triage: what people decided about incidents. A status change per mark (the last one for an incident wins),
 * and the suppressions a false-positive mark creates: the same rule on the same acting entity raises no
 * incident again until the suppression expires. Kept in `<dataDir>/detection/triage.json`.
 */

/** The triage file's schema version; a file with a higher one was written by a newer Palisade. */
export const TRIAGE_SCHEMA_VERSION = 1;

/** How long a false-positive mark suppresses its pattern when no expiry is given: 30 days. */
export const DEFAULT_SUPPRESSION_MS = 30 * 86_400_000;

/** One status change of an incident. */
export interface IncidentStatusChange {
  incidentId: string;
  /** `open` re-opens an incident that was marked before. */
  status: IncidentStatus;
  note?: string;
  /** Who marked it, as they gave it. */
  by?: string;
  /** When it was marked (epoch ms, the marker's clock). */
  at: number;
  /**
   * The incident's alerts when it was marked. A resolved or false-positive incident that later holds alerts
   * outside this list shows as `open` again: there is new activity to look at.
   */
  alertIds?: string[];
}

/**
 * One pattern a false-positive mark silences: alerts of `ruleId` whose acting entity (`entities[0]`) is
 * `entity`, raised before `expires`.
 */
export interface Suppression {
  ruleId: string;
  entity: EntityRef;
  /** When the mark was made (epoch ms). */
  created: number;
  /** Alerts raised at or after this time (epoch ms, on the alerts' clock) are no longer suppressed. */
  expires: number;
  /** The incident whose false-positive mark created it. */
  incidentId: string;
  note?: string;
}

/** The triage state: every status change, oldest first, and the suppressions. */
export interface Triage {
  schemaVersion: typeof TRIAGE_SCHEMA_VERSION;
  statuses: IncidentStatusChange[];
  suppressions: Suppression[];
}

/** What `applyTriage` returns: detection's result without the suppressed alerts, and those alerts. */
export interface TriagedResult extends DetectionResult {
  /** Alerts removed by a suppression, as detection raised them (their `incidentId` is the pre-triage one). */
  suppressed: Alert[];
}

/** Options of `markIncident`. */
export interface MarkOptions {
  note?: string;
  by?: string;
  /** How long a false-positive mark suppresses its pattern, in ms (default `DEFAULT_SUPPRESSION_MS`). */
  expiresMs?: number;
  /** The time of the mark, epoch ms (from the caller's clock). */
  now: number;
}

const Entity = z.object({ kind: z.string().min(1), value: z.string() });
const Time = z.number().finite();
const TriageSchema = z.object({
  schemaVersion: z.literal(TRIAGE_SCHEMA_VERSION),
  statuses: z.array(
    z.object({
      incidentId: z.string().min(1),
      status: z.enum(['open', 'acknowledged', 'resolved', 'false_positive']),
      note: z.string().optional(),
      by: z.string().optional(),
      at: Time,
      alertIds: z.array(z.string()).optional(),
    }),
  ),
  suppressions: z.array(
    z.object({
      ruleId: z.string().min(1),
      entity: Entity,
      created: Time,
      expires: Time,
      incidentId: z.string().min(1),
      note: z.string().optional(),
    }),
  ),
});

/** The triage file of a data directory: `<dataDir>/detection/triage.json`. */
export function triagePath(dataDir: string): string {
  return join(dataDir, 'detection', 'triage.json');
}

/** An empty triage state: no status, no suppression. */
export function emptyTriage(): Triage {
  return { schemaVersion: TRIAGE_SCHEMA_VERSION, statuses: [], suppressions: [] };
}

/**
 * Reads the triage file at `path`; a missing file is an empty triage. Never writes.
 * Throws `PAL_ERR_TRIAGE_INVALID` when the file cannot be read, is not JSON, does not match the schema, or
 * was written by a newer Palisade.
 */
export function loadTriage(path: string): Triage {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyTriage();
    throw new PalisadeError('PAL_ERR_TRIAGE_INVALID', `cannot read the triage file ${path}: ${code ?? 'error'}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PalisadeError('PAL_ERR_TRIAGE_INVALID', `the triage file ${path} is not valid JSON; restore it from a backup or remove it`, {
      cause: error,
    });
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > TRIAGE_SCHEMA_VERSION) {
    throw new PalisadeError(
      'PAL_ERR_TRIAGE_INVALID',
      `the triage file ${path} was written by a newer Palisade (schemaVersion ${version}, this one reads ${TRIAGE_SCHEMA_VERSION})`,
    );
  }
  const parsed = TriageSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`);
    throw new PalisadeError('PAL_ERR_TRIAGE_INVALID', `the triage file ${path} is invalid: ${problems.slice(0, 5).join('; ')}`);
  }
  return parsed.data as Triage;
}

/**
 * Writes `triage` to `path` atomically: a temporary file in the same folder, flushed, then renamed over the
 * old one, so a reader sees the old file or the new one, never half of one. Creates the folder. One writer at a
 * time: two processes marking at once can lose one of the two changes. Throws `PAL_ERR_TRIAGE_WRITE`.
 */
export function saveTriage(path: string, triage: Triage): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(triage, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new PalisadeError(
      'PAL_ERR_TRIAGE_WRITE',
      `cannot write the triage file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Records a status for `incident` and returns the new triage (`triage` is not changed). `alerts` may be every
 * alert of the report: only the incident's own (`incident.alertIds`) are read, and only for `false_positive`.
 *
 * - `false_positive` adds one suppression per distinct (rule, acting entity) of the incident's alerts, expiring
 *   `expiresMs` after `now` (a suppression of the same incident, rule and entity is replaced). Every alert of
 *   the incident must be in `alerts`.
 * - any other status removes the suppressions that this incident's false-positive mark created.
 *
 * @example
 * const next = markIncident(loadTriage(path), incident, report.alerts, 'false_positive', { now: clock.now() });
 * saveTriage(path, next);
 */
export function markIncident(
  triage: Triage,
  incident: Pick<Incident, 'id' | 'alertIds'>,
  alerts: readonly Alert[],
  status: IncidentStatus,
  options: MarkOptions,
): Triage {
  const change: IncidentStatusChange = { incidentId: incident.id, status, at: options.now, alertIds: [...incident.alertIds] };
  if (options.note !== undefined) change.note = options.note;
  if (options.by !== undefined) change.by = options.by;
  const others = triage.suppressions.filter((s) => s.incidentId !== incident.id);
  const next: Triage = { schemaVersion: TRIAGE_SCHEMA_VERSION, statuses: [...triage.statuses, change], suppressions: others };
  if (status !== 'false_positive') return next;

  const expiresMs = options.expiresMs ?? DEFAULT_SUPPRESSION_MS;
  if (!(expiresMs > 0) || !Number.isFinite(expiresMs)) throw new RangeError(`expiresMs must be a positive number of ms, not ${expiresMs}`);
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const patterns = new Map<string, Suppression>();
  for (const id of incident.alertIds) {
    const alert = byId.get(id);
    if (alert === undefined) throw new RangeError(`alert ${id} of incident ${incident.id} is not among the alerts given`);
    const entity = alert.entities[0];
    if (entity === undefined) continue;
    const suppression: Suppression = {
      ruleId: alert.ruleId,
      entity: { kind: entity.kind, value: entity.value },
      created: options.now,
      expires: options.now + expiresMs,
      incidentId: incident.id,
    };
    if (options.note !== undefined) suppression.note = options.note;
    patterns.set(patternKey(alert.ruleId, entity), suppression);
  }
  next.suppressions.push(...patterns.values());
  return next;
}

/** The current status of each incident that was ever marked (the last change wins). */
export function currentStatuses(triage: Triage): Map<string, IncidentStatusChange> {
  const current = new Map<string, IncidentStatusChange>();
  for (const change of triage.statuses) current.set(change.incidentId, change);
  return current;
}

/**
 * The suppression that silences `alert`, if any: same rule, same acting entity, and the alert raised before
 * the suppression expires. Judged on the alert's own clock (`raisedAt`), never the wall clock.
 */
export function findSuppression(triage: Triage, alert: Alert): Suppression | undefined {
  const acting = alert.entities[0];
  if (acting === undefined) return undefined;
  return triage.suppressions.find(
    (s) => s.ruleId === alert.ruleId && s.entity.kind === acting.kind && s.entity.value === acting.value && alert.raisedAt < s.expires,
  );
}

/**
 * Applies triage to detection's result: alerts matching a suppression (`findSuppression`) move to
 * `suppressed`, the others are folded into incidents again (`foldIncidents`: an incident that lost its
 * earliest alert gets a new id), and an incident whose id was marked takes its current status — except a
 * resolved or false-positive one that holds alerts it did not hold when marked, which is open again. Deterministic: the same
 * result and triage give the same output whenever it runs. `result` is not changed.
 *
 * @example
 * const { alerts, incidents, suppressed } = applyTriage(detection.finish(), loadTriage(triagePath(dataDir)));
 */
export function applyTriage(result: DetectionResult, triage: Triage): TriagedResult {
  const kept: Alert[] = [];
  const suppressed: Alert[] = [];
  for (const alert of result.alerts) {
    if (findSuppression(triage, alert) === undefined) kept.push({ ...alert });
    else suppressed.push(alert);
  }
  const folded = foldIncidents(kept);
  const statuses = currentStatuses(triage);
  for (const incident of folded.incidents) {
    const change = statuses.get(incident.id);
    if (change === undefined) continue;
    const closed = change.status === 'resolved' || change.status === 'false_positive';
    const known = change.alertIds === undefined ? undefined : new Set(change.alertIds);
    // closed, then new alerts joined: open again
    incident.status = closed && known !== undefined && incident.alertIds.some((id) => !known.has(id)) ? 'open' : change.status;
  }
  return { alerts: folded.alerts, incidents: folded.incidents, suppressed };
}

function patternKey(ruleId: string, entity: EntityRef): string {
  return `${ruleId}\u0000${entity.kind}\u0000${entity.value}`;
}
