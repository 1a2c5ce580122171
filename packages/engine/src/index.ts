/** Palisade's engine: parsers, enrichment and ingest (later: discovery, detection, decisions). */
export * from './detect/index.js';
export * from './discover/index.js';
export * from './enrich/index.js';
export * from './ingest/index.js';
export * from './parsers/index.js';
export * from './protect/index.js';
export * from './simulate/index.js';
