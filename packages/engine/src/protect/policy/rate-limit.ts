/**
 * Rate limits: how many requests one entity (an IP, a user, an API key, a fingerprint, a business entity,
 * or a combination such as IP × endpoint) may make in a window, as a token bucket or a sliding window.
 *
 * - Token bucket: the bucket holds `burst` tokens (default `limit`) and refills at `limit` per `window`;
 *   each request takes one token.
 * - Sliding window, two-bucket approximation: counts in fixed windows aligned to the epoch; the estimate at
 *   time t is `previous × (1 − elapsed/window) + current`, which assumes the previous window's requests were
 *   spread evenly. It can be off by a fraction of the previous window's count, never unbounded.
 *
 * A request over the limit yields a finding with `retryAfterSeconds` and is not counted (a client that
 * waits as told gets through, and monitor mode reports exactly what block mode would block). O(1) per
 * policy per request; state per key is three numbers, bounded per policy by `maxKeys` (the keys idle the
 * longest are dropped and counted). Time is `facts.time`, taken by the caller from its clock.
 */

import type { EntityKey, PolicyFinding, RequestFacts } from './request-facts.js';
import { entityKindOf, entityValue } from './request-facts.js';
import { BoundedMap } from './internal/bounded-map.js';
import { formatDuration, parseDuration } from './internal/duration.js';
import { compileRequestMatch, type RequestMatchConfig, type RequestMatcher } from './internal/request-match.js';

/** How a rate limit counts. */
export type RateLimitAlgorithm = 'token-bucket' | 'sliding-window';

/** One rate-limit policy as configured. */
export interface RateLimitPolicyConfig {
  /** Slug; findings carry `rate-limit/<id>`. */
  id: string;
  /** Whom the limit is about; a list limits each combination (`[ip, endpoint]`: each IP on each endpoint). */
  key: EntityKey | EntityKey[];
  /** Requests allowed per window, ≥ 1. */
  limit: number;
  /** `10s`, `1m`, `1h`. */
  window: string;
  /** Token bucket only: how many requests may come at once (the bucket's size); default `limit`. */
  burst?: number;
  algorithm: RateLimitAlgorithm;
  /** Which requests count; every request when absent. */
  match?: RequestMatchConfig;
  mode: 'block' | 'monitor';
  /** Keys remembered at most (default 100,000); the idlest are forgotten first. */
  maxKeys?: number;
}

/** The state of one key: three numbers, whatever the algorithm. */
export interface RateLimitState {
  /** Token bucket: tokens left. Sliding window: requests in the current window. */
  count: number;
  /** Sliding window: requests in the previous window. Token bucket: 0. */
  previous: number;
  /** Token bucket: time of the last refill. Sliding window: start of the current window. Epoch ms. */
  at: number;
}

/**
 * Where one policy's per-key state lives. The in-memory store is the default; a shared store (NATS KV)
 * keeps a local copy with the same synchronous contract and syncs it in the background.
 * `get` returns the stored object; the limiter changes it and then calls `set` with it.
 */
export interface RateLimitStore {
  /** The state of `key`, marking it as recently used, or `undefined` when unknown or forgotten. */
  get(key: string): RateLimitState | undefined;
  /** Stores the state of `key`; may forget idle keys to stay within the bound. */
  set(key: string, state: RateLimitState): void;
  /** Keys held now. */
  readonly size: number;
  /** Keys forgotten so far to keep the bound. */
  readonly evicted: number;
}

/** Makes the store of one policy. */
export type RateLimitStoreFactory = (policy: { id: string; maxKeys: number }) => RateLimitStore;

/** The default store: in memory, at most `maxKeys` keys, least recently used forgotten first. */
export const createMemoryRateLimitStore: RateLimitStoreFactory = ({ maxKeys }) => new BoundedMap<RateLimitState>(maxKeys);

/** Default bound on the keys of one policy. */
export const DEFAULT_RATE_LIMIT_KEYS = 100_000;

/** The counters of one policy, for metrics. */
export interface RateLimitStats {
  id: string;
  keys: number;
  evicted: number;
  exceeded: number;
}

interface CompiledPolicy {
  id: string;
  ruleId: string;
  keys: readonly EntityKey[];
  /** Which key names the finding's entity (the first that is not `endpoint`). */
  entityKey: EntityKey;
  limit: number;
  windowMs: number;
  /** Token bucket: size and refill per ms. */
  capacity: number;
  rate: number;
  tokenBucket: boolean;
  matcher: RequestMatcher;
  usesEndpoint: boolean;
  action: 'block' | 'monitor';
  detail: string;
  store: RateLimitStore;
  exceeded: number;
}

/**
 * Checks requests against a set of rate-limit policies. Policies are assumed valid (see `validatePolicyConfig`);
 * the constructor throws on an unreadable window.
 *
 * @example
 * const limiter = new RateLimiter([{ id: 'login-per-ip', key: 'ip', limit: 10, window: '1m',
 *   algorithm: 'sliding-window', match: { methods: ['POST'], paths: ['/login'] }, mode: 'block' }]);
 * const findings = limiter.check(facts); // [] until the 11th login in a minute
 */
export class RateLimiter {
  readonly #policies: CompiledPolicy[];

  constructor(policies: readonly RateLimitPolicyConfig[], options: { store?: RateLimitStoreFactory } = {}) {
    const makeStore = options.store ?? createMemoryRateLimitStore;
    this.#policies = policies.map((p) => {
      const windowMs = parseDuration(p.window);
      if (windowMs === undefined) throw new RangeError(`rate limit ${p.id}: window ${JSON.stringify(p.window)} is not a duration`);
      const keys = Array.isArray(p.key) ? p.key : [p.key];
      const tokenBucket = p.algorithm === 'token-bucket';
      const capacity = tokenBucket ? (p.burst ?? p.limit) : p.limit;
      const maxKeys = p.maxKeys ?? DEFAULT_RATE_LIMIT_KEYS;
      const shape = tokenBucket ? `token bucket${p.burst !== undefined ? `, burst ${p.burst}` : ''}` : 'sliding window';
      return {
        id: p.id,
        ruleId: `rate-limit/${p.id}`,
        keys,
        entityKey: keys.find((k) => k !== 'endpoint') ?? (keys[0] as EntityKey),
        limit: p.limit,
        windowMs,
        capacity,
        rate: p.limit / windowMs,
        tokenBucket,
        matcher: compileRequestMatch(p.match),
        usesEndpoint: keys.includes('endpoint'),
        action: p.mode,
        detail: `more than ${p.limit} requests per ${formatDuration(windowMs)} by ${keys.join('+')} (${shape})`,
        store: makeStore({ id: p.id, maxKeys }),
        exceeded: 0,
      };
    });
  }

  /**
   * Counts the request against every policy it matches and pushes a finding onto `into` for each limit it
   * exceeds. Policies whose key the request lacks (no `user` on an anonymous request) do not apply.
   */
  check(facts: RequestFacts, into: PolicyFinding[] = []): PolicyFinding[] {
    for (const policy of this.#policies) {
      if (!policy.matcher.test(facts.method, facts.path, facts.endpoint)) continue;
      const key = keyOf(policy, facts);
      if (key === undefined) continue;
      const retryMs = policy.tokenBucket ? takeToken(policy, key, facts.time) : countInWindow(policy, key, facts.time);
      if (retryMs <= 0) continue;
      policy.exceeded++;
      const value = policy.entityKey === 'endpoint' ? endpointOf(policy, facts) : entityValue(facts, policy.entityKey);
      into.push({
        protection: 'rate-limit',
        ruleId: policy.ruleId,
        action: policy.action,
        entity: { kind: entityKindOf(policy.entityKey), value: value ?? '' },
        detail: policy.detail,
        retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)),
      });
    }
    return into;
  }

  /** Keys held, keys forgotten and limits exceeded, per policy. */
  stats(): RateLimitStats[] {
    return this.#policies.map((p) => ({ id: p.id, keys: p.store.size, evicted: p.store.evicted, exceeded: p.exceeded }));
  }
}

function endpointOf(policy: CompiledPolicy, facts: RequestFacts): string {
  if (facts.endpoint !== undefined) return facts.endpoint;
  const template = policy.matcher.pathTemplate(facts.path);
  return `${facts.method} ${template ?? facts.path}`;
}

function keyOf(policy: CompiledPolicy, facts: RequestFacts): string | undefined {
  const keys = policy.keys;
  if (keys.length === 1) {
    return keys[0] === 'endpoint' ? endpointOf(policy, facts) : entityValue(facts, keys[0] as EntityKey);
  }
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as EntityKey;
    const value = k === 'endpoint' ? endpointOf(policy, facts) : entityValue(facts, k);
    if (value === undefined) return undefined;
    out = i === 0 ? value : `${out}\u0000${value}`;
  }
  return out;
}

/** Takes a token; returns 0 when there was one, else the ms until there will be. */
function takeToken(policy: CompiledPolicy, key: string, now: number): number {
  let state = policy.store.get(key);
  if (state === undefined) {
    state = { count: policy.capacity, previous: 0, at: now };
  } else if (now > state.at) {
    state.count = Math.min(policy.capacity, state.count + (now - state.at) * policy.rate);
    state.at = now;
  }
  if (state.count >= 1) {
    state.count -= 1;
    policy.store.set(key, state);
    return 0;
  }
  policy.store.set(key, state);
  return (1 - state.count) / policy.rate;
}

/** Counts the request in the window; returns 0 when within the limit, else the ms until it would be. */
function countInWindow(policy: CompiledPolicy, key: string, now: number): number {
  const w = policy.windowMs;
  const windowStart = now - (now % w);
  let state = policy.store.get(key);
  if (state === undefined) {
    state = { count: 0, previous: 0, at: windowStart };
  } else if (windowStart > state.at) {
    state.previous = windowStart - state.at === w ? state.count : 0;
    state.count = 0;
    state.at = windowStart;
  }
  const elapsed = Math.max(0, now - state.at);
  const estimate = (state.previous * (w - elapsed)) / w + state.count;
  if (estimate + 1 <= policy.limit) {
    state.count++;
    policy.store.set(key, state);
    return 0;
  }
  policy.store.set(key, state);
  const limit = policy.limit;
  const until =
    state.count + 1 <= limit
      ? state.at + w * (1 - (limit - 1 - state.count) / state.previous)
      : state.at + w + w * Math.max(0, 1 - (limit - 1) / state.count);
  return Math.max(1, until - now);
}
