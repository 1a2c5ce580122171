/**
 * Matching of secret-bearing names (`password`, `client_secret`, `X-Auth-Token`): names are compared after
 * lower-casing and removing `-`, `_`, `.` and a leading `x`, so `X-Api-Key`, `api_key` and `apiKey` are one
 * name.
 */
export interface SecretNames {
  /** True when `name` names a secret. */
  has(name: string): boolean;
}

/** Normalizes a field, parameter or header name for secret matching. */
export function normalizeSecretName(name: string): string {
  let n = name.toLowerCase().replace(/[-_.]/g, '');
  if (n.length > 3 && n.startsWith('x') && name.length > 2 && (name[1] === '-' || name[1] === '_')) n = n.slice(1);
  return n;
}

/** Compiles a list of secret names. */
export function compileSecretNames(names: readonly string[]): SecretNames {
  const set = new Set(names.map(normalizeSecretName));
  const cache = new Map<string, boolean>();
  return {
    has(name) {
      let hit = cache.get(name);
      if (hit === undefined) {
        hit = set.has(normalizeSecretName(name));
        if (cache.size > 10_000) cache.clear();
        cache.set(name, hit);
      }
      return hit;
    },
  };
}
