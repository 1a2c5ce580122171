import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Alert, API_EVENT_SCHEMA_VERSION, type ApiEvent, PalisadeError } from '@palisade/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createEventDetection } from './event-detection.js';
import type { ObserverOptions } from './observation.js';
import type { Detector } from './runner.js';
import { parseDuration, type Scenario } from './scenario.js';

/**
 * Test cases of behaviour rules: one folder per case holding a `case.yaml` — traffic written as a few
 * repeated requests, and the alerts the rules under test must raise (none, for a benign look-alike).
 * `palisade rules test` runs them; `npm test` runs the shipped ones.
 *
 * @example
 * description: A customer reads 300 invoices of other customers in sequence within an hour.
 * rules: [bola/object-enumeration]
 * events:
 *   - at: 2026-11-02T10:00:00Z
 *     repeat: 300
 *     every: 5s
 *     request: { method: GET, host: api.shop.example, path: '/v2/invoices/{5001000 + i}', ip: 203.0.113.7, user: user-7 }
 * expect:
 *   - rule: bola/object-enumeration
 *     entities: [{ kind: user, value: user-7 }]
 */

const Entity = z.object({ kind: z.string(), value: z.string() }).strict();

const RequestSpec = z
  .object({
    method: z.string().default('GET'),
    host: z.string().default('api.example.test'),
    path: z.string(),
    query: z.string().optional(),
    ip: z.string().optional(),
    user: z.string().optional(),
    /** The API key's consumer name. */
    apiKey: z.string().optional(),
    session: z.string().optional(),
    userAgent: z.string().optional(),
    ja4: z.string().optional(),
    contentType: z.string().optional(),
    body: z.string().optional(),
    status: z.union([z.number().int(), z.string()]).default(200),
    bytes: z.union([z.number(), z.string()]).optional(),
    entities: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const Block = z
  .object({
    /** ISO time of the first request. */
    at: z.string(),
    repeat: z.number().int().min(1).max(100_000).default(1),
    /** Gap between repeats. */
    every: z.string().default('1s'),
    /**
     * People are not metronomes: each repeat moves by up to ± jitter/2 × `every` (0–1), by a fixed pseudo-random
     * amount (the same case gives the same times on every run).
     */
    jitter: z.number().min(0).max(1).default(0),
    request: RequestSpec,
  })
  .strict();

const CaseSchema = z
  .object({
    description: z.string(),
    /** The rules whose alerts are compared; alerts of other rules are ignored. */
    rules: z.array(z.string()).min(1),
    events: z.array(Block).min(1),
    expect: z
      .array(
        z
          .object({
            rule: z.string(),
            category: z.string().optional(),
            /** Entities the alert must name (it may name more). */
            entities: z.array(Entity).default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** The outcome of one case. */
export interface RuleTestResult {
  name: string;
  description: string;
  passed: boolean;
  /** What differed, one line each. */
  problems: string[];
  alerts: Alert[];
}

/** What the cases run against. */
export interface RuleTestOptions {
  scenarios: readonly Scenario[];
  detectors?: () => Detector[];
  attacks?: ObserverOptions['attacks'];
}

/** The shipped cases (`rules/behaviour/tests`). */
export const SHIPPED_RULE_TESTS_DIR: string = fileURLToPath(new URL('../../../../rules/behaviour/tests', import.meta.url));

/** Runs every case folder under `dir` (a folder holding `case.yaml`, or a folder of such folders). */
export async function runRuleTests(dir: string, options: RuleTestOptions): Promise<RuleTestResult[]> {
  const results: RuleTestResult[] = [];
  for (const folder of await caseFolders(dir)) {
    const text = await readFile(join(folder, 'case.yaml'), 'utf8');
    results.push(runRuleTest(text, folder.slice(dir.length + 1) || folder, options));
  }
  return results;
}

async function caseFolders(dir: string): Promise<string[]> {
  if (
    await stat(join(dir, 'case.yaml')).then(
      () => true,
      () => false,
    )
  )
    return [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new PalisadeError('PAL_ERR_RULES_INVALID', `no rule test folder at ${dir}`);
  });
  const folders: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    folders.push(...(await caseFolders(join(dir, entry.name))));
  }
  return folders;
}

/** Runs one case from its YAML text. A case that cannot be read fails with the reason. */
export function runRuleTest(text: string, name: string, options: RuleTestOptions): RuleTestResult {
  let spec: z.output<typeof CaseSchema>;
  try {
    const parsed = CaseSchema.safeParse(parseYaml(text));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    spec = parsed.data;
  } catch (error) {
    return { name, description: '', passed: false, problems: [`case.yaml: ${(error as Error).message}`], alerts: [] };
  }
  const problems: string[] = [];
  const known = new Set([...options.scenarios.map((s) => s.id), ...(options.detectors?.() ?? []).flatMap((d) => d.ruleIds)]);
  for (const rule of spec.rules) if (!known.has(rule)) problems.push(`unknown rule ${rule}`);
  let events: ApiEvent[];
  try {
    events = spec.events.flatMap(expandBlock).sort((a, b) => a.time - b.time);
  } catch (error) {
    return { name, description: spec.description, passed: false, problems: [(error as Error).message], alerts: [] };
  }
  const detection = createEventDetection({ scenarios: options.scenarios, detectors: options.detectors?.(), attacks: options.attacks });
  for (const event of events) detection.add(event);
  const alerts = detection.finish().alerts.filter((a) => spec.rules.includes(a.ruleId));
  const matched = new Set<Alert>();
  for (const want of spec.expect) {
    const hit = alerts.find(
      (a) =>
        !matched.has(a) &&
        a.ruleId === want.rule &&
        (want.category === undefined || a.category === want.category) &&
        want.entities.every((e) => a.entities.some((x) => x.kind === e.kind && x.value === e.value)),
    );
    if (hit === undefined) {
      const entities = want.entities.map((e) => `${e.kind} ${e.value}`).join(', ');
      problems.push(`expected an alert of ${want.rule}${entities === '' ? '' : ` naming ${entities}`}: none`);
    } else matched.add(hit);
  }
  for (const alert of alerts) {
    if (!matched.has(alert)) problems.push(`unexpected alert of ${alert.ruleId}: ${alert.summary}`);
  }
  return { name, description: spec.description, passed: problems.length === 0, problems, alerts };
}

/** `{5001000 + i}`, `{i % 7}`, `{i * 3 + 2}`: integer arithmetic over the repeat index `i`. */
const EXPRESSION = /\{([\di+\-*% ]+)\}/g;

function substitute(text: string, i: number): string {
  return text.replace(EXPRESSION, (whole, expr: string) => {
    if (!expr.includes('i')) return whole;
    return String(evaluate(expr, i));
  });
}

function evaluate(expr: string, i: number): number {
  const tokens = expr.replace(/\s+/g, '').match(/\d+|i|[+\-*%]/g) ?? [];
  // terms joined by + and -, each a product of factors joined by * and %
  let total = 0;
  let sign = 1;
  let k = 0;
  const factor = (): number => {
    const t = tokens[k++];
    if (t === 'i') return i;
    if (t !== undefined && /^\d+$/.test(t)) return Number(t);
    throw new Error(`cannot read the expression {${expr}}`);
  };
  while (k < tokens.length) {
    let term = factor();
    while (tokens[k] === '*' || tokens[k] === '%') {
      const op = tokens[k++];
      const right = factor();
      term = op === '*' ? term * right : term % right;
    }
    total += sign * term;
    const op = tokens[k++];
    if (op === undefined) break;
    if (op !== '+' && op !== '-') throw new Error(`cannot read the expression {${expr}}`);
    sign = op === '+' ? 1 : -1;
  }
  return total;
}

/** A fixed pseudo-random number in [0, 1) for repeat `i` of the block starting at `start`. */
function unitHash(start: number, i: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(start % 0x7fffffff, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32;
}

let sequence = 0;

function expandBlock(block: z.output<typeof Block>): ApiEvent[] {
  const start = Date.parse(block.at);
  if (Number.isNaN(start)) throw new Error(`not a time: ${block.at}`);
  const every = parseDuration(block.every);
  const events: ApiEvent[] = [];
  for (let i = 0; i < block.repeat; i++) {
    const shift = block.jitter === 0 ? 0 : Math.round((unitHash(start, i) - 0.5) * block.jitter * every);
    const r = block.request;
    const s = (text: string | undefined) => (text === undefined ? undefined : substitute(text, i));
    const status = Number(s(String(r.status)));
    const event: ApiEvent = {
      schemaVersion: API_EVENT_SCHEMA_VERSION,
      id: `case-${(++sequence).toString(16).padStart(8, '0')}`,
      time: start + i * every + shift,
      source: { kind: 'rule-test', name: 'case.yaml' },
      request: { method: r.method, host: r.host, path: s(r.path) as string, headers: {} },
      response: { status, headers: {} },
      client: {},
      identity: { authScheme: r.user !== undefined ? 'bearer-jwt' : r.apiKey !== undefined ? 'api-key' : 'none' },
      entities: Object.fromEntries(Object.entries(r.entities ?? {}).map(([k, v]) => [k, substitute(v, i)])),
    };
    const query = s(r.query);
    if (query !== undefined) event.request.query = query;
    const body = s(r.body);
    if (body !== undefined) event.request.body = { text: body, truncated: false, contentType: r.contentType ?? 'application/json' };
    if (r.bytes !== undefined) (event.response as NonNullable<ApiEvent['response']>).size = Number(s(String(r.bytes)));
    const ip = s(r.ip);
    if (ip !== undefined) event.client.ip = ip;
    const agent = s(r.userAgent);
    if (agent !== undefined) event.client.userAgent = agent;
    if (r.ja4 !== undefined) event.client.tls = { ja4: s(r.ja4) as string };
    const user = s(r.user);
    if (user !== undefined) event.identity.user = user;
    const apiKey = s(r.apiKey);
    if (apiKey !== undefined) event.identity.consumer = apiKey;
    const session = s(r.session);
    if (session !== undefined) event.identity.session = session;
    events.push(event);
  }
  return events;
}
