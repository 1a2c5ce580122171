/**
 * The built-in detectors by name, as signature rules refer to them (`detector: sqli`). Each detector file
 * exports its own `DETECTORS`; this registry merges them and refuses a name given twice.
 */
import { fileURLToPath } from 'node:url';
import type { Detector } from '../types.js';
import { DETECTORS as CODE } from './code-injection.js';
import { DETECTORS as COMMAND } from './command.js';
import { DETECTORS as CRLF } from './crlf.js';
import { DETECTORS as JAVA } from './java.js';
import { DETECTORS as LDAP } from './ldap.js';
import { DETECTORS as MISC } from './misc-injection.js';
import { DETECTORS as NODE } from './node-code.js';
import { DETECTORS as NOSQL } from './nosql.js';
import { DETECTORS as PATH_TRAVERSAL } from './path-traversal.js';
import { DETECTORS as PHP } from './php.js';
import { DETECTORS as PROTOTYPE_POLLUTION } from './prototype-pollution.js';
import { DETECTORS as SQLI } from './sqli.js';
import { DETECTORS as SSRF } from './ssrf.js';
import { DETECTORS as TEMPLATE } from './template-injection.js';
import { DETECTORS as WINDOWS } from './windows-command.js';
import { DETECTORS as XSS } from './xss.js';
import { DETECTORS as XXE } from './xxe.js';

const SOURCES: ReadonlyArray<Readonly<Record<string, Detector>>> = [
  SQLI,
  XSS,
  COMMAND,
  WINDOWS,
  PATH_TRAVERSAL,
  SSRF,
  CODE,
  XXE,
  TEMPLATE,
  NOSQL,
  LDAP,
  CRLF,
  PROTOTYPE_POLLUTION,
  MISC,
  JAVA,
  PHP,
  NODE,
];

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
