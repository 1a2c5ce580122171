import { ParserRegistry } from './registry.js';
import { nginxJsonParser } from './nginx-json/index.js';

export { ParserRegistry, type DetectedFormat } from './registry.js';

/** Creates a registry holding every built-in format. */
export function createDefaultParserRegistry(): ParserRegistry {
  return new ParserRegistry().register(nginxJsonParser);
}
