import type { ApiEvent } from '@palisade/core';
import type { DetectionResult } from './incidents.js';
import { createObserver, type ObserverOptions } from './observation.js';
import { createDetectionRunner, type DetectionRunner, type DetectionRunnerOptions } from './runner.js';

/** Behavioural detection over events: an observer in front of a runner. */
export interface EventDetection {
  /** Adds an event; `template` when the caller templated it already (see {@link Observer}). */
  add(event: ApiEvent, template?: string | null): void;
  finish(): DetectionResult;
  readonly runner: DetectionRunner;
}

/** Creates detection over events fed in time order (a batch of logs, or a stream). */
export function createEventDetection(options: ObserverOptions & DetectionRunnerOptions): EventDetection {
  const observe = createObserver(options);
  const runner = createDetectionRunner(options);
  return {
    add: (event, template) => runner.add(observe(event, template)),
    finish: () => runner.finish(),
    runner,
  };
}
