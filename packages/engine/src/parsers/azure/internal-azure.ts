import { type ParseReject, reject } from '@palisade/core';
import { type Attributes, isObject, text } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';

/** Field helpers shared by the Azure diagnostic-log categories. None of them throws. */

/** A parsed JSON object: a record or its `properties`. */
export type Fields = Record<string, unknown>;

export { type Attributes, putAttribute } from '../internal/fields.js';

/** A logged string, or `undefined` for the usual placeholders and Azure's `N/A`. */
export function azureText(value: unknown): string | undefined {
  const s = text(value);
  return s === undefined || s === 'N/A' || s === 'n/a' ? undefined : s;
}

/**
 * The record's `time` (`timeStamp` in Application Gateway v2 records) as epoch ms rounded to the
 * microsecond (Azure writes 100 ns ticks), or a rejection.
 */
export function readRecordTime(record: Fields): number | ParseReject {
  const raw = record.time ?? record.timeStamp ?? record.timestamp;
  if (raw === undefined || raw === null) return reject('missing_field', 'time');
  const time = typeof raw === 'string' ? parseIsoTime(raw) : undefined;
  return time === undefined ? reject('bad_timestamp') : Math.round(time * 1000) / 1000;
}

/** The record's `properties` object. */
export function readProperties(record: Fields): Fields | undefined {
  const properties = record.properties;
  return isObject(properties) ? properties : undefined;
}

/** `TLS 1.2` (Front Door) and `1.2` (API Management) as `TLSv1.2`, the spelling the other sources use. */
export function normalizeTlsVersion(value: unknown): string | undefined {
  const s = azureText(value);
  if (s === undefined) return undefined;
  if (s.startsWith('TLS ')) return `TLSv${s.slice(4)}`;
  const first = s.charCodeAt(0);
  return first >= 48 && first <= 57 ? `TLSv${s}` : s;
}

/** Seconds (a number or a numeric string) to milliseconds, rounded to the microsecond. */
export function secondsToRoundedMs(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1e6) / 1e3 : undefined;
}

/** Sets an attribute when the value is defined. */
/** The attributes, or `undefined` when none was set. */
export function nonEmpty(attributes: Attributes): Attributes | undefined {
  for (const _ in attributes) return attributes;
  return undefined;
}
