import type { ApiEvent } from '@palisade/core';
import type { EndpointRecord, Finding } from '../report-types.js';
import type { DeclaredOperation } from '../types.js';
import { isAuthenticationPath } from './internal/auth-path.js';
import { createEndpointState, type EndpointState, viewOf } from './internal/endpoint-state.js';
import { observeEvent } from './internal/observe-event.js';
import { compareFindings, endpointFindings, hostFindings, type ReportEndpoint, weightOf } from './internal/report.js';

/** The endpoint an event belongs to: host, upper-case method and path template. */
export interface EndpointKey {
  host: string;
  method: string;
  path: string;
}

/**
 * Judges the security posture of the APIs in the traffic, as OWASP API Security Top 10 (2023) findings.
 * Not safe for concurrent use; one observer per analysis.
 */
export interface PostureObserver {
  /** Looks at one event of an endpoint (declared: the spec operation it matched, if any). Never throws on content. */
  observe(event: ApiEvent, endpoint: EndpointKey, declared?: DeclaredOperation): void;
  /** Findings for the endpoints (records from the inventory; `declaredHosts` = hosts that have a loaded spec). */
  findings(endpoints: readonly EndpointRecord[], context: { declaredHosts: ReadonlySet<string> }): Finding[];
}

/** Options of {@link createPostureObserver}. */
export interface PostureObserverOptions {
  /** Event ids kept per finding as examples (default 5). */
  maxSamples?: number;
}

/** Event ids kept per finding by default. */
export const DEFAULT_MAX_SAMPLES = 5;

/**
 * Creates a posture observer. `observe` keeps bounded evidence per endpoint (counts, a few event ids, capped
 * sets of names, a bounded per-client window on authentication endpoints); it never keeps values, bodies or
 * secrets, and reads time only from `event.time`. `findings` reads that evidence together with the
 * inventory's records; it can be called any number of times and does not change what was observed.
 *
 * When an endpoint's template changed after some of its events were observed (the templater can turn a
 * literal into a parameter later), evidence kept under the old key is credited to the record whose template
 * matches it.
 *
 * @example
 * const posture = createPostureObserver();
 * for (const { event, endpoint, declared } of classified) posture.observe(event, endpoint, declared);
 * const findings = posture.findings(records, { declaredHosts: new Set(['api.example.com']) });
 * for (const record of records) record.risk = riskOf(findings.filter((f) => f.host === record.host && f.endpoint?.path === record.path && f.endpoint.method === record.method));
 */
export function createPostureObserver(options: PostureObserverOptions = {}): PostureObserver {
  const maxSamples = Math.max(0, Math.floor(options.maxSamples ?? DEFAULT_MAX_SAMPLES));
  const states = new Map<string, EndpointState>();

  return {
    observe(event, endpoint, declared) {
      const method = endpoint.method.toUpperCase();
      const key = keyOf(endpoint.host, method, endpoint.path);
      let state = states.get(key);
      if (state === undefined) {
        state = createEndpointState(endpoint.host, method, endpoint.path, method === 'POST' && isAuthenticationPath(endpoint.path));
        states.set(key, state);
      }
      if (declared !== undefined) state.declared ??= declared;
      observeEvent(state, event, maxSamples);
    },

    findings(endpoints, context) {
      const gathered = gatherStates(endpoints, states);
      const byHost = new Map<string, ReportEndpoint[]>();
      const out: Finding[] = [];
      endpoints.forEach((record, i) => {
        const endpoint: ReportEndpoint = { record, view: viewOf(gathered[i] ?? [], maxSamples) };
        out.push(...endpointFindings(endpoint, context.declaredHosts, maxSamples));
        let hosted = byHost.get(record.host);
        if (hosted === undefined) {
          hosted = [];
          byHost.set(record.host, hosted);
        }
        hosted.push(endpoint);
      });
      for (const [host, hosted] of byHost) out.push(...hostFindings(host, hosted, context.declaredHosts, maxSamples));
      return out.sort(compareFindings);
    },
  };
}

/**
 * The risk of one endpoint, 0–100, from its findings: critical 40, high 25, medium 10, low 3, info 0 points
 * each, capped at 100. `findings` lists the rule ids once each, heaviest first (then by id).
 *
 * @example
 * riskOf([{ id: 'posture/bola-prone', severity: 'high', … }]); // { score: 25, findings: ['posture/bola-prone'] }
 */
export function riskOf(findings: readonly Finding[]): { score: number; findings: string[] } {
  let score = 0;
  const weights = new Map<string, number>();
  for (const finding of findings) {
    const weight = weightOf(finding);
    score += weight;
    weights.set(finding.id, Math.max(weight, weights.get(finding.id) ?? 0));
  }
  const ids = [...weights.keys()].sort((a, b) => (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  return { score: Math.min(100, score), findings: ids };
}

function keyOf(host: string, method: string, path: string): string {
  return `${host}\u0000${method}\u0000${path}`;
}

/**
 * The observed states of each record, by index: its own key, plus states whose key is no record's and
 * whose path the record's template matches (the most specific template wins).
 */
function gatherStates(endpoints: readonly EndpointRecord[], states: ReadonlyMap<string, EndpointState>): EndpointState[][] {
  const gathered: EndpointState[][] = endpoints.map(() => []);
  const claimed = new Set<string>();
  const byHostMethod = new Map<string, number[]>();
  endpoints.forEach((record, i) => {
    const method = record.method.toUpperCase();
    const key = keyOf(record.host, method, record.path);
    const state = states.get(key);
    if (state !== undefined && !claimed.has(key)) {
      gathered[i]?.push(state);
      claimed.add(key);
    }
    const group = `${record.host}\u0000${method}`;
    let indexes = byHostMethod.get(group);
    if (indexes === undefined) {
      indexes = [];
      byHostMethod.set(group, indexes);
    }
    indexes.push(i);
  });
  const matchers = new Map<number, RegExp>();
  for (const [key, state] of states) {
    if (claimed.has(key)) continue;
    let best: number | undefined;
    let bestLiterals = -1;
    for (const i of byHostMethod.get(`${state.host}\u0000${state.method}`) ?? []) {
      const template = (endpoints[i] as EndpointRecord).path;
      let matcher = matchers.get(i);
      if (matcher === undefined) {
        matcher = templateMatcher(template);
        matchers.set(i, matcher);
      }
      if (!matcher.test(state.path)) continue;
      const literals = template.replace(/\{[^{}]*\}/g, '').length;
      if (literals > bestLiterals) {
        best = i;
        bestLiterals = literals;
      }
    }
    if (best !== undefined) gathered[best]?.push(state);
  }
  return gathered;
}

/** A regular expression matching the paths (or older, more literal templates) a template covers. */
function templateMatcher(template: string): RegExp {
  const source = template
    .split(/(\{[^{}/]*\})/)
    .map((part) => (part.startsWith('{') && part.endsWith('}') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
