import { z } from 'zod';
import type { Observation } from './observation.js';

/**
 * The filter of a behaviour scenario: which observations it counts. A map of field to condition, all of
 * which must hold; compiled once into a plain predicate (no expression is interpreted per event).
 *
 * @example
 * filter:
 *   method: [GET]                  # one of
 *   objectIds: true                # the endpoint has a path parameter
 *   status: { gte: 400, lt: 500 }  # a range
 *   template: { matches: '/pdf$' } # a regular expression
 *   login: failed                  # ok | failed | any | none
 *   user: absent                   # present | absent
 */
export type Filter = (o: Observation) => boolean;

const Condition = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])).min(1),
  z
    .object({
      gte: z.number().optional(),
      gt: z.number().optional(),
      lte: z.number().optional(),
      lt: z.number().optional(),
      matches: z.string().optional(),
      not: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .strict(),
]);

/** The filter as written in YAML. */
export const FilterSchema = z.record(z.string(), Condition);
export type FilterSpec = z.infer<typeof FilterSchema>;

/** Fields a filter can test, and what each holds. */
const STRING_FIELDS = [
  'method',
  'host',
  'template',
  'endpoint',
  'query',
  'ip',
  'network',
  'user',
  'apiKey',
  'session',
  'fingerprint',
] as const;
const NUMBER_FIELDS = ['status', 'bytesOut'] as const;
type StringField = (typeof STRING_FIELDS)[number];
type NumberField = (typeof NUMBER_FIELDS)[number];

/** Compiles a filter; throws an `Error` naming the field on anything it does not understand. */
export function compileFilter(spec: FilterSpec | undefined): Filter {
  if (spec === undefined) return () => true;
  const tests: Filter[] = [];
  for (const [field, condition] of Object.entries(spec)) tests.push(compileField(field, condition));
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as Filter;
  return (o) => {
    for (const test of tests) if (!test(o)) return false;
    return true;
  };
}

function compileField(name: string, condition: z.infer<typeof Condition>): Filter {
  // entity kinds are spelled as in `groupBy` (`api_key`); the observation's field is `apiKey`
  const field = name === 'api_key' ? 'apiKey' : name;
  if (field === 'objectIds') {
    if (typeof condition !== 'boolean') throw new Error('objectIds: expected true or false');
    return condition ? (o) => o.objectIds.length > 0 : (o) => o.objectIds.length === 0;
  }
  if (field === 'attacks') {
    if (typeof condition === 'boolean') return condition ? (o) => o.attacks.length > 0 : (o) => o.attacks.length === 0;
    const classes = new Set((Array.isArray(condition) ? condition : [condition]).map(String));
    return (o) => o.attacks.some((a) => classes.has(a));
  }
  if (field === 'login') {
    if (condition === 'any') return (o) => o.login !== undefined;
    if (condition === 'ok') return (o) => o.login?.ok === true;
    if (condition === 'failed') return (o) => o.login?.ok === false;
    if (condition === 'none') return (o) => o.login === undefined;
    throw new Error('login: expected ok, failed, any or none');
  }
  if (field.startsWith('entities.')) {
    const name = field.slice('entities.'.length);
    return presence(condition, field) ?? stringTest(condition, field, (o) => o.entities[name]);
  }
  if ((STRING_FIELDS as readonly string[]).includes(field)) {
    const read = (o: Observation) => o[field as StringField];
    return presence(condition, field) ?? stringTest(condition, field, read);
  }
  if ((NUMBER_FIELDS as readonly string[]).includes(field)) {
    const read = (o: Observation) => o[field as NumberField];
    return numberTest(condition, field, read);
  }
  throw new Error(`unknown field \`${field}\``);
}

/** `present` / `absent` for an optional field. */
function presence(condition: z.infer<typeof Condition>, field: string): Filter | undefined {
  if (condition !== 'present' && condition !== 'absent') return undefined;
  const [kind, name] = field.startsWith('entities.') ? ['entities', field.slice(9)] : ['field', field];
  const read = (o: Observation): unknown =>
    kind === 'entities' ? o.entities[name as string] : (o as unknown as Record<string, unknown>)[field];
  return condition === 'present' ? (o) => read(o) !== undefined : (o) => read(o) === undefined;
}

function stringTest(condition: z.infer<typeof Condition>, field: string, read: (o: Observation) => string | undefined): Filter {
  if (typeof condition === 'string') return (o) => read(o) === condition;
  if (Array.isArray(condition)) {
    const set = new Set(condition.map(String));
    return (o) => {
      const v = read(o);
      return v !== undefined && set.has(v);
    };
  }
  if (typeof condition === 'object') {
    const tests: Filter[] = [];
    if (condition.matches !== undefined) {
      const re = new RegExp(condition.matches);
      tests.push((o) => {
        const v = read(o);
        return v !== undefined && re.test(v);
      });
    }
    if (condition.not !== undefined) {
      const set = new Set(condition.not.map(String));
      tests.push((o) => {
        const v = read(o);
        return v === undefined || !set.has(v);
      });
    }
    if (tests.length === 0) throw new Error(`${field}: expected a value, a list, or { matches, not }`);
    return (o) => tests.every((t) => t(o));
  }
  throw new Error(`${field}: expected a value, a list, or { matches, not }`);
}

function numberTest(condition: z.infer<typeof Condition>, field: string, read: (o: Observation) => number | undefined): Filter {
  if (typeof condition === 'number') return (o) => read(o) === condition;
  if (Array.isArray(condition)) {
    const set = new Set(condition.map(Number));
    return (o) => {
      const v = read(o);
      return v !== undefined && set.has(v);
    };
  }
  if (typeof condition === 'object' && !Array.isArray(condition)) {
    const { gte, gt, lte, lt } = condition;
    if (condition.matches !== undefined) throw new Error(`${field}: a number has no \`matches\``);
    const not = condition.not === undefined ? undefined : new Set(condition.not.map(Number));
    return (o) => {
      const v = read(o);
      if (v === undefined) return false;
      if (gte !== undefined && v < gte) return false;
      if (gt !== undefined && v <= gt) return false;
      if (lte !== undefined && v > lte) return false;
      if (lt !== undefined && v >= lt) return false;
      return not === undefined || !not.has(v);
    };
  }
  throw new Error(`${field}: expected a number, a list, or a range { gte, gt, lte, lt }`);
}
