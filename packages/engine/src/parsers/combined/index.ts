/** The `combined` parser (aliases `nginx-combined`, `apache-combined`, `clf`). */
export { combinedParser } from './combined.js';
