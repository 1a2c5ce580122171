/**
 * Field helpers shared by the parsers: log placeholders (`-`, empty) become `undefined`, numbers are
 * checked, request lines are split. None of them throws.
 */

/** A logged string, or `undefined` for the usual "no value" placeholders (`-`, empty, null). */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  if (s === undefined || s === '' || s === '-') return undefined;
  return s;
}

/** A logged non-negative number (`"123"`, `123`, `"0.005"`), or `undefined` for placeholders and junk. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value === '' || value === '-') return undefined;
  const n = readDecimal(value) ?? Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Powers of ten exactly representable as doubles (up to 1e22). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `Number(text)` for plain decimals of at most 15 significant digits (`"14374"`, `"0.055"`), read without the
 * general conversion; `undefined` for anything else. Exact: the digits form an integer below 2^53 and the
 * power of ten is exact, so their quotient is the correctly rounded value, which is what `Number` gives.
 */
function readDecimal(text: string): number | undefined {
  const length = text.length;
  if (length > 16) return undefined;
  let digits = 0;
  let point = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits = digits * 10 + (c - 48);
    else if (c === 46 && point < 0) point = i;
    else return undefined;
  }
  if ((point < 0 ? length : length - 1) > 15) return undefined;
  if (point < 0) return digits;
  // `"."`, `"5."` and `".5"` are left to `Number`
  if (point === 0 || point === length - 1) return undefined;
  return digits / (POWERS_OF_TEN[length - 1 - point] as number);
}

/** A logged integer status code in 100–599 (0 and 000 mean "no response"), or `undefined`. */
export function status(value: unknown): number | undefined {
  const n = num(value);
  if (n === undefined || !Number.isInteger(n) || n < 100 || n > 599) return undefined;
  return n;
}

/** Seconds (as logged by nginx `$request_time`) to milliseconds, with the placeholders handled. */
export function secondsToMs(value: unknown): number | undefined {
  const n = num(value);
  return n === undefined ? undefined : n * 1000;
}

/**
 * nginx `$upstream_response_time` can hold several comma/colon separated values (one per upstream tried);
 * returns their sum in milliseconds.
 */
export function upstreamSecondsToMs(value: unknown): number | undefined {
  if (typeof value === 'number') return secondsToMs(value);
  const s = text(value);
  if (s === undefined) return undefined;
  if (s.indexOf(',') < 0 && s.indexOf(':') < 0) {
    // one value (the usual case): what the split below gives for it, without the split
    const n = num(s.trim());
    return n === undefined ? undefined : (0 + n) * 1000;
  }
  let total = 0;
  let seen = false;
  for (const part of s.split(/[,:]\s*/)) {
    const n = num(part.trim());
    if (n !== undefined) {
      total += n;
      seen = true;
    }
  }
  return seen ? total * 1000 : undefined;
}

/** The parts of an HTTP request line (`GET /a?b=1 HTTP/1.1`). */
export interface RequestLine {
  method: string;
  url: string;
  httpVersion?: string;
}

/** Splits a request line; `undefined` when it is not one (garbage sent to the port, `-`, empty). */
export function splitRequestLine(line: string): RequestLine | undefined {
  const first = line.indexOf(' ');
  if (first <= 0 || !isMethodAt(line, first)) return undefined;
  const method = line.slice(0, first);
  const last = line.lastIndexOf(' ');
  if (last > first && line.startsWith('HTTP/', last + 1)) {
    const url = line.slice(first + 1, last);
    if (url === '') return undefined;
    return { method, url, httpVersion: line.slice(last + 1) };
  }
  const url = line.slice(first + 1);
  if (url === '' || url.includes(' ')) return undefined;
  return { method, url };
}

/** True when `line` starts with a method name `end` characters long: `[A-Z][A-Z0-9_-]{0,31}`. */
function isMethodAt(line: string, end: number): boolean {
  if (end > 32) return false;
  const c0 = line.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < end; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return false;
  }
  return true;
}

/** Tests whether a value is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one JSON object from a line; `undefined` when the line is not a JSON object.
 * Cheap pre-check first so plain text lines do not pay for an exception.
 */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const start = line.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (line.charCodeAt(start) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(start === 0 ? line : line.slice(start));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a nested property by a dotted path (`a.b.c`), or `undefined`. */
export function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Unescapes the `\xHH` sequences nginx writes into `escape=default` logs (and Apache writes). */
export function unescapeHexBytes(value: string): string {
  if (!value.includes('\\x')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 && value[i + 1] === 'x' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(value.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(value[i] as string, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The attributes of an event, as parsers build them. */
export type Attributes = Record<string, string | number | boolean>;

/** Sets an attribute when the value is present. */
export function putAttribute(attributes: Attributes, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** Copies an object of header-like values, keeping only present ones (see `text`); not an object → `{}`. */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const name in value) {
    const v = text(value[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
