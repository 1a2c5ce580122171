import { isIP } from 'node:net';

/*
 * Recognisers for personal data in one value: e-mail addresses, phone numbers, US SSNs, dates of birth,
 * postal addresses and IP addresses. Each is a pure function with no regular expression that can backtrack
 * more than a bounded number of steps per position.
 */

// ---- e-mail ----

const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;
const ASSET_SCALE = /^\d+x\./;
const LOCAL = /^[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?$/;
// `icon@2x.png` is an asset name, not an address.
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'ico',
  'bmp',
  'tif',
  'tiff',
  'css',
  'js',
  'mjs',
  'ts',
  'json',
  'html',
  'htm',
  'xml',
  'txt',
  'pdf',
  'zip',
  'gz',
  'mp3',
  'mp4',
  'mov',
  'wasm',
]);

/**
 * True when the text is or contains an e-mail address `local@domain.tld` (TLD of 2+ letters). Looks at the
 * first 16 `@` only. Not matched: `user@localhost`, `user@10.0.0.1`, `pkg@1.2.3`, `icon@2x.png`, the user of a
 * URL (`https://user@host/`), a local part longer than 64 characters.
 */
export function hasEmail(text: string): boolean {
  let at = text.indexOf('@');
  for (let tries = 0; at >= 0 && tries < 16; tries++, at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start <= 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
    if (start > 0 && isLocalChar(text.charCodeAt(start - 1))) continue;
    if (start >= 2 && text.charCodeAt(start - 1) === 47 && text.charCodeAt(start - 2) === 47) continue;
    let end = at + 1;
    while (end < text.length && end - at <= 254 && isDomainChar(text.charCodeAt(end))) end++;
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    while (start < at && text.charCodeAt(start) === 46) start++;
    if (start === at || end === at + 1) continue;
    const local = text.slice(start, at);
    const domain = text.slice(at + 1, end);
    if (!LOCAL.test(local) || local.includes('..') || !DOMAIN.test(domain)) continue;
    const tld = domain.slice(domain.lastIndexOf('.') + 1).toLowerCase();
    if (FILE_EXTENSIONS.has(tld) || (isDigit(domain.charCodeAt(0)) && ASSET_SCALE.test(domain))) continue;
    return true;
  }
  return false;
}

function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// ---- phone ----

const NATIONAL_PHONE = /^\(?\d[\d ()./-]{4,22}\d$/;

/**
 * True when the text is or contains an international number: `+`, a country code (not 0), 8–15 digits in
 * all, groups separated by single spaces, dots or dashes, area codes in parentheses
 * (`+1 (415) 555-0100`, `+44 20 7946 0958`, `+4915123456789`). A `+` right after a letter or digit
 * (`1e+21`, `…T10:00:00+01:00`, semver build metadata) does not start a number, and a number running into
 * letters (`+14155550100abc`) is not one. Looks at the first 8 `+` only.
 */
export function hasInternationalPhone(text: string): boolean {
  let plus = text.indexOf('+');
  for (let tries = 0; plus >= 0 && tries < 8; tries++, plus = text.indexOf('+', plus + 1)) {
    if (plus > 0 && (isWordChar(text.charCodeAt(plus - 1)) || text.charCodeAt(plus - 1) === 43)) continue;
    if (isPhoneNumberAt(text, plus)) return true;
  }
  return false;
}

// Reads `+` at `start` and what follows: digit groups split by one separator each, parentheses around a group.
function isPhoneNumberAt(text: string, start: number): boolean {
  const first = text.charCodeAt(start + 1);
  if (first < 49 || first > 57) return false;
  let digits = 0;
  let lastDigit = start;
  let separated = false; // the previous character was a separator
  for (let i = start + 1; i < text.length && i - start <= 32; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      lastDigit = i;
      separated = false;
    } else if (c === 40 || c === 41) {
      // `(` and `)` wrap a group and may touch one separator: `+1 (415) 555`.
    } else if (c === 32 || c === 46 || c === 45) {
      if (separated) break;
      separated = true;
    } else break;
  }
  if (digits < 8 || digits > 15) return false;
  const after = text.charCodeAt(lastDigit + 1);
  return Number.isNaN(after) || !isWordChar(after);
}

function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 95;
}

/**
 * True when the whole value is a national phone number: 7–15 digits with spaces, dots, dashes, slashes or
 * parentheses (`(415) 555-0100`, `020 7946 0958`, `030/1234567`). Only meaningful with a phone-like field
 * name; on its own such a value could be any number.
 */
export function isNationalPhone(value: string): boolean {
  if (!NATIONAL_PHONE.test(value)) return false;
  const digits = countDigits(value);
  return digits >= 7 && digits <= 15 && !/[ ()./-]{2}/.test(value.replace(/\) /g, ')'));
}

/** Counts the ASCII digits in the text. */
export function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

// ---- payment card candidates ----

/**
 * The digit runs in the text that could be printed card numbers: 13–19 digits, single spaces or dashes
 * between digits allowed, not touching a letter, digit or `_` on either side (`ord_4111…`, hex ids).
 */
export function findCardCandidates(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (!isDigit(text.charCodeAt(i))) continue;
    const start = i;
    let digits = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isDigit(c)) digits++;
      else if (!((c === 32 || c === 45) && isDigit(text.charCodeAt(i + 1)))) break;
      i++;
    }
    const bounded = (start === 0 || !isWordChar(text.charCodeAt(start - 1))) && (i === n || !isWordChar(text.charCodeAt(i)));
    if (bounded && digits >= 13 && digits <= 19) out.push(text.slice(start, i));
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// ---- US social security number ----

const SSN_DASHED = /^(\d{3})-(\d{2})-(\d{4})$/;
const SSN_PLAIN = /^(\d{3}) ?(\d{2}) ?(\d{4})$/;

/**
 * True when the value is a US SSN that could have been issued: area not 000, 666 or 9xx, group not 00,
 * serial not 0000. With `dashed` only `AAA-GG-SSSS`; otherwise nine digits, optionally space-separated, too.
 */
export function isSsn(value: string, dashedOnly: boolean): boolean {
  const parts = SSN_DASHED.exec(value) ?? (dashedOnly ? null : SSN_PLAIN.exec(value));
  if (parts === null) return false;
  const [, area = '', group = '', serial = ''] = parts;
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

// ---- dates ----

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const YEAR_LAST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;

/**
 * True when the value is a calendar date: ISO `YYYY-MM-DD` (optionally with a time), `YYYY/MM/DD`,
 * `DD/MM/YYYY` or `MM/DD/YYYY` (also with `.` or `-`), year 1800–2199, a day that exists in that month.
 */
export function isDate(value: string): boolean {
  let parts = ISO_DATE.exec(value) ?? YEAR_FIRST.exec(value);
  if (parts !== null) return isValidDate(Number(parts[1]), Number(parts[2]), Number(parts[3]));
  parts = YEAR_LAST.exec(value);
  if (parts === null) return false;
  const a = Number(parts[1]);
  const b = Number(parts[3]);
  const year = Number(parts[4]);
  return isValidDate(year, b, a) || isValidDate(year, a, b);
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 1800 || year > 2199 || month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

// ---- postal addresses ----

const STREET_SUFFIXES = [
  'Street',
  'St',
  'Avenue',
  'Ave',
  'Road',
  'Rd',
  'Boulevard',
  'Blvd',
  'Lane',
  'Ln',
  'Drive',
  'Dr',
  'Way',
  'Court',
  'Ct',
  'Parkway',
  'Pkwy',
  'Place',
  'Pl',
];
const SUFFIX = `(?:${[...STREET_SUFFIXES, ...STREET_SUFFIXES.map((s) => s.toUpperCase())].join('|')})`;
// House number, one to four capitalised words, a street suffix, then the end of the value, a comma, a line
// break or a unit (`# 4`, `Apt 2`, `Suite 100`). Anchored at the start of the value, so prose that happens to
// contain `9 Supreme Court` in the middle is not an address.
const STREET_ADDRESS = new RegExp(
  `^\\d{1,6}[A-Za-z]?(?:-\\d{1,6})? +(?:[A-Z0-9][A-Za-z0-9'.-]{0,30} +){1,4}${SUFFIX}\\.?(?:$|,|\\r?\\n| +(?:#|Apt\\b|Suite\\b|Ste\\b|Unit\\b|Floor\\b|Fl\\b))`,
);
const HAS_SUFFIX_WORD = new RegExp(`(?:^| )${SUFFIX}\\.?(?:$|[ ,])`);

/** True when the value starts like a street address: `1600 Amphitheatre Parkway`, `221B Baker Street, London`. */
export function isStreetAddress(value: string): boolean {
  return STREET_ADDRESS.test(value);
}

/**
 * True when the value of an address-named field is plausibly an address: 5–300 characters with letters and a
 * space, a digit or a street suffix (`Baker Street`, `Flat 2, 7 Some Road`); not an e-mail, URL or IP
 * address, not a placeholder such as `Not provided`.
 */
export function isPlausibleAddress(value: string): boolean {
  if (value.length < 5 || value.length > 300 || !value.includes(' ') || !/[A-Za-z]/.test(value)) return false;
  if (value.includes('@') || value.includes('://')) return false;
  return /\d/.test(value) || HAS_SUFFIX_WORD.test(value);
}

const POSTAL_CODES: readonly RegExp[] = [
  /^\d{5}(?:-\d{4})?$/, // US ZIP, ZIP+4; DE, FR, ES, IT
  /^\d{4}$/, // AT, BE, CH, DK, NO, AU
  /^\d{6}$/, // IN, CN, RU, SG
  /^\d{3}-\d{4}$/, // JP
  /^\d{2}-\d{3}$/, // PL
  /^\d{3} \d{2}$/, // SE, CZ, SK, GR
  /^\d{4} ?[A-Z]{2}$/i, // NL
  /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, // GB
  /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i, // CA
];

/** True when the value has the form of a postal code of a common country (`94043`, `SW1A 1AA`, `1012 AB`, `K1A 0B1`). */
export function isPostalCode(value: string): boolean {
  return value.length >= 4 && value.length <= 10 && POSTAL_CODES.some((code) => code.test(value));
}

// ---- IP addresses ----

/** The IP version (4 or 6) when the whole value is an IP address, else 0. `::` alone is not reported. */
export function ipVersion(value: string): 0 | 4 | 6 {
  if (value.length < 3 || value.length > 45 || value === '::') return 0;
  return isIP(value) as 0 | 4 | 6;
}
