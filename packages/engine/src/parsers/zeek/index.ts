/** The `zeek-http` parser (Zeek http.log, TSV or JSON). */
export { zeekHttpParser } from './zeek-http.js';
