/**
 * Small mergeable summaries with bounded memory, for per-endpoint statistics: a latency histogram with
 * logarithmic buckets (quantiles within ~6 %), and a distinct counter that is exact up to 1,024 values and
 * a HyperLogLog (4,096 registers, ~1.6 % error) beyond.
 */

const BUCKETS = 200;
const BASE = 1.06; // bucket i covers [0.01 · 1.06^i, 0.01 · 1.06^(i+1)) ms: 10 µs … ~1.1 h
const MIN_MS = 0.01;

/** A latency histogram (milliseconds). */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #n = 0;

  get count(): number {
    return this.#n;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / Math.log(BASE)));
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#n++;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i] = (this.#counts[i] ?? 0) + (other.#counts[i] ?? 0);
    this.#n += other.#n;
  }

  /** The q-quantile (0–1), ms, at the middle of its bucket; `undefined` when empty. */
  quantile(q: number): number | undefined {
    if (this.#n === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.#n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.round(MIN_MS * BASE ** (i + 0.5) * 100) / 100;
    }
    return undefined;
  }
}

const EXACT_LIMIT = 1024;
const REGISTERS = 4096; // 2^12
const REGISTER_BITS = 12;

/** Counts distinct strings: exact up to 1,024, estimated (HyperLogLog) beyond. */
export class DistinctCounter {
  #exact: Set<string> | undefined = new Set();
  #registers: Uint8Array | undefined;

  add(value: string): void {
    if (this.#exact !== undefined) {
      this.#exact.add(value);
      if (this.#exact.size > EXACT_LIMIT) this.#toSketch();
      return;
    }
    this.#addHash(hash32(value), hash32b(value));
  }

  merge(other: DistinctCounter): void {
    if (other.#exact !== undefined) {
      for (const v of other.#exact) this.add(v);
      return;
    }
    if (this.#exact !== undefined) this.#toSketch();
    const mine = this.#registers as Uint8Array;
    const theirs = other.#registers as Uint8Array;
    for (let i = 0; i < REGISTERS; i++) mine[i] = Math.max(mine[i] ?? 0, theirs[i] ?? 0);
  }

  /** The number of distinct values (an estimate beyond 1,024). */
  get size(): number {
    if (this.#exact !== undefined) return this.#exact.size;
    const registers = this.#registers as Uint8Array;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < REGISTERS; i++) {
      const r = registers[i] ?? 0;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
    const estimate = (alpha * REGISTERS * REGISTERS) / sum;
    if (estimate <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
    return Math.round(estimate);
  }

  #toSketch(): void {
    this.#registers = new Uint8Array(REGISTERS);
    const values = this.#exact ?? new Set<string>();
    this.#exact = undefined;
    for (const v of values) this.#addHash(hash32(v), hash32b(v));
  }

  #addHash(h1: number, h2: number): void {
    const index = h1 >>> (32 - REGISTER_BITS);
    // rank of the first 1 bit in the remaining 20 bits of h1, then h2 for more range
    const rest = ((h1 << REGISTER_BITS) | (h2 >>> (32 - REGISTER_BITS))) >>> 0;
    const rank = rest === 0 ? 33 : Math.clz32(rest) + 1;
    const registers = this.#registers as Uint8Array;
    if (rank > (registers[index] ?? 0)) registers[index] = rank;
  }
}

/** FNV-1a, 32 bits. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/** A second, independent 32-bit hash (FNV-1a with another basis). */
function hash32b(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x5bd1e995);
  }
  return mix(h);
}

/** murmur3 finalizer: spreads FNV's weak high bits. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
