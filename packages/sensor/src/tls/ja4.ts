import { createHash } from 'node:crypto';
import { type ClientHello, isGrease, offeredVersion, TLS_EXTENSION } from './client-hello.js';

/** Transport the ClientHello came over: TLS over TCP (`t`), QUIC (`q`) or DTLS (`d`). */
export type Ja4Transport = 't' | 'q' | 'd';

/** How to render a JA4 fingerprint. */
export interface Ja4Options {
  /** Transport letter; `t` unless the hello came from QUIC or DTLS. */
  readonly transport?: Ja4Transport;
  /**
   * Keep ciphers and extensions in the order sent, SNI and ALPN included (FoxIO's `JA4_o` / `JA4_ro`).
   * Off by default: the sorted form is the fingerprint, stable across Chrome's extension shuffling.
   */
  readonly original?: boolean;
}

const EMPTY_HASH = '000000000000';

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

/**
 * Computes the JA4 TLS client fingerprint (FoxIO; JA4 itself is BSD-3-Clause, unlike the rest of JA4+),
 * following technical_details/JA4.md of github.com/FoxIO-LLC/ja4, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
 *
 * Part a: transport, the highest offered version (`13`, `12`, … `00` when unknown), `d` when the SNI
 * extension is present else `i`, two-digit counts of cipher suites and extensions (GREASE not counted,
 * capped at 99; SNI and ALPN counted), and the first and last character of the first ALPN value (`00`
 * without ALPN; hex digits when either end byte is not an ASCII letter or digit). Part b: the first 12 hex
 * characters of SHA-256 over the cipher suites as 4-digit hex, sorted, comma-joined. Part c: the same over
 * the sorted extensions without SNI (0000) and ALPN (0010), then `_` and the signature algorithms in the
 * order sent. An empty list hashes to `000000000000`. GREASE values are ignored everywhere.
 *
 * @example
 * computeJa4(hello); // 't13d1516h2_8daaf6152771_e5627efa2ab1'
 */
export function computeJa4(hello: ClientHello, options: Ja4Options = {}): string {
  const parts = ja4Parts(hello, options);
  // An empty sorted extension list (SNI and ALPN removed) hashes to zeros in the original form too, as FoxIO's tools do.
  const c = parts.sortedExtensionsEmpty ? EMPTY_HASH : truncatedHash(parts.c);
  return `${parts.a}_${truncatedHash(parts.b)}_${c}`;
}

/**
 * The JA4 fingerprint before hashing (FoxIO's `JA4_r`, or `JA4_ro` with `original`): part a, then the
 * cipher list, the extension list and the signature algorithms, joined by `_`. For debugging and for
 * checking an implementation against published raw values; store {@link computeJa4}, not this.
 */
export function computeJa4Raw(hello: ClientHello, options: Ja4Options = {}): string {
  const parts = ja4Parts(hello, options);
  return `${parts.a}_${parts.b}_${parts.c}`;
}

interface Ja4Parts {
  readonly a: string;
  /** Cipher list, comma-joined 4-digit hex. */
  readonly b: string;
  /** Extension list, then `_` and the signature algorithms when there are any. */
  readonly c: string;
  /** Whether the extension list without GREASE, SNI and ALPN is empty. */
  readonly sortedExtensionsEmpty: boolean;
}

function ja4Parts(hello: ClientHello, options: Ja4Options): Ja4Parts {
  const original = options.original === true;
  const ciphers = hello.cipherSuites.filter((v) => !isGrease(v));
  const extensions = hello.extensions.filter((v) => !isGrease(v));
  const signatures = hello.signatureAlgorithms.filter((v) => !isGrease(v));
  const withoutSniAlpn = extensions.filter((v) => v !== TLS_EXTENSION.serverName && v !== TLS_EXTENSION.alpn);

  const a =
    (options.transport ?? 't') +
    (VERSION_CODES.get(offeredVersion(hello)) ?? '00') +
    (extensions.includes(TLS_EXTENSION.serverName) ? 'd' : 'i') +
    twoDigits(ciphers.length) +
    twoDigits(extensions.length) +
    alpnCode(hello.alpn[0]);

  const b = hexList(original ? ciphers : sorted(ciphers));
  let c = hexList(original ? extensions : sorted(withoutSniAlpn));
  if (signatures.length > 0) c += `_${hexList(signatures)}`;
  return { a, b, c, sortedExtensionsEmpty: withoutSniAlpn.length === 0 };
}

function twoDigits(count: number): string {
  return String(Math.min(count, 99)).padStart(2, '0');
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** First and last character of the first ALPN value; hex digits of the end bytes when either is not alphanumeric. */
function alpnCode(first: string | undefined): string {
  if (first === undefined || first.length === 0) return '00';
  const head = first.charCodeAt(0);
  const tail = first.charCodeAt(first.length - 1);
  if (isAsciiAlphanumeric(head) && isAsciiAlphanumeric(tail)) return first[0]! + first[first.length - 1]!;
  const headHex = head.toString(16).padStart(2, '0');
  const tailHex = tail.toString(16).padStart(2, '0');
  return headHex[0]! + tailHex[1]!;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((x, y) => x - y);
}

function hexList(values: readonly number[]): string {
  return values.map((v) => v.toString(16).padStart(4, '0')).join(',');
}

function truncatedHash(list: string): string {
  if (list.length === 0) return EMPTY_HASH;
  return createHash('sha256').update(list, 'latin1').digest('hex').slice(0, 12);
}
