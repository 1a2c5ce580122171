/** Palisade's core: the `ApiEvent` model, the contracts between stages, errors, config and clock. */
export * from './alert.js';
export * from './api-event.js';
export * from './clock.js';
export * from './errors.js';
export * from './parser.js';
export * from './store.js';
export * from './config/load.js';
export * from './config/schema.js';
export * from './config/sensor-schema.js';
