import type { Alert, ApiEvent } from '@palisade/core';
import { createEventDetection } from './event-detection.js';
import type { DetectionResult } from './incidents.js';
import type { ObserverOptions } from './observation.js';
import type { DetectionRunnerOptions } from './runner.js';

/**
 * Detection over a live stream (what `serve` and a bus consumer run): events arrive in batches as they come,
 * in time order, and the clock ticks between batches so that a quiet stream still ends the alerts whose
 * windows emptied. Alerts are reported as they are raised. Fed the same events, it gives the same alerts as
 * a batch run over them, whatever the batch sizes and ticks.
 */
export interface StreamingDetection {
  push(events: readonly ApiEvent[]): void;
  /** The clock reached `now` (epoch ms, from the injected clock). */
  tick(now: number): void;
  /** End of the stream: closes every open alert and folds the incidents. */
  close(): DetectionResult;
}

/** Creates streaming detection; `onAlert` receives each alert when it is raised. */
export function createStreamingDetection(
  options: ObserverOptions & DetectionRunnerOptions & { onAlert?: (alert: Alert) => void },
): StreamingDetection {
  const detection = createEventDetection(options);
  return {
    push(events) {
      for (const event of events) detection.add(event);
    },
    tick(now) {
      detection.runner.advance(now);
    },
    close: () => detection.finish(),
  };
}
