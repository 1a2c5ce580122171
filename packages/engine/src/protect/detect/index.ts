/**
 * The built-in detectors by name, as signature rules refer to them (`detector: sqli`). Each detector file
 * exports its own `DETECTORS`; this registry merges them and refuses a name given twice.
 */
import { fileURLToPath } from 'node:url';
import type { Detector } from '../types.js';

const SOURCES: ReadonlyArray<Readonly<Record<string, Detector>>> = [];

function merge(sources: ReadonlyArray<Readonly<Record<string, Detector>>>): Readonly<Record<string, Detector>> {
  const all: Record<string, Detector> = {};
  for (const source of sources) {
    for (const [name, detector] of Object.entries(source)) {
      if (all[name] !== undefined) throw new Error(`detector ${name} is registered twice`);
      all[name] = detector;
    }
  }
  return Object.freeze(all);
}

/** Every built-in detector, by name. */
export const BUILTIN_DETECTORS: Readonly<Record<string, Detector>> = merge(SOURCES);

/** The folder of the signature rules shipped with Palisade (`rules/signatures`). */
export const SHIPPED_SIGNATURES_DIR: string = fileURLToPath(new URL('../../../../../rules/signatures', import.meta.url));
