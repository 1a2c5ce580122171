/**
 * Business-flow rules: the steps an honest client takes in order (view cart → checkout → pay), each a method
 * and a path template. A request for step k (k > 0) from a key (session, user, API key or IP) that has not
 * done step k−1, in order, within `within` before it, skipped that step — a bot calling the payment endpoint
 * directly, say — and yields a `flow/<id>` finding `skipped <step name>`.
 *
 * A step counts as done only when taken in order, so skipping one step makes every later one a skip too.
 * State is one timestamp per step per key, bounded by `maxKeys` per rule (idlest keys forgotten first, and
 * then they have done nothing); time is `facts.time`. Requests without the rule's key are not judged.
 */

import type { PolicyFinding, RequestFacts } from './request-facts.js';
import { entityValue } from './request-facts.js';
import { BoundedMap } from './internal/bounded-map.js';
import { parseDuration } from './internal/duration.js';
import { compilePathPattern, type PathPattern } from './internal/request-match.js';

/** One step of a flow. */
export interface FlowStepConfig {
  /** Named in findings: `skipped <name>`. */
  name: string;
  method: string;
  /** A path template; `{x}` matches one segment (`/orders/{id}/pay`). */
  path: string;
}

/** One business-flow rule as configured. */
export interface FlowRuleConfig {
  /** Slug; findings carry `flow/<id>`. */
  id: string;
  key: 'session' | 'user' | 'api_key' | 'ip';
  /** At least two steps, in the order an honest client takes them. */
  steps: FlowStepConfig[];
  /** How long after a step the next one may come: `30m`. */
  within: string;
  mode: 'block' | 'monitor';
  /** Keys remembered at most; default 100,000. */
  maxKeys?: number;
}

/** Default bound on the keys of one flow rule. */
export const DEFAULT_FLOW_KEYS = 100_000;

interface CompiledStep {
  name: string;
  method: string;
  pattern: PathPattern;
}

interface CompiledRule {
  id: string;
  ruleId: string;
  key: FlowRuleConfig['key'];
  steps: CompiledStep[];
  withinMs: number;
  action: 'block' | 'monitor';
  /** Key value → when each step was last done in order (-1: never). */
  state: BoundedMap<Float64Array>;
}

/**
 * Tracks the steps each key takes through each flow. Rules are assumed valid (see `validatePolicyConfig`).
 *
 * @example
 * const flows = new FlowTracker([{ id: 'checkout', key: 'session', within: '30m', mode: 'block', steps: [
 *   { name: 'checkout', method: 'POST', path: '/orders' },
 *   { name: 'pay', method: 'POST', path: '/orders/{id}/pay' }] }]);
 * flows.check(payWithoutOrder); // [{ ruleId: 'flow/checkout', detail: 'skipped checkout', ... }]
 */
export class FlowTracker {
  readonly #rules: CompiledRule[];

  constructor(rules: readonly FlowRuleConfig[]) {
    this.#rules = rules.map((rule) => {
      const withinMs = parseDuration(rule.within);
      if (withinMs === undefined) throw new RangeError(`flow ${rule.id}: within ${JSON.stringify(rule.within)} is not a duration`);
      return {
        id: rule.id,
        ruleId: `flow/${rule.id}`,
        key: rule.key,
        steps: rule.steps.map((s) => ({ name: s.name, method: s.method.toUpperCase(), pattern: compilePathPattern(s.path) })),
        withinMs,
        action: rule.mode,
        state: new BoundedMap<Float64Array>(rule.maxKeys ?? DEFAULT_FLOW_KEYS),
      };
    });
  }

  /** Records the steps the request takes and pushes a finding for each flow in which it skipped one. */
  check(facts: RequestFacts, into: PolicyFinding[] = []): PolicyFinding[] {
    const method = facts.method.toUpperCase();
    for (const rule of this.#rules) {
      let skipped = -1;
      let done = false;
      let times: Float64Array | undefined;
      let value: string | undefined;
      for (let k = 0; k < rule.steps.length; k++) {
        const step = rule.steps[k] as CompiledStep;
        if (step.method !== method || !step.pattern.matches(facts.path)) continue;
        if (value === undefined) {
          value = entityValue(facts, rule.key);
          if (value === undefined) break;
          times = rule.state.get(value);
        }
        const previous = k === 0 ? 0 : (times?.[k - 1] ?? -1);
        if (k === 0 || (previous >= 0 && facts.time - previous <= rule.withinMs && facts.time >= previous)) {
          if (times === undefined) {
            times = new Float64Array(rule.steps.length).fill(-1);
            rule.state.set(value, times);
          }
          times[k] = facts.time;
          done = true;
        } else if (skipped < 0) skipped = k;
      }
      if (done || skipped < 0 || value === undefined) continue;
      into.push({
        protection: 'flow',
        ruleId: rule.ruleId,
        action: rule.action,
        entity: { kind: rule.key, value },
        detail: `skipped ${(rule.steps[skipped - 1] as CompiledStep).name}`,
      });
    }
    return into;
  }

  /** Keys held and forgotten, per rule. */
  stats(): { id: string; keys: number; evicted: number }[] {
    return this.#rules.map((r) => ({ id: r.id, keys: r.state.size, evicted: r.state.evicted }));
  }
}
