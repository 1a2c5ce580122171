/**
 * The source of "now". Engine code never reads the wall clock: it is given a `Clock`, so replaying 30 days
 * of logs gives the same results as living through them.
 */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** The real clock, for the CLI and servers. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to, for tests and replays. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock never goes back');
    this.#now += ms;
  }

  /** Sets the clock to `time` if it is later than now. */
  set(time: number): void {
    if (time > this.#now) this.#now = time;
  }
}
