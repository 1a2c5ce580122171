import { createAttackReader } from './attack-reader.js';
import { createAccountTakeoverDetector } from './detectors/account-takeover.js';
import { createKeyDriftDetector } from './detectors/key-drift.js';
import type { Detector } from './runner.js';
import type { ObserverOptions } from './observation.js';
import { loadScenarios, type Scenario, SHIPPED_SCENARIOS_DIR } from './scenario.js';

/** Everything detection runs with: the scenarios, the coded detectors (fresh ones per run), the attack reader. */
export interface DetectionSetup {
  scenarios: Scenario[];
  detectors: () => Detector[];
  attacks?: ObserverOptions['attacks'];
}

/** Loads the shipped behaviour rules and any extra rule folders, and the attack reader (the shipped signatures at paranoia 1). */
export async function loadDetectionSetup(options: { ruleDirs?: readonly string[] } = {}): Promise<DetectionSetup> {
  const scenarios = await loadScenarios([SHIPPED_SCENARIOS_DIR, ...(options.ruleDirs ?? [])]);
  const attacks = await createAttackReader();
  return { scenarios, detectors: () => [createAccountTakeoverDetector(), createKeyDriftDetector()], attacks };
}
