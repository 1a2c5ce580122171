import type { JsonSchema } from '@palisade/engine';

/** One leaf of a body schema: `items[].owner.email` is `string (email)`. */
export interface SchemaField {
  path: string;
  type: string;
}

/** The leaves of a schema, up to a limit, and how many more there were. */
export interface SchemaSummary {
  fields: SchemaField[];
  omitted: number;
}

const MAX_DEPTH = 8;

/**
 * Flattens an inferred JSON Schema into its leaf fields, in document order: objects contribute their
 * properties (`user.email`), arrays of objects their items (`items[].id`), everything else one field.
 * A scalar or empty root is the single field `(body)`. Never reads values: schemas carry types only.
 */
export function summarizeSchema(schema: JsonSchema, limit: number): SchemaSummary {
  const summary: SchemaSummary = { fields: [], omitted: 0 };
  const add = (path: string, type: string): void => {
    if (summary.fields.length < limit) summary.fields.push({ path: path === '' ? '(body)' : path, type });
    else summary.omitted++;
  };
  const visit = (node: JsonSchema, path: string, depth: number): void => {
    const properties = propertiesOf(node);
    if (properties !== undefined && properties.length > 0 && depth < MAX_DEPTH) {
      for (const [name, child] of properties) visit(child, path === '' ? name : `${path}.${name}`, depth + 1);
      return;
    }
    const items = asSchema(node['items']);
    const itemProperties = items === undefined ? undefined : propertiesOf(items);
    if (items !== undefined && itemProperties !== undefined && itemProperties.length > 0 && depth < MAX_DEPTH) {
      visit(items, `${path}[]`, depth + 1);
      return;
    }
    add(path, describeSchemaType(node));
  };
  visit(schema, '', 0);
  return summary;
}

/** A short type label: `string (email)`, `integer | null`, `string[]`, `object`; `any` when unknown. */
export function describeSchemaType(schema: JsonSchema): string {
  const alternatives = [schema['oneOf'], schema['anyOf']].find(Array.isArray) as unknown[] | undefined;
  if (alternatives !== undefined && alternatives.length > 0) {
    const labels = alternatives.map((a) => (asSchema(a) === undefined ? 'any' : describeSchemaType(a as JsonSchema)));
    return [...new Set(labels)].join(' | ');
  }
  const raw = schema['type'];
  let types = Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string') : typeof raw === 'string' ? [raw] : [];
  if (types.length === 0) types = schema['properties'] !== undefined ? ['object'] : schema['items'] !== undefined ? ['array'] : ['any'];
  if (schema['nullable'] === true && !types.includes('null')) types = [...types, 'null'];
  const format = typeof schema['format'] === 'string' ? ` (${schema['format']})` : '';
  return types
    .map((type) => {
      if (type === 'null') return type;
      if (type === 'array') {
        const items = asSchema(schema['items']);
        return items === undefined ? 'array' : `${wrapUnion(describeSchemaType(items))}[]`;
      }
      return `${type}${format}`;
    })
    .join(' | ');
}

function wrapUnion(label: string): string {
  return label.includes(' | ') ? `(${label})` : label;
}

function propertiesOf(schema: JsonSchema): Array<[string, JsonSchema]> | undefined {
  const properties = asSchema(schema['properties']);
  if (properties === undefined) return undefined;
  return Object.entries(properties).filter((entry): entry is [string, JsonSchema] => asSchema(entry[1]) !== undefined);
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}
