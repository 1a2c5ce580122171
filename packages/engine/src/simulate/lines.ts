import type { SimExchange, SimWriter } from './exchange.js';
import { eachNormalRequest, type SimulationLabels, type SimulationPlan, simulationLabels } from './simulate.js';
import { timeOrder } from './time-order.js';

const DAY = 86_400_000;

/**
 * One day of normal traffic rendered as log lines, in one piece of memory outside the JavaScript heap (so a
 * worker hands it over without a copy), in the order they were made. In time order (ties in the order made),
 * line `k` is `bytes[starts[k] … ends[k])` and its request started at `times[k]`.
 */
export interface RenderedDay {
  d: number;
  bytes: Uint8Array;
  times: Float64Array;
  starts: Float64Array;
  ends: Float64Array;
  users: number;
  apiKeys: number;
  ips: number;
}

/**
 * What a simulation of lines hands on: whole lines, all in the file of the day `time` falls in. A chunk of
 * bytes is only valid during the call (its memory is reused for a later day).
 */
export type LineSink = (time: number, chunk: Uint8Array | string) => void;

/**
 * Renders days of normal traffic with `writer` (a line format): each request is written as it is made and
 * dropped, so no request object outlives its line; then the day's lines are put in time order by index.
 * A day's memory handed back with `recycle` is reused (a large day is about 400 MiB: fresh memory costs page
 * faults).
 */
export class DayRenderer {
  readonly #plan: Pick<SimulationPlan, 'seed' | 'company' | 'outages' | 'start'>;
  readonly #writer: SimWriter;
  /** Where each line starts and when its request started, in the order made. */
  #starts: Float64Array = new Float64Array(1 << 16);
  #times: Float64Array = new Float64Array(1 << 16);
  /** Memory of days already written, for the next days. */
  readonly #spare: ArrayBuffer[] = [];
  /** Bytes of the last day rendered: the guess for the next (the first: about 16 KiB per customer). */
  #lastLength: number;

  constructor(plan: Pick<SimulationPlan, 'seed' | 'company' | 'outages' | 'start'>, writer: SimWriter) {
    this.#plan = plan;
    this.#writer = writer;
    this.#lastLength = Math.max(1 << 20, plan.company.users.length * (16 << 10));
  }

  render(d: number): RenderedDay {
    const writer = this.#writer;
    let made = this.#memory(this.#lastLength);
    let times = this.#times;
    let starts = this.#starts;
    let length = 0;
    let n = 0;
    const counts = eachNormalRequest(this.#plan, d, (exchange) => {
      if (n === times.length) {
        times = widened(times);
        starts = widened(starts);
      }
      times[n] = exchange.time;
      starts[n] = length;
      n++;
      const wrote = writer.writeInto?.(exchange, made, length) ?? -1;
      if (wrote >= 0) {
        length += wrote;
        return;
      }
      const line = writer.write(exchange, false);
      // a UTF-16 code unit takes at most three bytes
      if (length + 3 * line.length > made.length) made = grown(made, length, 3 * line.length);
      length += made.write(line, length);
    });
    this.#times = times;
    this.#starts = starts;
    this.#lastLength = length;
    const order = timeOrder(times.subarray(0, n), this.#plan.start + d * DAY);
    const sorted = { times: new Float64Array(n), starts: new Float64Array(n), ends: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      sorted.times[k] = times[i] as number;
      sorted.starts[k] = starts[i] as number;
      sorted.ends[k] = i + 1 < n ? (starts[i + 1] as number) : length;
    }
    return { d, bytes: made.subarray(0, length), ...sorted, ...counts };
  }

  /** Takes back the memory of a day whose lines are written, for a next day. */
  recycle(bytes: ArrayBuffer): void {
    this.#spare.push(bytes);
    // a few at most: as many as days can be on their way at once
    if (this.#spare.length > 4) {
      this.#spare.sort((a, b) => b.byteLength - a.byteLength);
      this.#spare.pop();
    }
  }

  /**
   * Memory for a day like the last one (`bytes`): the largest spare piece if it holds that much, or a new
   * piece with room to spare, so that it fits the next days too.
   */
  #memory(bytes: number): Buffer {
    this.#spare.sort((a, b) => b.byteLength - a.byteLength);
    const largest = this.#spare[0];
    const buffer =
      largest !== undefined && largest.byteLength >= bytes
        ? (this.#spare.shift() as ArrayBuffer)
        : new ArrayBuffer(Math.ceil(bytes * 1.25));
    return Buffer.from(buffer, 0, buffer.byteLength);
  }
}

/** Larger memory of its own (transferable) holding the first `used` bytes of `buffer`. */
function grown(buffer: Buffer, used: number, need: number): Buffer {
  const bigger = Buffer.from(new ArrayBuffer(Math.max(Math.ceil(1.5 * buffer.length), used + need)));
  buffer.copy(bigger, 0, 0, used);
  return bigger;
}

function widened(array: Float64Array): Float64Array {
  const wider = new Float64Array(2 * array.length);
  wider.set(array);
  return wider;
}

/** A rendered line waiting for its place: spilled over from the day before, or a campaign's. */
interface Loose {
  time: number;
  chunk: Uint8Array | string;
}

/**
 * Puts rendered days together in time order, with the campaigns' requests and what spilled over from the
 * day before — the same order `DayMerger` gives exchanges: the day's carried-over lines, normal lines and
 * campaign lines, stably sorted by time. Normal lines stay in the day's piece of memory until the sink has
 * them.
 */
export class LineMerger {
  readonly #plan: SimulationPlan;
  readonly #writer: SimWriter;
  readonly #sink: LineSink;
  #carry: Loose[] = [];
  #next = 0;
  #requests = 0;
  readonly #benign = { user: 0, ip: 0, api_key: 0 };

  constructor(plan: SimulationPlan, writer: SimWriter, sink: LineSink) {
    this.#plan = plan;
    this.#writer = writer;
    this.#sink = sink;
  }

  /**
   * Adds a day (days must come in order, each once) and hands its lines that start before midnight to the
   * sink. Nothing refers to the day's memory afterwards.
   */
  day(rendered: RenderedDay): void {
    const d = rendered.d;
    if (d !== this.#next) throw new Error(`day ${d} came out of order (expected ${this.#next})`);
    this.#next++;
    this.#benign.user += rendered.users;
    this.#benign.api_key += rendered.apiKeys;
    this.#benign.ip += rendered.ips;
    const dayStart = this.#plan.start + d * DAY;
    const dayEnd = dayStart + DAY;
    const carried = stableByTime(this.#carry);
    const campaign: Loose[] = [];
    for (const c of this.#plan.campaigns) c.day(dayStart, (x) => campaign.push(this.#loose(x)));
    const campaignSorted = stableByTime(campaign);
    const { bytes, times, starts, ends } = rendered;
    const split = lowerBound(times, 0, times.length, dayEnd);
    // today: carried lines go before normal lines of the same time, campaign lines after them
    let line = 0;
    let c = 0;
    let k = 0;
    while (c < carried.length || k < campaignSorted.length) {
      const carry = carried[c];
      const next = campaignSorted[k];
      const fromCarry = carry !== undefined && (next === undefined || carry.time <= next.time);
      const loose = (fromCarry ? carry : next) as Loose;
      if (loose.time >= dayEnd) break;
      const until = fromCarry ? lowerBound(times, line, split, loose.time) : upperBound(times, line, split, loose.time);
      line = this.#run(rendered, line, until);
      this.#emit(loose.time, loose.chunk);
      if (fromCarry) c++;
      else k++;
    }
    this.#run(rendered, line, split);
    // later: what starts after midnight, in the order the next day sorts stably
    const later: Loose[] = carried.slice(c);
    for (let i = split; i < times.length; i++)
      later.push({ time: times[i] as number, chunk: Buffer.from(bytes.subarray(starts[i] as number, ends[i] as number)) });
    for (; k < campaignSorted.length; k++) later.push(campaignSorted[k] as Loose);
    this.#carry = later;
  }

  /** Hands over what spilled past the last day and returns the labels. */
  finish(): SimulationLabels {
    for (const loose of stableByTime(this.#carry)) this.#emit(loose.time, loose.chunk);
    this.#carry = [];
    return simulationLabels(this.#plan, this.#requests, this.#benign);
  }

  #loose(exchange: SimExchange): Loose {
    return { time: exchange.time, chunk: this.#writer.write(exchange, false) };
  }

  /** Hands over normal lines `from` … `to` (exclusive) of a day; returns `to`. */
  #run(day: RenderedDay, from: number, to: number): number {
    const { bytes, times, starts, ends } = day;
    for (let k = from; k < to; k++) this.#sink(times[k] as number, bytes.subarray(starts[k] as number, ends[k] as number));
    if (to > from) this.#requests += to - from;
    return Math.max(from, to);
  }

  #emit(time: number, chunk: Uint8Array | string): void {
    this.#sink(time, chunk);
    this.#requests++;
  }
}

function stableByTime(lines: Loose[]): Loose[] {
  return lines.length < 2 ? lines : [...lines].sort((a, b) => a.time - b.time);
}

/** The first index in [from, to) whose time is ≥ `time` (or `to`). */
function lowerBound(times: Float64Array, from: number, to: number, time: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, to) whose time is > `time` (or `to`). */
function upperBound(times: Float64Array, from: number, to: number, time: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
