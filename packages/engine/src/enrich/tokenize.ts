import { createHmac } from 'node:crypto';

/**
 * Replaces secrets with keyed, irreversible tokens: `tok_` + 22 base64url characters (128 bits of
 * HMAC-SHA256 under the deployment key). The same secret always gives the same token in one deployment,
 * so entities stay linkable; without the key a token reveals nothing and cannot be checked against a guess.
 */
export interface Tokenizer {
  /** The token for a secret. Empty input gives an empty string. */
  token(secret: string): string;
}

/** True when a value is already a Palisade token (re-ingesting Palisade's own output must not re-token). */
export function isToken(value: string): boolean {
  return value.length === 26 && value.startsWith('tok_');
}

/**
 * Creates a tokenizer with a bounded cache (the same API keys and sessions repeat on every request).
 * The key must be at least 32 bytes.
 */
export function createTokenizer(key: Uint8Array, cacheSize = 50_000): Tokenizer {
  if (key.length < 32) throw new Error('the tokenization key must be at least 32 bytes');
  const cache = new Map<string, string>();
  return {
    token(secret) {
      if (secret === '' || isToken(secret)) return secret;
      let token = cache.get(secret);
      if (token === undefined) {
        token = `tok_${createHmac('sha256', key).update(secret).digest('base64url').slice(0, 22)}`;
        if (cache.size >= cacheSize) cache.clear();
        cache.set(secret, token);
      }
      return token;
    },
  };
}
