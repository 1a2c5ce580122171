import type { JwtClaims } from '@palisade/core';

/** Settings for reading JWTs. */
export interface JwtReading {
  /** The claim that names the user (default `sub`). */
  userClaim: string;
  /** Claims that name a tenant; the first present wins. */
  tenantClaims: readonly string[];
}

/** What a decoded JWT tells: the claims kept and the user. */
export interface DecodedJwt {
  claims: JwtClaims;
  user?: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;

/** True when the text has the three-part shape of a compact JWS (`header.payload.signature`). */
export function looksLikeJwt(token: string): boolean {
  return token.length < 16_384 && token.startsWith('eyJ') && JWT_SHAPE.test(token);
}

/**
 * Decodes a JWT's header and payload WITHOUT verifying it (Palisade observes traffic; it does not
 * authenticate). Returns `undefined` when the token is not a decodable JWT. Never throws.
 */
export function decodeJwt(token: string, reading: JwtReading): DecodedJwt | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  const header = readHeader(token.slice(0, dot1));
  if (header === undefined) return undefined;
  const payload = decodePart(token.slice(dot1 + 1, dot2));
  if (payload === undefined) return undefined;
  const claims: JwtClaims = {};
  if (header.alg !== undefined) claims.alg = header.alg;
  const sub = str(payload.sub);
  if (sub !== undefined) claims.sub = sub;
  const iss = str(payload.iss);
  if (iss !== undefined) claims.iss = iss;
  if (typeof payload.aud === 'string') claims.aud = payload.aud.slice(0, 256);
  else if (Array.isArray(payload.aud)) claims.aud = payload.aud.filter((a): a is string => typeof a === 'string').slice(0, 16);
  const clientId = str(payload.client_id) ?? str(payload.azp) ?? str(payload.cid) ?? str(payload.appid);
  if (clientId !== undefined) claims.clientId = clientId;
  const scope = Array.isArray(payload.scp)
    ? payload.scp.filter((s) => typeof s === 'string').join(' ')
    : (str(payload.scope, 1024) ?? str(payload.scp, 1024));
  if (scope !== undefined && scope !== '') claims.scope = scope.slice(0, 1024);
  for (const name of reading.tenantClaims) {
    const tenant = str(payload[name]);
    if (tenant !== undefined) {
      claims.tenant = tenant;
      break;
    }
  }
  if (typeof payload.exp === 'number' && Number.isFinite(payload.exp)) claims.exp = payload.exp;
  if (typeof payload.iat === 'number' && Number.isFinite(payload.iat)) claims.iat = payload.iat;
  const user = str(payload[reading.userClaim]);
  return user === undefined ? { claims } : { claims, user };
}

/** Reads any claim by name from a JWT (for entity extractors); `undefined` when absent. */
export function readJwtClaim(token: string, claim: string): string | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const dot1 = token.indexOf('.');
  const payload = decodePart(token.slice(dot1 + 1, token.indexOf('.', dot1 + 1)));
  const value = payload?.[claim];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** What a JWT's header segment says (only its `alg` is kept). */
interface JwtHeader {
  alg: string | undefined;
}

/** Header segments already read: an issuer signs every token with the same header. Bounded; cleared when full. */
const headers = new Map<string, JwtHeader | null>();
const MAX_HEADERS = 256;

/** The header of a JWT from its (first) segment, or `undefined` when it is not a JSON object. */
function readHeader(segment: string): JwtHeader | undefined {
  let header = headers.get(segment);
  if (header === undefined) {
    const decoded = decodePart(segment);
    header = decoded === undefined ? null : { alg: typeof decoded.alg === 'string' ? decoded.alg.slice(0, 32) : undefined };
    if (headers.size >= MAX_HEADERS) headers.clear();
    headers.set(segment, header);
  }
  return header ?? undefined;
}

/** A claim as text: a non-empty string (cut to `max`) or a number; `undefined` otherwise. */
function str(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : typeof v === 'number' ? String(v) : undefined;
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
