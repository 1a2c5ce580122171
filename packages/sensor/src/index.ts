/** Palisade's inline sensor: the reverse proxy that inspects, blocks and reports every transaction. */
export * from './forwarding.js';
export * from './inspection.js';
export * from './problem.js';
export * from './routes.js';
export * from './sensor.js';
