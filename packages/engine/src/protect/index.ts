/** Inline protection: decoding, the inputs of a request, signature rules and their detectors. */
export * from './decode.js';
export * from './inputs.js';
export * from './protocol.js';
export * from './signatures.js';
export * from './snippet.js';
export {
  type Detector,
  type DetectorContext,
  type DetectorHit,
  PHASES,
  type Phase,
  type ProtectionMode,
  SEVERITY_SCORES,
  type Severity as SignatureSeverity,
  type SignatureCategory,
} from './types.js';
export * from './detect/index.js';
export * from './policy/index.js';
export * from './openapi-guard/index.js';
