/** The ingest stage: byte sources, framing, batching and checkpoints. */
export * from './byte-source.js';
export * from './dead-letter.js';
export * from './fingerprint.js';
export * from './follow.js';
export * from './ingestor.js';
export * from './line-splitter.js';
export * from './parse-pool.js';
export * from './resolve-inputs.js';
export * from './http-push.js';
