/** Palisade's test kit: conformance suites, golden-file runner, fuzzing and a fake clock. */
export * from './golden.js';
export * from './fuzz.js';
export * from './store-conformance.js';
export * from './memory-store.js';
