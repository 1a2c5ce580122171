import { createHash } from 'node:crypto';
import { type ClientHello, isGrease } from './client-hello.js';

/** A JA3 TLS client fingerprint: the JA3 text and its MD5. */
export interface Ja3 {
  /** `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`, decimal values joined by `-`. */
  readonly text: string;
  /** Lower-case hex MD5 of `text` (32 characters). */
  readonly hash: string;
}

/**
 * Computes the JA3 fingerprint of a ClientHello (Salesforce's method, BSD-3-Clause; github.com/salesforce/ja3).
 *
 * The five fields, each a `-`-joined list of decimal numbers in the order the client sent them:
 * `legacy_version`, cipher suites, extension types, supported groups, EC point formats. GREASE values
 * (RFC 8701) are dropped everywhere; an absent extension gives an empty field. JA3 keeps extension order,
 * so clients that shuffle extensions (Chrome since version 110) get a new JA3 on every connection: prefer
 * JA4 to recognise a client, keep JA3 for matching older threat-intelligence lists.
 *
 * @example
 * computeJa3(hello).hash; // e.g. '579ccef312d18482fc42e2b822ca2430'
 */
export function computeJa3(hello: ClientHello): Ja3 {
  const text = [
    String(hello.legacyVersion),
    decimalList(hello.cipherSuites),
    decimalList(hello.extensions),
    decimalList(hello.supportedGroups),
    decimalList(hello.ecPointFormats),
  ].join(',');
  return { text, hash: ja3Hash(text) };
}

/** The MD5 hex digest JA3 uses for a JA3 text (exported so published JA3 strings can be checked). */
export function ja3Hash(text: string): string {
  return createHash('md5').update(text, 'latin1').digest('hex');
}

function decimalList(values: readonly number[]): string {
  let out = '';
  for (const v of values) {
    if (isGrease(v)) continue;
    out += out.length === 0 ? String(v) : `-${v}`;
  }
  return out;
}
