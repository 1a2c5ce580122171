/**
 * Secret recognition: provider credentials by their documented prefixes, AWS secret keys by name and shape,
 * and a generic rule for high-entropy values in credential-named fields. Pure functions over one value.
 */

/** Subtypes of `secret` matches, by provider or kind. */
export type SecretSubtype =
  | 'aws_access_key'
  | 'aws_secret_key'
  | 'github_token'
  | 'stripe_key'
  | 'slack_token'
  | 'google_api_key'
  | 'generic_api_key';

// One pass over the text; each alternative carries its own right boundary so a longer run is not cut.
const PROVIDER_SECRET =
  /(?<![A-Za-z0-9_])(?:(?<aws>(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9]))|(?<github>gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])|github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_]))|(?<stripe>(?:sk|rk)_live_[A-Za-z0-9]{24,247}(?![A-Za-z0-9_])|sk_test_[A-Za-z0-9]{24,247}(?![A-Za-z0-9_]))|(?<slack>xox[baprs]-[A-Za-z0-9][A-Za-z0-9-]{9,250}(?![A-Za-z0-9-]))|(?<google>AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])))/g;
// Cheap filter: without one of these markers the full expression cannot match.
const PROVIDER_MARKER = /AKIA|ASIA|gh[pousr]_|github_pat_|_live_|sk_test_|xox[baprs]-|AIza/;

const SUBTYPE_BY_GROUP: ReadonlyArray<[string, SecretSubtype]> = [
  ['aws', 'aws_access_key'],
  ['github', 'github_token'],
  ['stripe', 'stripe_key'],
  ['slack', 'slack_token'],
  ['google', 'google_api_key'],
];

/**
 * Finds provider credentials anywhere in `text` (AWS access key ids, GitHub, Stripe and Slack tokens,
 * Google API keys), each subtype once, in order of first appearance. Linear in the text length.
 */
export function findProviderSecrets(text: string): SecretSubtype[] {
  if (text.length < 20 || !PROVIDER_MARKER.test(text)) return [];
  const found: SecretSubtype[] = [];
  for (const match of text.matchAll(PROVIDER_SECRET)) {
    const groups = match.groups ?? {};
    for (const [group, subtype] of SUBTYPE_BY_GROUP) {
      if (groups[group] !== undefined && !found.includes(subtype)) found.push(subtype);
    }
  }
  return found;
}

const AWS_SECRET_SHAPE = /^[A-Za-z0-9/+]{40}$/;

/** True when `value` has the shape of an AWS secret access key: 40 base64 characters with upper, lower case and digits. */
export function hasAwsSecretKeyShape(value: string): boolean {
  return AWS_SECRET_SHAPE.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value);
}

const PALISADE_TOKEN = /^tok_[A-Za-z0-9_-]{22}$/;

/**
 * True when `value` is a Palisade token (`tok_` + 22 base64url characters), the form secrets take after the
 * enrich stage replaced them: already redacted, so never reported.
 */
export function isPalisadeToken(value: string): boolean {
  return value.length === 26 && PALISADE_TOKEN.test(value);
}

const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Digest|ApiKey|Api-Key|Key|Signature|AWS4-HMAC-SHA256|OAuth)\s+/i;

/** Removes an HTTP auth scheme in front of a credential (`Bearer abc` → `abc`); other values are returned as they are. */
export function stripAuthScheme(value: string): string {
  const scheme = AUTH_SCHEME.exec(value);
  return scheme === null ? value : value.slice(scheme[0].length);
}

/** Shannon entropy of the text in bits per character (UTF-16 code units); 0 for the empty string. */
export function shannonEntropy(text: string): number {
  const length = text.length;
  if (length === 0) return 0;
  const ascii = new Uint32Array(128);
  let other: Map<number, number> | undefined;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) ascii[c] = (ascii[c] as number) + 1;
    else {
      other ??= new Map();
      other.set(c, (other.get(c) ?? 0) + 1);
    }
  }
  let bits = 0;
  const add = (count: number) => {
    if (count === 0) return;
    const p = count / length;
    bits -= p * Math.log2(p);
  };
  for (const count of ascii) add(count);
  if (other !== undefined) for (const count of other.values()) add(count);
  return bits;
}

/** Shortest value the generic rule reports. */
export const GENERIC_SECRET_MIN_LENGTH = 16;
/** Least Shannon entropy (bits per character) the generic rule reports. */
export const GENERIC_SECRET_MIN_ENTROPY = 3.5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_SHAPE = /^[^@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/**
 * True when a credential field's value looks like a machine-made secret: at least 16 characters, no
 * whitespace, Shannon entropy ≥ 3.5 bits per character, and digits mixed with letters (or 32+ characters
 * mixing upper and lower case). UUIDs, URLs and e-mail addresses are identifiers, not secrets; words and
 * sentences (`PasswordResetRequired`, a secret question) do not reach the entropy or the character mix.
 */
export function looksLikeGeneratedSecret(value: string): boolean {
  const length = value.length;
  if (length < GENERIC_SECRET_MIN_LENGTH || length > 4096) return false;
  let digit = false;
  let upper = false;
  let lower = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32) return false;
    if (c >= 48 && c <= 57) digit = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
  }
  if (!((digit && (upper || lower)) || (length >= 32 && upper && lower))) return false;
  if (UUID.test(value) || value.includes('://') || EMAIL_SHAPE.test(value)) return false;
  return shannonEntropy(value) >= GENERIC_SECRET_MIN_ENTROPY;
}

const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/;

/** True when the text contains a PEM private key header (`-----BEGIN RSA PRIVATE KEY-----` and its kin). */
export function hasPrivateKey(text: string): boolean {
  return text.includes('-----BEGIN ') && PRIVATE_KEY.test(text);
}

// Header and payload are JSON objects, so they start with `eyJ` (`{"`); a third `.` part means JWE or noise.
const JWT_CANDIDATE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{2,32768}\.[A-Za-z0-9_-]{0,8192}(?![A-Za-z0-9_.-])/g;

/**
 * True when the text holds a JWT (compact JWS: three base64url parts) whose header decodes to a JSON object
 * with a string `alg` — alone or inside text such as `Bearer <jwt>`. The signature is not checked.
 */
export function hasJwt(text: string): boolean {
  if (!text.includes('eyJ')) return false;
  let tries = 0;
  for (const match of text.matchAll(JWT_CANDIDATE)) {
    const header = decodeJsonObject(match[0].slice(0, match[0].indexOf('.')));
    if (typeof header?.alg === 'string') return true;
    if (++tries >= 4) break;
  }
  return false;
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
