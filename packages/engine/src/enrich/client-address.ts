import { isIP } from 'node:net';
import { type IpRangeSet, parseV4 } from './ip-ranges.js';

/**
 * Resolves the client address from the connecting peer and the forwarded chain.
 *
 * The chain is read right to left (nearest hop first): hops inside the trusted proxies are skipped and the
 * first untrusted address is the client. When every hop is trusted the leftmost address is the client.
 * Addresses a client could forge (anything left of the first untrusted hop) are kept in `forwardedFor`
 * but never chosen. Ports and brackets (`[2001:db8::1]:443`, `203.0.113.9:5120`) are removed.
 */
export function resolveClientAddress(peerIp: string | undefined, chain: readonly string[], trusted: IpRangeSet): string | undefined {
  if (peerIp !== undefined && !trusted.has(peerIp)) return peerIp;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i] as string;
    // A proxy that could not tell the address wrote `unknown`: the client is unknown, and the entries
    // left of it are whatever the client chose to send.
    if (hop === UNKNOWN_HOP) return undefined;
    if (!trusted.has(hop)) return hop;
  }
  return chain[0] ?? peerIp;
}

/** How a hop that is not an address (`unknown`, an obfuscated name, garbage) appears in the chain. */
export const UNKNOWN_HOP = 'unknown';

/**
 * Splits an `X-Forwarded-For` value into clean addresses, left to right. Entries that are not addresses
 * become `unknown` (so the resolution never skips over them); empty entries are dropped.
 */
export function splitForwardedFor(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    out.push(cleanAddress(text) ?? UNKNOWN_HOP);
  }
  return out;
}

/** Reads the `for=` addresses of an RFC 7239 `Forwarded` header, in order (`for=unknown`, `for=_hidden` → `unknown`). */
export function splitForwardedHeader(value: string): string[] {
  const out: string[] = [];
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      const value = pair
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (value !== '') out.push(cleanAddress(value) ?? UNKNOWN_HOP);
    }
  }
  return out;
}

/** Removes brackets and ports from an address; `undefined` when it is not an IP address. */
export function cleanAddress(text: string): string | undefined {
  if (text === '') return undefined;
  if (parseV4(text) !== undefined || isIP(text) !== 0) return text;
  if (text[0] === '[') {
    const end = text.indexOf(']');
    const inner = end > 0 ? text.slice(1, end) : '';
    return isIP(inner) === 6 ? inner : undefined;
  }
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon) {
    const host = text.slice(0, colon);
    return isIP(host) === 4 ? host : undefined;
  }
  return undefined;
}
