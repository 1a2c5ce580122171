/** The `kong` parser (http-log / file-log JSON). */
export { kongParser } from './kong.js';
