import { parseJsonObject } from './fields.js';

/**
 * Detection helpers: parsers score a sample by the share of lines that look like their format. These
 * functions never throw.
 */

/** The share (0..1) of lines for which `test` is true; 0 for an empty sample. */
export function shareOf(lines: readonly string[], test: (line: string) => boolean): number {
  if (lines.length === 0) return 0;
  let hits = 0;
  for (const line of lines) {
    try {
      if (test(line)) hits++;
    } catch {
      // a detector that throws counts as "not this format"
    }
  }
  return hits / lines.length;
}

/** The share of lines that are JSON objects satisfying `test`. */
export function shareOfJson(lines: readonly string[], test: (obj: Record<string, unknown>) => boolean): number {
  return shareOf(lines, (line) => {
    const obj = parseJsonObject(line);
    return obj !== undefined && test(obj);
  });
}

/** True when the object has every one of the keys. */
export function hasKeys(obj: Record<string, unknown>, ...keys: string[]): boolean {
  for (const key of keys) if (!(key in obj)) return false;
  return true;
}
