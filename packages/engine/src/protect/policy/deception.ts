/**
 * Deception: honeypot endpoints no honest client ever calls (`/.env`, `/wp-login.php`, an undocumented debug
 * route). Whoever touches one is marked — by IP, fingerprint, session, user or API key, as configured — for
 * a while (`ttl`), and every later request of a marked actor gets the configured treatment: `block`,
 * `tarpit` (a delay that is the same for the same actor, from a seeded hash, between `tarpit.min` and
 * `tarpit.max`), or `deceive` (a fake success response). The honeypot request itself always gets the
 * fake response, so a prober learns nothing from it.
 *
 * Memory is bounded (`maxMarked` per entity kind, idlest forgotten first); a mark lives `ttl` from the
 * last honeypot touch (requests of the marked actor do not extend it). Marks keep their reasons (the
 * honeypots touched) for the event. Time is `facts.time` when judging, the injected clock otherwise.
 */

import type { Clock } from '@palisade/core';
import type { PolicyFinding, RequestFacts } from './request-facts.js';
import { canonicalIp, fingerprintOf } from './request-facts.js';
import { BoundedMap } from './internal/bounded-map.js';
import { parseDuration } from './internal/duration.js';
import { compileRequestMatch, type RequestMatcher } from './internal/request-match.js';

/** Entity kinds a honeypot can mark. */
export type MarkableKind = 'ip' | 'fingerprint' | 'session' | 'user' | 'api_key';

/** A honeypot: requests matching it mark their sender. */
export interface HoneypotConfig {
  /** Slug; honeypot findings carry `deception/<id>`. Not `marked`. */
  id: string;
  /** HTTP methods; any method when absent. */
  methods?: string[];
  /** Path patterns (`/.env`, `/**\/.env`, `/wp-admin/*`). */
  paths: string[];
}

/** The fake answer; `body` and header values may use `{{now}}`, `{{epoch}}`, `{{id}}`, `{{uuid}}`. */
export interface DeceptionResponseConfig {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** The deception settings as configured. */
export interface DeceptionConfig {
  mode: 'block' | 'monitor';
  honeypots: HoneypotConfig[];
  /** What a marked actor's requests get. */
  treatment: 'block' | 'tarpit' | 'deceive';
  /** Which of the prober's entities to mark; default `[ip, fingerprint, session]`. */
  mark?: MarkableKind[];
  /** How long a mark lasts after the last honeypot touch; default `1h`. */
  ttl?: string;
  /** Tarpit delay bounds; default 1s to 5s; `max` at most 30s. */
  tarpit?: { min: string; max: string };
  /** Default `200`, JSON `{"status":"ok"}`. */
  response?: DeceptionResponseConfig;
  /** Seeds the tarpit delays and generated ids (so they differ between deployments). */
  seed?: string;
  /** Marks remembered at most per entity kind; default 100,000. */
  maxMarked?: number;
}

/** What is remembered of a marked entity. */
export interface DeceptionMark {
  /** Rule ids of the honeypots touched (`deception/env-file`), first touch first, at most 8. */
  reasons: string[];
  firstMarked: number;
  lastMarked: number;
  expires: number;
  /** Honeypot touches. */
  hits: number;
}

/** Placeholders the response body may use. */
export const RESPONSE_PLACEHOLDERS: readonly string[] = ['now', 'epoch', 'id', 'uuid'];

/** Default treatment bounds and sizes. */
export const DECEPTION_DEFAULTS = {
  mark: ['ip', 'fingerprint', 'session'] as readonly MarkableKind[],
  ttl: '1h',
  tarpit: { min: '1s', max: '5s' },
  maxTarpitMs: 30_000,
  response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' },
  maxMarked: 100_000,
  maxReasons: 8,
} as const;

/** Why a response body template is invalid (an unknown `{{name}}`), or `undefined`. */
export function responseTemplateProblem(body: string): string | undefined {
  for (const match of body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!RESPONSE_PLACEHOLDERS.includes(match[1] as string)) {
      return `unknown placeholder {{${match[1]}}} (known: ${RESPONSE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`;
    }
  }
  return undefined;
}

type TemplatePart = string | { placeholder: string };

interface CompiledHoneypot {
  ruleId: string;
  matcher: RequestMatcher;
}

/**
 * Honeypots and the marks they leave. Config is assumed valid (see `validatePolicyConfig`).
 *
 * @example
 * const deception = new Deception({ mode: 'block', treatment: 'tarpit',
 *   honeypots: [{ id: 'env-file', paths: ['/.env', '/**\/.env'] }] }, { clock });
 * deception.check(probe);   // [{ ruleId: 'deception/env-file', action: 'deceive', response: {...} }]
 * deception.check(next);    // [{ ruleId: 'deception/marked', action: 'tarpit', delayMs: 3172 }] same IP
 */
export class Deception {
  readonly #clock: Clock;
  readonly #honeypots: CompiledHoneypot[];
  readonly #kinds: readonly MarkableKind[];
  readonly #marks = new Map<MarkableKind, BoundedMap<DeceptionMark>>();
  readonly #ttlMs: number;
  readonly #treatment: DeceptionConfig['treatment'];
  readonly #monitor: boolean;
  readonly #minDelay: number;
  readonly #maxDelay: number;
  readonly #seed: number;
  readonly #status: number;
  readonly #headers: readonly [name: string, value: readonly TemplatePart[]][];
  readonly #body: readonly TemplatePart[];

  constructor(config: DeceptionConfig, options: { clock: Clock }) {
    this.#clock = options.clock;
    this.#honeypots = config.honeypots.map((h) => ({
      ruleId: `deception/${h.id}`,
      matcher: compileRequestMatch({ methods: h.methods, paths: h.paths }),
    }));
    this.#kinds = config.mark ?? DECEPTION_DEFAULTS.mark;
    const maxMarked = config.maxMarked ?? DECEPTION_DEFAULTS.maxMarked;
    for (const kind of this.#kinds) this.#marks.set(kind, new BoundedMap<DeceptionMark>(maxMarked));
    this.#ttlMs = requireDuration(config.ttl ?? DECEPTION_DEFAULTS.ttl, 'ttl');
    this.#treatment = config.treatment;
    this.#monitor = config.mode === 'monitor';
    const tarpit = config.tarpit ?? DECEPTION_DEFAULTS.tarpit;
    this.#minDelay = Math.min(requireDuration(tarpit.min, 'tarpit.min'), DECEPTION_DEFAULTS.maxTarpitMs);
    this.#maxDelay = Math.max(this.#minDelay, Math.min(requireDuration(tarpit.max, 'tarpit.max'), DECEPTION_DEFAULTS.maxTarpitMs));
    this.#seed = hash(config.seed ?? 'palisade', 0x811c9dc5);
    const response = config.response ?? DECEPTION_DEFAULTS.response;
    this.#status = response.status;
    const headers = { ...DECEPTION_DEFAULTS.response.headers, ...lowerCaseKeys(response.headers ?? {}) };
    this.#headers = Object.entries(headers).map(([name, value]) => [name, compileTemplate(value)]);
    this.#body = compileTemplate(response.body);
  }

  /**
   * Judges a request: a honeypot hit marks the sender and yields a `deception/<id>` finding with the fake
   * response; else a request from a marked entity yields one `deception/marked` finding with the treatment.
   * In monitor mode both are `monitor` findings (marks are still kept).
   */
  check(facts: RequestFacts, into: PolicyFinding[] = []): PolicyFinding[] {
    const now = facts.time;
    for (const honeypot of this.#honeypots) {
      if (!honeypot.matcher.test(facts.method, facts.path, facts.endpoint)) continue;
      const marked: string[] = [];
      let entity: PolicyFinding['entity'];
      for (const kind of this.#kinds) {
        const value = markedValue(facts, kind);
        if (value === undefined) continue;
        this.mark(kind, value, honeypot.ruleId, now);
        marked.push(kind);
        entity ??= { kind, value };
      }
      const result: PolicyFinding = {
        protection: 'deception',
        ruleId: honeypot.ruleId,
        action: this.#monitor ? 'monitor' : 'deceive',
        detail: `touched a honeypot; marked ${marked.length > 0 ? marked.join(', ') : 'nothing (no entity to mark)'}`,
      };
      if (entity !== undefined) result.entity = entity;
      if (!this.#monitor) result.response = this.#respond(now, entity?.value ?? facts.ip);
      into.push(result);
      return into;
    }
    for (const kind of this.#kinds) {
      const marks = this.#marks.get(kind) as BoundedMap<DeceptionMark>;
      if (marks.size === 0) continue;
      const value = markedValue(facts, kind);
      if (value === undefined) continue;
      const mark = marks.get(value);
      if (mark === undefined) continue;
      if (mark.expires <= now) {
        marks.delete(value);
        continue;
      }
      into.push(this.#treat(kind, value, mark, now));
      return into;
    }
    return into;
  }

  /**
   * Marks an entity as a prober (what a honeypot hit does; other protections may call it too).
   * `reason` is a rule id; `now` defaults to the clock. The mark lasts `ttl` from now.
   */
  mark(kind: MarkableKind, value: string, reason: string, now: number = this.#clock.now()): void {
    const marks = this.#marks.get(kind);
    if (marks === undefined) return;
    const mark = marks.get(value);
    if (mark === undefined || mark.expires <= now) {
      marks.set(value, { reasons: [reason], firstMarked: now, lastMarked: now, expires: now + this.#ttlMs, hits: 1 });
      return;
    }
    if (!mark.reasons.includes(reason) && mark.reasons.length < DECEPTION_DEFAULTS.maxReasons) mark.reasons.push(reason);
    mark.lastMarked = now;
    mark.expires = now + this.#ttlMs;
    mark.hits++;
  }

  /** The live mark of an entity (at the clock's now), or `undefined`. */
  markOf(kind: MarkableKind, value: string): Readonly<DeceptionMark> | undefined {
    const mark = this.#marks.get(kind)?.get(value);
    return mark !== undefined && mark.expires > this.#clock.now() ? mark : undefined;
  }

  /** Marks held (live or not yet swept) and forgotten to keep the bound, over all kinds. */
  stats(): { marked: number; evicted: number } {
    let marked = 0;
    let evicted = 0;
    for (const marks of this.#marks.values()) {
      marked += marks.size;
      evicted += marks.evicted;
    }
    return { marked, evicted };
  }

  /** The tarpit delay of an entity: fixed per entity and seed, within the configured bounds. */
  delayFor(kind: MarkableKind, value: string): number {
    const span = this.#maxDelay - this.#minDelay + 1;
    return this.#minDelay + (hash(value, hash(kind, this.#seed)) % span);
  }

  #treat(kind: MarkableKind, value: string, mark: DeceptionMark, now: number): PolicyFinding {
    const result: PolicyFinding = {
      protection: 'deception',
      ruleId: 'deception/marked',
      action: this.#monitor ? 'monitor' : this.#treatment === 'deceive' ? 'deceive' : this.#treatment,
      entity: { kind, value },
      detail: `${kind} marked by ${mark.reasons.join(', ')}`,
    };
    if (this.#monitor) return result;
    if (this.#treatment === 'tarpit') result.delayMs = this.delayFor(kind, value);
    else if (this.#treatment === 'deceive') result.response = this.#respond(now, value);
    return result;
  }

  #respond(now: number, entity: string): NonNullable<PolicyFinding['response']> {
    const headers: Record<string, string> = {};
    for (const [name, value] of this.#headers) headers[name] = this.#render(value, now, entity);
    return { status: this.#status, headers, body: this.#render(this.#body, now, entity) };
  }

  #render(template: readonly TemplatePart[], now: number, entity: string): string {
    let text = '';
    for (const part of template) text += typeof part === 'string' ? part : this.#fill(part.placeholder, now, entity);
    return text;
  }

  #fill(placeholder: string, now: number, entity: string): string {
    switch (placeholder) {
      case 'now':
        return new Date(now).toISOString();
      case 'epoch':
        return String(Math.floor(now / 1000));
      case 'id':
        return hex(hash(entity, this.#seed ^ now)) + hex(hash(entity, this.#seed + 1));
      default: {
        const base = this.#seed ^ now;
        let h = '';
        for (let i = 0; i < 4; i++) h += hex(hash(entity, base + i));
        const variant = '89ab'[Number.parseInt(h[16] as string, 16) & 3] as string;
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
      }
    }
  }
}

function markedValue(facts: RequestFacts, kind: MarkableKind): string | undefined {
  switch (kind) {
    case 'ip':
      return canonicalIp(facts.ip);
    case 'fingerprint':
      return fingerprintOf(facts);
    case 'session':
      return facts.session;
    case 'user':
      return facts.user;
    case 'api_key':
      return facts.apiKey;
  }
}

function compileTemplate(body: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const name = match[1] as string;
    if (!RESPONSE_PLACEHOLDERS.includes(name)) throw new RangeError(responseTemplateProblem(body));
    if (match.index > last) parts.push(body.slice(last, match.index));
    parts.push({ placeholder: name });
    last = match.index + match[0].length;
  }
  if (last < body.length) parts.push(body.slice(last));
  return parts;
}

function requireDuration(text: string, name: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new RangeError(`deception.${name}: ${JSON.stringify(text)} is not a duration`);
  return ms;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** FNV-1a, 32 bits, from `basis`. */
function hash(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
