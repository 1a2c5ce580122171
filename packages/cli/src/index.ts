/** The `palisade` command line. */
export { main } from './main.js';
