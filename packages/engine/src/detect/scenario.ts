import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALERT_CATEGORIES, PalisadeError } from '@palisade/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { compileFilter, type Filter, FilterSchema } from './filter.js';
import { type Observation, objectKeyOf } from './observation.js';
import { EXACT_WINDOW_MS } from './windows.js';

/**
 * Behaviour scenarios: rules as data (`rules/behaviour/*.yaml`). A scenario counts the observations its
 * filter keeps, grouped by an entity (and optionally per endpoint), over a sliding window, and raises an
 * alert when the group's feature crosses its threshold — an absolute floor, and optionally a multiple of a
 * learned baseline: the group's own highest daily value over the last 30 days, or a high quantile of every
 * group's daily values (the population).
 */

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h`, `7d` in milliseconds. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (m === null) throw new Error(`not a duration: \`${text}\` (expected e.g. 30s, 10m, 1h, 7d)`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

/** Entity kinds a scenario can group by or count distinct values of. */
export const GROUP_KINDS = ['ip', 'network', 'user', 'api_key', 'session', 'fingerprint'] as const;
/** What a scenario can count distinct values of. */
export const DISTINCT_FIELDS = [...GROUP_KINDS, 'object', 'username', 'endpoint', 'template', 'target', 'attack'] as const;
type DistinctField = (typeof DISTINCT_FIELDS)[number];

const Duration = z.string().regex(DURATION, 'expected a duration such as 30s, 10m, 1h, 7d');
const KIND = `(?:${GROUP_KINDS.join('|')}|entities\\.[\\w.-]+)`;
/** A kind to group by, or alternatives (`user|session`: the first one the observation has). */
const Kind = z
  .string()
  .regex(
    new RegExp(`^${KIND}(?:\\|${KIND})*$`),
    `expected one of ${GROUP_KINDS.join(', ')}, entities.<name>, or alternatives such as user|session`,
  );

const ScenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/, 'expected <namespace>/<slug>'),
    category: z.enum(ALERT_CATEGORIES as unknown as [string, ...string[]]),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    confidence: z.number().min(0).max(1).default(0.7),
    description: z.string(),
    /** One line with `{entity}`, `{count}`, `{distinct}`, `{value}`, `{spread}`, `{bytes}`, `{window}`, `{endpoints}` placeholders. */
    summary: z.string(),
    filter: FilterSchema.optional(),
    /** One group per listed kind the observation has; `user|session` groups by the first of them it has. */
    groupBy: z.array(Kind).min(1),
    /** Keep one group per endpoint as well (failure ratios of one endpoint). */
    per: z.enum(['endpoint']).optional(),
    distinct: z.union([z.enum(DISTINCT_FIELDS), z.string().regex(/^entities\.[\w.-]+$/)]).optional(),
    window: Duration,
    threshold: z
      .object({
        count: z.number().int().positive().optional(),
        distinct: z.number().int().positive().optional(),
        /** Share of the window's observations that also pass `filter`. */
        ratio: z
          .object({ filter: FilterSchema, min: z.number().min(0).max(1) })
          .strict()
          .optional(),
        /** Distinct values of another field in the window (addresses behind one fingerprint). */
        spread: z
          .object({ of: z.enum(DISTINCT_FIELDS), min: z.number().int().positive() })
          .strict()
          .optional(),
        /** Highest coefficient of variation of the gaps between observations (machine-regular timing). */
        regular: z.number().positive().optional(),
        /** Lowest share of gaps within 10 % of the median gap (a machine's pace, even with others interleaved). */
        periodic: z.number().min(0).max(1).optional(),
        /** Bytes sent back in the window. */
        bytes: z.number().positive().optional(),
        baseline: z
          .object({
            of: z.enum(['entity', 'population']),
            factor: z.number().positive(),
            /** Population: the quantile of every group's daily values (default 0.999). */
            quantile: z.number().min(0.5).max(1).default(0.999),
            /** Population: days of history before the rule judges anyone (default 7). An entity without history has a baseline of 0. */
            minDays: z.number().int().min(1).max(30).default(7),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((t) => t.count !== undefined || t.distinct !== undefined || t.bytes !== undefined, 'needs count, distinct or bytes'),
    cooldown: Duration.optional(),
  })
  .strict()
  .refine((s) => s.threshold.distinct === undefined || s.distinct !== undefined, 'threshold.distinct needs `distinct:`');

/** A scenario as written. */
export type ScenarioSpec = z.input<typeof ScenarioSchema>;

/** A compiled scenario. */
export interface Scenario {
  readonly id: string;
  readonly category: (typeof ALERT_CATEGORIES)[number];
  readonly severity: 'low' | 'medium' | 'high' | 'critical';
  readonly confidence: number;
  readonly description: string;
  readonly summary: string;
  readonly filter: Filter;
  readonly groupBy: readonly string[];
  readonly perEndpoint: boolean;
  readonly distinct: ((o: Observation) => string | undefined) | undefined;
  readonly distinctName: string | undefined;
  readonly windowMs: number;
  readonly cooldownMs: number;
  readonly threshold: {
    count?: number;
    distinct?: number;
    bytes?: number;
    ratio?: { filter: Filter; min: number };
    spread?: { of: string; read: (o: Observation) => string | undefined; min: number };
    regular?: number;
    periodic?: number;
    baseline?: { of: 'entity' | 'population'; factor: number; quantile: number; minDays: number };
  };
  /** Where it was read from. */
  readonly source: string;
  /** A digest of the rule as written: a saved state is taken back only by the same rule. */
  readonly digest: string;
}

/** Reads a field of an observation by name (`ip`, `object`, `entities.accountId`). */
export function fieldReader(name: string): (o: Observation) => string | undefined {
  switch (name as DistinctField) {
    case 'ip':
      return (o) => o.ip;
    case 'network':
      return (o) => o.network;
    case 'user':
      return (o) => o.user;
    case 'api_key':
      return (o) => o.apiKey;
    case 'session':
      return (o) => o.session;
    case 'fingerprint':
      return (o) => o.fingerprint;
    case 'object':
      return (o) => o.objectKey ?? (o.objectIds.length === 0 ? undefined : objectKeyOf(o.template, o.objectIds));
    case 'username':
      return (o) => o.login?.username;
    case 'endpoint':
      return (o) => o.endpoint;
    case 'template':
      return (o) => o.template;
    case 'target':
      return (o) => `${o.method} ${o.host}${o.template}\u0000${o.objectIds.join('/')}\u0000${o.query ?? ''}`;
    case 'attack':
      return (o) => (o.attacks.length === 0 ? undefined : o.attacks.join(','));
  }
  if (name.startsWith('entities.')) {
    const key = name.slice('entities.'.length);
    return (o) => o.entities[key];
  }
  throw new Error(`unknown field \`${name}\``);
}

/** Validates and compiles scenarios from a YAML text (a top-level `rules:` list). Every problem is reported at once. */
export function parseScenarios(text: string, source: string): Scenario[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PalisadeError('PAL_ERR_RULES_INVALID', `${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new PalisadeError('PAL_ERR_RULES_INVALID', `${source}: expected a top-level \`rules:\` list`);
  const problems: string[] = [];
  const scenarios: Scenario[] = [];
  list.forEach((item: unknown, index) => {
    const name = (item as { id?: unknown } | null)?.id;
    const where = `${source}: rule ${typeof name === 'string' ? name : `#${index + 1}`}`;
    const parsed = ScenarioSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${where}: ${issue.path.join('.') || 'rule'}: ${issue.message}`);
      return;
    }
    try {
      scenarios.push(compileScenario(parsed.data, source));
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new PalisadeError('PAL_ERR_RULES_INVALID', problems.join('\n'));
  return scenarios;
}

function compileScenario(spec: z.output<typeof ScenarioSchema>, source: string): Scenario {
  const windowMs = parseDuration(spec.window);
  const t = spec.threshold;
  if ((t.regular !== undefined || t.periodic !== undefined) && windowMs > EXACT_WINDOW_MS) {
    throw new Error(
      `threshold.regular and .periodic need a window of at most ${EXACT_WINDOW_MS / 3_600_000} h (longer windows keep no gaps)`,
    );
  }
  for (const item of spec.groupBy) for (const kind of item.split('|')) fieldReader(kind);
  return {
    id: spec.id,
    category: spec.category as Scenario['category'],
    severity: spec.severity,
    confidence: spec.confidence,
    description: spec.description,
    summary: spec.summary,
    filter: compileFilter(spec.filter),
    groupBy: spec.groupBy,
    perEndpoint: spec.per === 'endpoint',
    distinct: spec.distinct === undefined ? undefined : fieldReader(spec.distinct),
    distinctName: spec.distinct,
    windowMs,
    cooldownMs: spec.cooldown === undefined ? windowMs : parseDuration(spec.cooldown),
    threshold: {
      count: t.count,
      distinct: t.distinct,
      bytes: t.bytes,
      ratio: t.ratio === undefined ? undefined : { filter: compileFilter(t.ratio.filter), min: t.ratio.min },
      spread: t.spread === undefined ? undefined : { of: t.spread.of, read: fieldReader(t.spread.of), min: t.spread.min },
      regular: t.regular,
      periodic: t.periodic,
      baseline: t.baseline,
    },
    source,
    digest: createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16),
  };
}

/** Loads every `*.yaml` scenario file of the folders, in name order. Rule ids must be unique. */
export async function loadScenarios(dirs: readonly string[]): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const dir of dirs) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
    for (const file of files) {
      const path = join(dir, file);
      scenarios.push(...parseScenarios(await readFile(path, 'utf8'), path));
    }
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const s of scenarios) {
    if (seen.has(s.id)) duplicates.push(s.id);
    else seen.add(s.id);
  }
  if (duplicates.length > 0) throw new PalisadeError('PAL_ERR_RULES_INVALID', `rule ids must be unique: ${duplicates.join(', ')}`);
  return scenarios;
}

/** The shipped behaviour scenarios (`rules/behaviour/`). */
export const SHIPPED_SCENARIOS_DIR: string = fileURLToPath(new URL('../../../../rules/behaviour', import.meta.url));
