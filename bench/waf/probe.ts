/**
 * The unit every WAF suite produces and the runner replays: one request as exact bytes, with the labels its
 * suite scores it by. A suite turns the per-target results back into tables and scores.
 */
import type { RawResult } from '../internal/raw-http.js';

/** One request of a suite. */
export interface Probe {
  /** Unique within its suite and stable between runs (it names dataset files/cases, for the JSON miss lists). */
  id: string;
  /** The exact request; undefined when the suite's own client could not have sent it (`unsendable` says why). */
  bytes: Buffer | undefined;
  unsendable?: string;
  /** Labels the suite groups by (set, placement, category…). */
  tags: Readonly<Record<string, string>>;
}

/** What one target answered to each probe of a suite, by probe index; undefined = not sent (time bound reached). */
export type Results = ReadonlyArray<RawResult | undefined>;

/** What a suite reports: a readable text with the targets side by side, and the same figures as JSON. */
export interface SuiteReport {
  text: string;
  json: unknown;
}

/** A built suite: its probes, notes about what was left out, and its scoring. */
export interface Suite {
  name: string;
  probes: Probe[];
  notes: string[];
  report(results: ReadonlyMap<string, Results>): SuiteReport;
}

/** A header line list; order and case are kept exactly. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** `METHOD target VERSION\r\n` + `Name: value\r\n`… + `\r\n` + body, as bytes. */
export function httpBytes(requestLine: string, headers: HeaderList, body?: Buffer | string): Buffer {
  const head = `${requestLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  const parts: Uint8Array[] = [Buffer.from(head, 'utf8')];
  if (body !== undefined && body.length > 0) parts.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return Buffer.concat(parts);
}

/** Picks at most `limit` items spread evenly over `items` (all of them when `limit` is undefined). */
export function spread<T>(items: readonly T[], limit: number | undefined): T[] {
  if (limit === undefined || items.length <= limit) return [...items];
  const out: T[] = [];
  for (let i = 0; i < limit; i++) out.push(items[Math.floor((i * items.length) / limit)] as T);
  return out;
}

/** `bytes` random bytes as lower-case hex, from `random`. */
export function randomHex(random: () => number, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++)
    out += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0');
  return out;
}
