import { isIP } from 'node:net';

/**
 * A set of IPv4/IPv6 ranges (CIDRs or single addresses) compiled once, checked on the hot path without
 * allocations for IPv4.
 */
export interface IpRangeSet {
  /** True when `ip` (v4, v6 or v4-mapped v6) is inside one of the ranges. Never throws. */
  has(ip: string): boolean;
}

interface V6Range {
  words: Uint32Array;
  bits: number;
}

/**
 * Compiles ranges like `10.0.0.0/8`, `2001:db8::/32` or `203.0.113.7`. Throws an `Error` listing every
 * invalid entry at once.
 */
export function compileIpRanges(ranges: readonly string[]): IpRangeSet {
  const v4: Array<[number, number]> = [];
  const v6: V6Range[] = [];
  const bad: string[] = [];
  for (const entry of ranges) {
    const [addr = '', bitsText, extra] = entry.trim().split('/');
    const kind = isIP(addr);
    const max = kind === 4 ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (
      kind === 0 ||
      extra !== undefined ||
      !Number.isInteger(bits) ||
      bits < 0 ||
      bits > max ||
      (bitsText !== undefined && !/^\d+$/.test(bitsText))
    ) {
      bad.push(entry);
      continue;
    }
    if (kind === 4) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      v4.push([((parseV4(addr) as number) & mask) >>> 0, mask]);
    } else {
      v6.push({ words: parseV6(addr) as Uint32Array, bits });
    }
  }
  if (bad.length > 0) throw new Error(`invalid IP ranges: ${bad.join(', ')}`);
  return {
    has(ip) {
      const a = parseV4(ip);
      if (a !== undefined) {
        for (const [net, mask] of v4) if ((a & mask) >>> 0 === net) return true;
        return false;
      }
      if (v6.length === 0 && v4.length === 0) return false;
      const words = parseV6(ip);
      if (words === undefined) return false;
      if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
        const mapped = words[3] as number;
        for (const [net, mask] of v4) if ((mapped & mask) >>> 0 === net) return true;
      }
      for (const range of v6) if (matchV6(words, range)) return true;
      return false;
    },
  };
}

/** Parses dotted IPv4 into an unsigned 32-bit number, or `undefined`. */
export function parseV4(ip: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}

/** Parses IPv6 (with `::` and an embedded IPv4 tail) into four 32-bit words, or `undefined`. */
export function parseV6(ip: string): Uint32Array | undefined {
  if (isIP(ip) !== 6) return undefined;
  const zone = ip.indexOf('%');
  const text = zone >= 0 ? ip.slice(0, zone) : ip;
  const groups: number[] = [];
  const [head = '', tail] = text.split('::');
  const read = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseV4(g) as number;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const h = read(head);
  const t = tail === undefined ? [] : read(tail);
  groups.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = (((groups[2 * i] as number) << 16) | (groups[2 * i + 1] as number)) >>> 0;
  return words;
}

function matchV6(words: Uint32Array, range: V6Range): boolean {
  let bits = range.bits;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((words[i] as number) & mask) >>> 0 !== ((range.words[i] as number) & mask) >>> 0) return false;
  }
  return true;
}
