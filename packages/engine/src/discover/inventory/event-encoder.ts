import {
  API_EVENT_SCHEMA_VERSION,
  type ApiEvent,
  type AuthScheme,
  type BodySample,
  type ClientTls,
  type EncodedEvents,
  type EventEncoder,
  type EventIdentity,
  type EventProtection,
} from '@palisade/core';
import { createAttackReader } from '../../detect/attack-reader.js';
import { createFactReader, PRECOMPUTED, type PrecomputedFacts } from '../../detect/observation.js';

/**
 * The encoder module of the inventory store (`createInventoryStore`): parse workers hand the thread that owns
 * the inventory only what the inventory and the posture observer read — id, time, method, host, path, query,
 * the request headers that can matter (everything but credentials and browser/transport headers), bodies,
 * response status and headers, latency, the identity's scheme, consumer names and JWT `alg`, and the client
 * address — and what behavioural detection reads besides: the response size, the user, session and API key,
 * the user agent, TLS facts and header fingerprint (the client fingerprint), business entities and the
 * sensor's findings, and the facts detection reads of each event alone (attack classes, network,
 * fingerprint: `PrecomputedFacts`, read in the worker so that the thread running detection does not).
 * Everything else (source details, upstream, other attributes, JWT claims) stays in the worker.
 *
 * The encoding is a string table and two typed arrays ({@link PackedEvents}): log fields repeat (hosts,
 * users, addresses, user agents, networks, paths, header sets), so each distinct short string crosses to the
 * main thread once and every event after it is a few integers. The main thread then holds one copy of each
 * string, which also makes its maps cheaper (a string's hash is computed once). A string as long as a body
 * sample crosses with its batch only. Each encoder has its own table; batches must be decoded in the order
 * they were taken (a decoder checks it), as the ingestor applies a worker's slabs in stream order.
 *
 * `inventory.test.ts` feeds one rich traffic sample to an inventory directly and through this encoding and
 * requires the same report; `streaming.test.ts` requires the same observations.
 */
export async function createEventEncoder(): Promise<EventEncoder<PackedEvents>> {
  // what detection reads of each event alone (attack classes above all) is read here, in the parse worker
  const facts = createFactReader(await createAttackReader());
  return createPackingEncoder(facts);
}

/** A batch of events as {@link createEventEncoder} writes them. */
export interface PackedEvents {
  /** The encoder whose string table the codes index (one per parse worker). */
  table: number;
  /** The table's generation: an encoder starts its table afresh when it grows past its bounds. */
  generation: number;
  /** The size of the table before this batch; `strings` continue it. */
  base: number;
  /** Strings this batch adds to the table, in code order. */
  strings: string[];
  /** Long strings this batch carries without adding them to the table (codes `INLINE - i`). */
  inline: string[];
  /** `STRING_FIELDS` codes per event: a table index, `ABSENT`, `NO_JWT` or an inline string. */
  codes: Int32Array;
  /** `NUMBER_FIELDS` per event; `NaN` when absent. */
  numbers: Float64Array;
}

/** Decodes the batches of any number of {@link createEventEncoder} encoders (batches of each in the order they were taken). */
export type EventDecoder = (encoded: EncodedEvents) => ApiEvent[];

/** Decodes one batch (the first an encoder took): for tests and single batches. */
export function decodeEvents(encoded: EncodedEvents): ApiEvent[] {
  return createEventDecoder()(encoded);
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

// The string fields of an event, in `codes` order. Those marked (JSON) are objects, written as JSON text.
const KIND = 0;
const METHOD = 1;
const PATH = 2;
const HOST = 3;
const SCHEME = 4;
const QUERY_PARAMS = 5; // (JSON)
const QUERY = 6;
const REQUEST_HEADERS = 7; // (JSON)
const REQUEST_BODY = 8; // (JSON)
const RESPONSE_HEADERS = 9; // (JSON)
const RESPONSE_BODY = 10; // (JSON)
const AUTH_SCHEME = 11;
const USER = 12;
const CONSUMER = 13;
const API_KEY = 14;
const JWT_ALG = 15;
const IP = 16;
const PEER_IP = 17;
const SESSION = 18;
const USER_AGENT = 19;
const TLS = 20; // (JSON)
const HEADER_FINGERPRINT_FIELD = 21;
const ENTITIES = 22; // (JSON)
const PROTECTION = 23; // (JSON)
const ATTACKS = 24; // (JSON)
const NETWORK = 25;
const FINGERPRINT = 26;
const STRING_FIELDS = 27;

// The number fields, in `numbers` order.
const TIME = 0;
const STATUS = 1;
const LATENCY = 2;
const RESPONSE_SIZE = 3;
const NUMBER_FIELDS = 4;

/** The code of an absent value. */
const ABSENT = -1;
/** The JWT `alg` code of an event without a JWT (`ABSENT` is a JWT without `alg`). */
const NO_JWT = -2;
/** The code of a batch's first inline string; the next ones count down. */
const INLINE = -3;

/** Strings longer than this (body samples, long queries) cross with their batch and are not remembered. */
const MAX_TABLE_STRING = 256;
/** A table is started afresh past this many strings or characters: the worker and main thread each hold one. */
const MAX_TABLE_STRINGS = 1 << 18;
const MAX_TABLE_CHARS = 16 << 20;

/** Events in the typed arrays an encoder starts with (they grow as needed and are reused between batches). */
const INITIAL_EVENTS = 1024;

/** How large an encoder's string table may grow before it starts afresh. */
export interface TableBounds {
  strings: number;
  chars: number;
}

/** The encoder of {@link createEventEncoder}, with the facts reader and table bounds given (tests use small bounds). */
export function createPackingEncoder(
  facts: (event: ApiEvent) => PrecomputedFacts,
  bounds: TableBounds = { strings: MAX_TABLE_STRINGS, chars: MAX_TABLE_CHARS },
): EventEncoder<PackedEvents> {
  const table = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
  let generation = 0;
  let codesOf = new Map<string, number>();
  let chars = 0;
  let base = 0;
  let strings: string[] = [];
  let inline: string[] = [];
  let codes = new Int32Array(INITIAL_EVENTS * STRING_FIELDS);
  let numbers = new Float64Array(INITIAL_EVENTS * NUMBER_FIELDS);
  let count = 0;
  let ids: string[] = [];
  let kinds: Record<string, number> = {};
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;

  const code = (value: string | undefined): number => {
    if (value === undefined) return ABSENT;
    if (value.length > MAX_TABLE_STRING) return INLINE - (inline.push(value) - 1);
    let c = codesOf.get(value);
    if (c === undefined) {
      c = codesOf.size;
      codesOf.set(value, c);
      strings.push(value);
      chars += value.length;
    }
    return c;
  };
  const json = (value: unknown): number => (value === undefined ? ABSENT : code(JSON.stringify(value)));

  return {
    add(event: ApiEvent): void {
      if (count * STRING_FIELDS === codes.length) {
        const grown = new Int32Array(codes.length * 2);
        grown.set(codes);
        codes = grown;
        const grownNumbers = new Float64Array(numbers.length * 2);
        grownNumbers.set(numbers);
        numbers = grownNumbers;
      }
      const { request, response, identity, client } = event;
      const fact = facts(event);
      const fingerprint = event.attributes?.[HEADER_FINGERPRINT];
      const headers: Headers = {};
      for (const name in request.headers) {
        if (!UNREAD_REQUEST_HEADERS.has(name) && !name.startsWith('sec-')) headers[name] = request.headers[name] as string;
      }
      const c = count * STRING_FIELDS;
      codes[c + KIND] = code(event.source.kind);
      codes[c + METHOD] = code(request.method);
      codes[c + PATH] = code(request.path);
      codes[c + HOST] = code(request.host);
      codes[c + SCHEME] = code(request.scheme);
      codes[c + QUERY_PARAMS] = json(request.queryParams);
      codes[c + QUERY] = code(request.query);
      codes[c + REQUEST_HEADERS] = json(headers);
      codes[c + REQUEST_BODY] = json(request.body);
      codes[c + RESPONSE_HEADERS] = json(response?.headers);
      codes[c + RESPONSE_BODY] = json(response?.body);
      codes[c + AUTH_SCHEME] = code(identity.authScheme);
      codes[c + USER] = code(identity.user);
      codes[c + CONSUMER] = code(identity.consumer);
      codes[c + API_KEY] = code(identity.apiKey);
      codes[c + JWT_ALG] = identity.jwt === undefined ? NO_JWT : code(identity.jwt.alg);
      codes[c + IP] = code(client.ip);
      codes[c + PEER_IP] = code(client.peerIp);
      codes[c + SESSION] = code(identity.session);
      codes[c + USER_AGENT] = code(client.userAgent);
      codes[c + TLS] = json(client.tls);
      codes[c + HEADER_FINGERPRINT_FIELD] = typeof fingerprint === 'string' ? code(fingerprint) : ABSENT;
      codes[c + ENTITIES] = hasAny(event.entities) ? json(event.entities) : ABSENT;
      codes[c + PROTECTION] = json(event.protection);
      codes[c + ATTACKS] = fact.attacks.length === 0 ? ABSENT : json(fact.attacks);
      codes[c + NETWORK] = code(fact.network);
      codes[c + FINGERPRINT] = code(fact.fingerprint);
      const n = count * NUMBER_FIELDS;
      numbers[n + TIME] = event.time;
      numbers[n + STATUS] = response === undefined ? Number.NaN : response.status;
      numbers[n + LATENCY] = event.latencyMs ?? Number.NaN;
      numbers[n + RESPONSE_SIZE] = response?.size ?? Number.NaN;
      count++;
      ids.push(event.id);
      kinds[event.source.kind] = (kinds[event.source.kind] ?? 0) + 1;
      if (event.time < minTime) minTime = event.time;
      if (event.time > maxTime) maxTime = event.time;
    },
    take(): EncodedEvents<PackedEvents> {
      const data: PackedEvents = {
        table,
        generation,
        base,
        strings,
        inline,
        codes: codes.slice(0, count * STRING_FIELDS),
        numbers: numbers.slice(0, count * NUMBER_FIELDS),
      };
      const taken: EncodedEvents<PackedEvents> = { data, count, ids, kinds, minTime, maxTime };
      if (codesOf.size >= bounds.strings || chars >= bounds.chars) {
        generation++;
        codesOf = new Map();
        chars = 0;
      }
      base = codesOf.size;
      strings = [];
      inline = [];
      count = 0;
      ids = [];
      kinds = {};
      minTime = Number.POSITIVE_INFINITY;
      maxTime = Number.NEGATIVE_INFINITY;
      return taken;
    },
  };
}

/** One encoder's string table as a decoder holds it, with the objects its JSON strings were parsed into. */
interface Table {
  generation: number;
  strings: string[];
  objects: unknown[];
}

/** Creates a decoder: it keeps each encoder's string table between batches. */
export function createEventDecoder(): EventDecoder {
  const tables = new Map<number, Table>();
  return (encoded) => {
    if (encoded.count === 0) return [];
    const packed = encoded.data as PackedEvents;
    let table = tables.get(packed.table);
    if (table === undefined || table.generation !== packed.generation) {
      table = { generation: packed.generation, strings: [], objects: [] };
      tables.set(packed.table, table);
    }
    if (packed.base !== table.strings.length) {
      throw new Error(
        `encoded events decoded out of order: a batch continues a table of ${packed.base} strings, not ${table.strings.length}`,
      );
    }
    for (const s of packed.strings) table.strings.push(s);
    const events: ApiEvent[] = new Array(encoded.count);
    for (let i = 0; i < encoded.count; i++) events[i] = restore(encoded.ids[i] as string, packed, i, table);
    return events;
  };
}

function restore(id: string, packed: PackedEvents, i: number, table: Table): ApiEvent {
  const { codes, numbers, inline } = packed;
  const c = i * STRING_FIELDS;
  const n = i * NUMBER_FIELDS;
  const text = (field: number): string | undefined => {
    const at = codes[c + field] as number;
    return at >= 0 ? table.strings[at] : at <= INLINE ? inline[INLINE - at] : undefined;
  };
  // an object repeated between events (a header set, TLS facts) is parsed once and shared, frozen; a long one is parsed per event
  const object = <T>(field: number): T | undefined => {
    const at = codes[c + field] as number;
    if (at >= 0) {
      let value = table.objects[at];
      if (value === undefined) {
        value = Object.freeze(JSON.parse(table.strings[at] as string));
        table.objects[at] = value;
      }
      return value as T;
    }
    return at <= INLINE ? (JSON.parse(inline[INLINE - at] as string) as T) : undefined;
  };
  const request: ApiEvent['request'] = {
    method: text(METHOD) as string,
    path: text(PATH) as string,
    headers: object<Headers>(REQUEST_HEADERS) ?? {},
  };
  const host = text(HOST);
  if (host !== undefined) request.host = host;
  const scheme = text(SCHEME);
  if (scheme !== undefined) request.scheme = scheme as ApiEvent['request']['scheme'];
  const queryParams = object<Query>(QUERY_PARAMS);
  if (queryParams !== undefined) request.queryParams = queryParams;
  const query = text(QUERY);
  if (query !== undefined) request.query = query;
  const requestBody = object<BodySample>(REQUEST_BODY);
  if (requestBody !== undefined) request.body = requestBody;
  const identity: EventIdentity = { authScheme: text(AUTH_SCHEME) as AuthScheme };
  const user = text(USER);
  if (user !== undefined) identity.user = user;
  const session = text(SESSION);
  if (session !== undefined) identity.session = session;
  const consumer = text(CONSUMER);
  if (consumer !== undefined) identity.consumer = consumer;
  const apiKey = text(API_KEY);
  if (apiKey !== undefined) identity.apiKey = apiKey;
  if (codes[c + JWT_ALG] !== NO_JWT) {
    const alg = text(JWT_ALG);
    identity.jwt = alg === undefined ? {} : { alg };
  }
  const time = numbers[n + TIME] as number;
  const event: ApiEvent = {
    schemaVersion: API_EVENT_SCHEMA_VERSION,
    id,
    time,
    source: { kind: text(KIND) as ApiEvent['source']['kind'], name: '' },
    request,
    client: {},
    identity,
    entities: object<Record<string, string>>(ENTITIES) ?? {},
  };
  const ip = text(IP);
  if (ip !== undefined) event.client.ip = ip;
  const userAgent = text(USER_AGENT);
  if (userAgent !== undefined) event.client.userAgent = userAgent;
  const tls = object<ClientTls>(TLS);
  if (tls !== undefined) event.client.tls = tls;
  const headerFingerprint = text(HEADER_FINGERPRINT_FIELD);
  if (headerFingerprint !== undefined) event.attributes = { [HEADER_FINGERPRINT]: headerFingerprint };
  const protection = object<EventProtection>(PROTECTION);
  if (protection !== undefined) event.protection = protection;
  (event as ApiEvent & { [PRECOMPUTED]?: PrecomputedFacts })[PRECOMPUTED] = {
    attacks: object<readonly string[]>(ATTACKS) ?? [],
    network: text(NETWORK),
    fingerprint: text(FINGERPRINT),
  };
  const peerIp = text(PEER_IP);
  if (peerIp !== undefined) event.client.peerIp = peerIp;
  const status = numbers[n + STATUS] as number;
  if (!Number.isNaN(status)) {
    event.response = { status, headers: object<Headers>(RESPONSE_HEADERS) ?? {} };
    const responseBody = object<BodySample>(RESPONSE_BODY);
    if (responseBody !== undefined) event.response.body = responseBody;
    const size = numbers[n + RESPONSE_SIZE] as number;
    if (!Number.isNaN(size)) event.response.size = size;
  }
  const latencyMs = numbers[n + LATENCY] as number;
  if (!Number.isNaN(latencyMs)) event.latencyMs = latencyMs;
  return event;
}
