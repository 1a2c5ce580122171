/** The `traefik-json` parser. */
export { traefikParser } from './traefik.js';
