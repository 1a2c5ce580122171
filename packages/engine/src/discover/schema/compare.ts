import type { JsonSchema } from '../types.js';
import { SAMPLES_KEYWORD, TRUNCATED_KEYWORD } from './internal/keywords.js';

/** One way observed traffic differs from what an API description declares. */
export interface SchemaDifference {
  /** JSON-pointer-like location: `/user/email`, `/items/[]/price`, `` for the root; map values are `/{}`. */
  path: string;
  kind: 'undeclared-property' | 'type-mismatch' | 'format-mismatch' | 'missing-required' | 'declared-never-seen';
  /** What the description says, e.g. `integer`, `string/date-time`, `string|null`. */
  declared?: string;
  /** What traffic showed, in the same notation. */
  observed?: string;
}

/** Objects seen fewer times than this never yield `declared-never-seen`. */
const NEVER_SEEN_MIN_SAMPLES = 20;
/** Objects seen fewer times than this never yield `missing-required`. */
const MISSING_MIN_SAMPLES = 2;
/** allOf / oneOf / anyOf nesting followed at most; deeper or cyclic parts are treated as unknown. */
const MAX_COMBINATOR_DEPTH = 8;
/** Formats the schema builder recognises reliably: a declared one with plain strings observed is a mismatch. */
const RELIABLE_FORMATS = new Set(['date-time', 'date', 'time', 'email', 'uuid', 'uri', 'ipv4', 'ipv6']);
/** Declared formats that accept values of another, narrower observed format. */
const WIDER_FORMATS: Record<string, readonly string[]> = {
  'uri-reference': ['uri'],
  iri: ['uri'],
  'iri-reference': ['uri'],
  'idn-email': ['email'],
};
/** Formats checked at all; other declared formats (`password`, `int64`, `hostname`, …) are never compared. */
const KNOWN_FORMATS = new Set([...RELIABLE_FORMATS, 'byte', ...Object.keys(WIDER_FORMATS)]);

/**
 * Compares an observed schema (from a builder) with a declared one (dereferenced OpenAPI schema).
 *
 * `declared` may use OpenAPI 3.0 (`nullable`, Swagger's `x-nullable`) or 3.1 (`type` arrays) conventions,
 * `allOf` (merged), `oneOf`/`anyOf` (the observed value matches when each observed type matches some branch;
 * nothing inside a branch is compared) and `additionalProperties` schemas (maps). A `$ref` left in the
 * declared schema makes that part unknown, so nothing is reported about it. A declared object with no
 * `properties` and no `additionalProperties` schema or `false` (in itself or its allOf parts) is free-form:
 * its fields are not undeclared, and neither are names declared in a oneOf/anyOf branch.
 * `integer` observed where `number` is declared is fine. `missing-required` needs the object observed at
 * least twice, `declared-never-seen` 20 times (the builder's `x-palisade-samples`). Pure function; the
 * differences come depth first, in the order of the observed schema.
 *
 * @example
 * ```ts
 * compareSchemas(
 *   { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
 *   { type: 'object', properties: { id: { type: 'number' }, debug: { type: 'boolean' } }, 'x-palisade-samples': 5 },
 * );
 * // [{ path: '/id', kind: 'type-mismatch', declared: 'integer', observed: 'number' },
 * //  { path: '/debug', kind: 'undeclared-property', observed: 'boolean' }]
 * ```
 */
export function compareSchemas(declared: JsonSchema, observed: JsonSchema): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  compareAt(declared, observed, '', out);
  return out;
}

/** A declared schema with its `allOf` parts merged in. */
interface DeclaredView {
  /** `undefined`: any type. */
  types: string[] | undefined;
  /** `null` is accepted whatever `types` and the branches say (OpenAPI 3.0 `nullable`, Swagger `x-nullable`). */
  nullable: boolean;
  format: string | undefined;
  properties: Map<string, JsonSchema>;
  required: Set<string>;
  /** The value schema of a map (`additionalProperties` as a schema). */
  additional: JsonSchema | undefined;
  items: JsonSchema | undefined;
  /** `oneOf` / `anyOf` branches; `undefined` when there are none. */
  branches: DeclaredView[] | undefined;
  /** Property names declared inside branches (not compared, but not undeclared either). */
  branchProperties: Set<string>;
  /** Part of the schema could not be read (a `$ref` is left): its properties are unknown. */
  opaque: boolean;
  /** `properties`, an `additionalProperties` schema or `false` says what the object's fields are. */
  describesFields: boolean;
}

function compareAt(declaredSchema: JsonSchema, observed: JsonSchema, path: string, out: SchemaDifference[]): void {
  const declared = viewOf(declaredSchema);
  const observedTypes = readTypes(observed.type);
  if (declared === undefined || observedTypes === undefined) return;
  if (!observedTypes.every((type) => accepts(declared, type))) {
    out.push({ path, kind: 'type-mismatch', declared: describeDeclared(declared), observed: describeObserved(observed) });
  }
  if (observedTypes.includes('string') && accepts(declared, 'string')) compareFormat(declared, observed, path, out);
  if (observedTypes.includes('object') && accepts(declared, 'object')) compareObject(declared, observed, path, out);
  if (observedTypes.includes('array') && accepts(declared, 'array') && declared.items !== undefined && isSchema(observed.items)) {
    compareAt(declared.items, observed.items, `${path}/[]`, out);
  }
}

// ---- declared schemas ----

/** Reads a declared schema; `undefined` when it cannot be read (a `$ref` left, combinators too deep or cyclic). */
function viewOf(schema: JsonSchema, ancestors: readonly JsonSchema[] = []): DeclaredView | undefined {
  if (typeof schema.$ref === 'string' || ancestors.length > MAX_COMBINATOR_DEPTH || ancestors.includes(schema)) return undefined;
  const inner = [...ancestors, schema];
  const view: DeclaredView = {
    types: readTypes(schema.type),
    nullable: schema.nullable === true || schema['x-nullable'] === true,
    format: typeof schema.format === 'string' ? schema.format : undefined,
    properties: new Map(isSchema(schema.properties) ? Object.entries(schema.properties).filter(isSchemaEntry) : []),
    required: new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : []),
    additional: isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined,
    items: isSchema(schema.items) ? schema.items : undefined,
    branches: undefined,
    branchProperties: new Set(),
    // Keys matching `patternProperties` are declared, but patterns are not evaluated here.
    opaque: isSchema(schema.patternProperties),
    describesFields: isSchema(schema.properties) || isSchema(schema.additionalProperties) || schema.additionalProperties === false,
  };
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) mergeAllOfPart(view, isSchema(part) ? viewOf(part, inner) : undefined);
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const alternatives = schema[keyword];
    if (Array.isArray(alternatives)) addBranches(view, alternatives, inner);
  }
  return view;
}

function mergeAllOfPart(view: DeclaredView, part: DeclaredView | undefined): void {
  if (part === undefined) {
    view.opaque = true;
    return;
  }
  if (part.types !== undefined) view.types = view.types === undefined ? part.types : intersectTypes(view.types, part.types);
  view.nullable ||= part.nullable;
  view.format ??= part.format;
  for (const [name, schema] of part.properties) {
    const existing = view.properties.get(name);
    view.properties.set(name, existing === undefined ? schema : { allOf: [existing, schema] });
  }
  for (const name of part.required) view.required.add(name);
  view.additional ??= part.additional;
  view.items ??= part.items;
  if (part.branches !== undefined) view.branches = [...(view.branches ?? []), ...part.branches];
  for (const name of part.branchProperties) view.branchProperties.add(name);
  view.opaque ||= part.opaque;
  view.describesFields ||= part.describesFields;
}

function addBranches(view: DeclaredView, alternatives: readonly unknown[], ancestors: readonly JsonSchema[]): void {
  const branches: DeclaredView[] = [];
  for (const alternative of alternatives) {
    const branch = isSchema(alternative) ? viewOf(alternative, ancestors) : undefined;
    // A branch that cannot be read could accept anything.
    if (branch === undefined) {
      view.opaque = true;
      return;
    }
    branches.push(branch);
    for (const name of branch.properties.keys()) view.branchProperties.add(name);
    for (const name of branch.branchProperties) view.branchProperties.add(name);
    view.opaque ||= branch.opaque || branch.additional !== undefined;
  }
  // anyOf beside oneOf (or in allOf parts) are all required to match: keep the narrowest list.
  if (view.branches === undefined || branches.length < view.branches.length) view.branches = branches;
}

function intersectTypes(a: readonly string[], b: readonly string[]): string[] {
  const types = a.filter((type) => b.includes(type));
  if (a.includes('integer') && b.includes('number') && !types.includes('integer')) types.push('integer');
  if (b.includes('integer') && a.includes('number') && !types.includes('integer')) types.push('integer');
  return types;
}

/** True when a value of JSON type `type` may appear where `view` is declared. */
function accepts(view: DeclaredView, type: string): boolean {
  if (type === 'null' && view.nullable) return true;
  if (!acceptsType(view.types, type)) return false;
  return view.branches === undefined || view.branches.some((branch) => accepts(branch, type));
}

function acceptsType(types: readonly string[] | undefined, type: string): boolean {
  return types === undefined || types.includes(type) || (type === 'integer' && types.includes('number'));
}

// ---- formats ----

function compareFormat(declared: DeclaredView, observed: JsonSchema, path: string, out: SchemaDifference[]): void {
  const allowed = declaredFormats(declared);
  if (allowed === undefined || !allowed.every((format) => KNOWN_FORMATS.has(format))) return;
  const format = typeof observed.format === 'string' ? observed.format : undefined;
  if (
    format !== undefined &&
    allowed.some((declaredFormat) => declaredFormat === format || WIDER_FORMATS[declaredFormat]?.includes(format))
  ) {
    return;
  }
  if (format === undefined && !allowed.every((declaredFormat) => RELIABLE_FORMATS.has(declaredFormat))) return;
  out.push({
    path,
    kind: 'format-mismatch',
    declared: allowed.map((declaredFormat) => `string/${declaredFormat}`).join('|'),
    observed: format === undefined ? 'string' : `string/${format}`,
  });
}

/** The formats a declared string may have; `undefined` when some accepted string has no format. */
function declaredFormats(view: DeclaredView): string[] | undefined {
  if (view.branches === undefined) return view.format === undefined ? undefined : [view.format];
  const formats: string[] = [];
  for (const branch of view.branches) {
    if (!accepts(branch, 'string')) continue;
    const branchFormat = branch.format ?? view.format;
    if (branchFormat === undefined) return undefined;
    if (!formats.includes(branchFormat)) formats.push(branchFormat);
  }
  return formats.length === 0 ? undefined : formats;
}

// ---- objects ----

function compareObject(declared: DeclaredView, observed: JsonSchema, path: string, out: SchemaDifference[]): void {
  const observedProperties = isSchema(observed.properties) ? observed.properties : undefined;
  const observedMap = isSchema(observed.additionalProperties) ? observed.additionalProperties : undefined;
  const checkUndeclared = declared.describesFields && !declared.opaque;
  for (const [name, child] of Object.entries(observedProperties ?? {})) {
    if (!isSchema(child)) continue;
    const childPath = `${path}/${escapePointer(name)}`;
    const declaredChild = declared.properties.get(name) ?? declared.additional;
    if (declaredChild !== undefined) compareAt(declaredChild, child, childPath, out);
    else if (checkUndeclared && !declared.branchProperties.has(name)) {
      out.push({ path: childPath, kind: 'undeclared-property', observed: describeObserved(child) });
    }
  }
  if (observedMap !== undefined) {
    if (declared.additional !== undefined) compareAt(declared.additional, observedMap, `${path}/{}`, out);
    else if (checkUndeclared) out.push({ path: `${path}/{}`, kind: 'undeclared-property', observed: describeObserved(observedMap) });
  }
  // Only an object whose field names were all tracked tells which declared fields never came.
  if (observed[TRUNCATED_KEYWORD] === true || (observedMap !== undefined && observedProperties === undefined)) return;
  const samples = observedSamples(observed);
  for (const [name, schema] of declared.properties) {
    if (observedProperties !== undefined && Object.hasOwn(observedProperties, name)) continue;
    const childPath = `${path}/${escapePointer(name)}`;
    const required = declared.required.has(name);
    if (required ? samples < MISSING_MIN_SAMPLES : samples < NEVER_SEEN_MIN_SAMPLES) continue;
    const view = viewOf(schema);
    const difference: SchemaDifference = { path: childPath, kind: required ? 'missing-required' : 'declared-never-seen' };
    if (view !== undefined) difference.declared = describeDeclared(view);
    out.push(difference);
  }
}

/** Objects observed: the builder's count, else 2 when the observed schema says which fields are required. */
function observedSamples(observed: JsonSchema): number {
  const samples = observed[SAMPLES_KEYWORD];
  if (typeof samples === 'number') return samples;
  return Array.isArray(observed.required) ? MISSING_MIN_SAMPLES : 0;
}

// ---- notation ----

function describeDeclared(view: DeclaredView): string {
  let types = view.types;
  if (view.branches !== undefined) {
    const branchTypes = view.branches.flatMap((branch) => branch.types ?? []).filter((type) => acceptsType(view.types, type));
    if (!view.branches.some((branch) => branch.types === undefined)) types = [...new Set(branchTypes)];
  }
  types ??= view.describesFields ? ['object'] : view.items !== undefined ? ['array'] : undefined;
  if (types === undefined) return view.nullable ? 'any|null' : 'any';
  if (view.nullable && !types.includes('null')) types = [...types, 'null'];
  const formats = types.includes('string') ? declaredFormats(view) : undefined;
  return types
    .flatMap((type) => (type === 'string' && formats !== undefined ? formats.map((format) => `string/${format}`) : [type]))
    .join('|');
}

function describeObserved(schema: JsonSchema): string {
  const types = readTypes(schema.type);
  if (types === undefined) return 'any';
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  return types.map((type) => (type === 'string' && format !== undefined ? `string/${format}` : type)).join('|');
}

function readTypes(type: unknown): string[] | undefined {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) {
    const types = type.filter((entry) => typeof entry === 'string');
    return types.length > 0 ? types : undefined;
  }
  return undefined;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchemaEntry(entry: [string, unknown]): entry is [string, JsonSchema] {
  return isSchema(entry[1]);
}

/** RFC 6901 escaping, so a `/` inside a property name is not read as a level. */
function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
