import type { Alert } from '@palisade/core';
import { foldIncidents, type DetectionResult } from './incidents.js';
import type { Observation } from './observation.js';
import type { Scenario } from './scenario.js';
import { ScenarioState } from './scenario-state.js';

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
  finish(): DetectionResult;
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
    finish() {
      for (const state of states) state.finish();
      for (const detector of detectors) detector.finish?.(raised);
      return foldIncidents([...alerts.values()]);
    },
  };
}
