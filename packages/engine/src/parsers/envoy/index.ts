/** The `envoy` (text, Envoy and Istio defaults) and `envoy-json` parsers. */
export { envoyParser } from './envoy.js';
export { envoyJsonParser } from './envoy-json.js';
