/**
 * Options of the `haproxy` parser.
 *
 * `utcOffset` is the offset of the HAProxy host's clock (`+02:00`, `-0500`, `Z`): the accept date in
 * `option httplog` has no zone, so it is read as UTC unless this is set (an RFC 5424 syslog header, when
 * present, gives the offset itself). `requestHeaders` / `responseHeaders` name the `capture request header` /
 * `capture response header` statements in configuration order, so the `{…|…}` blocks can be read as headers.
 */
export interface HaproxyOptions {
  utcOffset?: string;
  requestHeaders?: string[];
  responseHeaders?: string[];
}

/** The options after checking: the offset in milliseconds, header names lower-cased. */
export interface ResolvedHaproxyOptions {
  offsetMs: number;
  requestHeaders?: string[];
  responseHeaders?: string[];
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** Reads and checks the options; throws a plain Error with every problem at once. */
export function resolveHaproxyOptions(raw: Record<string, unknown> | undefined): ResolvedHaproxyOptions {
  const resolved: ResolvedHaproxyOptions = { offsetMs: 0 };
  if (raw === undefined) return resolved;
  const problems: string[] = [];
  const offset = raw.utcOffset;
  if (offset !== undefined) {
    const ms = typeof offset === 'string' ? parseUtcOffset(offset) : undefined;
    if (ms === undefined) problems.push('utcOffset must look like +02:00, -0500 or Z');
    else resolved.offsetMs = ms;
  }
  for (const key of ['requestHeaders', 'responseHeaders'] as const) {
    const names = raw[key];
    if (names === undefined) continue;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.trim() === '')) {
      problems.push(`${key} must be a list of header names`);
    } else {
      resolved[key] = names.map((n: string) => n.trim().toLowerCase());
    }
  }
  if (problems.length > 0) throw new Error(`haproxy options: ${problems.join('; ')}`);
  return resolved;
}

/** `+02:00` → 7 200 000; `Z` → 0; `undefined` when it is not an offset. */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const m = OFFSET.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) return undefined;
  return (m[1] === '-' ? -minutes : minutes) * 60_000;
}
