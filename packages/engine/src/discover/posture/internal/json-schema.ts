import { MAX_JSON_WALK_DEPTH, MAX_JSON_WALK_NODES, memberPath, type PathStep } from './json-body.js';

type Schema = Record<string, unknown>;

// `allOf` / `anyOf` / `oneOf` nesting followed, and alternatives kept, per place: specs dereferenced by the
// loader can be cyclic, so every walk is bounded.
const MAX_COMPOSITION_DEPTH = 8;
const MAX_ALTERNATIVES = 64;

/** What a schema says about one member or element: declared (with its schemas), open (anything goes), or undeclared. */
type Lookup = { kind: 'declared'; schemas: unknown[] } | { kind: 'open' } | { kind: 'undeclared' };

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A schema and the members of its `allOf` / `anyOf` / `oneOf`, flattened: every shape the value may take. */
function alternatives(schemas: readonly unknown[]): Schema[] {
  const out: Schema[] = [];
  const seen = new Set<Schema>();
  const add = (schema: unknown, depth: number): void => {
    if (!isSchema(schema) || seen.has(schema) || out.length >= MAX_ALTERNATIVES) return;
    seen.add(schema);
    out.push(schema);
    if (depth >= MAX_COMPOSITION_DEPTH) return;
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      const parts = schema[keyword];
      if (Array.isArray(parts)) for (const part of parts) add(part, depth + 1);
    }
  };
  for (const schema of schemas) add(schema, 0);
  return out;
}

/** True when `type` is given and does not allow `kind` (`{ type: 'string' }` has no members). */
function excludesType(schema: Schema, kind: 'object' | 'array'): boolean {
  const type = schema.type;
  if (typeof type === 'string') return type !== kind;
  if (Array.isArray(type)) return !type.includes(kind);
  return false;
}

function lookupMember(alts: readonly Schema[], name: string): Lookup {
  const found: unknown[] = [];
  let open = false;
  let constrained = false;
  for (const alt of alts) {
    const properties = alt.properties;
    const additional = alt.additionalProperties;
    if (isSchema(properties) && Object.hasOwn(properties, name)) found.push(properties[name]);
    else if (isSchema(additional)) found.push(additional);
    else if (additional === true || (isSchema(alt.patternProperties) && Object.keys(alt.patternProperties).length > 0)) open = true;
    if ((isSchema(properties) && Object.keys(properties).length > 0) || additional === false || excludesType(alt, 'object')) {
      constrained = true;
    }
  }
  if (found.length > 0) return { kind: 'declared', schemas: found };
  return open || !constrained ? { kind: 'open' } : { kind: 'undeclared' };
}

function lookupItem(alts: readonly Schema[]): Lookup {
  const found: unknown[] = [];
  let constrained = false;
  for (const alt of alts) {
    if (isSchema(alt.items)) found.push(alt.items);
    if (Array.isArray(alt.prefixItems)) found.push(...alt.prefixItems);
    if (Array.isArray(alt.items)) found.push(...alt.items);
    if (excludesType(alt, 'array')) constrained = true;
  }
  if (found.length > 0) return { kind: 'declared', schemas: found };
  return constrained ? { kind: 'undeclared' } : { kind: 'open' };
}

/**
 * True when one of the schemas declares the place `steps` leads to, or leaves it open (no `properties`, an
 * object `additionalProperties`, `additionalProperties: true`, `patternProperties`, no `items`). A member
 * is undeclared when every alternative that constrains members lacks it.
 */
export function isPathDeclared(schemas: readonly unknown[], steps: readonly PathStep[]): boolean {
  let alts = alternatives(schemas);
  if (alts.length === 0) return true;
  for (const step of steps) {
    const lookup = 'member' in step ? lookupMember(alts, step.member) : lookupItem(alts);
    if (lookup.kind === 'open') return true;
    if (lookup.kind === 'undeclared') return false;
    alts = alternatives(lookup.schemas);
    if (alts.length === 0) return true;
  }
  return true;
}

/** Most undeclared or read-only paths reported per document. */
export const MAX_REPORTED_PATHS = 32;

/** The properties of a request body that its schema does not declare, and the declared read-only ones sent. */
export interface BodyComparison {
  /** Collapsed paths (`$.role`, `$.items[].price`) of members the schema does not declare. */
  undeclared: string[];
  /** Collapsed paths of members the schema marks `readOnly`. */
  readOnly: string[];
}

/**
 * Compares a parsed JSON body with the schema that declares it. An undeclared member is reported and not
 * descended into; open places (see {@link isPathDeclared}) are not looked into. Bounded by the JSON walk
 * limits; at most {@link MAX_REPORTED_PATHS} paths of each kind.
 */
export function compareBodyWithSchema(body: unknown, schema: unknown): BodyComparison {
  const result: BodyComparison = { undeclared: [], readOnly: [] };
  let nodes = 0;
  const check = (node: unknown, alts: readonly Schema[], path: string, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth >= MAX_JSON_WALK_DEPTH || alts.length === 0) return;
    if (Array.isArray(node)) {
      const lookup = lookupItem(alts);
      if (lookup.kind !== 'declared') return;
      const itemAlts = alternatives(lookup.schemas);
      for (const item of node) {
        if (++nodes > MAX_JSON_WALK_NODES) return;
        check(item, itemAlts, `${path}[]`, depth + 1);
      }
      return;
    }
    for (const key of Object.keys(node)) {
      if (++nodes > MAX_JSON_WALK_NODES) return;
      const lookup = lookupMember(alts, key);
      const childPath = memberPath(path, key);
      if (lookup.kind === 'undeclared') {
        addPath(result.undeclared, childPath);
      } else if (lookup.kind === 'declared') {
        const childAlts = alternatives(lookup.schemas);
        if (childAlts.some((alt) => alt.readOnly === true)) addPath(result.readOnly, childPath);
        check((node as Record<string, unknown>)[key], childAlts, childPath, depth + 1);
      }
    }
  };
  check(body, alternatives([schema]), '$', 0);
  return result;
}

function addPath(list: string[], path: string): void {
  if (list.length < MAX_REPORTED_PATHS && !list.includes(path)) list.push(path);
}
