/**
 * Finds sensitive data a response carries in fields its response schema does not declare (an e-mail, a
 * card number, a password hash or an API token leaking through an undocumented member), and masks them in
 * a copy on request. Declared fields are the contract and are not looked at.
 */

import { splitFieldName } from '../../discover/sensitive/field-hints.js';
import type { SensitiveConfidence } from '../../discover/sensitive/index.js';
import { type CompiledGuard, essence, hasNestedQuantifier, isJsonType, type ResponsePlan, type SchemaNode } from './compile.js';

/** A sensitive value in an undeclared field of a response. */
export interface ResponseFinding {
  /** `email`, `phone`, `payment_card`, `ssn`, `iban`, `jwt`, `secret`, `private_key`, `password`, … */
  type: string;
  /** For `secret`: its provider or kind (`github_token`, `generic_api_key`). */
  subtype?: string;
  confidence: SensitiveConfidence;
  /** `json:$.user.ssn`; array indices collapsed (`json:$.items[].email`). */
  location: string;
}

/** The result of {@link checkResponse}. */
export interface ResponseCheck {
  /** Each (type, location) once, at most {@link MAX_FINDINGS}. */
  findings: ResponseFinding[];
  /**
   * With `maskResponses` and at least one finding: a copy of the parsed body in which every value with a
   * finding is replaced by {@link MASK}; the body passed in is never changed. Absent otherwise.
   */
  masked?: unknown;
  /** A response schema was found for the endpoint, status and media type (when not, every field is undeclared). */
  declared: boolean;
  /** Part of the body was not looked at: a bound was reached, or the body was too long to parse. */
  truncated: boolean;
}

/** What replaces a sensitive value in a masked body. */
export const MASK = '***';
/** At most this many findings are reported per response. */
export const MAX_FINDINGS = 64;
const MAX_DEPTH = 32;

type Json = Record<string, unknown>;
/** The schemas that apply to a value: `open` when anything is allowed there, `[]` when nothing declares it. */
type Shapes = 'open' | Json[];

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'passcode']);
const HASH_WORDS = new Set(['hash', 'hashed', 'digest', 'salt']);

/**
 * Checks a response of `endpoint` (as {@link checkRequest} named it; `undefined` when the request matched
 * none, then every field counts as undeclared). `body` is the parsed JSON value, or its raw text/bytes,
 * parsed here when `contentType` is JSON and it is at most `maxResponseBytes` long. Never throws; bounded by
 * `maxResponseValues` scalars, four times as many members, and 32 levels.
 */
export function checkResponse(
  guard: CompiledGuard,
  endpoint: string | undefined,
  status: number,
  contentType: string | undefined,
  body: unknown,
): ResponseCheck {
  const type = contentType === undefined ? undefined : essence(contentType);
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (type !== undefined && !isJsonType(type)) return { findings: [], declared: false, truncated: false };
    const length = typeof body === 'string' ? body.length : body.byteLength;
    if (length > guard.options.maxResponseBytes) return { findings: [], declared: false, truncated: true };
    const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return { findings: [], declared: false, truncated: false };
    }
  } else if (type !== undefined && !isJsonType(type)) return { findings: [], declared: false, truncated: false };
  const operation = endpoint === undefined ? undefined : guard.byEndpoint.get(endpoint);
  const schema = operation === undefined ? undefined : responseSchema(operation.responses, status, type);
  const walker = new Walker(guard, operation?.schemas ?? new Map());
  const root: Shapes = schema === undefined ? [] : schema === true ? 'open' : isObject(schema) ? [schema] : [];
  const masked = walker.visit(value, root, '$', undefined, 0);
  const result: ResponseCheck = { findings: [...walker.findings.values()], declared: schema !== undefined, truncated: walker.truncated };
  if (guard.options.maskResponses && result.findings.length > 0) result.masked = masked;
  return result;
}

/** The schema of the response to `status` (exact, then `2XX`, then `default`) for the media type. */
function responseSchema(responses: ReadonlyMap<string, ResponsePlan>, status: number, type: string | undefined): SchemaNode | undefined {
  const code = String(status);
  const plan = responses.get(code) ?? responses.get(`${code[0]}XX`) ?? responses.get('DEFAULT');
  if (plan === undefined || plan.media.length === 0) return undefined;
  const media =
    type === undefined
      ? (plan.media.find((m) => isJsonType(m.type)) ?? plan.media[0])
      : (plan.media.find((m) => m.type === type) ??
        plan.media.find((m) => m.type === '*/*' || (m.type.endsWith('/*') && type.startsWith(m.type.slice(0, -1)))));
  return media?.schema;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiled `patternProperties` keys, shared by every check (`undefined`: not usable, matches nothing). */
const patternCache = new Map<string, RegExp | undefined>();

function patternOf(source: string): RegExp | undefined {
  if (patternCache.has(source)) return patternCache.get(source);
  let regex: RegExp | undefined;
  if (!hasNestedQuantifier(source)) {
    try {
      regex = new RegExp(source, 'u');
    } catch {
      regex = undefined;
    }
  }
  if (patternCache.size < 10_000) patternCache.set(source, regex);
  return regex;
}

/** The shapes of single compiled schemas, which never change once compiled. */
const objectShapes = new WeakMap<Json, Shapes>();
const arrayShapes = new WeakMap<Json, Shapes>();

class Walker {
  readonly findings = new Map<string, ResponseFinding>();
  truncated = false;
  private values = 0;
  private entries = 0;
  private readonly maxValues: number;
  private readonly mask: boolean;

  constructor(
    private readonly guard: CompiledGuard,
    private readonly refs: ReadonlyMap<string, SchemaNode>,
  ) {
    this.maxValues = guard.options.maxResponseValues;
    this.mask = guard.options.maskResponses;
  }

  /**
   * The schemas that declare the members (or items) of a value of `kind`, reached through `schemas` by
   * `$ref`, `allOf`, `anyOf`, `oneOf` and `if`/`then`/`else`; `open` when one of them allows anything.
   */
  shapesOf(schemas: readonly SchemaNode[], kind: 'object' | 'array'): Shapes {
    const single = schemas.length === 1 && isObject(schemas[0]) ? schemas[0] : undefined;
    if (single === undefined) return this.collectShapes(schemas, kind);
    const cache = kind === 'object' ? objectShapes : arrayShapes;
    let shapes = cache.get(single);
    if (shapes === undefined) {
      shapes = this.collectShapes(schemas, kind);
      cache.set(single, shapes);
    }
    return shapes;
  }

  private collectShapes(schemas: readonly SchemaNode[], kind: 'object' | 'array'): Shapes {
    const out: Json[] = [];
    const seen = new Set<Json>();
    const stack: Array<[SchemaNode | undefined, number]> = schemas.map((schema) => [schema, 0]);
    while (stack.length > 0) {
      const [schema, depth] = stack.pop() as [SchemaNode | undefined, number];
      if (schema === true) return 'open';
      if (!isObject(schema) || seen.has(schema) || depth > 32 || seen.size > 256) continue;
      seen.add(schema);
      let parts = false;
      if (typeof schema.$ref === 'string') {
        parts = true;
        stack.push([this.refs.get(schema.$ref), depth + 1]);
      }
      for (const key of ['allOf', 'anyOf', 'oneOf', 'then', 'else'] as const) {
        const value = schema[key];
        if (Array.isArray(value)) {
          parts = true;
          for (const branch of value) stack.push([branch as SchemaNode, depth + 1]);
        } else if (isObject(value) || typeof value === 'boolean') {
          parts = true;
          stack.push([value, depth + 1]);
        }
      }
      if (!typeAllows(schema.type, kind)) continue;
      const declaring =
        kind === 'array'
          ? schema.items !== undefined || schema.prefixItems !== undefined
          : schema.properties !== undefined || schema.patternProperties !== undefined || schema.additionalProperties !== undefined;
      if (declaring) out.push(schema);
      else if (!parts) return 'open';
    }
    return out;
  }

  /** Visits `node`; returns it, or a masked copy when masking is on and something under it was masked. */
  visit(node: unknown, shapes: Shapes, path: string, field: string | undefined, depth: number): unknown {
    if (shapes === 'open') return node;
    if (typeof node === 'object' && node !== null) {
      if (depth >= MAX_DEPTH) {
        this.truncated = true;
        return node;
      }
      return Array.isArray(node) ? this.visitArray(node, shapes, path, field, depth) : this.visitObject(node as Json, shapes, path, depth);
    }
    if (shapes.length > 0) return node;
    if (this.values >= this.maxValues) {
      this.truncated = true;
      return node;
    }
    this.values++;
    if (typeof node !== 'string' && typeof node !== 'number') return node;
    return this.scan(node, path, field) && this.mask ? MASK : node;
  }

  private visitObject(node: Json, shapes: Json[], path: string, depth: number): unknown {
    const own = shapes.length === 0 ? shapes : this.shapesOf(shapes, 'object');
    if (own === 'open') return node;
    let copy: Json | undefined;
    for (const key of Object.keys(node)) {
      if (this.values >= this.maxValues || ++this.entries > this.maxValues * 4) {
        this.truncated = true;
        break;
      }
      const child = node[key];
      const childShapes = own.length === 0 ? own : this.memberShapes(own, key, child);
      const next = this.visit(child, childShapes, memberPath(path, key), key, depth + 1);
      if (next !== child) {
        copy ??= { ...node };
        copy[key] = next;
      }
    }
    return copy ?? node;
  }

  private visitArray(node: unknown[], shapes: Json[], path: string, field: string | undefined, depth: number): unknown {
    const own = shapes.length === 0 ? shapes : this.shapesOf(shapes, 'array');
    if (own === 'open') return node;
    let copy: unknown[] | undefined;
    const itemPath = `${path}[]`;
    for (let i = 0; i < node.length; i++) {
      if (this.values >= this.maxValues || ++this.entries > this.maxValues * 4) {
        this.truncated = true;
        break;
      }
      const child = node[i];
      const childShapes = own.length === 0 ? own : this.itemShapes(own, i, child);
      const next = this.visit(child, childShapes, itemPath, field, depth + 1);
      if (next !== child) {
        copy ??= [...node];
        copy[i] = next;
      }
    }
    return copy ?? node;
  }

  /** The shapes of member `key`: its declarations in `properties`, else matching `patternProperties`, else `additionalProperties`. */
  private memberShapes(shapes: readonly Json[], key: string, child: unknown): Shapes {
    const declared: SchemaNode[] = [];
    for (const schema of shapes)
      if (isObject(schema.properties) && Object.hasOwn(schema.properties, key)) declared.push(schema.properties[key] as SchemaNode);
    if (declared.length === 0) {
      for (const schema of shapes) {
        if (!isObject(schema.patternProperties)) continue;
        for (const [pattern, sub] of Object.entries(schema.patternProperties))
          if (patternOf(pattern)?.test(key)) declared.push(sub as SchemaNode);
      }
    }
    if (declared.length === 0) {
      for (const schema of shapes) {
        const extra = schema.additionalProperties;
        if (extra !== undefined && extra !== false) declared.push(extra as SchemaNode);
      }
    }
    return declared.length === 0 ? [] : this.childShapes(declared, child);
  }

  /** The shapes of item `index`: `prefixItems` / tuple `items`, else `items` / `additionalItems`. */
  private itemShapes(shapes: readonly Json[], index: number, child: unknown): Shapes {
    const declared: SchemaNode[] = [];
    for (const schema of shapes) {
      const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
      if (tuple !== undefined && index < tuple.length) declared.push(tuple[index] as SchemaNode);
      else if (tuple !== undefined) {
        const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
        if (rest === undefined || rest === true) return 'open';
        if (rest !== false) declared.push(rest as SchemaNode);
      } else if (schema.items !== undefined) declared.push(schema.items as SchemaNode);
    }
    return declared.length === 0 ? [] : this.childShapes(declared, child);
  }

  /** Shapes for a declared child: scalars are declared (`open`); containers keep their schemas. */
  private childShapes(declared: SchemaNode[], child: unknown): Shapes {
    if (typeof child !== 'object' || child === null) return 'open';
    return declared.some((schema) => schema === true) ? 'open' : (declared.filter(isObject) as Json[]);
  }

  /** Records the sensitive kinds of an undeclared scalar; whether there was one. */
  private scan(value: string | number, path: string, field: string | undefined): boolean {
    let found = false;
    const types = this.guard.options.responseTypes;
    if (typeof value === 'string' && field !== undefined && types.has('password') && isPasswordField(field, value)) {
      this.record({ type: 'password', confidence: 'high', location: `json:${path}` });
      found = true;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return found;
    for (const match of this.guard.sensitive.scanValue(String(value), field)) {
      if (!types.has(match.type)) continue;
      const finding: ResponseFinding = { type: match.type, confidence: match.confidence, location: `json:${path}` };
      if (match.subtype !== undefined) finding.subtype = match.subtype;
      this.record(finding);
      found = true;
    }
    return found;
  }

  private record(finding: ResponseFinding): void {
    const key = `${finding.type}\u0000${finding.location}`;
    const seen = this.findings.get(key);
    if (seen !== undefined) {
      if (finding.confidence === 'high') seen.confidence = 'high';
    } else if (this.findings.size < MAX_FINDINGS) this.findings.set(key, finding);
    else this.truncated = true;
  }
}

function typeAllows(type: unknown, kind: 'object' | 'array'): boolean {
  if (type === undefined) return true;
  return Array.isArray(type) ? type.includes(kind) : type === kind;
}

/**
 * A field holding a password or its hash: the name ends in a password word (`password`, `userPwd`,
 * `hashed_password`) or in a hash word after one (`passwordHash`), and the value is not empty nor a mask.
 */
function isPasswordField(field: string, value: string): boolean {
  if (value === '' || /^[*•x]+$/i.test(value) || value.length > 4096) return false;
  const words = splitFieldName(field);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (PASSWORD_WORDS.has(last)) return true;
  return HASH_WORDS.has(last) && words.slice(0, -1).some((word) => PASSWORD_WORDS.has(word));
}

function memberPath(path: string, key: string): string {
  const safe = /^[A-Za-z_$][\w$]{0,63}$/.test(key)
    ? key
    : JSON.stringify(key.length > 64 ? key.slice(0, 64) : key).replace(/[^\x20-\x7e]/g, '?');
  return safe.startsWith('"') ? `${path}[${safe}]` : `${path}.${safe}`;
}
