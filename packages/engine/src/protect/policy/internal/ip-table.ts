/**
 * Addresses and CIDR ranges for the access lists and the geo fallback: parsing (v4, v6, v4-mapped v6 folded
 * to v4) and a table of up to millions of ranges looked up in O(log n) — ranges sorted by start, each
 * knowing the smallest range that encloses it, so a lookup is a binary search and a short walk outwards.
 * CIDR ranges either nest or are disjoint, which is what makes that walk exact.
 */

/** A parsed address: a number for IPv4 (v4-mapped IPv6 included), four 32-bit words for IPv6. */
export type ParsedIp = number | Uint32Array;

/** Parses a client address; `::ffff:a.b.c.d` comes back as the IPv4 number. `undefined` when not an address. */
export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return v4;
  const words = parseV6(text, true);
  if (words === undefined) return undefined;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return words[3] as number;
  return words;
}

/**
 * Parses dotted IPv4 (`198.51.100.7`) into a number; `undefined` for anything else, including octets with
 * leading zeros (`010.0.0.1` reads as octal to some tools and as decimal to others, so it is refused).
 */
export function parseV4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
}

/**
 * Parses IPv6 text (`::` shorthand, an embedded IPv4 tail, any case; a `%zone` suffix only when `zoned`) into
 * four 32-bit words, in one linear pass without regular expressions. `undefined` when not an IPv6 address.
 */
export function parseV6(text: string, zoned = false): Uint32Array | undefined {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  else if (!zoned || !isZone(text, end + 1)) return undefined;
  if (end < 2) return undefined;
  const groups = new Uint16Array(8);
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const start = i;
    let value = 0;
    for (; i < end; i++) {
      const digit = hexDigit(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      const v4 = count <= 6 ? parseV4(text.slice(start, end)) : undefined;
      if (v4 === undefined) return undefined;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return undefined;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    } else if (i === end) return undefined;
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const words = new Uint32Array(4);
  const shift = gap < 0 ? 0 : 8 - count;
  for (let g = 0; g < count; g++) {
    const at = gap >= 0 && g >= gap ? g + shift : g;
    const word = at >> 1;
    words[word] = ((words[word] as number) | ((groups[g] as number) << (at & 1 ? 0 : 16))) >>> 0;
  }
  return words;
}

/** A zone id after `%`: one or more of letters, digits, `-`, `.`, `:` (as node:net accepts). */
function isZone(text: string, from: number): boolean {
  if (from >= text.length) return false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20;
    if (!((c >= 48 && c <= 58) || (lower >= 97 && lower <= 122) || c === 45 || c === 46)) return false;
  }
  return true;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** A CIDR range: its IPv4 part and/or its IPv6 part (a v6 range over `::ffff:0:0/96` also covers IPv4). */
export interface CidrRange {
  v4?: { start: number; end: number };
  v6?: { start: Uint32Array; end: Uint32Array };
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address; host bits are masked off. */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).trim();
  const bitsText = slash < 0 ? undefined : text.slice(slash + 1).trim();
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = parseV4(address);
  if (v4 !== undefined) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits > 32) return undefined;
    return { v4: v4Range(v4, bits) };
  }
  if (address.includes('%')) return undefined;
  const words = parseV6(address);
  if (words === undefined) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (bits > 128) return undefined;
  const start = new Uint32Array(4);
  const end = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const wordBits = Math.min(32, Math.max(0, bits - 32 * i));
    const mask = wordBits === 0 ? 0 : (0xffffffff << (32 - wordBits)) >>> 0;
    start[i] = ((words[i] as number) & mask) >>> 0;
    end[i] = ((start[i] as number) | ~mask) >>> 0;
  }
  const range: CidrRange = { v6: { start, end } };
  if (start[0] === 0 && start[1] === 0 && bits >= 96 && start[2] === 0xffff) {
    range.v4 = v4Range(start[3] as number, bits - 96);
  } else if (bits <= 96 && contains(start, end, MAPPED_FIRST)) {
    range.v4 = { start: 0, end: 0xffffffff };
  }
  return range;
}

const MAPPED_FIRST = Uint32Array.of(0, 0, 0xffff, 0);

function v4Range(address: number, bits: number): { start: number; end: number } {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const start = (address & mask) >>> 0;
  return { start, end: (start | ~mask) >>> 0 };
}

function contains(start: Uint32Array, end: Uint32Array, ip: Uint32Array): boolean {
  return compareWords(start, 0, ip) <= 0 && compareWords(end, 0, ip) >= 0;
}

/** Compares the four words of `table` at `offset` with `ip`: negative, zero or positive. */
function compareWords(table: Uint32Array, offset: number, ip: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    const a = table[offset + i] as number;
    const b = ip[i] as number;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** One range of a table and what it stands for. */
export interface IpRangeEntry<V> {
  range: CidrRange;
  value: V;
}

/**
 * An immutable table of CIDR ranges with values. Built once (100k ranges in tens of milliseconds), then
 * `lookup` is a binary search: O(log n) with no allocation.
 */
export class IpRangeTable<V> {
  readonly #v4Start: Uint32Array;
  readonly #v4End: Uint32Array;
  readonly #v4Parent: Int32Array;
  readonly #v4Value: V[];
  readonly #v6Start: Uint32Array;
  readonly #v6End: Uint32Array;
  readonly #v6Parent: Int32Array;
  readonly #v6Value: V[];

  constructor(entries: readonly IpRangeEntry<V>[]) {
    const v4 = entries.filter((e) => e.range.v4 !== undefined);
    v4.sort((a, b) => {
      const x = a.range.v4 as { start: number; end: number };
      const y = b.range.v4 as { start: number; end: number };
      return x.start - y.start || y.end - x.end;
    });
    this.#v4Start = new Uint32Array(v4.length);
    this.#v4End = new Uint32Array(v4.length);
    this.#v4Value = new Array<V>(v4.length);
    v4.forEach((entry, i) => {
      const range = entry.range.v4 as { start: number; end: number };
      this.#v4Start[i] = range.start;
      this.#v4End[i] = range.end;
      this.#v4Value[i] = entry.value;
    });
    this.#v4Parent = parents(v4.length, (i, j) => (this.#v4End[i] as number) >= (this.#v4Start[j] as number));

    const v6 = entries.filter((e) => e.range.v6 !== undefined);
    v6.sort((a, b) => {
      const x = a.range.v6 as { start: Uint32Array; end: Uint32Array };
      const y = b.range.v6 as { start: Uint32Array; end: Uint32Array };
      return compareWords(x.start, 0, y.start) || compareWords(y.end, 0, x.end);
    });
    this.#v6Start = new Uint32Array(v6.length * 4);
    this.#v6End = new Uint32Array(v6.length * 4);
    this.#v6Value = new Array<V>(v6.length);
    v6.forEach((entry, i) => {
      const range = entry.range.v6 as { start: Uint32Array; end: Uint32Array };
      this.#v6Start.set(range.start, i * 4);
      this.#v6End.set(range.end, i * 4);
      this.#v6Value[i] = entry.value;
    });
    this.#v6Parent = parents(v6.length, (i, j) => {
      for (let k = 0; k < 4; k++) {
        const end = this.#v6End[i * 4 + k] as number;
        const start = this.#v6Start[j * 4 + k] as number;
        if (end !== start) return end > start;
      }
      return true;
    });
  }

  /** Ranges held (a v6 range over the v4-mapped block counts once per family). */
  get size(): number {
    return this.#v4Value.length + this.#v6Value.length;
  }

  /** The value of the smallest range holding `ip`, or `undefined`. */
  lookup(ip: ParsedIp): V | undefined {
    const i = this.#innermost(ip);
    if (i < 0) return undefined;
    return typeof ip === 'number' ? this.#v4Value[i] : this.#v6Value[i];
  }

  /** Pushes the values of every range holding `ip` onto `out`, smallest range first. */
  collect(ip: ParsedIp, out: V[]): void {
    if (typeof ip === 'number') {
      for (let i = this.#innermost(ip); i >= 0; i = this.#v4Parent[i] as number) out.push(this.#v4Value[i] as V);
    } else {
      for (let i = this.#innermost(ip); i >= 0; i = this.#v6Parent[i] as number) out.push(this.#v6Value[i] as V);
    }
  }

  /** Index of the smallest range holding `ip` in its family's arrays, or -1. */
  #innermost(ip: ParsedIp): number {
    if (typeof ip === 'number') {
      let lo = 0;
      let hi = this.#v4Start.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.#v4Start[mid] as number) <= ip) lo = mid + 1;
        else hi = mid - 1;
      }
      for (let i = hi; i >= 0; i = this.#v4Parent[i] as number) if ((this.#v4End[i] as number) >= ip) return i;
      return -1;
    }
    let lo = 0;
    let hi = this.#v6Value.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.#v6Start, mid * 4, ip) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let i = hi; i >= 0; i = this.#v6Parent[i] as number) if (compareWords(this.#v6End, i * 4, ip) >= 0) return i;
    return -1;
  }
}

/**
 * For ranges sorted by start (ties: larger first), the index of each one's smallest enclosing range, or -1.
 * `reaches(i, j)` says whether range i ends at or after range j starts.
 */
function parents(count: number, reaches: (i: number, j: number) => boolean): Int32Array {
  const parent = new Int32Array(count);
  const stack: number[] = [];
  for (let j = 0; j < count; j++) {
    while (stack.length > 0 && !reaches(stack[stack.length - 1] as number, j)) stack.pop();
    parent[j] = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
    stack.push(j);
  }
  return parent;
}
