/** The `nginx-json` parser. */
export { nginxJsonParser } from './nginx-json.js';
export type { NginxJsonOptions } from './config.js';
