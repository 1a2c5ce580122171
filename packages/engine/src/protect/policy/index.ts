/**
 * The sensor's non-signature protections: access lists (IP/CIDR, country, ASN, user, API key, fingerprint),
 * deception (honeypots that mark probers), rate limits and business flows, configured in YAML (see
 * README.md) and compiled by `createPolicies` into one `check(facts)` for the hot path.
 */
export {
  type AccessRuleConfig,
  AccessList,
  type BypassableProtection,
} from './access-list.js';
export {
  assertPolicyConfig,
  type ConfigProblem,
  createPolicies,
  formatConfigProblem,
  type Policies,
  type PolicyConfig,
  type PolicyOptions,
  validateAccessRules,
  validatePolicyConfig,
} from './config.js';
export {
  DECEPTION_DEFAULTS,
  Deception,
  type DeceptionConfig,
  type DeceptionMark,
  type DeceptionResponseConfig,
  type HoneypotConfig,
  type MarkableKind,
  RESPONSE_PLACEHOLDERS,
} from './deception.js';
export { DEFAULT_FLOW_KEYS, type FlowRuleConfig, type FlowStepConfig, FlowTracker } from './flow.js';
export {
  createGeoLookup,
  defaultCountryDatabasePath,
  type GeoConfig,
  type GeoInfo,
  type GeoLookup,
  isReservedAddress,
  openGeo,
  RESERVED_RANGES,
} from './geo.js';
export {
  createMemoryRateLimitStore,
  DEFAULT_RATE_LIMIT_KEYS,
  type RateLimitAlgorithm,
  RateLimiter,
  type RateLimitPolicyConfig,
  type RateLimitState,
  type RateLimitStats,
  type RateLimitStore,
  type RateLimitStoreFactory,
} from './rate-limit.js';
export {
  type AccessListWatcher,
  type AccessReload,
  type AccessRulesTarget,
  readAccessListFile,
  watchAccessLists,
  type WatchAccessListsOptions,
} from './reload.js';
export {
  canonicalIp,
  type EntityKey,
  type EntityKind,
  entityKindOf,
  entityValue,
  fingerprintOf,
  isEntityKey,
  isSecretKind,
  type PolicyFinding,
  type RequestFacts,
} from './request-facts.js';
