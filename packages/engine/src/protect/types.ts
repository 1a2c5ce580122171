/**
 * The contracts of inline protection: detectors (code that recognises one class of attack in one decoded
 * value), signature rules (data that says which detector or pattern runs on which inputs, at which paranoia
 * level and for how many anomaly points), and the findings a request collects on its way through the sensor.
 */

/** What a detector found in one value. */
export interface DetectorHit {
  /**
   * Why, in a few machine-readable words: an SQL token fingerprint (`s&1c`), `script-tag`,
   * `metadata-address`. It goes into the event and the alert, so it never quotes the value itself.
   */
  detail: string;
  /** The matched span `[start, end)` in the value the detector was given, for the masked snippet. */
  start: number;
  end: number;
}

/** Where a value came from, for detectors whose judgement depends on it (an SSRF detector reads URL-valued fields). */
export interface DetectorContext {
  /** The input's location: `query:url`, `json:$.callback`, `header:user-agent`, `path:2`, `body`. */
  location: string;
}

/**
 * A detector looks at one already-decoded value (the engine peels URL, HTML, JavaScript and base64
 * encodings first and calls the detector once per form) and says whether it is an attack of its class.
 * Detectors are pure, bounded in time (linear in the value's length), and never throw.
 */
export type Detector = (value: string, context: DetectorContext) => DetectorHit | undefined;

/** Rule severities and the anomaly points each adds, as in the OWASP Core Rule Set. */
export const SEVERITY_SCORES = { critical: 5, error: 4, warning: 3, notice: 2 } as const;
export type Severity = keyof typeof SEVERITY_SCORES;

/** The attack classes signatures report. */
export type SignatureCategory =
  | 'sqli'
  | 'xss'
  | 'rce'
  | 'lfi'
  | 'rfi'
  | 'php'
  | 'java'
  | 'code'
  | 'ssi'
  | 'mail'
  | 'session-fixation'
  | 'ssrf'
  | 'xxe'
  | 'ssti'
  | 'nosqli'
  | 'ldapi'
  | 'crlf'
  | 'jndi'
  | 'shellshock'
  | 'prototype-pollution'
  | 'protocol'
  | 'graphql'
  | 'scanner';

/** How a protection treats what it finds. */
export type ProtectionMode = 'off' | 'monitor' | 'block';

/** The processing phases of a transaction in the sensor, in order. Each protection declares its phase. */
export const PHASES = ['connection', 'request-headers', 'request-body', 'response-headers', 'response-body', 'logging'] as const;
export type Phase = (typeof PHASES)[number];
