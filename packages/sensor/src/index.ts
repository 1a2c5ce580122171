/** Palisade's inline sensor: the reverse proxy that inspects, blocks and reports every transaction. */
export * from './forwarding.js';
export * from './inspection.js';
export * from './problem.js';
export * from './routes.js';
export * from './sensor.js';
export * from './events.js';
export { computeHeaderFingerprint } from './tls/header-fingerprint.js';
export { attachTlsTermination, type TlsFingerprint, type TlsTerminationCounters, tlsFingerprintOf } from './tls/tls-listener.js';
