import { createHash } from 'node:crypto';
import type { ApiEvent } from '@palisade/core';
import { createPathTemplater, type PathTemplater } from '../discover/templating/templater.js';
import type { DeclaredApi } from '../discover/types.js';

/**
 * What behavioural detection reads of one transaction: who (the entities), what (endpoint template, object
 * ids, login attempt, attack classes) and how it went (status, bytes). Built once per event by an
 * {@link Observer}; detectors never read the `ApiEvent` itself.
 */
export interface Observation {
  id: string;
  /** Epoch ms: the detection clock (replays of old logs run on the logs' time). */
  time: number;
  ip?: string;
  /** The client's network: the /24 of an IPv4 address, the /48 of an IPv6 one. */
  network?: string;
  user?: string;
  /** The consumer's name when the source gives one, else the key's token. */
  apiKey?: string;
  session?: string;
  /** The client software: TLS JA4/JA3 or the sensor's header fingerprint, else a digest of user agent and TLS facts. */
  fingerprint?: string;
  host: string;
  method: string;
  /** The endpoint's path template (`/v2/invoices/{invoiceId}`), learned from traffic or taken from a declared spec. */
  template: string;
  /** `METHOD host template`: one key per endpoint. */
  endpoint: string;
  /** The values of the template's parameters, in order (`['5002185']`). */
  objectIds: string[];
  /** `template\0ids`: the object the request names, one string per observation (rules count distinct objects by it). */
  objectKey?: string;
  /** The raw query string, when there is one. */
  query?: string;
  status?: number;
  /** Response body bytes. */
  bytesOut?: number;
  /** A login attempt: a keyed digest of the user name tried, and whether it worked. */
  login?: { username: string; ok: boolean };
  /** Attack classes the request carries (`sqli`, `xss`, …), from the signatures. */
  attacks: readonly string[];
  /** Business entities from the configured extractors (`{ accountId: '8812' }`). */
  entities: Readonly<Record<string, string>>;
}

/**
 * Turns events into observations. Learns endpoint templates as it goes (feed it events in time order), unless
 * the caller has templated the event already: `template` is its template, or `null` when the caller's
 * templater found no endpoint (a 404), in which case the observer asks `ObserverOptions.resolve`.
 */
export type Observer = (event: ApiEvent, template?: string | null) => Observation;

/** Settings of an observer. */
export interface ObserverOptions {
  declared?: readonly DeclaredApi[];
  /** Reads attack classes from a request; none when absent. */
  attacks?: (event: ApiEvent) => readonly string[];
  /** Key of the digest of login user names (so that they link without being kept). */
  secret?: Uint8Array;
  /** The caller's template of a path it learned nothing from (a 404), when the caller templates events itself. */
  resolve?: (request: { host: string; method: string; path: string }) => string | undefined;
}

const NO_ATTACKS: readonly string[] = Object.freeze([]);
const NO_IDS: string[] = Object.freeze([]) as unknown as string[];
const NO_ENTITIES: Readonly<Record<string, string>> = Object.freeze({});

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return false;
  return true;
}

/**
 * What a parse worker may have read of an event already (attack classes, network, fingerprint), attached to
 * the event under {@link PRECOMPUTED} so that the thread running detection does not read it again.
 */
export interface PrecomputedFacts {
  attacks: readonly string[];
  network: string | undefined;
  fingerprint: string | undefined;
}

/** The key of an event's {@link PrecomputedFacts} (a symbol: never serialised, never part of the event's schema). */
export const PRECOMPUTED: unique symbol = Symbol('palisade.detection.precomputed');

/** An event that may carry precomputed facts. */
type WithFacts = ApiEvent & { [PRECOMPUTED]?: PrecomputedFacts };

/**
 * Reads the facts of an event that do not depend on other events — attack classes, network, fingerprint —
 * as the observer would: what a parse worker computes and attaches under {@link PRECOMPUTED}.
 */
export function createFactReader(attacks?: (event: ApiEvent) => readonly string[]): (event: ApiEvent) => PrecomputedFacts {
  const fingerprints = new Map<string, string>();
  const networks = new Map<string, string>();
  return (event) => {
    const ip = event.client.ip;
    return {
      attacks: attacks === undefined ? NO_ATTACKS : attacks(event),
      // an IPv4 network costs less to cut than to look up; IPv6 ones are expanded first, so they are remembered
      network: ip === undefined ? undefined : ip.includes(':') ? cached(networks, ip, () => networkOf(ip)) : networkOf(ip),
      fingerprint: fingerprintOf(event, fingerprints),
    };
  };
}

function cached<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    if (map.size >= 50_000) map.clear();
    map.set(key, value);
  }
  return value;
}

/** Creates an observer. */
export function createObserver(options: ObserverOptions = {}): Observer {
  const templater: PathTemplater = createPathTemplater({ declared: options.declared });
  const readFacts = createFactReader(options.attacks);
  const secret = options.secret ?? new Uint8Array(0);
  const usernames = new Map<string, string>();
  const endpoints = createEndpointNames();
  const objectsOf = createObjectReader();

  const resolve = options.resolve;
  return (event, known) => {
    const { request, response, client, identity } = event;
    const host = request.host ?? '';
    const method = request.method;
    // a 404 does not teach the templater, but a path it matches still names an object (`/v2/invoices/999…`)
    const template =
      known === undefined
        ? (templater.observe({ host, method, path: request.path, status: response?.status }) ??
          templater.resolve({ host, method, path: request.path }) ??
          request.path)
        : (known ?? resolve?.({ host, method, path: request.path }) ?? request.path);
    const facts = (event as WithFacts)[PRECOMPUTED] ?? readFacts(event);
    const ip = client.ip;
    const apiKey = identity.consumer ?? identity.apiKey;
    // every field is set, in one order, present or not: one shape for every observation, so that the rules'
    // readers stay monomorphic (optional fields added one by one made a shape per combination)
    const object = template.includes('{') ? objectsOf(request.path, template) : undefined;
    const objectIds = object === undefined ? NO_IDS : object.ids;
    const observation: Observation = {
      id: event.id,
      time: event.time,
      ip,
      network: ip === undefined ? undefined : facts.network,
      user: identity.user,
      apiKey,
      session: identity.session,
      fingerprint: facts.fingerprint,
      host,
      method,
      template,
      endpoint: endpoints(method, host, template),
      objectIds,
      objectKey: object?.key,
      query: request.query === '' ? undefined : request.query,
      status: response?.status,
      bytesOut: response?.size,
      login: undefined,
      attacks: facts.attacks.length > 0 ? facts.attacks : NO_ATTACKS,
      // most events name no business entity: one shared empty record, not one per kept observation
      entities: isEmpty(event.entities) ? NO_ENTITIES : event.entities,
    };
    if (method === 'POST' && LOGIN_PATH.test(template) && response !== undefined) {
      const name = loginName(request.body?.text);
      if (name !== undefined) {
        const digest = cached(usernames, name, () =>
          createHash('sha256').update(secret).update(name.toLowerCase()).digest('base64url').slice(0, 16),
        );
        observation.login = { username: digest, ok: response.status < 400 };
      }
    }
    return observation;
  };
}

/**
 * Names endpoints (`METHOD host template`) with one string per endpoint: the rules key their groups by it,
 * and a string built afresh for every event had to be copied flat and hashed again at every lookup.
 * Templates are few, so the table stays small (and is emptied should it ever grow past 100,000).
 */
function createEndpointNames(): (method: string, host: string, template: string) => string {
  const byTemplate = new Map<string, Array<{ method: string; host: string; name: string }>>();
  let size = 0;
  return (method, host, template) => {
    let known = byTemplate.get(template);
    if (known === undefined) {
      if (size >= 100_000) {
        byTemplate.clear();
        size = 0;
      }
      known = [];
      byTemplate.set(template, known);
    }
    for (const e of known) if (e.method === method && e.host === host) return e.name;
    const name = `${method} ${host}${template}`;
    known.push({ method, host, name });
    size++;
    return name;
  };
}

/** The object a path names under its template: its ids and key. */
interface NamedObject {
  template: string;
  ids: string[];
  key: string | undefined;
}

/** Paths whose object is remembered at most (the table is emptied when full). */
const MAX_REMEMBERED_PATHS = 50_000;

/**
 * Reads the object a request names from its path and template, remembering it per path: the same paths
 * come back (a product page, an order polled), and observations of one object kept by the windows then
 * share one ids array and one key instead of a copy each.
 */
function createObjectReader(): (path: string, template: string) => NamedObject {
  let byPath = new Map<string, NamedObject>();
  return (path, template) => {
    let object = byPath.get(path);
    if (object === undefined || object.template !== template) {
      // shared by every observation of the object: frozen, so that no reader can change another's
      const ids = Object.freeze(parameterValues(path, template)) as string[];
      object = { template, ids, key: ids.length === 0 ? undefined : objectKeyOf(template, ids) };
      if (byPath.size >= MAX_REMEMBERED_PATHS) byPath = new Map();
      byPath.set(path, object);
    }
    return object;
  };
}

/** Login endpoints: the last segments name signing in or getting a token. */
const LOGIN_PATH = /\/(?:log-?in|sign-?in|auth(?:enticate)?|session|sessions|token|oauth2?\/token)\/?$/i;
const LOGIN_FIELDS = ['username', 'userName', 'user_name', 'email', 'login', 'user', 'emailAddress', 'account'];
const LOGIN_FIELD = new RegExp(`"(?:${LOGIN_FIELDS.join('|')})"\\s*:\\s*"((?:[^"\\\\]|\\\\.){1,256})"`);
const LOGIN_FORM = new RegExp(`(?:^|&)(?:${LOGIN_FIELDS.join('|')})=([^&]{1,256})`);

/** The user name a login body tries (JSON or form), if it names one. */
function loginName(body: string | undefined): string | undefined {
  if (body === undefined || body === '') return undefined;
  const json = LOGIN_FIELD.exec(body);
  if (json !== null) return json[1];
  const form = LOGIN_FORM.exec(body);
  if (form === null) return undefined;
  try {
    return decodeURIComponent((form[1] as string).replaceAll('+', ' '));
  } catch {
    return form[1];
  }
}

/** The key of the object a request names (`template\0id/id`). */
export function objectKeyOf(template: string, objectIds: readonly string[]): string {
  return `${template}\u0000${objectIds.join('/')}`;
}

/** The path segments at the template's `{parameter}` positions. */
function parameterValues(path: string, template: string): string[] {
  const values: string[] = [];
  const parts = template.split('/');
  const segments = path.split('/');
  for (let i = 0; i < parts.length && i < segments.length; i++) {
    const part = parts[i] as string;
    if (part.startsWith('{')) {
      const close = part.indexOf('}');
      const suffix = part.slice(close + 1);
      const segment = segments[i] as string;
      values.push(suffix !== '' && segment.endsWith(suffix) ? segment.slice(0, -suffix.length) : segment);
    }
  }
  return values;
}

/** The /24 of an IPv4 address, the /48 of an IPv6 one. */
export function networkOf(ip: string): string {
  if (ip.includes(':')) {
    const groups = expandIpv6(ip);
    return groups === undefined ? ip : `${groups.slice(0, 3).join(':')}::/48`;
  }
  const last = ip.lastIndexOf('.');
  return last < 0 ? ip : `${ip.slice(0, last)}.0/24`;
}

function expandIpv6(ip: string): string[] | undefined {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  if (tail === undefined && left.length !== 8) return undefined;
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

function fingerprintOf(event: ApiEvent, cache: Map<string, string>): string | undefined {
  const tls = event.client.tls;
  if (tls?.ja4 !== undefined) return `ja4:${tls.ja4}`;
  if (tls?.ja3 !== undefined) return `ja3:${tls.ja3}`;
  const header = event.attributes?.['client.header_fingerprint'];
  if (typeof header === 'string') return `h:${header}`;
  const agent = event.client.userAgent;
  if (agent === undefined) return undefined;
  const key = `${agent}\u0000${tls?.version ?? ''}\u0000${tls?.cipher ?? ''}`;
  return cached(cache, key, () => `ua:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);
}
