/** The `har` parser. */
export { HAR_BODY_SAMPLE_BYTES, harParser } from './har.js';
