export {
  createFactReader,
  createObserver,
  networkOf,
  type Observation,
  type Observer,
  type ObserverOptions,
  PRECOMPUTED,
  type PrecomputedFacts,
} from './observation.js';
export { compileFilter, type Filter, type FilterSpec } from './filter.js';
export { loadScenarios, parseDuration, parseScenarios, type Scenario, SHIPPED_SCENARIOS_DIR } from './scenario.js';
export { createDetectionRunner, type DetectionRunner, type DetectionRunnerOptions, type Detector as BehaviourDetector } from './runner.js';
export { type DetectionResult, foldIncidents } from './incidents.js';
export { createEventDetection, type EventDetection } from './event-detection.js';
export { type DetectionSetup, loadDetectionSetup } from './setup.js';
export { type RuleTestOptions, type RuleTestResult, runRuleTest, runRuleTests, SHIPPED_RULE_TESTS_DIR } from './rule-tests.js';
export { createStreamingDetection, type StreamingDetection } from './streaming.js';
export {
  applyTriage,
  currentStatuses,
  DEFAULT_SUPPRESSION_MS,
  emptyTriage,
  findSuppression,
  type IncidentStatusChange,
  loadTriage,
  markIncident,
  type MarkOptions,
  saveTriage,
  type Suppression,
  TRIAGE_SCHEMA_VERSION,
  type Triage,
  type TriagedResult,
  triagePath,
} from './triage.js';
export { type AttackReader, type AttackReaderOptions, createAttackReader } from './attack-reader.js';
