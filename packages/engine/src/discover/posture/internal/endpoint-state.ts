import type { DeclaredOperation } from '../../types.js';
import { type BurstCounter, createBurstCounter } from './burst-counter.js';

/** Names (parameters, properties, headers) and labels kept per tally. */
export const MAX_TALLY_NAMES = 32;
/** Paths of unauthenticated response bodies kept per endpoint. */
export const MAX_UNAUTHENTICATED_PATHS = 1024;
/** Unauthenticated 2xx response bodies parsed per endpoint (the paths they have settle quickly). */
export const MAX_UNAUTHENTICATED_BODIES = 200;
/** Distinct echoed CORS origins kept per endpoint. */
export const MAX_ECHOED_ORIGINS = 16;
/** Clients tracked per authentication endpoint for the rate-limit rule. */
export const MAX_BURST_CLIENTS = 10_000;
/** Requests by one client within one minute that make a burst. */
export const BURST_THRESHOLD = 20;

/** The security headers judged per response. */
export const SECURITY_HEADER_CHECKS = ['strict-transport-security', 'x-content-type-options', 'cache-control-no-store'] as const;
export type SecurityHeaderCheck = (typeof SECURITY_HEADER_CHECKS)[number];

/** Per-event observations, by what they are evidence of. */
export type TallyKey =
  | 'unauthenticated-2xx'
  | 'credentials-in-url'
  | 'jwt-none-accepted'
  | 'credentials-over-http'
  | 'mass-assignment'
  | 'verbose-errors'
  | 'version-disclosure'
  | 'cors-credentials'
  | 'cors-wildcard'
  | 'ssrf'
  | 'burst'
  | `missing:${SecurityHeaderCheck}`;

/** Events that showed one thing: how many, a few ids, and the names and labels involved (all capped). */
export interface Tally {
  requests: number;
  samples: string[];
  names: Set<string>;
  labels: Set<string>;
}

/** What the observer keeps about one endpoint. Every collection is capped. */
export interface EndpointState {
  host: string;
  method: string;
  path: string;
  declared: DeclaredOperation | undefined;
  events: number;
  /** Requests with an auth scheme other than `none`. */
  authenticated: number;
  tallies: Map<TallyKey, Tally>;
  /** Collapsed JSON paths of unauthenticated 2xx response bodies, and how many bodies were read. */
  unauthenticatedPaths: Set<string>;
  unauthenticatedHeaders: Set<string>;
  unauthenticatedBodies: number;
  /** Origins echoed in `Access-Control-Allow-Origin` with credentials (lower case). */
  echoedOrigins: Set<string>;
  /** Responses judged per security header. */
  judged: Record<SecurityHeaderCheck, number>;
  /** Present on POST endpoints that look like authentication. */
  burst: BurstCounter | undefined;
}

/** Creates the state of one endpoint. */
export function createEndpointState(host: string, method: string, path: string, trackBursts: boolean): EndpointState {
  return {
    host,
    method,
    path,
    declared: undefined,
    events: 0,
    authenticated: 0,
    tallies: new Map(),
    unauthenticatedPaths: new Set(),
    unauthenticatedHeaders: new Set(),
    unauthenticatedBodies: 0,
    echoedOrigins: new Set(),
    judged: { 'strict-transport-security': 0, 'x-content-type-options': 0, 'cache-control-no-store': 0 },
    burst: trackBursts ? createBurstCounter(MAX_BURST_CLIENTS, BURST_THRESHOLD) : undefined,
  };
}

/** Counts one event in a tally, keeping its id while fewer than `maxSamples` are kept. */
export function tally(state: EndpointState, key: TallyKey, eventId: string, maxSamples: number): Tally {
  let entry = state.tallies.get(key);
  if (entry === undefined) {
    entry = { requests: 0, samples: [], names: new Set(), labels: new Set() };
    state.tallies.set(key, entry);
  }
  entry.requests++;
  if (entry.samples.length < maxSamples && typeof eventId === 'string') entry.samples.push(eventId);
  return entry;
}

/** Adds to a capped set. */
export function addCapped(set: Set<string>, value: string, max = MAX_TALLY_NAMES): void {
  if (set.size < max) set.add(value);
}

/** The states gathered for one endpoint of the report, read together. */
export interface EndpointView {
  declared: DeclaredOperation | undefined;
  events: number;
  authenticated: number;
  tallies: ReadonlyMap<TallyKey, Tally>;
  unauthenticatedPaths: ReadonlySet<string>;
  unauthenticatedHeaders: ReadonlySet<string>;
  unauthenticatedBodies: number;
  echoedOrigins: ReadonlySet<string>;
  judged: Readonly<Record<SecurityHeaderCheck, number>>;
  /** Largest requests of one client in one window, and clients that reached the threshold. */
  burst: { max: number; clients: number } | undefined;
}

/**
 * Reads one or more states as one endpoint (a request's template can change after it was observed, so
 * several observed keys may end in one record). Never changes the states.
 */
export function viewOf(states: readonly EndpointState[], maxSamples: number): EndpointView | undefined {
  const first = states[0];
  if (first === undefined) return undefined;
  if (states.length === 1) {
    return { ...first, burst: first.burst === undefined ? undefined : { max: first.burst.max, clients: first.burst.clientsAtThreshold } };
  }
  const tallies = new Map<TallyKey, Tally>();
  const view = {
    declared: states.find((state) => state.declared !== undefined)?.declared,
    events: 0,
    authenticated: 0,
    tallies,
    unauthenticatedPaths: new Set<string>(),
    unauthenticatedHeaders: new Set<string>(),
    unauthenticatedBodies: 0,
    echoedOrigins: new Set<string>(),
    judged: { 'strict-transport-security': 0, 'x-content-type-options': 0, 'cache-control-no-store': 0 },
    burst: undefined as { max: number; clients: number } | undefined,
  };
  for (const state of states) {
    view.events += state.events;
    view.authenticated += state.authenticated;
    view.unauthenticatedBodies += state.unauthenticatedBodies;
    for (const path of state.unauthenticatedPaths) addCapped(view.unauthenticatedPaths, path, MAX_UNAUTHENTICATED_PATHS);
    for (const name of state.unauthenticatedHeaders) addCapped(view.unauthenticatedHeaders, name);
    for (const origin of state.echoedOrigins) addCapped(view.echoedOrigins, origin, MAX_ECHOED_ORIGINS);
    for (const check of Object.keys(view.judged) as SecurityHeaderCheck[]) view.judged[check] += state.judged[check];
    if (state.burst !== undefined) {
      view.burst ??= { max: 0, clients: 0 };
      view.burst.max = Math.max(view.burst.max, state.burst.max);
      view.burst.clients += state.burst.clientsAtThreshold;
    }
    for (const [key, entry] of state.tallies) {
      let merged = tallies.get(key);
      if (merged === undefined) {
        merged = { requests: 0, samples: [], names: new Set(), labels: new Set() };
        tallies.set(key, merged);
      }
      merged.requests += entry.requests;
      for (const id of entry.samples) if (merged.samples.length < maxSamples) merged.samples.push(id);
      for (const name of entry.names) addCapped(merged.names, name);
      for (const label of entry.labels) addCapped(merged.labels, label);
    }
  }
  return view;
}
