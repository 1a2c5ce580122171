/** The `fastly` parser (Fastly real-time log streaming, JSON). */
export { FASTLY_FIELDS, fastlyParser } from './fastly.js';
export type { FastlyOptions } from './config.js';
