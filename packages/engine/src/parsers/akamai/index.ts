/** The `akamai-datastream` parser (Akamai DataStream 2 JSON). */
export { akamaiParser } from './akamai.js';
