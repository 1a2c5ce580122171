import { deserialize, serialize } from 'node:v8';
import { type Alert, PalisadeError } from '@palisade/core';
import { foldIncidents, type DetectionResult } from './incidents.js';
import type { Observation } from './observation.js';
import type { Scenario } from './scenario.js';
import { type SavedScenario, ScenarioState } from './scenario-state.js';

/**
 * A detector written as code, for what a scenario cannot say (a sequence across entities, a drift from an
 * entity's own profile). It sees every observation in time order and the alerts other rules raise.
 */
export interface Detector {
  readonly id: string;
  /** The rule ids of the alerts it raises. */
  readonly ruleIds: readonly string[];
  observe(o: Observation, raise: (alert: Alert) => void): void;
  /** Another rule raised an alert (credential stuffing makes its sources suspects for a takeover). */
  onAlert?(alert: Alert): void;
  /** End of the data: raise what is still pending. */
  finish?(raise: (alert: Alert) => void): void;
  /** The detector's state as plain data (maps, sets, arrays, typed arrays), for a saved detection state. */
  save?(): unknown;
  /** Takes back what `save` gave (into a fresh detector); returns the alerts it holds open. */
  restore?(saved: unknown): Alert[];
}

/** Settings of a detection runner. */
export interface DetectionRunnerOptions {
  scenarios: readonly Scenario[];
  detectors?: readonly Detector[];
  /** Called once per alert when it is raised (streaming consumers act on it at once). */
  onAlert?: (alert: Alert) => void;
}

/**
 * Runs behaviour detection over observations in time order — the same object whether the observations
 * come from a batch of log files (`analyze`) or from a live stream (`serve`), so both give the same alerts.
 * `finish()` ends the open alerts and folds every alert into incidents by actor.
 */
export interface DetectionRunner {
  add(o: Observation): void;
  /** Moves the clock without an observation (a quiet stream): ends alerts whose windows emptied. */
  advance(now: number): void;
  /**
   * The long-horizon state — windows, daily histories, population baselines, profiles, open alerts — as
   * bytes, so that a later run (or a restarted `serve`) goes on where this one stopped. Call it before
   * `finish()`, which ends the open alerts.
   */
  save(): Uint8Array;
  /**
   * Takes back a state {@link save} gave, into a runner that has seen nothing yet. Rules changed since are
   * started afresh (their ids are returned), so are rules and detectors the state does not know.
   */
  restore(state: Uint8Array): { restored: string[]; fresh: string[] };
  finish(): DetectionResult;
}

/**
 * The layout of a saved state; a state of another layout is refused, not misread. Raise it whenever what a
 * scenario state or a detector saves changes shape (a rule's own changes are caught by its digest).
 */
const STATE_VERSION = 1;

interface SavedRunner {
  version: number;
  now: number;
  nextSweep: number;
  scenarios: Array<{ id: string; digest: string; state: SavedScenario }>;
  detectors: Array<{ id: string; state: unknown }>;
}

/** How often (on the events' clock) idle groups are swept and days closed. */
const SWEEP_MS = 10 * 60_000;

/** Creates a runner. */
export function createDetectionRunner(options: DetectionRunnerOptions): DetectionRunner {
  const alerts = new Map<string, Alert>();
  const detectors = options.detectors ?? [];
  const raised = (alert: Alert): void => {
    if (alerts.has(alert.id)) return;
    alerts.set(alert.id, alert);
    options.onAlert?.(alert);
    for (const detector of detectors) detector.onAlert?.(alert);
  };
  const states = options.scenarios.map((s) => new ScenarioState(s, (alert, phase) => (phase === 'raised' ? raised(alert) : undefined)));
  let nextSweep = Number.NEGATIVE_INFINITY;
  let now = Number.NEGATIVE_INFINITY;

  const sweep = (time: number): void => {
    for (const state of states) state.advance(time);
    nextSweep = Math.floor(time / SWEEP_MS) * SWEEP_MS + SWEEP_MS;
  };

  return {
    add(o) {
      // a record a little out of order keeps the clock where it is: windows never run backwards
      if (o.time > now) now = o.time;
      if (now >= nextSweep) sweep(now);
      for (const state of states) state.observe(o);
      for (const detector of detectors) detector.observe(o, raised);
    },
    advance(time) {
      if (time > now) now = time;
      if (now >= nextSweep) sweep(now);
    },
    save() {
      const saved: SavedRunner = {
        version: STATE_VERSION,
        now,
        nextSweep,
        scenarios: states.map((state) => ({ id: state.scenario.id, digest: state.scenario.digest, state: state.save() })),
        detectors: detectors.flatMap((d) => (d.save === undefined ? [] : [{ id: d.id, state: d.save() }])),
      };
      return serialize(saved);
    },
    restore(bytes) {
      let saved: SavedRunner;
      try {
        saved = deserialize(bytes) as SavedRunner;
      } catch (error) {
        throw new PalisadeError('PAL_ERR_STATE_INVALID', `saved detection state unreadable: ${(error as Error).message}`);
      }
      if (saved?.version !== STATE_VERSION) {
        throw new PalisadeError(
          'PAL_ERR_STATE_INVALID',
          `saved detection state has layout ${String(saved?.version)}, expected ${STATE_VERSION}`,
        );
      }
      now = saved.now;
      nextSweep = saved.nextSweep;
      const restored: string[] = [];
      const open: Alert[] = [];
      for (const state of states) {
        const s = saved.scenarios.find((x) => x.id === state.scenario.id && x.digest === state.scenario.digest);
        if (s === undefined) continue;
        open.push(...state.restore(s.state));
        restored.push(state.scenario.id);
      }
      for (const detector of detectors) {
        const d = saved.detectors.find((x) => x.id === detector.id);
        if (d === undefined || detector.restore === undefined) continue;
        open.push(...detector.restore(d.state));
        restored.push(detector.id);
      }
      for (const alert of open) alerts.set(alert.id, alert);
      const fresh = [...states.map((s) => s.scenario.id), ...detectors.map((d) => d.id)].filter((id) => !restored.includes(id));
      return { restored, fresh };
    },
    finish() {
      for (const state of states) state.finish();
      for (const detector of detectors) detector.finish?.(raised);
      return foldIncidents([...alerts.values()]);
    },
  };
}
