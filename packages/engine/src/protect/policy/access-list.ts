/**
 * Access lists: who is let through without the other access checks (allow) and who is stopped (deny), by
 * IP or CIDR range (v4 and v6; 100k ranges load in tens of milliseconds and are looked up in O(log n)),
 * country, autonomous system, user, API key token, or client fingerprint (JA4, JA3 or HTTP).
 *
 * Allow rules are checked first; a request on an enforced allow list gets one `allow` finding and no deny
 * rule is looked at. Allow rules may also `bypass` the later protections (deception, rate limits, flows) for
 * that request. Lists are compiled once and replaced whole: `replace` builds the new tables first and swaps
 * one reference, so a check sees either the old lists or the new ones, never a mix, and a bad list leaves
 * the old one in place.
 */

import type { EntityKind, PolicyFinding, RequestFacts } from './request-facts.js';
import { IpRangeTable, parseCidr, parseIp, type CidrRange } from './internal/ip-table.js';

/** The later protections an allow rule can let a request skip. */
export type BypassableProtection = 'deception' | 'rate-limit' | 'flow';

/** One access rule as configured; a request matches when any of its lists holds it. */
export interface AccessRuleConfig {
  /** Slug; findings carry `access/<id>`. */
  id: string;
  action: 'allow' | 'deny';
  /** `block` enforces (for an allow rule: lets through), `monitor` only reports. Allow rules default to `block`. */
  mode?: 'block' | 'monitor';
  /** Addresses and CIDR ranges, v4 or v6 (`203.0.113.0/24`, `2001:db8::/32`, `198.51.100.7`). */
  ips?: string[];
  /** ISO 3166-1 alpha-2 codes (`KP`), any case. */
  countries?: string[];
  /** Autonomous system numbers. */
  asns?: number[];
  users?: string[];
  /** API key tokens as the sensor names them. */
  apiKeys?: string[];
  /** JA4, JA3 or HTTP fingerprints; matches when any of the request's fingerprints is listed. */
  fingerprints?: string[];
  /** Allow rules only: later protections the allowed request skips. */
  bypass?: BypassableProtection[];
}

interface CompiledRule {
  id: string;
  ruleId: string;
  allow: boolean;
  enforce: boolean;
  bypass: ReadonlySet<BypassableProtection>;
}

interface Match {
  rule: CompiledRule;
  kind: EntityKind;
  value: string;
  what: string;
}

interface Side {
  ips: IpRangeTable<{ rule: CompiledRule; cidr: string }>;
  countries: Map<string, CompiledRule[]>;
  asns: Map<number, CompiledRule[]>;
  users: Map<string, CompiledRule[]>;
  apiKeys: Map<string, CompiledRule[]>;
  fingerprints: Map<string, CompiledRule[]>;
  empty: boolean;
}

interface Compiled {
  allow: Side;
  deny: Side;
  rules: Map<string, CompiledRule>;
  needsCountry: boolean;
  needsAsn: boolean;
  entries: number;
}

const NO_BYPASS: ReadonlySet<BypassableProtection> = new Set();

/**
 * The allow and deny lists, compiled. Rules are assumed valid (see `validatePolicyConfig`); compiling throws
 * a `RangeError` on an unreadable range rather than dropping it.
 *
 * @example
 * const access = new AccessList([{ id: 'office', action: 'allow', ips: ['203.0.113.0/24'] },
 *   { id: 'embargo', action: 'deny', mode: 'block', countries: ['KP'] }]);
 * access.check(facts); // [{ ruleId: 'access/office', action: 'allow', ... }] for an office address
 */
export class AccessList {
  #compiled: Compiled;

  constructor(rules: readonly AccessRuleConfig[] = []) {
    this.#compiled = compile(rules);
  }

  /** Swaps in new rules atomically; throws (keeping the old rules) when one cannot be compiled. */
  replace(rules: readonly AccessRuleConfig[]): void {
    this.#compiled = compile(rules);
  }

  /** Whether some rule lists countries or ASNs, so `facts.country` / `facts.asn` should be looked up. */
  get needsGeo(): boolean {
    return this.#compiled.needsCountry || this.#compiled.needsAsn;
  }

  /** List entries held (ranges, countries, ASNs, users, keys, fingerprints). */
  get size(): number {
    return this.#compiled.entries;
  }

  /** The protections the allow rule `ruleId` lets a request skip (empty for unknown ids). */
  bypassOf(ruleId: string): ReadonlySet<BypassableProtection> {
    return this.#compiled.rules.get(ruleId)?.bypass ?? NO_BYPASS;
  }

  /**
   * Judges a request and pushes its findings onto `into`: one `allow` finding when an enforced allow rule
   * holds it (and nothing else), else a `monitor` finding per monitored allow rule and a `block` or
   * `monitor` finding per deny rule that holds it.
   */
  check(facts: RequestFacts, into: PolicyFinding[] = []): PolicyFinding[] {
    const compiled = this.#compiled;
    if (compiled.allow.empty && compiled.deny.empty) return into;
    const ip = parseIp(facts.ip);
    if (!compiled.allow.empty) {
      const matches = matchSide(compiled.allow, facts, ip);
      if (matches !== undefined) {
        const enforced = matches.find((m) => m.rule.enforce);
        if (enforced !== undefined) {
          into.push(finding(enforced, 'allow', facts));
          return into;
        }
        for (const m of matches) into.push(finding(m, 'monitor', facts));
      }
    }
    if (!compiled.deny.empty) {
      const matches = matchSide(compiled.deny, facts, ip);
      if (matches !== undefined) for (const m of matches) into.push(finding(m, m.rule.enforce ? 'block' : 'monitor', facts));
    }
    return into;
  }
}

function finding(match: Match, action: PolicyFinding['action'], facts: RequestFacts): PolicyFinding {
  const list = match.rule.allow ? 'allow' : 'deny';
  return {
    protection: 'access',
    ruleId: match.rule.ruleId,
    action,
    entity: { kind: match.kind, value: match.kind === 'ip' ? facts.ip : match.value },
    detail: `${action === 'monitor' && match.rule.allow ? 'would allow: ' : ''}${match.what} on the ${list} list`,
  };
}

/** The rules of one side that hold the request, one match per rule, or `undefined` (no allocation then). */
function matchSide(side: Side, facts: RequestFacts, ip: ReturnType<typeof parseIp>): Match[] | undefined {
  let out: Match[] | undefined;
  if (ip !== undefined && side.ips.size > 0 && side.ips.lookup(ip) !== undefined) {
    const hits: { rule: CompiledRule; cidr: string }[] = [];
    side.ips.collect(ip, hits);
    for (const hit of hits) out = addMatch(out, hit.rule, 'ip', facts.ip, `ip in ${hit.cidr}`);
  }
  if (facts.country !== undefined && side.countries.size > 0) {
    const country = facts.country.toUpperCase();
    for (const rule of side.countries.get(country) ?? NO_RULES) out = addMatch(out, rule, 'ip', facts.ip, `country ${country}`);
  }
  if (facts.asn !== undefined && side.asns.size > 0) {
    for (const rule of side.asns.get(facts.asn) ?? NO_RULES) out = addMatch(out, rule, 'ip', facts.ip, `AS${facts.asn}`);
  }
  if (facts.user !== undefined && side.users.size > 0) {
    for (const rule of side.users.get(facts.user) ?? NO_RULES) out = addMatch(out, rule, 'user', facts.user, 'user');
  }
  if (facts.apiKey !== undefined && side.apiKeys.size > 0) {
    for (const rule of side.apiKeys.get(facts.apiKey) ?? NO_RULES) out = addMatch(out, rule, 'api_key', facts.apiKey, 'api key');
  }
  if (side.fingerprints.size > 0) {
    const { ja4, ja3, http } = facts.fingerprints;
    if (ja4 !== undefined) out = matchFingerprint(side, out, ja4, 'JA4');
    if (ja3 !== undefined) out = matchFingerprint(side, out, ja3, 'JA3');
    if (http !== undefined) out = matchFingerprint(side, out, http, 'HTTP');
  }
  return out;
}

const NO_RULES: readonly CompiledRule[] = Object.freeze([]);

function matchFingerprint(side: Side, out: Match[] | undefined, value: string, name: string): Match[] | undefined {
  let result = out;
  for (const rule of side.fingerprints.get(value) ?? NO_RULES) result = addMatch(result, rule, 'fingerprint', value, `${name} fingerprint`);
  return result;
}

/** Adds a match unless its rule already matched (a rule is reported once, for its first matching list). */
function addMatch(out: Match[] | undefined, rule: CompiledRule, kind: EntityKind, value: string, what: string): Match[] {
  const list = out ?? [];
  if (!list.some((m) => m.rule === rule)) list.push({ rule, kind, value, what });
  return list;
}

function compile(rules: readonly AccessRuleConfig[]): Compiled {
  const sides = { allow: emptySide(), deny: emptySide() };
  const ranges: Record<'allow' | 'deny', { range: CidrRange; value: { rule: CompiledRule; cidr: string } }[]> = { allow: [], deny: [] };
  const byId = new Map<string, CompiledRule>();
  let entries = 0;
  let needsCountry = false;
  let needsAsn = false;
  for (const config of rules) {
    const allow = config.action === 'allow';
    const rule: CompiledRule = {
      id: config.id,
      ruleId: `access/${config.id}`,
      allow,
      enforce: (config.mode ?? 'block') === 'block',
      bypass: allow && config.bypass?.length ? new Set(config.bypass) : NO_BYPASS,
    };
    byId.set(rule.ruleId, rule);
    const side = allow ? sides.allow : sides.deny;
    for (const cidr of config.ips ?? []) {
      const range = parseCidr(cidr);
      if (range === undefined) throw new RangeError(`access rule ${config.id}: ${JSON.stringify(cidr)} is not an IP address or CIDR range`);
      ranges[config.action].push({ range, value: { rule, cidr: cidr.trim() } });
    }
    for (const country of config.countries ?? []) add(side.countries, country.toUpperCase(), rule);
    for (const asn of config.asns ?? []) add(side.asns, asn, rule);
    for (const user of config.users ?? []) add(side.users, user, rule);
    for (const key of config.apiKeys ?? []) add(side.apiKeys, key, rule);
    for (const fingerprint of config.fingerprints ?? []) add(side.fingerprints, fingerprint, rule);
    entries +=
      (config.ips?.length ?? 0) +
      (config.countries?.length ?? 0) +
      (config.asns?.length ?? 0) +
      (config.users?.length ?? 0) +
      (config.apiKeys?.length ?? 0) +
      (config.fingerprints?.length ?? 0);
    needsCountry ||= (config.countries?.length ?? 0) > 0;
    needsAsn ||= (config.asns?.length ?? 0) > 0;
  }
  for (const name of ['allow', 'deny'] as const) {
    const side = sides[name];
    side.ips = new IpRangeTable(ranges[name]);
    side.empty =
      side.ips.size === 0 &&
      side.countries.size === 0 &&
      side.asns.size === 0 &&
      side.users.size === 0 &&
      side.apiKeys.size === 0 &&
      side.fingerprints.size === 0;
  }
  return { allow: sides.allow, deny: sides.deny, rules: byId, needsCountry, needsAsn, entries };
}

function emptySide(): Side {
  return {
    ips: new IpRangeTable([]),
    countries: new Map(),
    asns: new Map(),
    users: new Map(),
    apiKeys: new Map(),
    fingerprints: new Map(),
    empty: true,
  };
}

function add<K>(map: Map<K, CompiledRule[]>, key: K, rule: CompiledRule): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else if (!list.includes(rule)) list.push(rule);
}
