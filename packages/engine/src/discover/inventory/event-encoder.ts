import {
  API_EVENT_SCHEMA_VERSION,
  type ApiEvent,
  type AuthScheme,
  type BodySample,
  type ClientTls,
  createLineEncoder,
  type EncodedEvents,
  type EventEncoder,
  type EventIdentity,
  type EventProtection,
} from '@palisade/core';
import { createAttackReader } from '../../detect/attack-reader.js';
import { createFactReader, PRECOMPUTED, type PrecomputedFacts } from '../../detect/observation.js';

/**
 * The encoder module of the inventory store (`createInventoryStore`): parse workers hand each event to the
 * thread that owns the inventory as one JSON array holding only what the inventory and the posture
 * observer read — id, time, method, host, path, query, the request headers that can matter (everything but
 * credentials and browser/transport headers), bodies, response status and headers, latency, the identity's
 * scheme, consumer names and JWT `alg`, and the client address — and what behavioural detection reads
 * besides: the response size, the user, session and API key, the user agent, TLS facts and header
 * fingerprint (the client fingerprint), business entities and the sensor's findings, and the facts
 * detection reads of each event alone (attack classes, network, fingerprint: `PrecomputedFacts`, read in
 * the worker so that the thread running detection does not). Everything else
 * (source details, upstream, other attributes, JWT claims) stays in the worker: a full event costs more to
 * encode and decode than parsing it again.
 *
 * `inventory.test.ts` feeds one rich traffic sample to an inventory directly and through this encoding and
 * requires the same report.
 */
export async function createEventEncoder(): Promise<EventEncoder> {
  // what detection reads of each event alone (attack classes above all) is read here, in the parse worker
  const facts = createFactReader(await createAttackReader());
  return createLineEncoder((event) => JSON.stringify(project(event, facts(event))));
}

/** Decodes what {@link createEventEncoder} encoded: events with the fields the inventory reads. */
export function decodeEvents(encoded: EncodedEvents): ApiEvent[] {
  if (encoded.count === 0) return [];
  return encoded.data.split('\n').map((line) => restore(JSON.parse(line) as Projected));
}

/** Request headers the inventory and posture never read: credentials (the identity has them), browser and transport headers. */
const UNREAD_REQUEST_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'user-agent',
  'referer',
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'host',
  'cache-control',
  'pragma',
  'forwarded',
  'via',
  'upgrade-insecure-requests',
  'dnt',
  'te',
]);

type Headers = Record<string, string>;

/** The attribute in which the sensor records its HTTP header fingerprint. */
const HEADER_FINGERPRINT = 'client.header_fingerprint';

function hasAny(record: Record<string, string>): boolean {
  for (const _ in record) return true;
  return false;
}
type Query = Record<string, string | string[]>;

/**
 * [id, time, kind, method, path, host, scheme, queryParams, query, requestHeaders, requestBody,
 *  status, responseHeaders, responseBody, latencyMs, authScheme, user, consumer, apiKey, jwtAlg, ip, peerIp,
 *  responseSize, session, userAgent, tls, headerFingerprint, entities, protection, attacks, network, fingerprint]
 * with `null` for absent values; `jwtAlg` is `false` without a JWT and `null` for a JWT without `alg`.
 */
type Projected = [
  string,
  number,
  string,
  string,
  string,
  string | null,
  ApiEvent['request']['scheme'] | null,
  Query | null,
  string | null,
  Headers,
  BodySample | null,
  number | null,
  Headers | null,
  BodySample | null,
  number | null,
  AuthScheme,
  string | null,
  string | null,
  string | null,
  string | null | false,
  string | null,
  string | null,
  number | null,
  string | null,
  string | null,
  ClientTls | null,
  string | null,
  Record<string, string> | null,
  EventProtection | null,
  readonly string[] | null,
  string | null,
  string | null,
];

function project(event: ApiEvent, facts: PrecomputedFacts): Projected {
  const { request, response, identity, client } = event;
  const fingerprint = event.attributes?.[HEADER_FINGERPRINT];
  const headers: Headers = {};
  for (const name in request.headers) {
    if (!UNREAD_REQUEST_HEADERS.has(name) && !name.startsWith('sec-')) headers[name] = request.headers[name] as string;
  }
  return [
    event.id,
    event.time,
    event.source.kind,
    request.method,
    request.path,
    request.host ?? null,
    request.scheme ?? null,
    request.queryParams ?? null,
    request.query ?? null,
    headers,
    request.body ?? null,
    response === undefined ? null : response.status,
    response === undefined ? null : response.headers,
    response?.body ?? null,
    event.latencyMs ?? null,
    identity.authScheme,
    identity.user ?? null,
    identity.consumer ?? null,
    identity.apiKey ?? null,
    identity.jwt === undefined ? false : (identity.jwt.alg ?? null),
    client.ip ?? null,
    client.peerIp ?? null,
    response?.size ?? null,
    identity.session ?? null,
    client.userAgent ?? null,
    client.tls ?? null,
    typeof fingerprint === 'string' ? fingerprint : null,
    hasAny(event.entities) ? event.entities : null,
    event.protection ?? null,
    facts.attacks.length === 0 ? null : facts.attacks,
    facts.network ?? null,
    facts.fingerprint ?? null,
  ];
}

function restore(p: Projected): ApiEvent {
  const [
    id,
    time,
    kind,
    method,
    path,
    host,
    scheme,
    queryParams,
    query,
    headers,
    requestBody,
    status,
    responseHeaders,
    responseBody,
    latencyMs,
    authScheme,
    user,
    consumer,
    apiKey,
    jwtAlg,
    ip,
    peerIp,
    responseSize,
    session,
    userAgent,
    tls,
    headerFingerprint,
    entities,
    protection,
    attacks,
    network,
    fingerprint,
  ] = p;
  const request: ApiEvent['request'] = { method, path, headers };
  if (host !== null) request.host = host;
  if (scheme !== null) request.scheme = scheme;
  if (queryParams !== null) request.queryParams = queryParams;
  if (query !== null) request.query = query;
  if (requestBody !== null) request.body = requestBody;
  const identity: EventIdentity = { authScheme };
  if (user !== null) identity.user = user;
  if (session !== null) identity.session = session;
  if (consumer !== null) identity.consumer = consumer;
  if (apiKey !== null) identity.apiKey = apiKey;
  if (jwtAlg !== false) identity.jwt = jwtAlg === null ? {} : { alg: jwtAlg };
  const event: ApiEvent = {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id,
    time,
    source: { kind, name: '' },
    request,
    client: {},
    identity,
    entities: entities ?? {},
  };
  if (ip !== null) event.client.ip = ip;
  if (userAgent !== null) event.client.userAgent = userAgent;
  if (tls !== null) event.client.tls = tls;
  if (headerFingerprint !== null) event.attributes = { [HEADER_FINGERPRINT]: headerFingerprint };
  if (protection !== null) event.protection = protection;
  (event as ApiEvent & { [PRECOMPUTED]?: PrecomputedFacts })[PRECOMPUTED] = {
    attacks: attacks ?? [],
    network: network ?? undefined,
    fingerprint: fingerprint ?? undefined,
  };
  if (peerIp !== null) event.client.peerIp = peerIp;
  if (status !== null) {
    event.response = { status, headers: responseHeaders ?? {} };
    if (responseBody !== null) event.response.body = responseBody;
    if (responseSize !== null) event.response.size = responseSize;
  }
  if (latencyMs !== null) event.latencyMs = latencyMs;
  return event;
}
