/** The `haproxy` parser. */
export { haproxyParser } from './haproxy.js';
export type { HaproxyOptions } from './config.js';
