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
 */
export function parseQuery(raw: string, secrets: SecretNames, apiKeyNames: ReadonlySet<string>, tokenizer: Tokenizer): ParsedQuery {
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

function decode(text: string): string {
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}
