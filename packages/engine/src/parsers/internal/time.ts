/**
 * Timestamp parsing shared by the parsers. Every function returns epoch milliseconds UTC, or `undefined`
 * when the text is not a valid time of its kind (never `NaN`, never throws).
 */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-])(\d{2})(\d{2})$/;

/**
 * Parses the Common Log Format time (`10/Oct/2000:13:55:36 -0700`, nginx `$time_local`, Apache `%t`),
 * with optional fractional seconds (HAProxy `%tr`: `10/Oct/2000:13:55:36.123`) when `zoneless` is allowed.
 */
export function parseClfTime(text: string): number | undefined {
  if (text === lastClf) return lastClfValue;
  const value = parseClfTimeUncached(text);
  lastClf = text;
  lastClfValue = value;
  return value;
}

function parseClfTimeUncached(text: string): number | undefined {
  const m = CLF.exec(text);
  if (m === null) return undefined;
  const month = MONTHS[m[2] as string];
  if (month === undefined || !dayExists(Number(m[3]), month, Number(m[1]))) return undefined;
  const ms = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[9]) * 60 + Number(m[10])) * 60_000 * (m[8] === '-' ? -1 : 1);
  return checkDate(utc - offset + ms, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const HAPROXY = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses HAProxy's `[06/Feb/2009:12:14:14.655]` accept date (no zone in the log: taken as UTC). */
export function parseHaproxyTime(text: string): number | undefined {
  const m = HAPROXY.exec(text);
  if (m === null) return undefined;
  const month = MONTHS[m[2] as string];
  if (month === undefined || !dayExists(Number(m[3]), month, Number(m[1]))) return undefined;
  const ms = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return checkDate(utc + ms, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/;

/**
 * Parses ISO 8601 / RFC 3339 date-times (`2026-12-01T10:00:00.123456Z`, `2026-12-01 10:00:00+01:00`).
 * A time without a zone is taken as UTC (what log shippers write when they omit it).
 */
export function parseIsoTime(text: string): number | undefined {
  if (text === lastIso) return lastIsoValue;
  const value = parseIsoTimeUncached(text);
  lastIso = text;
  lastIsoValue = value;
  return value;
}

// Logs are in time order, so consecutive records often share their timestamp text: a one-entry cache.
let lastIso = '';
let lastIsoValue: number | undefined;
let lastClf = '';
let lastClfValue: number | undefined;

/** The UTC midnight of the last date seen by the fast path (`2026-12-01` → epoch ms). */
let lastDay = '';
let lastDayValue = 0;

/**
 * `YYYY-MM-DDTHH:MM:SS`, an optional `.` or `,` fraction of 1–9 digits, and an optional `Z`, `±HH:MM`, `±HHMM`
 * or `±HH` zone (nginx `$time_iso8601`, most JSON logs), read character by character, the date part cached.
 * Gives exactly what the regex reading gives, or `undefined` for anything it does not read itself (other
 * shapes, out-of-range values), which then goes to the regex.
 */
function parseIsoTimeFast(text: string): number | undefined {
  const length = text.length;
  if (length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const sep = text.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  if (lastDay === '' || !text.startsWith(lastDay)) {
    const day = text.slice(0, 10);
    const full = parseIsoTimeRegex(`${day}T00:00:00Z`);
    if (full === undefined) return undefined;
    lastDay = day;
    lastDayValue = full;
  }
  const h = two(text, 11);
  const mi = two(text, 14);
  const s = two(text, 17);
  if (h > 23 || mi > 59 || s > 60) return undefined;
  let utc = lastDayValue + ((h * 60 + mi) * 60 + s) * 1000;
  let at = 19;
  let ms = 0;
  const dot = text.charCodeAt(at);
  if (dot === 46 || dot === 44) {
    const from = ++at;
    let value = 0;
    for (let c = text.charCodeAt(at) - 48; c >= 0 && c <= 9 && at < length; c = text.charCodeAt(++at) - 48) value = value * 10 + c;
    const digits = at - from;
    if (digits === 0 || digits > 9) return undefined;
    // milliseconds: `Number(\`0.${ddd}\`) * 1000` is exactly `ddd` for all thousand of them (see time.test.ts)
    ms = digits === 3 ? value : Number(`0.${text.slice(from, at)}`) * 1000;
  }
  if (at === length) return utc + ms;
  const zone = text.charCodeAt(at);
  if (zone === 90 || zone === 122) return at + 1 === length ? utc + ms : undefined;
  if (zone !== 43 && zone !== 45) return undefined;
  const zh = two(text, at + 1);
  let zm = 0;
  const rest = length - at - 3;
  if (rest === 3 && text.charCodeAt(at + 3) === 58) zm = two(text, at + 4);
  else if (rest === 2) zm = two(text, at + 3);
  else if (rest !== 0) return undefined;
  if (zh > 23 || zm > 59) return undefined;
  utc -= (zone === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
  return utc + ms;
}

/** Two ASCII digits at `i` as a number; 99+ when they are not digits (rejected by the range checks). */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a < 0 || a > 9 || b < 0 || b > 9 ? 999 : a * 10 + b;
}

function parseIsoTimeUncached(text: string): number | undefined {
  return parseIsoTimeFast(text) ?? parseIsoTimeRegex(text);
}

/**
 * The reference reading of ISO 8601 text, by one regular expression: `parseIsoTime` reads the usual shapes
 * faster and must give exactly what this gives (see `time.test.ts`).
 */
export function parseIsoTimeRegex(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const month = Number(m[2]) - 1;
  const day = Number(m[3]);
  if (month < 0 || month > 11 || !dayExists(Number(m[1]), month, day)) return undefined;
  const ms = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let utc = Date.UTC(Number(m[1]), month, day, Number(m[4]), Number(m[5]), Number(m[6]));
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    utc -= sign * minutes * 60_000;
  }
  return checkDate(utc + ms, day, Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Parses epoch time given as a number or numeric string, guessing the unit from its magnitude:
 * seconds (1.7e9), milliseconds (1.7e12), microseconds (1.7e15) or nanoseconds (1.7e18).
 */
export function parseEpochTime(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return n / 1e6;
}

/** Parses any of the above: epoch numbers, ISO 8601 or CLF. */
export function parseAnyTime(value: unknown): number | undefined {
  if (typeof value === 'number') return parseEpochTime(value);
  if (typeof value !== 'string' || value === '') return undefined;
  const first = value.charCodeAt(0);
  if (/^\d+(\.\d+)?$/.test(value)) return parseEpochTime(value);
  if (first >= 48 && first <= 57 && value.length > 4 && value[4] === '-') return parseIsoTime(value);
  const inner = value[0] === '[' && value.endsWith(']') ? value.slice(1, -1) : value;
  return parseClfTime(inner) ?? parseHaproxyTime(inner);
}

function checkDate(ms: number, day: number, h: number, mi: number, s: number): number | undefined {
  if (!Number.isFinite(ms) || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  return ms;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when the day exists in that month (no 31 Nov, 29 Feb only in leap years). */
function dayExists(year: number, month: number, day: number): boolean {
  if (day > (DAYS_IN_MONTH[month] ?? 0)) return false;
  return !(month === 1 && day === 29 && (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0)));
}
