/** The `otlp-json` parser (aliases `otlp`, `opentelemetry`). */
export { otlpJsonParser } from './otlp-json.js';
