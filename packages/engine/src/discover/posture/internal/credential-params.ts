import { splitFieldName } from '../../sensitive/field-hints.js';
import { findProviderSecrets, hasJwt, isPalisadeToken, looksLikeGeneratedSecret } from '../../sensitive/secrets.js';

// Names that carry a credential whatever their value looks like, compared as the last word or the last two
// words joined (`access_token` → `token`, `x-api-key` → `apikey`, `X-Amz-Signature` → `signature`).
const CREDENTIAL_WORDS = new Set([
  'token',
  'apikey',
  'apitoken',
  'accesskey',
  'secretkey',
  'privatekey',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'auth',
  'authorization',
  'jwt',
  'session',
  'sessionid',
  'sessiontoken',
  'phpsessid',
  'jsessionid',
  'sig',
  'signature',
  'credential',
  'credentials',
]);
// Pagination and sync cursors are named `*token` but grant nothing.
const CURSOR_WORDS = new Set(['page', 'cursor', 'continuation', 'next', 'prev', 'previous', 'sync', 'paging', 'max', 'resume']);
// Values that cannot be a credential, whatever the name (`auth=false`, `session=1`).
const TRIVIAL_VALUE = /^(?:true|false|yes|no|on|off|null|none|undefined|nil|0|1|-1)$/i;

const nameCache = new Map<string, boolean>();

/**
 * True when a query parameter name says it carries a credential (`api_key`, `apiKey`, `access_token`,
 * `password`, `client_secret`, `X-Amz-Signature`, `session_id`), ignoring case and separators. Names about
 * a credential (`token_type`, `api_key_id`) and cursors (`page_token`, `nextPageToken`) do not count, and
 * neither does a bare `key` (`sort_key`, `key=name`): a key counts only by its value.
 */
export function isCredentialParamName(name: string): boolean {
  let hit = nameCache.get(name);
  if (hit === undefined) {
    hit = readCredentialName(name);
    if (nameCache.size >= 10_000) nameCache.clear();
    nameCache.set(name, hit);
  }
  return hit;
}

function readCredentialName(name: string): boolean {
  const words = splitFieldName(name);
  if (words.length > 1 && /^\d+$/.test(words[words.length - 1] as string)) words.pop();
  if (words.length === 0 || words.some((word) => CURSOR_WORDS.has(word))) return false;
  const last = words[words.length - 1] as string;
  const lastTwo = words.length > 1 ? `${words[words.length - 2]}${last}` : last;
  return CREDENTIAL_WORDS.has(last) || CREDENTIAL_WORDS.has(lastTwo) || CREDENTIAL_WORDS.has(words.join(''));
}

/**
 * Why a query value is a credential: `token` (the enrich stage tokenized it, so it was a secret), `jwt`,
 * `provider-secret` (an AWS, GitHub, Stripe, Slack or Google key left in clear), or `undefined`.
 */
export function credentialValueKind(value: string): 'token' | 'jwt' | 'provider-secret' | undefined {
  const trimmed = value.trim();
  if (isPalisadeToken(trimmed)) return 'token';
  if (trimmed.length >= 16 && hasJwt(trimmed)) return 'jwt';
  if (findProviderSecrets(trimmed).length > 0) return 'provider-secret';
  return undefined;
}

/** True when a value next to a credential-named parameter could be a credential (not empty, not `true`/`0`). */
export function isNonTrivialValue(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && !TRIVIAL_VALUE.test(trimmed);
}

/** Longest parameter or property name shown in evidence. */
export const MAX_NAME_LENGTH = 64;

/**
 * A parameter, header or JSON member name as it may appear in evidence. Names come from the caller, so a
 * name that looks like a secret (a JWT, a provider key, a long high-entropy string) or is very long is
 * replaced by `<redacted>`.
 */
export function evidenceName(name: string): string {
  if (name.length > MAX_NAME_LENGTH) return '<redacted>';
  if (isPalisadeToken(name) || findProviderSecrets(name).length > 0 || hasJwt(name)) return '<redacted>';
  if (name.length >= 16 && looksLikeGeneratedSecret(name)) return '<redacted>';
  return name;
}
