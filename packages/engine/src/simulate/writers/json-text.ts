/**
 * JSON text for the line writers, built without `JSON.stringify` where a value needs no escaping: most
 * values in simulated traffic do not, and the writers are the simulator's hot path.
 */

/** Characters JSON cannot hold as they are (quote, backslash, controls) and surrogates, which may be lone. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A value escaped for a JSON string, without the quotes (`''` when absent): the value itself unless it holds
 * a character that needs escaping (then `JSON.stringify`'s escaping, which also keeps a lone surrogate valid).
 */
export function esc(value: string | undefined): string {
  if (value === undefined) return '';
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value).slice(1, -1) : value;
}

/** A value as a JSON string, quotes included: the same text as `JSON.stringify(value)`. */
export function quoted(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * A memo of `render(value)` for values from small sets (addresses, hosts, user agents, methods, routes,
 * statuses): each distinct value is rendered once and found again by a lookup. Emptied when it fills up, in
 * case a set is not as small as it should be: ever new values then cost time, not memory.
 */
export function memo<K, T>(render: (value: K) => T): (value: K) => T {
  const known = new Map<K, T>();
  return (value) => {
    let rendered = known.get(value);
    if (rendered === undefined) {
      rendered = render(value);
      if (known.size >= 10_000) known.clear();
      known.set(value, rendered);
    }
    return rendered;
  };
}

/** `00` … `59`. */
export const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** `000` … `999`. */
export const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The largest distance from the epoch a `Date` holds, ms. */
const MAX_DATE = 8.64e15;
/** The day `isoTime` last formatted, and its text (`2026-11-30T`). */
let lastDay = Number.NaN;
let lastDayText = '';

/**
 * Epoch ms as `new Date(ms).toISOString()` writes it (`2026-11-30T13:02:15.500Z`). The date is formatted
 * once a day and the time of day by arithmetic: `toISOString` per record costs as much as the rest of a
 * line's head, and requests of a day are rendered in the order they are made, not in time order.
 */
export function isoTime(ms: number): string {
  // a `Date` drops the fraction of a millisecond towards zero and throws beyond its range
  const t = Math.trunc(ms);
  if (!(Math.abs(t) <= MAX_DATE)) return new Date(ms).toISOString();
  const day = Math.floor(t / 86_400_000);
  if (day !== lastDay) {
    const midnight = new Date(day * 86_400_000).toISOString();
    // up to the `T` (`00:00:00.000Z` is 13 characters): years beyond 9999 take more than four digits
    lastDayText = midnight.slice(0, midnight.length - 13);
    lastDay = day;
  }
  let rest = t - day * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${lastDayText}${TWO[hours]}:${TWO[minutes]}:${TWO[seconds]}.${THREE[rest - seconds * 1000]}Z`;
}
