/**
 * The configuration of the sensor's non-signature protections — access lists, geo sources, deception,
 * rate limits and business flows — its validator (every problem at once, each with its JSON path), and
 * `createPolicies`, which compiles a valid config into one `check(facts)` for the hot path.
 *
 * Evaluation order: access allow → access deny → deception → rate limits → flows. An enforced allow rule
 * ends the access checks (and skips the protections it `bypass`es); a `block` or `deceive` finding ends
 * the evaluation, since the request will not reach the upstream (later policies neither count nor judge it);
 * `tarpit` and `monitor` findings do not.
 */

import { type Clock, PalisadeError } from '@palisade/core';
import { AccessList, type AccessRuleConfig, type BypassableProtection } from './access-list.js';
import { DECEPTION_DEFAULTS, Deception, type DeceptionConfig, responseTemplateProblem } from './deception.js';
import { FlowTracker, type FlowRuleConfig } from './flow.js';
import { asnRangesProblems, type GeoConfig, type GeoLookup } from './geo.js';
import { parseDuration } from './internal/duration.js';
import { parseCidr } from './internal/ip-table.js';
import { pathPatternProblem } from './internal/request-match.js';
import { RateLimiter, type RateLimitPolicyConfig, type RateLimitStoreFactory } from './rate-limit.js';
import { isEntityKey, type PolicyFinding, type RequestFacts } from './request-facts.js';

/** The policies' configuration, as written in YAML (see the folder's README). */
export interface PolicyConfig {
  access?: AccessRuleConfig[];
  /**
   * A YAML or JSON file of access rules (a list, or a mapping with an `access:` list), kept apart so it can
   * change while the sensor runs; `createPolicies` does not read it — the host loads and watches it with
   * `watchAccessLists`. Not together with `access`.
   */
  accessFile?: string;
  geo?: GeoConfig;
  deception?: DeceptionConfig;
  rateLimits?: RateLimitPolicyConfig[];
  flows?: FlowRuleConfig[];
}

/** One problem of a config: where (a JSON path such as `rateLimits[2].window`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** `rateLimits[2].window: "5 minutes" is not a duration like 30s, 5m, 1h`. */
export function formatConfigProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

/**
 * Every problem of a policy config, in document order; empty when it is valid. `prefix` is prepended to
 * the paths (`protect.policies`) when the policies sit inside a larger config. Unknown keys are problems.
 */
export function validatePolicyConfig(input: unknown, prefix = ''): ConfigProblem[] {
  const v = new Validator();
  const top = v.object(input, prefix, ['access', 'accessFile', 'geo', 'deception', 'rateLimits', 'flows']);
  if (top === undefined) return v.problems;
  if (top.access !== undefined) validateAccess(v, top.access, join(prefix, 'access'));
  if (top.accessFile !== undefined && v.string(top.accessFile, join(prefix, 'accessFile')) && top.access !== undefined) {
    v.add(join(prefix, 'accessFile'), 'give access rules inline (access) or in a file (accessFile), not both');
  }
  if (top.geo !== undefined) validateGeo(v, top.geo, join(prefix, 'geo'));
  if (top.deception !== undefined) validateDeception(v, top.deception, join(prefix, 'deception'));
  if (top.rateLimits !== undefined) validateRateLimits(v, top.rateLimits, join(prefix, 'rateLimits'));
  if (top.flows !== undefined) validateFlows(v, top.flows, join(prefix, 'flows'));
  return v.problems;
}

/** Every problem of an access rule list alone (for hot reloads of the lists); paths start at `prefix`. */
export function validateAccessRules(input: unknown, prefix = 'access'): ConfigProblem[] {
  const v = new Validator();
  validateAccess(v, input, prefix);
  return v.problems;
}

/** Throws `PAL_ERR_CONFIG_INVALID` listing every problem when `input` is not a valid policy config. */
export function assertPolicyConfig(input: unknown, prefix = ''): asserts input is PolicyConfig {
  throwIfProblems(validatePolicyConfig(input, prefix));
}

function throwIfProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length === 0) return;
  throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `invalid policy configuration: ${problems.map(formatConfigProblem).join('; ')}`);
}

/** The compiled policies of one sensor. */
export interface Policies {
  /**
   * Judges a request, in order access allow → deny → deception → rate limits → flows, and returns the
   * findings (empty for most requests). Fills `facts.country` / `facts.asn` from the geo lookup when an
   * access rule needs them and they are missing. Counts the request in rate limits and flows as it goes.
   */
  check(facts: RequestFacts): PolicyFinding[];
  /** Validates and swaps in new access rules atomically; throws `PAL_ERR_CONFIG_INVALID` and keeps the old ones. */
  replaceAccess(rules: unknown): void;
  readonly access: AccessList;
  readonly deception: Deception | undefined;
  readonly rateLimits: RateLimiter;
  readonly flows: FlowTracker;
}

/** What the policies need from their host. */
export interface PolicyOptions {
  clock: Clock;
  /** Country/ASN lookup (`openGeo`); without it, country and ASN rules match only facts that carry them. */
  geo?: GeoLookup;
  /** Where rate-limit state lives; in memory by default. */
  rateLimitStore?: RateLimitStoreFactory;
}

/**
 * Compiles a policy config (validated first: throws `PAL_ERR_CONFIG_INVALID` with every problem).
 *
 * @example
 * const policies = createPolicies(config, { clock: systemClock, geo: await openGeo(config.geo) });
 * const findings = policies.check(facts);
 */
export function createPolicies(config: PolicyConfig, options: PolicyOptions): Policies {
  assertPolicyConfig(config);
  const access = new AccessList(config.access ?? []);
  const deception = config.deception === undefined ? undefined : new Deception(config.deception, { clock: options.clock });
  const rateLimits = new RateLimiter(config.rateLimits ?? [], { store: options.rateLimitStore });
  const flows = new FlowTracker(config.flows ?? []);
  const geo = options.geo;
  const hasRateLimits = (config.rateLimits?.length ?? 0) > 0;
  const hasFlows = (config.flows?.length ?? 0) > 0;
  const none: ReadonlySet<BypassableProtection> = new Set();
  return {
    access,
    deception,
    rateLimits,
    flows,
    replaceAccess(rules) {
      throwIfProblems(validateAccessRules(rules));
      access.replace(rules as AccessRuleConfig[]);
    },
    check(facts) {
      const out: PolicyFinding[] = [];
      if (geo !== undefined && access.needsGeo && (facts.country === undefined || facts.asn === undefined)) {
        const info = geo.lookup(facts.ip);
        if (info !== undefined) {
          facts.country ??= info.country;
          facts.asn ??= info.asn;
        }
      }
      access.check(facts, out);
      let bypass = none;
      const last = out[out.length - 1];
      if (last !== undefined) {
        if (last.action === 'allow') bypass = access.bypassOf(last.ruleId);
        else if (ends(out, 0)) return out;
      }
      let from = out.length;
      if (deception !== undefined && !bypass.has('deception')) {
        deception.check(facts, out);
        if (ends(out, from)) return out;
        from = out.length;
      }
      if (hasRateLimits && !bypass.has('rate-limit')) {
        rateLimits.check(facts, out);
        if (ends(out, from)) return out;
      }
      if (hasFlows && !bypass.has('flow')) flows.check(facts, out);
      return out;
    },
  };
}

/** True when a finding from `from` on stops the request (`block` or `deceive`). */
function ends(findings: readonly PolicyFinding[], from: number): boolean {
  for (let i = from; i < findings.length; i++) {
    const action = (findings[i] as PolicyFinding).action;
    if (action === 'block' || action === 'deceive') return true;
  }
  return false;
}

const MODES = ['block', 'monitor'] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const METHOD = /^[A-Za-z]{1,20}$/;

function validateAccess(v: Validator, input: unknown, path: string): void {
  const ids = new Set<string>();
  v.list(input, path, (item, at) => {
    const rule = v.object(item, at, ['id', 'action', 'mode', 'ips', 'countries', 'asns', 'users', 'apiKeys', 'fingerprints', 'bypass']);
    if (rule === undefined) return;
    v.id(rule.id, `${at}.id`, ids);
    const action = v.oneOf(rule.action, `${at}.action`, ['allow', 'deny'], true);
    v.oneOf(rule.mode, `${at}.mode`, MODES, action === 'deny');
    let entries = 0;
    entries += v.strings(rule.ips, `${at}.ips`, (ip) => (parseCidr(ip) === undefined ? 'is not an IP address or CIDR range' : undefined));
    entries += v.strings(rule.countries, `${at}.countries`, (c) =>
      /^[A-Za-z]{2}$/.test(c) ? undefined : 'is not an ISO 3166 country code like US',
    );
    if (rule.asns !== undefined) {
      entries += v.list(rule.asns, `${at}.asns`, (asn, i) => {
        if (!Number.isInteger(asn) || (asn as number) < 0 || (asn as number) > 0xffffffff)
          v.add(i, `${JSON.stringify(asn)} is not an AS number`);
      });
    }
    entries += v.strings(rule.users, `${at}.users`);
    entries += v.strings(rule.apiKeys, `${at}.apiKeys`);
    entries += v.strings(rule.fingerprints, `${at}.fingerprints`);
    const lists = [rule.ips, rule.countries, rule.asns, rule.users, rule.apiKeys, rule.fingerprints];
    if (entries === 0 && lists.every((list) => list === undefined || Array.isArray(list)))
      v.add(at, 'lists nothing: give ips, countries, asns, users, apiKeys or fingerprints');
    if (rule.bypass !== undefined) {
      if (action === 'deny') v.add(`${at}.bypass`, 'only allow rules can bypass other protections');
      v.list(rule.bypass, `${at}.bypass`, (b, i) => v.oneOf(b, i, ['deception', 'rate-limit', 'flow'], true));
    }
  });
}

function validateGeo(v: Validator, input: unknown, path: string): void {
  const geo = v.object(input, path, ['countryDatabase', 'asnDatabase', 'asnRanges']);
  if (geo === undefined) return;
  if (geo.countryDatabase !== undefined) v.string(geo.countryDatabase, `${path}.countryDatabase`);
  if (geo.asnDatabase !== undefined) v.string(geo.asnDatabase, `${path}.asnDatabase`);
  if (geo.asnRanges !== undefined) {
    for (const problem of asnRangesProblems(geo.asnRanges)) v.add(`${path}.asnRanges${problem.path}`, problem.message);
  }
}

function validateDeception(v: Validator, input: unknown, path: string): void {
  const d = v.object(input, path, ['mode', 'honeypots', 'treatment', 'mark', 'ttl', 'tarpit', 'response', 'seed', 'maxMarked']);
  if (d === undefined) return;
  v.oneOf(d.mode, `${path}.mode`, MODES, true);
  v.oneOf(d.treatment, `${path}.treatment`, ['block', 'tarpit', 'deceive'], true);
  const ids = new Set<string>(['marked']);
  if (d.honeypots === undefined) v.add(`${path}.honeypots`, 'is required');
  else if (
    v.list(d.honeypots, `${path}.honeypots`, (item, at) => {
      const h = v.object(item, at, ['id', 'methods', 'paths']);
      if (h === undefined) return;
      v.id(h.id, `${at}.id`, ids);
      v.strings(h.methods, `${at}.methods`, (m) => (METHOD.test(m) ? undefined : 'is not an HTTP method'));
      if (h.paths === undefined) v.add(`${at}.paths`, 'is required');
      else if (v.strings(h.paths, `${at}.paths`, (p) => pathPatternProblem(p)) === 0 && Array.isArray(h.paths))
        v.add(`${at}.paths`, 'lists no path');
    }) === 0 &&
    Array.isArray(d.honeypots)
  )
    v.add(`${path}.honeypots`, 'lists no honeypot');
  if (d.mark !== undefined) {
    const seen = new Set<unknown>();
    if (
      v.list(d.mark, `${path}.mark`, (kind, at) => {
        if (v.oneOf(kind, at, ['ip', 'fingerprint', 'session', 'user', 'api_key'], true) !== undefined && seen.has(kind))
          v.add(at, `${kind} is listed twice`);
        seen.add(kind);
      }) === 0 &&
      Array.isArray(d.mark)
    )
      v.add(`${path}.mark`, 'lists no entity kind');
  }
  if (d.ttl !== undefined) v.duration(d.ttl, `${path}.ttl`);
  if (d.tarpit !== undefined) {
    const t = v.object(d.tarpit, `${path}.tarpit`, ['min', 'max']);
    if (t !== undefined) {
      const min = v.duration(t.min, `${path}.tarpit.min`);
      const max = v.duration(t.max, `${path}.tarpit.max`);
      if (max !== undefined && max > DECEPTION_DEFAULTS.maxTarpitMs)
        v.add(`${path}.tarpit.max`, 'is over the 30s a tarpit may hold a request');
      if (min !== undefined && max !== undefined && min > max) v.add(`${path}.tarpit`, 'min is over max');
    }
  }
  if (d.response !== undefined) {
    const r = v.object(d.response, `${path}.response`, ['status', 'headers', 'body']);
    if (r !== undefined) {
      if (!Number.isInteger(r.status) || (r.status as number) < 100 || (r.status as number) > 599) {
        v.add(`${path}.response.status`, `${JSON.stringify(r.status)} is not an HTTP status`);
      }
      if (r.headers !== undefined) {
        const headers = v.object(r.headers, `${path}.response.headers`);
        for (const [name, value] of Object.entries(headers ?? {})) {
          if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
            v.add(`${path}.response.headers`, `${JSON.stringify(name)} is not a header name`);
          else if (typeof value !== 'string' || /[\r\n]/.test(value))
            v.add(`${path}.response.headers.${name}`, 'must be a one-line string');
          else if (responseTemplateProblem(value) !== undefined)
            v.add(`${path}.response.headers.${name}`, responseTemplateProblem(value) as string);
        }
      }
      if (v.string(r.body, `${path}.response.body`)) {
        const problem = responseTemplateProblem(r.body as string);
        if (problem !== undefined) v.add(`${path}.response.body`, problem);
      }
    }
  }
  if (d.seed !== undefined) v.string(d.seed, `${path}.seed`);
  if (d.maxMarked !== undefined) v.integer(d.maxMarked, `${path}.maxMarked`, 2);
}

function validateRateLimits(v: Validator, input: unknown, path: string): void {
  const ids = new Set<string>();
  v.list(input, path, (item, at) => {
    const p = v.object(item, at, ['id', 'key', 'limit', 'window', 'burst', 'algorithm', 'match', 'mode', 'maxKeys']);
    if (p === undefined) return;
    v.id(p.id, `${at}.id`, ids);
    validateKey(v, p.key, `${at}.key`);
    v.integer(p.limit, `${at}.limit`, 1);
    v.duration(p.window, `${at}.window`);
    const algorithm = v.oneOf(p.algorithm, `${at}.algorithm`, ['token-bucket', 'sliding-window'], true);
    if (p.burst !== undefined) {
      v.integer(p.burst, `${at}.burst`, 1);
      if (algorithm === 'sliding-window') v.add(`${at}.burst`, 'applies to the token-bucket algorithm only');
    }
    v.oneOf(p.mode, `${at}.mode`, MODES, true);
    if (p.maxKeys !== undefined) v.integer(p.maxKeys, `${at}.maxKeys`, 2);
    if (p.match !== undefined) {
      const m = v.object(p.match, `${at}.match`, ['methods', 'paths', 'endpoints']);
      if (m !== undefined) {
        v.strings(m.methods, `${at}.match.methods`, (x) => (METHOD.test(x) ? undefined : 'is not an HTTP method'));
        v.strings(m.paths, `${at}.match.paths`, (x) => pathPatternProblem(x));
        v.strings(m.endpoints, `${at}.match.endpoints`);
      }
    }
  });
}

function validateKey(v: Validator, key: unknown, at: string): void {
  const message = (k: unknown) =>
    `${JSON.stringify(k)} is not an entity key (ip, user, api_key, session, fingerprint, endpoint, business:<name>)`;
  if (Array.isArray(key)) {
    if (key.length === 0) v.add(at, 'lists no entity key');
    key.forEach((k, i) => {
      if (!isEntityKey(k)) v.add(`${at}[${i}]`, message(k));
      else if (key.indexOf(k) !== i) v.add(`${at}[${i}]`, `${k} is listed twice`);
    });
  } else if (key === undefined) v.add(at, 'is required');
  else if (!isEntityKey(key)) v.add(at, message(key));
}

function validateFlows(v: Validator, input: unknown, path: string): void {
  const ids = new Set<string>();
  v.list(input, path, (item, at) => {
    const f = v.object(item, at, ['id', 'key', 'steps', 'within', 'mode', 'maxKeys']);
    if (f === undefined) return;
    v.id(f.id, `${at}.id`, ids);
    v.oneOf(f.key, `${at}.key`, ['session', 'user', 'api_key', 'ip'], true);
    v.duration(f.within, `${at}.within`);
    v.oneOf(f.mode, `${at}.mode`, MODES, true);
    if (f.maxKeys !== undefined) v.integer(f.maxKeys, `${at}.maxKeys`, 2);
    if (f.steps === undefined) {
      v.add(`${at}.steps`, 'is required');
      return;
    }
    const count = v.list(f.steps, `${at}.steps`, (stepItem, stepAt) => {
      const s = v.object(stepItem, stepAt, ['name', 'method', 'path']);
      if (s === undefined) return;
      v.string(s.name, `${stepAt}.name`);
      if (v.string(s.method, `${stepAt}.method`) && !METHOD.test(s.method as string))
        v.add(`${stepAt}.method`, `${JSON.stringify(s.method)} is not an HTTP method`);
      if (v.string(s.path, `${stepAt}.path`)) {
        const problem = pathPatternProblem(s.path);
        if (problem !== undefined) v.add(`${stepAt}.path`, problem);
      }
    });
    if (Array.isArray(f.steps) && count < 2) v.add(`${at}.steps`, 'a flow needs at least two steps');
  });
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Collects problems; each check reports what it finds and returns what it could read. */
class Validator {
  readonly problems: ConfigProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  object(value: unknown, path: string, keys?: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path, `must be a mapping, not ${describe(value)}`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    if (keys !== undefined) {
      for (const key of Object.keys(record)) {
        if (!keys.includes(key)) this.add(join(path, key), `unknown key (known: ${keys.join(', ')})`);
      }
    }
    return record;
  }

  /** Calls `each` per item with its path; returns the item count (0 when not a list). */
  list(value: unknown, path: string, each: (item: unknown, at: string) => void): number {
    if (!Array.isArray(value)) {
      this.add(path, `must be a list, not ${describe(value)}`);
      return 0;
    }
    value.forEach((item, i) => {
      each(item, `${path}[${i}]`);
    });
    return value.length;
  }

  /** An optional list of non-empty strings, each checked by `check`; returns the count. */
  strings(value: unknown, path: string, check?: (s: string) => string | undefined): number {
    if (value === undefined) return 0;
    return this.list(value, path, (item, at) => {
      if (typeof item !== 'string' || item.trim() === '') {
        this.add(at, `${JSON.stringify(item)} is not a non-empty string`);
        return;
      }
      const problem = check?.(item);
      if (problem !== undefined) this.add(at, problem.startsWith('"') ? problem : `${JSON.stringify(item)} ${problem}`);
    });
  }

  string(value: unknown, path: string): boolean {
    if (typeof value === 'string' && value !== '') return true;
    this.add(path, value === undefined ? 'is required' : `${JSON.stringify(value)} is not a non-empty string`);
    return false;
  }

  id(value: unknown, path: string, seen: Set<string>): void {
    if (value === undefined) this.add(path, 'is required');
    else if (typeof value !== 'string' || !ID.test(value)) this.add(path, `${JSON.stringify(value)} is not an id (letters, digits, . _ -)`);
    else if (seen.has(value)) this.add(path, value === 'marked' ? '"marked" is reserved' : `"${value}" is used twice`);
    else seen.add(value);
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[], required: boolean): T | undefined {
    if (value === undefined) {
      if (required) this.add(path, `is required (${options.join(' or ')})`);
      return undefined;
    }
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
    this.add(path, `${JSON.stringify(value)} is not one of ${options.join(', ')}`);
    return undefined;
  }

  integer(value: unknown, path: string, min: number): void {
    if (value === undefined) this.add(path, 'is required');
    else if (!Number.isInteger(value) || (value as number) < min) this.add(path, `${JSON.stringify(value)} is not a whole number ≥ ${min}`);
  }

  duration(value: unknown, path: string): number | undefined {
    if (value === undefined) {
      this.add(path, 'is required');
      return undefined;
    }
    const ms = parseDuration(value);
    if (ms === undefined) this.add(path, `${JSON.stringify(value)} is not a duration like 30s, 5m, 1h`);
    return ms;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : JSON.stringify(value);
}
