/**
 * Turns the text of a parameter, as serialised on the wire in one of the OpenAPI styles, into the value its
 * schema is checked against: strings become the declared scalar types (`'42'` → `42` for an integer),
 * arrays and objects are split by the style's delimiters.
 */

import type { QueryPair } from '../inputs.js';
import { DELIMITERS, type ParameterPlan, type ScalarKind, type ValuePlan } from './compile.js';

/** The query of a request: decoded names → their raw (still encoded) values, in order. */
export type QueryPairs = ReadonlyMap<string, readonly string[]>;

/** At most this many `name=value` pairs of a query or form body are read; the rest are ignored. */
export const MAX_PAIRS = 256;

const INTEGER = /^-?\d{1,300}$/;
const NUMBER = /^-?(?:\d{1,300}(?:\.\d{0,300})?|\.\d{1,300})(?:[eE][+-]?\d{1,4})?$/;

/**
 * The value of `text` as the first of `kinds` it can be read as (`integer`, `number`, `boolean`, `null`
 * for `null` or an empty text), else the text itself, which the schema then rejects.
 */
export function coerceScalar(text: string, kinds: readonly ScalarKind[]): unknown {
  for (const kind of kinds) {
    switch (kind) {
      case 'integer':
        if (INTEGER.test(text)) return Number(text);
        break;
      case 'number':
        if (NUMBER.test(text)) return Number(text);
        break;
      case 'boolean':
        if (text === 'true') return true;
        if (text === 'false') return false;
        break;
      case 'null':
        if (text === '' || text === 'null') return null;
        break;
      default:
        return text;
    }
  }
  return text;
}

/** `name=value&…` as decoded names → raw values; `+` and percent escapes are decoded in names only. */
export function parsePairs(text: string): Map<string, string[]> {
  const pairs = new Map<string, string[]>();
  if (text === '') return pairs;
  let start = 0;
  let count = 0;
  while (start <= text.length && count < MAX_PAIRS) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      count++;
      const eq = text.indexOf('=', start);
      const hasValue = eq >= 0 && eq < end;
      const name = decodeForm(text.slice(start, hasValue ? eq : end));
      const value = hasValue ? text.slice(eq + 1, end) : '';
      const list = pairs.get(name);
      if (list === undefined) pairs.set(name, [value]);
      else list.push(value);
    }
    start = end + 1;
  }
  return pairs;
}

/** What `parsePairs` gives for the query whose pairs `readQueryPairs` read: the same map, from names decoded once. */
export function pairsOf(read: readonly QueryPair[]): Map<string, string[]> {
  const pairs = new Map<string, string[]>();
  const count = Math.min(read.length, MAX_PAIRS);
  for (let i = 0; i < count; i++) {
    const { name, rawValue } = read[i] as QueryPair;
    const list = pairs.get(name);
    if (list === undefined) pairs.set(name, [rawValue]);
    else list.push(rawValue);
  }
  return pairs;
}

/** Decodes form text: `+` is a space, malformed escapes stay as they are. */
export function decodeForm(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Raw-text separators of the delimited query styles: a literal character or its escapes. */
const RAW_DELIMITERS: Readonly<Record<string, RegExp>> = {
  ',': /,|%2C/i,
  ' ': /%20|\+| /,
  '|': /\||%7C/i,
  '\t': /%09|\t/,
  '.': /\./,
};

/** Splits raw text on `delimiter` (or its percent-encoded form) and decodes each part. */
function splitRaw(raw: string, delimiter: string): string[] {
  const separator = RAW_DELIMITERS[delimiter];
  const parts = separator === undefined ? raw.split(delimiter) : raw.split(new RegExp(separator.source, `${separator.flags}g`));
  return parts.map(decodeForm);
}

/** The value of an object from alternating names and values (`R,100,G,200`). */
function objectFromList(parts: readonly string[], value: ValuePlan): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i] as string;
    out[key] = coerceScalar(parts[i + 1] as string, value.properties.get(key) ?? ['any']);
  }
  return out;
}

/** The value of an object from `name=value` parts (`R=100,G=200`). */
function objectFromAssignments(parts: readonly string[], value: ValuePlan): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    out[key] = coerceScalar(eq < 0 ? '' : part.slice(eq + 1), value.properties.get(key) ?? ['any']);
  }
  return out;
}

/**
 * Reads a query or cookie parameter from the request's pairs; `undefined` when it is absent. `raw` holds
 * the undecoded values sent under the parameter's name (several for repeated names).
 */
export function readQueryValue(
  plan: ParameterPlan,
  raw: readonly string[] | undefined,
  pairs: QueryPairs,
  known: ReadonlySet<string>,
): unknown {
  const { value } = plan;
  if (plan.json) {
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(decodeForm(raw[0] as string));
    } catch {
      return INVALID_JSON;
    }
  }
  if (plan.style === 'deepObject') return readDeepObject(plan, pairs);
  if (value.shape === 'object' && plan.explode) return readExplodedObject(plan, pairs, known);
  if (raw === undefined) return undefined;
  if (value.shape === 'array') {
    const texts = plan.explode ? raw.map(decodeForm) : splitRaw(raw[0] as string, DELIMITERS[plan.style]);
    if (texts.length === 1 && texts[0] === '') return [];
    return texts.map((text) => coerceScalar(text, value.kinds));
  }
  if (value.shape === 'object') return objectFromList(splitRaw(raw[0] as string, DELIMITERS[plan.style]), value);
  return coerceScalar(decodeForm(raw[0] as string), value.kinds);
}

/** Marks a `content: application/json` parameter whose text is not JSON. */
export const INVALID_JSON: unique symbol = Symbol('invalid JSON');

/** `filter[name]=x&filter[tags][]=a` → `{ name: 'x', tags: ['a'] }`; `undefined` when no key starts `filter[`. */
function readDeepObject(plan: ParameterPlan, pairs: QueryPairs): Record<string, unknown> | undefined {
  const prefix = `${plan.name}[`;
  let out: Record<string, unknown> | undefined;
  for (const [name, values] of pairs) {
    if (!name.startsWith(prefix)) continue;
    const close = name.indexOf(']', prefix.length);
    if (close < 0) continue;
    const key = name.slice(prefix.length, close);
    out ??= Object.create(null) as Record<string, unknown>;
    const kinds = plan.value.properties.get(key) ?? ['any'];
    const texts = values.map(decodeForm);
    out[key] =
      name.endsWith('[]') || texts.length > 1 ? texts.map((text) => coerceScalar(text, kinds)) : coerceScalar(texts[0] as string, kinds);
  }
  return out;
}

/** An exploded form object: its declared properties, and when it is open, every pair no other parameter takes. */
function readExplodedObject(plan: ParameterPlan, pairs: QueryPairs, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [name, values] of pairs) {
    const kinds = plan.value.properties.get(name);
    if (kinds === undefined && (!plan.value.openProperties || known.has(name))) continue;
    out ??= Object.create(null) as Record<string, unknown>;
    out[name] = coerceScalar(decodeForm(values[0] as string), kinds ?? ['any']);
  }
  return out;
}

/**
 * Reads a path or header parameter (`simple`, `label` or `matrix` style) from its text, already
 * percent-decoded for paths.
 */
export function readSimpleValue(plan: ParameterPlan, text: string): unknown {
  const { value } = plan;
  if (plan.json) {
    try {
      return JSON.parse(text);
    } catch {
      return INVALID_JSON;
    }
  }
  let body = text;
  let delimiter = ',';
  if (plan.style === 'label') {
    if (body.startsWith('.')) body = body.slice(1);
    if (plan.explode) delimiter = '.';
  } else if (plan.style === 'matrix') {
    const prefix = `;${plan.name}=`;
    if (plan.explode && value.shape === 'array') {
      const texts = body.split(';').filter((part) => part !== '');
      return texts.map((part) => coerceScalar(part.startsWith(`${plan.name}=`) ? part.slice(plan.name.length + 1) : part, value.kinds));
    }
    if (plan.explode && value.shape === 'object')
      return objectFromAssignments(
        body.split(';').filter((part) => part !== ''),
        value,
      );
    if (body.startsWith(prefix)) body = body.slice(prefix.length);
  }
  if (value.shape === 'array') return body === '' ? [] : body.split(delimiter).map((part) => coerceScalar(part, value.kinds));
  if (value.shape === 'object') {
    const parts = body === '' ? [] : body.split(delimiter);
    return plan.explode ? objectFromAssignments(parts, value) : objectFromList(parts, value);
  }
  return coerceScalar(body, value.kinds);
}
