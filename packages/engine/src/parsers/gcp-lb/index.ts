/** The `gcp-lb` parser. */
export { gcpLbParser } from './gcp-lb.js';
