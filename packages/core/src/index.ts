/** Palisade's core: the `ApiEvent` model, the contracts between stages, errors, config and clock. */
export * from './api-event.js';
export * from './parser.js';
