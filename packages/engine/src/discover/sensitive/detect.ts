import { PalisadeError } from '@palisade/core';
import { type FieldHints, NO_HINTS, normalizeFieldName, readFieldHints } from './field-hints.js';
import { isIban } from './iban.js';
import { isPaymentCardNumber } from './payment-card.js';
import {
  findCardCandidates,
  hasEmail,
  hasInternationalPhone,
  ipVersion,
  isDate,
  isNationalPhone,
  isPlausibleAddress,
  isPostalCode,
  isSsn,
  isStreetAddress,
} from './personal-data.js';
import {
  findProviderSecrets,
  hasAwsSecretKeyShape,
  hasJwt,
  hasPrivateKey,
  isPalisadeToken,
  looksLikeGeneratedSecret,
  stripAuthScheme,
} from './secrets.js';

/** The built-in sensitive data types, in the order the README describes them. */
export const SENSITIVE_TYPES = [
  'email',
  'phone',
  'payment_card',
  'ssn',
  'iban',
  'jwt',
  'secret',
  'private_key',
  'ip_address',
  'date_of_birth',
  'postal_address',
] as const;

/** A kind of sensitive data: one of {@link SENSITIVE_TYPES}, or the name of a custom rule. */
export type SensitiveType = (typeof SENSITIVE_TYPES)[number] | (string & Record<never, never>);

/**
 * How sure a match is. `high`: the value alone proves it (a checksum, a provider prefix, a strict format) or
 * the field name and the value agree (`dob` + a date). `medium`: one weaker signal (a high-entropy value in a
 * field named like a credential, an address-named field with an address-like value, a dashed SSN with no
 * field name).
 */
export type SensitiveConfidence = 'high' | 'medium';

/** One kind of sensitive data found in a value. */
export interface SensitiveMatch {
  type: SensitiveType;
  /**
   * For `secret`: the provider or kind — `aws_access_key`, `aws_secret_key`, `github_token`, `stripe_key`,
   * `slack_token`, `google_api_key`, `generic_api_key`. Absent for other types.
   */
  subtype?: string;
  confidence: SensitiveConfidence;
}

/** A match in a JSON document, with where it was found (`$.user.email`, `$.items[].card`). */
export interface SensitiveJsonMatch extends SensitiveMatch {
  path: string;
}

/** A user-defined sensitive data type. */
export interface CustomSensitiveRule {
  /** The type reported (`employee_id`). */
  name: string;
  /** A JavaScript regular expression, compiled with the `u` flag; tested against values up to 4 KiB. */
  pattern: string;
  /** When given, the rule applies only to fields with one of these names (compared ignoring case and separators). */
  fieldNames?: string[];
}

/** Options of {@link createSensitiveDetector}. */
export interface SensitiveDetectorOptions {
  /** User-defined types, checked after the built-in ones. */
  custom?: CustomSensitiveRule[];
}

/**
 * Classifies sampled values (query values, headers, JSON body fields) into sensitive data types. Everything
 * is compiled when the detector is created; scanning never throws, keeps no values and is safe to share.
 * A detector reports; what to do about a match is decided elsewhere.
 */
export interface SensitiveDetector {
  /**
   * The kinds of sensitive data in one scalar value, each type (and secret subtype) once. `fieldName` is the
   * parameter, header or JSON member name when known; several types need it (`dob`, `phone`, `password`).
   */
  scanValue(value: string, fieldName?: string): SensitiveMatch[];
  /**
   * The sensitive data in a parsed JSON document, once per (type, path). Arrays are collapsed (`$.items[].card`).
   * Bounded: at most `maxValues` scalars (default 2000) and four times as many array elements and members
   * are visited, and nothing nested deeper than {@link MAX_JSON_DEPTH} containers.
   */
  scanJson(body: unknown, maxValues?: number): SensitiveJsonMatch[];
}

/** How many scalar values `scanJson` visits by default. */
export const DEFAULT_MAX_JSON_VALUES = 2000;
/** Values nested in more containers than this are not visited. */
export const MAX_JSON_DEPTH = 32;
/** Custom patterns are only tested against values up to this many characters, bounding a slow pattern's cost. */
export const MAX_CUSTOM_VALUE_LENGTH = 4096;
/** Built-in rules look at the first this many characters of a value. */
export const MAX_SCAN_LENGTH = 16_384;

interface CompiledRule {
  name: string;
  regex: RegExp;
  fieldNames: ReadonlySet<string> | undefined;
}

const DATA_URI = /^data:[\w.+-]+\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,/i;
const BASE64_BLOB = /^[A-Za-z0-9+/=_\r\n-]+$/;
const IBAN_START = /^[A-Z]{2}\d{2}/;
const SSN_CHARS = /^[\d -]{9,11}$/;

/**
 * Creates a detector with the built-in rules and the given custom ones. Invalid custom rules are all
 * reported at once in one `PalisadeError` (`PAL_ERR_CONFIG_INVALID`) naming each rule.
 *
 * @example
 * const detector = createSensitiveDetector({ custom: [{ name: 'employee_id', pattern: '^EMP-\\d{6}$' }] });
 * detector.scanValue('alice@example.com'); // [{ type: 'email', confidence: 'high' }]
 * detector.scanJson({ user: { dob: '1990-01-13' } }); // [{ type: 'date_of_birth', confidence: 'high', path: '$.user.dob' }]
 */
export function createSensitiveDetector(options: SensitiveDetectorOptions = {}): SensitiveDetector {
  const rules = compileCustomRules(options.custom ?? []);
  const hintCache = new Map<string, FieldHints>();
  const hintsOf = (name: string): FieldHints => {
    let hints = hintCache.get(name);
    if (hints === undefined) {
      hints = readFieldHints(name);
      if (hintCache.size >= 10_000) hintCache.clear();
      hintCache.set(name, hints);
    }
    return hints;
  };

  const scanValue = (value: string, fieldName?: string): SensitiveMatch[] => {
    const out: SensitiveMatch[] = [];
    if (value === '') return out;
    const hints = fieldName === undefined ? NO_HINTS : hintsOf(fieldName);
    const trimmed = (value.length > MAX_SCAN_LENGTH ? value.slice(0, MAX_SCAN_LENGTH) : value).trim();
    // Already tokenized by the enrich stage: the secret is gone, nothing is left to report.
    if (isPalisadeToken(trimmed) || (hints.credential && isPalisadeToken(stripAuthScheme(trimmed)))) return out;
    if (!DATA_URI.test(trimmed)) scanBuiltIn(trimmed, hints, out);
    for (const rule of rules) {
      if (rule.fieldNames !== undefined && (fieldName === undefined || !rule.fieldNames.has(normalizeFieldName(fieldName)))) continue;
      if (value.length <= MAX_CUSTOM_VALUE_LENGTH && rule.regex.test(value)) add(out, rule.name, 'high');
    }
    return out;
  };

  const scanJson = (body: unknown, maxValues = DEFAULT_MAX_JSON_VALUES): SensitiveJsonMatch[] => {
    const found = new Map<string, SensitiveJsonMatch>();
    let values = 0;
    let entries = 0;
    const maxEntries = maxValues * 4;
    const record = (matches: SensitiveMatch[], path: string) => {
      for (const match of matches) {
        const key = `${match.type}\u0000${path}`;
        const seen = found.get(key);
        if (seen === undefined) found.set(key, { ...match, path });
        else if (match.confidence === 'high') seen.confidence = 'high';
      }
    };
    const visit = (node: unknown, path: string, field: string | undefined, depth: number): void => {
      if (typeof node === 'string') {
        values++;
        record(scanValue(node, field), path);
      } else if (typeof node === 'number') {
        values++;
        if (Number.isFinite(node)) record(scanValue(String(node), field), path);
      } else if (typeof node === 'object' && node !== null) {
        if (depth >= MAX_JSON_DEPTH) return;
        if (Array.isArray(node)) {
          const itemPath = `${path}[]`;
          for (const item of node) {
            if (values >= maxValues || ++entries > maxEntries) return;
            visit(item, itemPath, field, depth + 1);
          }
        } else {
          for (const key of Object.keys(node)) {
            if (values >= maxValues || ++entries > maxEntries) return;
            visit((node as Record<string, unknown>)[key], memberPath(path, key), key, depth + 1);
          }
        }
      } else {
        values++;
      }
    };
    if (maxValues > 0) visit(body, '$', undefined, 0);
    return [...found.values()];
  };

  return { scanValue, scanJson };
}

// What one pass over a value tells, so that most rules are skipped without running an expression.
interface Profile {
  digits: number;
  /** The longest run of digits with single spaces or dashes between them. */
  digitRun: number;
  at: boolean;
  plus: boolean;
  space: boolean;
  colons: number;
  dots: number;
  /** Only digits and dots (IPv4-shaped). */
  dotted: boolean;
}

function profile(text: string): Profile {
  let digits = 0;
  let run = 0;
  let digitRun = 0;
  let at = false;
  let plus = false;
  let space = false;
  let colons = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (++run > digitRun) digitRun = run;
      continue;
    }
    if (!((c === 32 || c === 45) && run > 0)) run = 0;
    if (c === 64) at = true;
    else if (c === 43) plus = true;
    else if (c === 32) space = true;
    else if (c === 58) colons++;
    else if (c === 46) dots++;
  }
  return { digits, digitRun, at, plus, space, colons, dots, dotted: dots === 3 && digits + dots === text.length };
}

// The built-in rules over one trimmed value, cheapest pre-checks first; appends to `out`.
function scanBuiltIn(text: string, hints: FieldHints, out: SensitiveMatch[]): void {
  const length = text.length;
  const p = profile(text);
  const digits = p.digits;
  // Long base64 (an image, a file) cannot hold the text-shaped types; skip the scans through it.
  const blob = length >= 200 && !p.space && BASE64_BLOB.test(text);

  let secret = false;
  if (hasPrivateKey(text)) {
    add(out, 'private_key', 'high');
    secret = true;
  }
  if (!blob && hasJwt(text)) {
    add(out, 'jwt', 'high');
    secret = true;
  }
  if (!blob) {
    for (const subtype of findProviderSecrets(text)) {
      add(out, 'secret', 'high', subtype);
      secret = true;
    }
  }
  if (!secret && (hints.aws || hints.secretKey) && length === 40 && hasAwsSecretKeyShape(text)) {
    add(out, 'secret', hints.aws ? 'high' : 'medium', 'aws_secret_key');
    secret = true;
  }
  if (!secret && hints.credential && looksLikeGeneratedSecret(stripAuthScheme(text))) {
    add(out, 'secret', 'medium', 'generic_api_key');
  }
  if (blob) return;

  if (p.at && hasEmail(text)) add(out, 'email', 'high');
  if (p.plus && digits >= 8 && hasInternationalPhone(text)) add(out, 'phone', 'high');
  else if (hints.phone && digits >= 7 && digits <= 15 && isNationalPhone(text)) add(out, 'phone', 'high');
  if (p.digitRun >= 13 && hasPaymentCard(text)) add(out, 'payment_card', 'high');
  if (digits === 9 && length <= 11 && SSN_CHARS.test(text) && isSsn(text, !hints.ssn)) add(out, 'ssn', hints.ssn ? 'high' : 'medium');
  if (length >= 15 && length <= 42 && IBAN_START.test(text) && isIban(text)) add(out, 'iban', 'high');
  if ((p.dotted && !hints.version) || (p.colons >= 2 && length <= 45)) {
    if (ipVersion(text) !== 0) add(out, 'ip_address', 'high');
  }
  if (hints.birth && digits >= 6 && digits <= 30 && isDate(text)) add(out, 'date_of_birth', 'high');
  if (digits > 0 && p.space && isStreetAddress(text)) add(out, 'postal_address', 'high');
  else if (hints.address && isPlausibleAddress(text)) add(out, 'postal_address', 'medium');
  else if (hints.postalCode && digits > 0 && isPostalCode(text)) add(out, 'postal_address', 'medium');
}

function hasPaymentCard(text: string): boolean {
  for (const candidate of findCardCandidates(text)) {
    const digits = candidate.replace(/[ -]/g, '');
    if (digits.length !== candidate.length && !hasCardGrouping(candidate)) continue;
    if (isPaymentCardNumber(digits)) return true;
  }
  return false;
}

// Printed cards group digits 4-4-4-4(-3), 4-4-4-1…4 or 4-6-5 / 4-6-4 (Amex, Diners), with one kind of separator.
function hasCardGrouping(candidate: string): boolean {
  const separator = candidate.includes(' ') ? ' ' : '-';
  if (candidate.includes(' ') && candidate.includes('-')) return false;
  const groups = candidate.split(separator).map((group) => group.length);
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6) return groups[2] === 5 || groups[2] === 4;
  const last = groups[groups.length - 1] as number;
  return groups.length >= 2 && groups.slice(0, -1).every((n) => n === 4) && last >= 1 && last <= 4;
}

function add(out: SensitiveMatch[], type: SensitiveType, confidence: SensitiveConfidence, subtype?: string): void {
  const seen = out.find((m) => m.type === type && m.subtype === subtype);
  if (seen !== undefined) {
    if (confidence === 'high') seen.confidence = 'high';
    return;
  }
  out.push(subtype === undefined ? { type, confidence } : { type, subtype, confidence });
}

const PLAIN_MEMBER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function memberPath(parent: string, key: string): string {
  return PLAIN_MEMBER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function compileCustomRules(custom: readonly CustomSensitiveRule[]): CompiledRule[] {
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  custom.forEach((rule, i) => {
    const label = typeof rule.name === 'string' && rule.name.trim() !== '' ? `"${rule.name}"` : `#${i + 1}`;
    if (typeof rule.name !== 'string' || rule.name.trim() === '') {
      problems.push(`sensitive-data rule ${label}: the name is empty`);
      return;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(rule.pattern, 'u');
    } catch (error) {
      problems.push(`sensitive-data rule ${label}: invalid pattern (${(error as Error).message})`);
      return;
    }
    const fieldNames =
      rule.fieldNames === undefined || rule.fieldNames.length === 0 ? undefined : new Set(rule.fieldNames.map(normalizeFieldName));
    rules.push({ name: rule.name, regex, fieldNames });
  });
  if (problems.length > 0) throw new PalisadeError('PAL_ERR_CONFIG_INVALID', problems.join('; '));
  return rules;
}
