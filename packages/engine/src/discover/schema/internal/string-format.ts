import { isIPv4, isIPv6 } from 'node:net';
import { hasJwt, isPalisadeToken } from '../../sensitive/secrets.js';

/**
 * The kinds of string the schema builder recognises. All but `jwt` are JSON Schema 2020-12 formats (`byte`
 * is the OpenAPI one); `jwt` is exported as `x-palisade-kind` because no standard format names it.
 */
export const STRING_KINDS = ['date-time', 'date', 'time', 'email', 'uuid', 'uri', 'ipv4', 'ipv6', 'byte', 'jwt'] as const;

/** One recognised kind of string. */
export type StringKind = (typeof STRING_KINDS)[number];

/** Longest string that is classified at all; longer ones are plain strings. */
const MAX_CLASSIFIED_LENGTH = 16_384;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const EMAIL_DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]{0,31}):/;
// Printable ASCII without the characters RFC 3986 never allows unescaped.
const URI_CHARS = /^[!#-;=?-[\]_a-z~]+$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
/** Schemes whose URIs have no `//` authority but are still clearly URIs. */
const OPAQUE_SCHEMES = new Set(['mailto', 'urn', 'tel', 'data']);
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const PADDED_BASE64 = /^[A-Za-z0-9+/]+={1,2}$/;

/**
 * Tells which kind of string a value is, or `undefined` for plain text, the empty string and Palisade tokens
 * (`tok_` + 22 base64url characters: a redacted secret carries no format). Every check is strict, so a value
 * that only looks a bit like a date or a URL stays plain: `date-time` and `time` follow RFC 3339 (an offset is
 * required), `uri` needs `scheme://authority` or a `mailto:`, `urn:`, `tel:`, `data:` scheme, and `byte` is
 * only claimed for canonical, padded base64 of 12+ characters (unpadded base64 is too easily a word or a path).
 */
export function classifyString(value: string): StringKind | undefined {
  const length = value.length;
  if (length === 0 || length > MAX_CLASSIFIED_LENGTH || isPalisadeToken(value)) return undefined;
  const first = value.charCodeAt(0);
  if (first >= 48 && first <= 57) return classifyDigitFirst(value);
  if (value.includes('@') && isEmail(value)) return 'email';
  if (UUID.test(value)) return 'uuid';
  if (value.includes(':')) {
    if (isIPv6Address(value)) return 'ipv6';
    return isUri(value) ? 'uri' : undefined;
  }
  if (value.startsWith('eyJ') && JWT_SHAPE.test(value) && hasJwt(value)) return 'jwt';
  return isPaddedBase64(value) ? 'byte' : undefined;
}

function classifyDigitFirst(value: string): StringKind | undefined {
  if (isDateTime(value)) return 'date-time';
  if (isDate(value)) return 'date';
  if (isTime(value)) return 'time';
  if (UUID.test(value)) return 'uuid';
  if (isIPv4(value)) return 'ipv4';
  if (value.includes(':') && isIPv6Address(value)) return 'ipv6';
  if (value.includes('@')) return isEmail(value) ? 'email' : undefined;
  return isPaddedBase64(value) ? 'byte' : undefined;
}

/** True for an RFC 3339 `full-date` that exists in the calendar (`2024-02-29`, not `2023-02-29`). */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for an RFC 3339 `full-time`: `23:59:60.5Z`, `08:30:00+02:00`; the offset is required. */
export function isTime(value: string): boolean {
  const m = TIME.exec(value);
  if (m === null) return false;
  if (Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 60) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59);
}

/** True for an RFC 3339 `date-time`: a full date, `T` (or `t`) and a full time. */
export function isDateTime(value: string): boolean {
  if (value.length < 20) return false;
  const separator = value.charCodeAt(10);
  return (separator === 84 || separator === 116) && isDate(value.slice(0, 10)) && isTime(value.slice(11));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  return at > 0 && at <= 64 && EMAIL_LOCAL.test(local) && EMAIL_DOMAIN.test(value.slice(at + 1));
}

function isIPv6Address(value: string): boolean {
  // A zone (`fe80::1%eth0`) is not part of the `ipv6` format.
  return value.length <= 45 && !value.includes('%') && isIPv6(value);
}

function isUri(value: string): boolean {
  const scheme = URI_SCHEME.exec(value);
  if (scheme === null || !URI_CHARS.test(value) || BAD_PERCENT.test(value)) return false;
  const rest = value.slice(scheme[0].length);
  if (rest.startsWith('//')) return rest.length > 2 && rest.charCodeAt(2) !== 47 && URL.canParse(value);
  return OPAQUE_SCHEMES.has((scheme[1] as string).toLowerCase()) && rest.length > 0;
}

function isPaddedBase64(value: string): boolean {
  if (value.length < 12 || value.length % 4 !== 0 || !PADDED_BASE64.test(value)) return false;
  // Canonical only: the unused bits before the padding are zero, so decoding and encoding again gives the same text.
  return Buffer.from(value, 'base64').toString('base64') === value;
}
