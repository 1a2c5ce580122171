import { PalisadeError } from '@palisade/core';
import type { JsonSchema } from '../types.js';
import { KIND_KEYWORD, SAMPLES_KEYWORD, TRUNCATED_KEYWORD } from './internal/keywords.js';
import { isIdLikeKey } from './internal/map-keys.js';
import { classifyString, STRING_KINDS, type StringKind } from './internal/string-format.js';

export { compareSchemas, type SchemaDifference } from './compare.js';

/** Limits of one schema builder. Every limit bounds memory as well as time. */
export interface SchemaBuilderOptions {
  /** Distinct property names tracked per object location; later names are not tracked. Default 200. */
  maxProperties?: number;
  /** Nesting depth looked into (the value added is depth 0); deeper values become `{}`. Default 12. */
  maxDepth?: number;
  /** Elements examined per array, from the start. Default 50. */
  maxArrayItems?: number;
}

/**
 * Learns the JSON Schema of the values seen at one place (a body, a parameter) from sampled traffic.
 *
 * It keeps counters and structure only, never the values: strings are classified when added and only the
 * count per format is kept. Memory is bounded by the options: at most `maxProperties` properties per object
 * location, `maxDepth` levels, and a fixed set of counters per location. Not safe for concurrent use from
 * several workers; build one per worker and {@link SchemaBuilder.merge} them.
 */
export interface SchemaBuilder {
  /** Adds one parsed JSON value (object, array, scalar). */
  add(value: unknown): void;
  /** Adds one value that travelled as text (query string, header, path segment): `42` counts as integer, `true` as boolean, `2026-11-30` as string/date, etc. */
  addText(value: string): void;
  /** Merges another builder's observations into this one. */
  merge(other: SchemaBuilder): void;
  /** Values added. */
  readonly samples: number;
  /** The inferred schema. */
  toSchema(): JsonSchema;
}

const DEFAULTS: Required<SchemaBuilderOptions> = { maxProperties: 200, maxDepth: 12, maxArrayItems: 50 };

/**
 * Creates an empty schema builder. The schema it returns holds JSON types, standard formats and
 * `x-palisade-*` keywords only — never a value from traffic (no `enum`, `const`, `example`, `default`, and
 * no property named after a data key such as an id).
 *
 * Throws `PAL_ERR_CONFIG_INVALID` when an option is not a positive integer (`maxDepth` may be 0).
 *
 * @example
 * ```ts
 * const body = createSchemaBuilder();
 * body.add({ id: 1, email: 'ada@example.com' });
 * body.add({ id: 2, email: 'alan@example.com', note: null });
 * body.toSchema();
 * // { type: 'object', properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' },
 * //   note: { type: 'null' } }, required: ['id', 'email'], 'x-palisade-samples': 2 }
 * ```
 */
export function createSchemaBuilder(options: SchemaBuilderOptions = {}): SchemaBuilder {
  return new Builder(resolveOptions(options));
}

function resolveOptions(options: SchemaBuilderOptions): Required<SchemaBuilderOptions> {
  const resolved = { ...DEFAULTS };
  const problems: string[] = [];
  for (const name of ['maxProperties', 'maxDepth', 'maxArrayItems'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    const least = name === 'maxDepth' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) problems.push(`schema builder: ${name} must be an integer ≥ ${least}, got ${value}`);
    else resolved[name] = value;
  }
  if (problems.length > 0) throw new PalisadeError('PAL_ERR_CONFIG_INVALID', problems.join('; '));
  return resolved;
}

/** What was seen at one location of the value tree. */
interface Node {
  /** Values seen here, of any type. */
  count: number;
  nulls: number;
  booleans: number;
  integers: number;
  /** Numbers that are not integers. */
  numbers: number;
  strings: number;
  nonEmptyStrings: number;
  /** Non-empty strings per kind, indexed like `STRING_KINDS`. */
  kinds: number[] | undefined;
  object: ObjectNode | undefined;
  array: ArrayNode | undefined;
  /** The depth limit was reached here. */
  truncated: boolean;
}

interface ObjectNode {
  count: number;
  /** Tracked property names, in the order first seen, with how many objects had them. */
  properties: Map<string, { seen: number; node: Node }>;
  /** Values under keys that are not tracked: id-like keys and names beyond `maxProperties`. */
  rest: Node | undefined;
  /** A field name was not tracked because `maxProperties` names already were. */
  overflow: boolean;
}

interface ArrayNode {
  count: number;
  items: Node | undefined;
}

const INTEGER_TEXT = /^-?(?:0|[1-9]\d*)$/;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

class Builder implements SchemaBuilder {
  readonly #options: Required<SchemaBuilderOptions>;
  readonly #root: Node = createNode();

  constructor(options: Required<SchemaBuilderOptions>) {
    this.#options = options;
  }

  get samples(): number {
    return this.#root.count;
  }

  add(value: unknown): void {
    if (!isJsonLike(value)) return;
    addValue(this.#root, value, 0, this.#options);
  }

  addText(value: string): void {
    addText(this.#root, value);
  }

  merge(other: SchemaBuilder): void {
    if (!(other instanceof Builder)) throw new TypeError('merge() takes a builder made by createSchemaBuilder()');
    const source = other === this ? cloneNode(this.#root, this.#options) : other.#root;
    mergeNode(this.#root, source, 0, this.#options);
  }

  toSchema(): JsonSchema {
    return nodeSchema(this.#root, 0, this.#options);
  }
}

function createNode(): Node {
  return {
    count: 0,
    nulls: 0,
    booleans: 0,
    integers: 0,
    numbers: 0,
    strings: 0,
    nonEmptyStrings: 0,
    kinds: undefined,
    object: undefined,
    array: undefined,
    truncated: false,
  };
}

/** False for what `JSON.stringify` leaves out of objects: `undefined`, functions and symbols. */
function isJsonLike(value: unknown): boolean {
  const type = typeof value;
  return type !== 'undefined' && type !== 'function' && type !== 'symbol';
}

// ---- adding ----

function addValue(node: Node, value: unknown, depth: number, options: Required<SchemaBuilderOptions>): void {
  node.count++;
  if (depth > options.maxDepth) {
    node.truncated = true;
    return;
  }
  if (value === null || !isJsonLike(value)) node.nulls++;
  else if (typeof value === 'boolean') node.booleans++;
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) node.integers++;
    else node.numbers++;
  } else if (typeof value === 'bigint') node.integers++;
  else if (typeof value === 'string') addString(node, value);
  else if (Array.isArray(value)) addArray(node, value, depth, options);
  else addObject(node, value as Record<string, unknown>, depth, options);
}

function addString(node: Node, value: string): void {
  node.strings++;
  if (value.length === 0) return;
  node.nonEmptyStrings++;
  const kind = classifyString(value);
  if (kind === undefined) return;
  kindsOf(node)[STRING_KINDS.indexOf(kind)]! += 1;
}

function addText(node: Node, text: string): void {
  node.count++;
  if (text === 'true' || text === 'false') node.booleans++;
  else if (INTEGER_TEXT.test(text)) {
    // Digits beyond the safe range are identifiers that clients must keep as text.
    if (Number.isSafeInteger(Number(text))) node.integers++;
    else addString(node, text);
  } else if (NUMBER_TEXT.test(text) && Number.isFinite(Number(text))) {
    if (Number.isInteger(Number(text))) node.integers++;
    else node.numbers++;
  } else addString(node, text);
}

function addArray(node: Node, value: readonly unknown[], depth: number, options: Required<SchemaBuilderOptions>): void {
  const array = arrayOf(node);
  array.count++;
  const examined = Math.min(value.length, options.maxArrayItems);
  if (examined === 0) return;
  const items = itemsOf(array);
  for (let i = 0; i < examined; i++) addValue(items, value[i], depth + 1, options);
}

function addObject(node: Node, value: Record<string, unknown>, depth: number, options: Required<SchemaBuilderOptions>): void {
  const object = objectOf(node);
  object.count++;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (!isJsonLike(member)) continue;
    addValue(memberNode(object, key, 1, options), member, depth + 1, options);
  }
}

function kindsOf(node: Node): number[] {
  if (node.kinds === undefined) node.kinds = STRING_KINDS.map(() => 0);
  return node.kinds;
}

function arrayOf(node: Node): ArrayNode {
  if (node.array === undefined) node.array = { count: 0, items: undefined };
  return node.array;
}

function itemsOf(array: ArrayNode): Node {
  if (array.items === undefined) array.items = createNode();
  return array.items;
}

function objectOf(node: Node): ObjectNode {
  if (node.object === undefined) node.object = { count: 0, properties: new Map(), rest: undefined, overflow: false };
  return node.object;
}

function restOf(object: ObjectNode): Node {
  if (object.rest === undefined) object.rest = createNode();
  return object.rest;
}

/** The node a member's values go to: its own property while names can be tracked, else the shared `rest`. */
function memberNode(object: ObjectNode, key: string, seen: number, options: Required<SchemaBuilderOptions>): Node {
  const property = object.properties.get(key);
  if (property !== undefined) {
    property.seen += seen;
    return property.node;
  }
  if (isIdLikeKey(key)) return restOf(object);
  if (object.properties.size >= options.maxProperties) {
    object.overflow = true;
    return restOf(object);
  }
  const node = createNode();
  object.properties.set(key, { seen, node });
  return node;
}

// ---- merging ----

function mergeNode(target: Node, source: Node, depth: number, options: Required<SchemaBuilderOptions>): void {
  target.count += source.count;
  if (depth > options.maxDepth || source.truncated) target.truncated = true;
  if (depth > options.maxDepth) return;
  target.nulls += source.nulls;
  target.booleans += source.booleans;
  target.integers += source.integers;
  target.numbers += source.numbers;
  target.strings += source.strings;
  target.nonEmptyStrings += source.nonEmptyStrings;
  if (source.kinds !== undefined) {
    const kinds = kindsOf(target);
    source.kinds.forEach((count, i) => {
      kinds[i]! += count;
    });
  }
  if (source.array !== undefined) {
    const array = arrayOf(target);
    array.count += source.array.count;
    if (source.array.items !== undefined) mergeNode(itemsOf(array), source.array.items, depth + 1, options);
  }
  if (source.object !== undefined) mergeObject(objectOf(target), source.object, depth, options);
}

function mergeObject(target: ObjectNode, source: ObjectNode, depth: number, options: Required<SchemaBuilderOptions>): void {
  target.count += source.count;
  if (source.overflow) target.overflow = true;
  for (const [key, property] of source.properties) {
    mergeNode(memberNode(target, key, property.seen, options), property.node, depth + 1, options);
  }
  if (source.rest !== undefined) mergeNode(restOf(target), source.rest, depth + 1, options);
}

function cloneNode(node: Node, options: Required<SchemaBuilderOptions>): Node {
  const copy = createNode();
  mergeNode(copy, node, 0, { ...options, maxDepth: Number.MAX_SAFE_INTEGER, maxProperties: Number.MAX_SAFE_INTEGER });
  return copy;
}

// ---- schema ----

function nodeSchema(node: Node, depth: number, options: Required<SchemaBuilderOptions>): JsonSchema {
  const types = nodeTypes(node);
  if (types.length === 0) return node.truncated ? { [TRUNCATED_KEYWORD]: true } : {};
  const schema: JsonSchema = { type: types.length === 1 ? types[0] : types };
  if (node.strings > 0) Object.assign(schema, stringKeywords(node));
  if (node.object !== undefined) Object.assign(schema, objectKeywords(node.object, depth, options));
  if (node.array?.items !== undefined) schema.items = nodeSchema(node.array.items, depth + 1, options);
  if (node.truncated) schema[TRUNCATED_KEYWORD] = true;
  return schema;
}

function nodeTypes(node: Node): string[] {
  const types: string[] = [];
  if (node.object !== undefined) types.push('object');
  if (node.array !== undefined) types.push('array');
  if (node.strings > 0) types.push('string');
  if (node.numbers > 0) types.push('number');
  else if (node.integers > 0) types.push('integer');
  if (node.booleans > 0) types.push('boolean');
  if (node.nulls > 0) types.push('null');
  return types;
}

/** `format` (or `x-palisade-kind`) when every non-empty string seen here had it. */
function stringKeywords(node: Node): JsonSchema {
  if (node.kinds === undefined || node.nonEmptyStrings === 0) return {};
  const index = node.kinds.indexOf(node.nonEmptyStrings);
  if (index < 0) return {};
  const kind = STRING_KINDS[index] as StringKind;
  return kind === 'jwt' ? { [KIND_KEYWORD]: kind } : { format: kind };
}

function objectKeywords(object: ObjectNode, depth: number, options: Required<SchemaBuilderOptions>): JsonSchema {
  const keywords: JsonSchema = {};
  if (isMap(object)) {
    keywords.additionalProperties = nodeSchema(mapValues(object, depth, options), depth + 1, options);
  } else if (object.properties.size > 0 || object.rest !== undefined) {
    const properties: JsonSchema = {};
    for (const [key, property] of object.properties) properties[key] = nodeSchema(property.node, depth + 1, options);
    if (object.properties.size > 0) keywords.properties = properties;
    const required = object.count >= 2 ? [...object.properties].filter(([, p]) => p.seen === object.count).map(([key]) => key) : [];
    if (required.length > 0) keywords.required = required;
    if (object.overflow) keywords[TRUNCATED_KEYWORD] = true;
    // Id-like keys beside named fields: the named fields are properties, the rest is a map.
    else if (object.rest !== undefined) keywords.additionalProperties = nodeSchema(object.rest, depth + 1, options);
  }
  keywords[SAMPLES_KEYWORD] = object.count;
  return keywords;
}

/**
 * True when the object is keyed by data: only id-like keys were seen, or more field names than
 * `maxProperties` turned up and they do not recur from one object to the next (a record with too many fields
 * repeats most of them in every object; a dictionary keyed by names does not).
 */
function isMap(object: ObjectNode): boolean {
  if (object.properties.size === 0) return object.rest !== undefined;
  if (!object.overflow) return false;
  if (object.count < 2) return true;
  let recurring = 0;
  for (const property of object.properties.values()) if (property.seen * 2 >= object.count) recurring++;
  return recurring * 2 < object.properties.size;
}

function mapValues(object: ObjectNode, depth: number, options: Required<SchemaBuilderOptions>): Node {
  const values = createNode();
  for (const property of object.properties.values()) mergeNode(values, property.node, depth + 1, options);
  if (object.rest !== undefined) mergeNode(values, object.rest, depth + 1, options);
  return values;
}
