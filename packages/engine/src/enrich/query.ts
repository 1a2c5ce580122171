import type { QueryPair } from '../protect/inputs.js';
import type { SecretNames } from './secret-names.js';
import type { Tokenizer } from './tokenize.js';

/** A parsed query: the params, the raw query with secrets replaced, and the first API-key value found. */
export interface ParsedQuery {
  params: Record<string, string | string[]>;
  /** The raw query with secret values replaced by tokens (unchanged when there were none). */
  raw: string;
  /** Token of the first value of a configured API-key parameter. */
  apiKey?: string;
}

/**
 * Parses a raw query string (`a=1&b=2&a=3`). Values of secret parameters and API-key parameters are
 * replaced by tokens in both the params and the raw string. Malformed percent-encoding keeps the raw text.
 * `read` is the pairs of `raw` as the inline sensor's inspection read them: their names and values are then
 * not decoded again (the result is the same).
 */
export function parseQuery(
  raw: string,
  secrets: SecretNames,
  apiKeyNames: ReadonlySet<string>,
  tokenizer: Tokenizer,
  read?: readonly QueryPair[],
): ParsedQuery {
  if (read !== undefined) {
    const params = paramsOf(read, secrets, apiKeyNames);
    // a secret to tokenize: the raw query is rewritten as well, from its own parts
    if (params !== undefined) return { params, raw };
  }
  const params: Record<string, string | string[]> = {};
  let apiKey: string | undefined;
  let rewritten: string[] | undefined;
  const parts = raw.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    // `__proto__` cannot be a plain-object key; such a parameter is kept only in the raw query.
    let value = eq < 0 ? '' : decode(part.slice(eq + 1));
    const isKey = apiKeyNames.has(name.toLowerCase());
    if (value !== '' && (isKey || secrets.has(name))) {
      value = tokenizer.token(value);
      if (isKey && apiKey === undefined) apiKey = value;
      rewritten ??= parts.slice();
      rewritten[i] = `${eq < 0 ? part : part.slice(0, eq)}=${value}`;
    }
    if (name === '__proto__') continue;
    const prev = Object.hasOwn(params, name) ? params[name] : undefined;
    if (prev === undefined) params[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else params[name] = [prev, value];
  }
  const result: ParsedQuery = { params, raw: rewritten === undefined ? raw : rewritten.join('&') };
  if (apiKey !== undefined) result.apiKey = apiKey;
  return result;
}

/** Reads queries as `parseQuery` does, for one enricher's settings. */
export type QueryReader = (raw: string, read?: readonly QueryPair[]) => ParsedQuery;

/** Distinct queries whose reading is kept, and the longest query kept. */
const QUERY_CACHE_SIZE = 10_000;
const MAX_CACHED_QUERY = 256;

/**
 * Creates a `parseQuery` with a bounded cache: the same short queries (`page=2&size=10`) come back on
 * request after request. Every call returns its own `params` (a copy of the cached one), so a caller may
 * change it. A query that had a value tokenized is not kept (the cache holds no secret).
 */
export function createQueryReader(secrets: SecretNames, apiKeyNames: ReadonlySet<string>, tokenizer: Tokenizer): QueryReader {
  const cache = new Map<string, { params: Record<string, string | string[]>; lists: boolean }>();
  return (raw, read) => {
    if (read !== undefined || raw.length > MAX_CACHED_QUERY) return parseQuery(raw, secrets, apiKeyNames, tokenizer, read);
    const hit = cache.get(raw);
    if (hit !== undefined) return { params: hit.lists ? copyParams(hit.params) : { ...hit.params }, raw };
    const parsed = parseQuery(raw, secrets, apiKeyNames, tokenizer);
    if (parsed.raw === raw && parsed.apiKey === undefined) {
      let lists = false;
      for (const name in parsed.params) if (Array.isArray(parsed.params[name])) lists = true;
      if (cache.size >= QUERY_CACHE_SIZE) cache.clear();
      cache.set(raw, { params: lists ? copyParams(parsed.params) : { ...parsed.params }, lists });
    }
    return parsed;
  };
}

/** A copy of params whose repeated-name lists are copies too. */
function copyParams(params: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in params) {
    const value = params[name] as string | string[];
    out[name] = Array.isArray(value) ? value.slice() : value;
  }
  return out;
}

function decode(text: string): string {
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/**
 * The params of a query from its pairs as read by the inspection, or undefined when a value is to be tokenized.
 * A pair that failed to decode (a malformed escape) was kept by the inspection with `+` read as spaces, and is
 * kept here as sent, as `decode` keeps it: a decoding that succeeds on text with `%` always shortens it.
 */
function paramsOf(
  read: readonly QueryPair[],
  secrets: SecretNames,
  apiKeyNames: ReadonlySet<string>,
): Record<string, string | string[]> | undefined {
  const params: Record<string, string | string[]> = {};
  for (const pair of read) {
    const name = asDecoded(pair.rawName, pair.name);
    const value = asDecoded(pair.rawValue, pair.value);
    if (value !== '' && (apiKeyNames.has(name.toLowerCase()) || secrets.has(name))) return undefined;
    if (name === '__proto__') continue;
    const prev = Object.hasOwn(params, name) ? params[name] : undefined;
    if (prev === undefined) params[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else params[name] = [prev, value];
  }
  return params;
}

/** `decode(raw)`, given `formDecode(raw)`. */
function asDecoded(raw: string, formDecoded: string): string {
  return formDecoded.length === raw.length && raw.includes('%') ? raw : formDecoded;
}
