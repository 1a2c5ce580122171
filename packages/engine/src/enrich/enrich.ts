import {
  API_EVENT_SCHEMA_VERSION,
  type ApiEvent,
  type AuthScheme,
  type EventClient,
  type EventIdentity,
  type EventSource,
  type IngestConfig,
  type JwtClaims,
  type ParsedEvent,
} from '@palisade/core';
import type { QueryPair } from '../protect/inputs.js';
import { resolveClientAddress, splitForwardedFor, splitForwardedHeader } from './client-address.js';
import { compileEntityExtractors } from './entities.js';
import { compileIpRanges } from './ip-ranges.js';
import { decodeJwt, type JwtReading, looksLikeJwt } from './jwt.js';
import { createQueryReader } from './query.js';
import { sampleBody } from './body.js';
import { compileSecretNames } from './secret-names.js';
import type { Tokenizer } from './tokenize.js';

/**
 * Turns a parser's `ParsedEvent` into a complete, privacy-safe `ApiEvent`. `response` does the same for an
 * answer alone, for a caller that enriched the request before the answer was known (the inline sensor).
 * `read` hands over what the caller already read of the same request; the event is the same with or without it.
 */
export type Enricher = ((parsed: ParsedEvent, source: EventSource, id: string, read?: RequestReadings) => ApiEvent) & {
  response(res: NonNullable<ParsedEvent['response']>): NonNullable<ApiEvent['response']>;
};

/** What a caller (the inline sensor) already read of a request, so that the enricher does not read it again. */
export interface RequestReadings {
  /** The request body (`parsed.request.body.text`, whole) parsed as JSON. */
  json?: { value: unknown };
  /** The pairs of `parsed.request.query` as `readQueryPairs` reads them. */
  query?: readonly QueryPair[];
}

/** The settings the enricher needs (the `ingest` section of the config). */
export type EnrichSettings = Pick<
  IngestConfig,
  'trustedProxies' | 'apiKeyHeaders' | 'apiKeyQuery' | 'sessionCookies' | 'secretFields' | 'jwt' | 'bodySampleBytes' | 'entities'
>;

/** Headers whose whole value is a credential. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);

/**
 * Creates the enricher: compiles trusted proxies, secret names and entity extractors once.
 *
 * What it does to every event, the same way for every format:
 * - lower-cases header names; resolves the client address from peer + `X-Forwarded-For`/`Forwarded`
 *   with the trusted-proxy list;
 * - splits the URL into path and query, parses the query;
 * - identity: Basic user, bearer JWT claims (decoded, not verified), opaque bearer, API keys from the
 *   configured headers and query names, session cookies, mTLS subject, plus what the gateway reported;
 * - replaces every secret (Authorization, Cookie, Set-Cookie, API keys, secret-named query/body fields and
 *   headers) with a keyed token, so the stored event holds no secret;
 * - extracts business entities with the configured extractors.
 *
 * Throws `Error` when the settings are invalid (bad CIDR). Never throws on event content.
 */
export function createEnricher(settings: EnrichSettings, tokenizer: Tokenizer): Enricher {
  const trusted = compileIpRanges(settings.trustedProxies);
  const secrets = compileSecretNames(settings.secretFields);
  const apiKeyHeaders = new Set(settings.apiKeyHeaders.map((h) => h.toLowerCase()));
  const apiKeyQuery = new Set(settings.apiKeyQuery.map((q) => q.toLowerCase()));
  const sessionCookies = new Set(settings.sessionCookies.map((c) => c.toLowerCase()));
  const jwtReading: JwtReading = settings.jwt;
  const extractEntities = compileEntityExtractors(settings.entities);
  const maxBody = settings.bodySampleBytes;
  const readQuery = createQueryReader(secrets, apiKeyQuery, tokenizer);
  // The same Authorization and X-Forwarded-For values arrive with every request of a session or client:
  // each distinct value is read (and tokenized, and its JWT decoded) once. Bounded; cleared when full.
  // An Authorization value (a JWT: hundreds of characters) is looked up by its tail, which is cheaper to hash
  // than the whole; the entry holds the whole value, and a reading is used only for exactly that value.
  const authorizations = new Map<string, { value: string; reading: AuthorizationReading }>();
  const readAuthorizationOnce = (value: string): AuthorizationReading => {
    const key = value.length > AUTHORIZATION_KEY_LENGTH * 2 ? value.slice(-AUTHORIZATION_KEY_LENGTH) : value;
    const entry = authorizations.get(key);
    if (entry !== undefined && entry.value === value) return entry.reading;
    const reading = readAuthorization(value, jwtReading, tokenizer);
    if (entry === undefined && authorizations.size >= READING_CACHE_SIZE) authorizations.clear();
    authorizations.set(key, { value, reading });
    return reading;
  };
  const requestHeaderKind = headerKinds((name) =>
    name === 'authorization'
      ? 'authorization'
      : CREDENTIAL_HEADERS.has(name)
        ? 'credential'
        : name === 'cookie'
          ? 'cookie'
          : apiKeyHeaders.has(name)
            ? 'api-key'
            : secrets.has(name)
              ? 'secret'
              : name === 'forwarded'
                ? 'forwarded'
                : 'keep',
  );
  const responseHeaderKind = headerKinds((name) =>
    name === 'set-cookie' ? 'set-cookie' : CREDENTIAL_HEADERS.has(name) || apiKeyHeaders.has(name) || secrets.has(name) ? 'secret' : 'keep',
  );
  const chains = new Map<string, ForwardedChain>();
  const trustedPeers = new Map<string, boolean>();
  const addresses: AddressResolver = {
    chain(forwardedFor) {
      let chain = chains.get(forwardedFor);
      if (chain === undefined) {
        const hops = splitForwardedFor(forwardedFor);
        // resolved as if the peer were a trusted proxy; an untrusted peer is the client itself
        chain = { hops, client: resolveClientAddress(undefined, hops, trusted) };
        if (chains.size >= READING_CACHE_SIZE) chains.clear();
        chains.set(forwardedFor, chain);
      }
      return chain;
    },
    trustedPeer(peer) {
      let isTrusted = trustedPeers.get(peer);
      if (isTrusted === undefined) {
        isTrusted = trusted.has(peer);
        if (trustedPeers.size >= READING_CACHE_SIZE) trustedPeers.clear();
        trustedPeers.set(peer, isTrusted);
      }
      return isTrusted;
    },
    trusted,
  };

  const enrichResponse = (res: NonNullable<ParsedEvent['response']>): NonNullable<ApiEvent['response']> => {
    const responseHeaders: Record<string, string> = {};
    if (res.headers !== undefined) {
      for (const rawName in res.headers) {
        const value = res.headers[rawName];
        if (value === undefined || value === '') continue;
        const { name, treat } = responseHeaderKind(rawName);
        responseHeaders[name] =
          treat === 'set-cookie' ? tokenizeSetCookie(value, tokenizer) : treat === 'secret' ? tokenizer.token(value) : value;
      }
    }
    const response: NonNullable<ApiEvent['response']> = { status: res.status, headers: responseHeaders };
    if (res.body !== undefined) {
      const body = sampleBody(res.body, maxBody, secrets, tokenizer);
      if (body !== undefined) response.body = body;
    }
    if (res.size !== undefined) response.size = res.size;
    return response;
  };

  const enrich = (parsed: ParsedEvent, source: EventSource, id: string, read?: RequestReadings): ApiEvent => {
    const req = parsed.request;
    const headers: Record<string, string> = {};
    let authorization: AuthorizationReading | undefined;
    let cookie: string | undefined;
    let apiKey: string | undefined;
    let forwardedHeader: string | undefined;
    if (req.headers !== undefined) {
      for (const rawName in req.headers) {
        const value = req.headers[rawName];
        if (value === undefined || value === '') continue;
        const { name, treat } = requestHeaderKind(rawName);
        if (treat === 'keep') {
          headers[name] = value;
        } else if (treat === 'authorization') {
          authorization = readAuthorizationOnce(value);
          headers[name] = authorization.header;
        } else if (treat === 'credential') {
          headers[name] = tokenizeCredential(value, tokenizer);
        } else if (treat === 'cookie') {
          cookie = value;
          headers[name] = tokenizeCookies(value, tokenizer);
        } else if (treat === 'api-key') {
          const token = tokenizer.token(value);
          apiKey ??= token;
          headers[name] = token;
        } else if (treat === 'secret') {
          headers[name] = tokenizer.token(value);
        } else {
          forwardedHeader = value;
          headers[name] = value;
        }
      }
    }

    const { path, query, scheme, host } = splitTarget(req);
    let queryParams: Record<string, string | string[]> | undefined;
    let rawQuery = query;
    if (query !== undefined && query !== '') {
      const parsedQuery = readQuery(query, read?.query);
      queryParams = parsedQuery.params;
      rawQuery = parsedQuery.raw;
      apiKey ??= parsedQuery.apiKey;
    }

    const client = resolveClient(parsed.client, forwardedHeader, addresses);
    const identity = readIdentity(parsed, authorization, cookie, apiKey, sessionCookies, tokenizer);

    const bodyText = req.body?.text;
    const entities = extractEntities({
      host,
      path,
      query: queryParams,
      headers,
      jwt: identity.jwtToken,
      body: bodyText,
      bodyTruncated: req.body?.truncated ?? false,
      json: read?.json,
    });

    const request: ApiEvent['request'] = { method: req.method.toUpperCase(), path, headers };
    if (scheme !== undefined) request.scheme = scheme;
    if (host !== undefined) request.host = host;
    if (rawQuery !== undefined) request.query = rawQuery;
    if (queryParams !== undefined) request.queryParams = queryParams;
    if (req.body !== undefined) {
      const body = sampleBody(req.body, maxBody, secrets, tokenizer, read?.json);
      if (body !== undefined) request.body = body;
    }
    if (req.size !== undefined) request.size = req.size;
    if (req.httpVersion !== undefined) request.httpVersion = req.httpVersion;

    const event: ApiEvent = {
      schemaVersion: API_EVENT_SCHEMA_VERSION,
      id,
      time: parsed.time,
      source,
      request,
      client,
      identity: identity.identity,
      entities,
    };
    if (parsed.response !== undefined) event.response = enrichResponse(parsed.response);
    if (parsed.latencyMs !== undefined) event.latencyMs = parsed.latencyMs;
    if (parsed.upstream !== undefined) event.upstream = parsed.upstream;
    if (parsed.traceId !== undefined) event.traceId = parsed.traceId;
    if (parsed.spanId !== undefined) event.spanId = parsed.spanId;
    if (parsed.attributes !== undefined) event.attributes = parsed.attributes;
    return event;
  };
  return Object.assign(enrich, { response: enrichResponse });
}

function splitTarget(req: ParsedEvent['request']): {
  path: string;
  query: string | undefined;
  scheme: ApiEvent['request']['scheme'];
  host: string | undefined;
} {
  let scheme = normalizeScheme(req.scheme);
  let host = req.host;
  let path = req.path;
  let query = req.query;
  if (path === undefined) {
    let target = req.url ?? '/';
    const sep = target.indexOf('://');
    if (sep > 0 && sep < 8 && target[0] !== '/') {
      scheme ??= normalizeScheme(target.slice(0, sep));
      const rest = target.slice(sep + 3);
      const slash = rest.search(/[/?]/);
      const authority = slash < 0 ? rest : rest.slice(0, slash);
      host ??= stripDefaultPort(authority.slice(authority.lastIndexOf('@') + 1), scheme);
      target = slash < 0 ? '/' : rest[slash] === '?' ? `/${rest.slice(slash)}` : rest.slice(slash);
    }
    const q = target.indexOf('?');
    if (q >= 0) {
      path = target.slice(0, q);
      query ??= target.slice(q + 1);
    } else path = target;
    const hash = path.indexOf('#');
    if (hash >= 0) path = path.slice(0, hash);
  }
  if (host !== undefined) host = host.toLowerCase();
  return { path: path === '' ? '/' : path, query, scheme, host };
}

function normalizeScheme(value: string | undefined): ApiEvent['request']['scheme'] {
  if (value === undefined) return undefined;
  const s = value.toLowerCase();
  return s === 'http' || s === 'https' || s === 'ws' || s === 'wss' ? s : undefined;
}

function stripDefaultPort(authority: string, scheme: string | undefined): string {
  if ((scheme === 'https' || scheme === 'wss') && authority.endsWith(':443')) return authority.slice(0, -4);
  if ((scheme === 'http' || scheme === 'ws') && authority.endsWith(':80')) return authority.slice(0, -3);
  return authority;
}

/** Client-address resolution with its per-value caches (see `createEnricher`). */
interface AddressResolver {
  chain(forwardedFor: string): ForwardedChain;
  trustedPeer(peer: string): boolean;
  trusted: ReturnType<typeof compileIpRanges>;
}

/** An `X-Forwarded-For` value read: its hops, and the client they name when the peer is a trusted proxy. */
interface ForwardedChain {
  /** Shared by every event with the same value: never mutated. */
  hops: string[];
  client: string | undefined;
}

function resolveClient(parsed: ParsedEvent['client'], forwardedHeader: string | undefined, addresses: AddressResolver): EventClient {
  const client: EventClient = {};
  let ip = parsed.ip;
  const peer = parsed.peerIp;
  if (parsed.forwardedFor !== undefined && parsed.forwardedFor !== '') {
    const chain = addresses.chain(parsed.forwardedFor);
    if (ip === undefined) ip = peer !== undefined && !addresses.trustedPeer(peer) ? peer : chain.hops.length > 0 ? chain.client : peer;
    if (chain.hops.length > 0) client.forwardedFor = chain.hops;
  } else {
    const hops = forwardedHeader === undefined ? [] : splitForwardedHeader(forwardedHeader);
    ip ??= resolveClientAddress(peer, hops, addresses.trusted);
    if (hops.length > 0) client.forwardedFor = hops;
  }
  if (ip !== undefined) client.ip = ip;
  if (parsed.port !== undefined) client.port = parsed.port;
  if (peer !== undefined) client.peerIp = peer;
  if (parsed.userAgent !== undefined) client.userAgent = parsed.userAgent;
  if (parsed.tls !== undefined) client.tls = parsed.tls;
  return client;
}

interface IdentityResult {
  identity: EventIdentity;
  /** The raw JWT, kept only in memory for entity extraction. */
  jwtToken: string | undefined;
}

function readIdentity(
  parsed: ParsedEvent,
  authorization: AuthorizationReading | undefined,
  cookie: string | undefined,
  apiKey: string | undefined,
  sessionCookies: ReadonlySet<string>,
  tokenizer: Tokenizer,
): IdentityResult {
  const given = parsed.identity;
  const identity: EventIdentity = { authScheme: 'none' };
  let scheme: AuthScheme | undefined;
  let jwtToken: string | undefined;
  if (authorization !== undefined) {
    scheme = authorization.scheme;
    if (authorization.user !== undefined) identity.user = authorization.user;
    if (authorization.jwt !== undefined) identity.jwt = authorization.jwt;
    if (authorization.session !== undefined) identity.session = authorization.session;
    apiKey ??= authorization.apiKey;
    jwtToken = authorization.jwtToken;
  }
  if (apiKey !== undefined) {
    identity.apiKey = apiKey;
    scheme ??= 'api-key';
  }
  if (cookie !== undefined) {
    const session = findSessionCookie(cookie, sessionCookies);
    if (session !== undefined) {
      identity.session ??= tokenizer.token(session);
      scheme ??= 'cookie';
    }
  }
  if (parsed.client.tls?.clientCertSubject !== undefined) scheme ??= 'mtls';
  if (given !== undefined) {
    if (given.user !== undefined) identity.user ??= given.user;
    if (given.consumer !== undefined) identity.consumer = given.consumer;
    if (given.apiKey !== undefined) identity.apiKey ??= tokenizer.token(given.apiKey);
    if (given.session !== undefined) identity.session ??= tokenizer.token(given.session);
    if (given.jwt !== undefined) identity.jwt ??= given.jwt;
    if (given.authScheme !== undefined) scheme ??= given.authScheme;
    if (scheme === undefined && (given.consumer !== undefined || given.apiKey !== undefined)) scheme = 'api-key';
  }
  identity.authScheme = scheme ?? 'none';
  return { identity, jwtToken };
}

/** Distinct header values whose readings are kept (per cache). */
const READING_CACHE_SIZE = 10_000;

/** Characters of the end of a long Authorization value its cache entry is found by. */
const AUTHORIZATION_KEY_LENGTH = 32;

/** Distinct header names (as sent) whose treatment is kept (per cache; cleared when full). */
const HEADER_KIND_CACHE_SIZE = 1000;

/** What the enricher does with a header's value. */
type Treat = 'keep' | 'authorization' | 'credential' | 'cookie' | 'api-key' | 'secret' | 'set-cookie' | 'forwarded';

/** A header name as sent, read: its lower-case name and what is done with its value. */
interface HeaderKind {
  name: string;
  treat: Treat;
}

/** Reads header names as sent (any case) into their lower-case name and treatment, each distinct name once (bounded). */
function headerKinds(treatOf: (name: string) => Treat): (rawName: string) => HeaderKind {
  const kinds = new Map<string, HeaderKind>();
  return (rawName) => {
    let kind = kinds.get(rawName);
    if (kind === undefined) {
      const name = rawName.toLowerCase();
      kind = { name, treat: treatOf(name) };
      if (kinds.size >= HEADER_KIND_CACHE_SIZE) kinds.clear();
      kinds.set(rawName, kind);
    }
    return kind;
  };
}

/** What one `Authorization` value says. Shared by every event carrying the same value: never mutated. */
interface AuthorizationReading {
  /** The header as stored: scheme kept, credential tokenized. */
  header: string;
  scheme: AuthScheme | undefined;
  user?: string;
  jwt?: JwtClaims;
  /** The raw JWT, kept only in memory for entity extraction. */
  jwtToken?: string;
  session?: string;
  apiKey?: string;
}

function readAuthorization(authorization: string, jwtReading: JwtReading, tokenizer: Tokenizer): AuthorizationReading {
  const space = authorization.indexOf(' ');
  const credential = space < 0 ? '' : authorization.slice(space + 1).trim();
  // as `tokenizeCredential` writes it, with the credential's token made once
  const credentialToken = space < 0 ? undefined : tokenizer.token(credential);
  const header = space < 0 ? tokenizer.token(authorization) : `${authorization.slice(0, space)} ${credentialToken}`;
  const reading: AuthorizationReading = { header, scheme: undefined };
  const kind = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  if (kind === 'basic') {
    reading.scheme = 'basic';
    const basic = readBasicCredential(credential);
    // `sk_live_…:` (a key as the user name, no password) is an API key, not a person: keep only its token.
    if (basic?.keyLike === true) reading.apiKey = tokenizer.token(basic.user);
    else if (basic !== undefined) reading.user = basic.user;
  } else if (kind === 'bearer' && credential === '') {
    reading.scheme = 'bearer-opaque';
  } else if (kind === 'bearer') {
    if (looksLikeJwt(credential)) {
      reading.scheme = 'bearer-jwt';
      reading.jwtToken = credential;
      const decoded = decodeJwt(credential, jwtReading);
      if (decoded !== undefined) {
        reading.jwt = decoded.claims;
        if (decoded.user !== undefined) reading.user = decoded.user;
      }
    } else reading.scheme = 'bearer-opaque';
    reading.session = credentialToken;
  } else if (credential !== '' || kind !== '') {
    reading.scheme = 'api-key';
    reading.apiKey = tokenizer.token(authorization);
  }
  return reading;
}

const KEY_LIKE = /^[A-Za-z0-9_\-.]{20,}$/;

function readBasicCredential(credential: string): { user: string; keyLike: boolean } | undefined {
  try {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    if (user === '' || user.length > 256 || /[\u0000-\u001f]/.test(user)) return undefined;
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return { user, keyLike: password === '' && KEY_LIKE.test(user) };
  } catch {
    return undefined;
  }
}

function findSessionCookie(cookie: string, names: ReadonlySet<string>): string | undefined {
  for (const pair of cookie.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (names.has(pair.slice(0, eq).trim().toLowerCase())) {
      const value = pair.slice(eq + 1).trim();
      if (value !== '') return value;
    }
  }
  return undefined;
}

/** `Bearer abc` → `Bearer tok_…`; a value without a scheme becomes one token. */
function tokenizeCredential(value: string, tokenizer: Tokenizer): string {
  const space = value.indexOf(' ');
  if (space < 0) return tokenizer.token(value);
  return `${value.slice(0, space)} ${tokenizer.token(value.slice(space + 1).trim())}`;
}

/** `a=1; b=2` → `a=tok_…; b=tok_…` (names kept, every value tokenized, also a nameless cookie's). */
function tokenizeCookies(value: string, tokenizer: Tokenizer): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return tokenizer.token(pair.trim());
      return `${pair.slice(0, eq).trim()}=${tokenizer.token(pair.slice(eq + 1).trim())}`;
    })
    .join('; ');
}

/** `sid=abc; Path=/; HttpOnly` → `sid=tok_…; Path=/; HttpOnly` (attributes kept). */
function tokenizeSetCookie(value: string, tokenizer: Tokenizer): string {
  return value
    .split(/,(?=\s*[^;,=\s]+=)/)
    .map((cookie) => {
      const semi = cookie.indexOf(';');
      const first = semi < 0 ? cookie : cookie.slice(0, semi);
      const eq = first.indexOf('=');
      if (eq < 0) return `${tokenizer.token(first.trim())}${semi < 0 ? '' : cookie.slice(semi)}`;
      return `${first.slice(0, eq).trim()}=${tokenizer.token(first.slice(eq + 1).trim())}${semi < 0 ? '' : cookie.slice(semi)}`;
    })
    .join(', ');
}
