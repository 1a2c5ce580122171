import type { Observation } from './observation.js';

/**
 * The sliding windows of scenario groups. Short windows (up to {@link EXACT_WINDOW_MS}) hold every counted
 * observation, slimmed: exact counts, exact gaps for timing regularity, full evidence. Longer windows (a week
 * of a user's reads) hold per-bucket summaries — counts, bytes, the first event — and, for distinct values,
 * one 32-bit digest per value with the bucket it was last seen in: a few bytes per value instead of an
 * observation per request, at the price of a window that slides a bucket at a time.
 */

/** Windows up to this long are exact. */
export const EXACT_WINDOW_MS = 6 * 3_600_000;
/** Observations one exact window holds at most (the oldest go first). */
const MAX_ENTRIES = 50_000;
/** Distinct values a bucketed window tracks at most; past it, new values are not counted. */
const MAX_TRACKED = 8_192;

/** One counted observation, with what the scenario read of it. */
export interface WindowEntry {
  o: Observation;
  value: string | undefined;
  spread: string | undefined;
  flagged: boolean;
}

/** What a window shows of its past for an alert's evidence: one step per observation, or per bucket. */
export interface WindowStep {
  time: number;
  id: string;
  /** `METHOD template` */
  endpoint: string;
  status: number | undefined;
  count: number;
  /** The observation itself, when the window kept it. */
  o?: Observation;
}

/** A group's window. */
export interface GroupWindow {
  readonly count: number;
  readonly distinct: number;
  readonly spread: number;
  readonly flagged: number;
  readonly bytes: number;
  /** Time of the oldest observation in the window. */
  readonly firstTime: number;
  add(o: Observation, value: string | undefined, spread: string | undefined, flagged: boolean): void;
  /** Drops what is older than the window at `now`. */
  expire(now: number): void;
  /** Ids of the oldest observations in the window. */
  firstIds(n: number): string[];
  /** The window's past, oldest first. */
  steps(): WindowStep[];
  /** Coefficient of variation of the gaps between observations; infinite when unknown. */
  variation(): number;
  /**
   * Share (0–1) of the gaps between observations within 10 % of the median gap; 0 when unknown. A
   * metronome gives 1 even with other clients' requests interleaved now and then; the merged traffic of
   * people (gaps spread like a Poisson process's) about 0.07.
   */
  periodicity(): number;
  /** The window's content as plain data, for a saved detection state ({@link restoreWindow} reads it back). */
  save(): SavedWindow;
}

/** A window's content as plain data: the observations of an exact window, the buckets and digests of a bucketed one. */
export type SavedWindow =
  | { kind: 'exact'; entries: WindowEntry[] }
  | { kind: 'bucket'; ring: Bucket[]; values: Map<number, number> | undefined; spreads: Map<number, number> | undefined };

/** Creates the window a scenario of this length needs. */
export function createWindow(windowMs: number): GroupWindow {
  return windowMs <= EXACT_WINDOW_MS ? new ExactWindow(windowMs) : new BucketWindow(windowMs);
}

/** A window of this length holding what {@link GroupWindow.save} gave; `undefined` when it was saved by a window of another kind. */
export function restoreWindow(windowMs: number, saved: SavedWindow): GroupWindow | undefined {
  const window = createWindow(windowMs);
  if (window instanceof ExactWindow && saved.kind === 'exact') {
    for (const e of saved.entries) window.add(e.o, e.value, e.spread, e.flagged);
    return window;
  }
  if (window instanceof BucketWindow && saved.kind === 'bucket') {
    window.load(saved);
    return window;
  }
  return undefined;
}

/** The columns of every empty exact window (shared, never written). */
const NONE: never[] = [];

/**
 * An exact window as columns: the observations, and what the scenario read of each only when it reads it.
 * No object per counted observation (most windows hold one or two: a column of one costs less than an entry).
 */
class ExactWindow implements GroupWindow {
  readonly #windowMs: number;
  /** Oldest first from `#head`; a window's first observation starts arrays of capacity 1 (most groups hold one or two). */
  #observations: Observation[] = NONE;
  /** Distinct values and spread values read, per observation (only once the scenario has read one). */
  #values: Array<string | undefined> | undefined;
  #spreads: Array<string | undefined> | undefined;
  #flags: boolean[] | undefined;
  #head = 0;
  #distinct: Map<string, number> | undefined;
  #spread: Map<string, number> | undefined;
  flagged = 0;
  bytes = 0;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  get count(): number {
    return this.#observations.length - this.#head;
  }
  get distinct(): number {
    return this.#distinct?.size ?? 0;
  }
  get spread(): number {
    return this.#spread?.size ?? 0;
  }
  get firstTime(): number {
    return this.#head < this.#observations.length ? (this.#observations[this.#head] as Observation).time : Number.NaN;
  }

  add(o: Observation, value: string | undefined, spread: string | undefined, flagged: boolean): void {
    const at = this.#observations.length;
    if (this.#observations === NONE) this.#observations = [o];
    else this.#observations.push(o);
    if (value !== undefined) {
      this.#values ??= new Array<string | undefined>(at).fill(undefined);
      this.#distinct ??= new Map();
      this.#distinct.set(value, (this.#distinct.get(value) ?? 0) + 1);
    }
    if (this.#values !== undefined) this.#values.push(value);
    if (spread !== undefined) {
      this.#spreads ??= new Array<string | undefined>(at).fill(undefined);
      this.#spread ??= new Map();
      this.#spread.set(spread, (this.#spread.get(spread) ?? 0) + 1);
    }
    if (this.#spreads !== undefined) this.#spreads.push(spread);
    if (flagged) {
      this.#flags ??= new Array<boolean>(at).fill(false);
      this.flagged++;
    }
    if (this.#flags !== undefined) this.#flags.push(flagged);
    this.bytes += o.bytesOut ?? 0;
    if (this.count > MAX_ENTRIES) this.#drop();
  }

  expire(now: number): void {
    const horizon = now - this.#windowMs;
    while (this.#head < this.#observations.length && (this.#observations[this.#head] as Observation).time <= horizon) this.#drop();
  }

  #drop(): void {
    const i = this.#head++;
    const value = this.#values?.[i];
    if (value !== undefined && this.#distinct !== undefined) decrement(this.#distinct, value);
    const spread = this.#spreads?.[i];
    if (spread !== undefined && this.#spread !== undefined) decrement(this.#spread, spread);
    if (this.#flags?.[i] === true) this.flagged--;
    this.bytes -= (this.#observations[i] as Observation).bytesOut ?? 0;
    if (this.#head === this.#observations.length) {
      this.#observations = NONE;
      this.#values = undefined;
      this.#spreads = undefined;
      this.#flags = undefined;
      this.#head = 0;
      this.#distinct = undefined;
      this.#spread = undefined;
    } else if (this.#head > 16 && this.#head * 2 > this.#observations.length) {
      for (const column of [this.#observations, this.#values, this.#spreads, this.#flags]) column?.splice(0, this.#head);
      this.#head = 0;
    }
  }

  firstIds(n: number): string[] {
    return this.#observations.slice(this.#head, this.#head + n).map((o) => o.id);
  }

  save(): SavedWindow {
    const entries: WindowEntry[] = [];
    for (let i = this.#head; i < this.#observations.length; i++) {
      entries.push({
        o: this.#observations[i] as Observation,
        value: this.#values?.[i],
        spread: this.#spreads?.[i],
        flagged: this.#flags?.[i] === true,
      });
    }
    return { kind: 'exact', entries };
  }

  steps(): WindowStep[] {
    return this.#observations
      .slice(this.#head)
      .map((o) => ({ time: o.time, id: o.id, endpoint: `${o.method} ${o.template}`, status: o.status, count: 1, o }));
  }

  periodicity(): number {
    const n = this.count;
    if (n < 3) return 0;
    const gaps = new Float64Array(n - 1);
    const obs = this.#observations;
    for (let i = this.#head + 1, k = 0; i < obs.length; i++, k++) {
      gaps[k] = (obs[i] as Observation).time - (obs[i - 1] as Observation).time;
    }
    const sorted = gaps.slice().sort();
    const median = sorted[sorted.length >> 1] as number;
    if (median <= 0) return 0;
    let near = 0;
    for (const gap of gaps) if (Math.abs(gap - median) <= median * 0.1) near++;
    return near / gaps.length;
  }

  variation(): number {
    const n = this.count;
    if (n < 3) return Number.POSITIVE_INFINITY;
    let sum = 0;
    let sumSq = 0;
    const obs = this.#observations;
    for (let i = this.#head + 1; i < obs.length; i++) {
      const gap = (obs[i] as Observation).time - (obs[i - 1] as Observation).time;
      sum += gap;
      sumSq += gap * gap;
    }
    const gaps = n - 1;
    const mean = sum / gaps;
    if (mean <= 0) return Number.POSITIVE_INFINITY;
    return Math.sqrt(Math.max(0, sumSq / gaps - mean * mean)) / mean;
  }
}

/** One bucket of a bucketed window. */
export interface Bucket {
  index: number;
  count: number;
  flagged: number;
  bytes: number;
  firstTime: number;
  firstId: string;
  /** Distinct values (and spread values) whose latest sighting is in this bucket. */
  latest: number;
  latestSpread: number;
  /** The bucket's first observation's endpoint and status, for the evidence. */
  firstEndpoint: string;
  firstStatus: number | undefined;
}

class BucketWindow implements GroupWindow {
  readonly #width: number;
  readonly #buckets: number;
  readonly #ring: Bucket[] = [];
  /** Digest of a value → the bucket index it was last seen in. */
  #values: Map<number, number> | undefined;
  #spreads: Map<number, number> | undefined;

  constructor(windowMs: number) {
    // a day per bucket for windows of days, an hour for shorter ones
    this.#width = windowMs >= 2 * 86_400_000 ? 86_400_000 : 3_600_000;
    this.#buckets = Math.ceil(windowMs / this.#width);
  }

  get count(): number {
    return this.#sum((b) => b.count);
  }
  get flagged(): number {
    return this.#sum((b) => b.flagged);
  }
  get bytes(): number {
    return this.#sum((b) => b.bytes);
  }
  get distinct(): number {
    return this.#sum((b) => b.latest);
  }
  get spread(): number {
    return this.#sum((b) => b.latestSpread);
  }
  get firstTime(): number {
    return this.#ring[0]?.firstTime ?? Number.NaN;
  }

  #sum(read: (b: Bucket) => number): number {
    let total = 0;
    for (const b of this.#ring) total += read(b);
    return total;
  }

  add(o: Observation, value: string | undefined, spread: string | undefined, flagged: boolean): void {
    const index = Math.floor(o.time / this.#width);
    let bucket = this.#ring[this.#ring.length - 1];
    if (bucket === undefined || bucket.index < index) {
      bucket = {
        index,
        count: 0,
        flagged: 0,
        bytes: 0,
        firstTime: o.time,
        firstId: o.id,
        latest: 0,
        latestSpread: 0,
        firstEndpoint: `${o.method} ${o.template}`,
        firstStatus: o.status,
      };
      this.#ring.push(bucket);
    }
    bucket.count++;
    if (flagged) bucket.flagged++;
    bucket.bytes += o.bytesOut ?? 0;
    if (value !== undefined) {
      this.#values ??= new Map();
      this.#see(this.#values, digest(value), bucket, 'latest');
    }
    if (spread !== undefined) {
      this.#spreads ??= new Map();
      this.#see(this.#spreads, digest(spread), bucket, 'latestSpread');
    }
  }

  #see(values: Map<number, number>, key: number, bucket: Bucket, field: 'latest' | 'latestSpread'): void {
    const previous = values.get(key);
    if (previous === bucket.index) return;
    if (previous !== undefined) {
      const old = this.#ring.find((b) => b.index === previous);
      if (old !== undefined) old[field]--;
    } else if (values.size >= MAX_TRACKED) return;
    values.set(key, bucket.index);
    bucket[field]++;
  }

  expire(now: number): void {
    const oldest = Math.floor(now / this.#width) - this.#buckets + 1;
    let dropped = false;
    while (this.#ring.length > 0 && (this.#ring[0] as Bucket).index < oldest) {
      this.#ring.shift();
      dropped = true;
    }
    if (!dropped) return;
    for (const map of [this.#values, this.#spreads]) {
      if (map !== undefined) for (const [key, index] of map) if (index < oldest) map.delete(key);
    }
    if (this.#ring.length === 0) {
      this.#values = undefined;
      this.#spreads = undefined;
    }
  }

  firstIds(n: number): string[] {
    return this.#ring.slice(0, n).map((b) => b.firstId);
  }

  save(): SavedWindow {
    return { kind: 'bucket', ring: this.#ring, values: this.#values, spreads: this.#spreads };
  }

  load(saved: Extract<SavedWindow, { kind: 'bucket' }>): void {
    this.#ring.push(...saved.ring);
    this.#values = saved.values;
    this.#spreads = saved.spreads;
  }

  steps(): WindowStep[] {
    return this.#ring.map((b) => ({
      time: b.firstTime,
      id: b.firstId,
      endpoint: b.firstEndpoint,
      status: b.firstStatus,
      count: b.count,
    }));
  }

  variation(): number {
    return Number.POSITIVE_INFINITY;
  }

  periodicity(): number {
    return 0;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/** FNV-1a over the value, finished with a murmur-style mix: a 32-bit digest. */
function digest(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
