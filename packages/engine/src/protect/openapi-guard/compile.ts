import SwaggerParser from '@apidevtools/swagger-parser';
import { PalisadeError } from '@palisade/core';
import { Ajv, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import addFormatsModule from 'ajv-formats';
import { parseSpecText, readSpecText } from '../../discover/openapi/load-spec.js';
import { createSensitiveDetector, type SensitiveDetector } from '../../discover/sensitive/index.js';
import { checkRequest, type GuardRequest, type RequestCheck } from './check-request.js';
import { checkResponse, type ResponseCheck } from './check-response.js';
import { createPathRouter, type PathRouter, type TrailingSlash } from './match-path.js';

/** A JSON object as found in an API description. */
type Json = Record<string, unknown>;

/** A converted JSON Schema: an object, or `true` / `false`. */
export type SchemaNode = Json | boolean;

/**
 * One API description as the guard reads it: the OpenAPI 3.0/3.1 or Swagger 2.0 document, with external
 * files already merged in (internal `$ref`s may remain; dereferenced documents, even cyclic ones, work too).
 */
export interface OpenApiDocument {
  /** Where it came from (a file path), for problem messages. */
  source: string;
  document: Readonly<Record<string, unknown>>;
}

/** Settings of {@link compileOpenApiGuard}; all optional. */
export interface OpenApiGuardOptions {
  /** Query parameters the operation does not declare: `report` (default) or `allow`. */
  additionalQuery?: 'allow' | 'report';
  /** A non-empty body sent to an operation that declares none: `report` (default) or `allow`. */
  undeclaredBody?: 'allow' | 'report';
  /** `/pets/` and `/pets` are the same path (`ignore`, default) or not (`strict`). */
  trailingSlash?: TrailingSlash;
  /** Request bodies longer than this many bytes are not parsed nor validated (default 65 536). */
  maxBodyBytes?: number;
  /** At most this many violations per request are reported (default 16). */
  maxViolations?: number;
  /** `checkResponse` returns a masked copy of the body when it finds something (default false). */
  maskResponses?: boolean;
  /** `checkResponse` looks at most at this many scalar values of a body (default 2000). */
  maxResponseValues?: number;
  /** `checkResponse` parses response bodies passed as text or bytes up to this many bytes (default 1 MiB). */
  maxResponseBytes?: number;
  /**
   * The sensitive types `checkResponse` reports (default {@link DEFAULT_RESPONSE_TYPES}); names of
   * `SensitiveType`s, custom rule names of `sensitive`, and `password`.
   */
  responseTypes?: readonly string[];
  /** Classifies undeclared response fields; default `createSensitiveDetector()`. */
  sensitive?: SensitiveDetector;
}

/** {@link OpenApiGuardOptions} with every default applied. */
export interface ResolvedGuardOptions {
  additionalQuery: 'allow' | 'report';
  undeclaredBody: 'allow' | 'report';
  trailingSlash: TrailingSlash;
  maxBodyBytes: number;
  maxViolations: number;
  maskResponses: boolean;
  maxResponseValues: number;
  maxResponseBytes: number;
  responseTypes: ReadonlySet<string>;
}

/**
 * Checks requests and responses against the loaded API descriptions. Everything is compiled by
 * {@link compileOpenApiGuard}; the checks only read, never throw on any input, never echo a request value
 * in a violation's detail, and are safe to call concurrently.
 */
export interface OpenApiGuard {
  /** Routes the request to its operation and checks its method, parameters, content type and body. */
  checkRequest(request: GuardRequest): RequestCheck;
  /**
   * Finds sensitive fields in a response body that the response schema of `endpoint` (`GET /pets/{petId}`,
   * as `checkRequest` returned it; `undefined` when it returned none) does not declare; masks them in a
   * copy when `maskResponses` is on. `body` is the parsed JSON, or its text or bytes.
   */
  checkResponse(endpoint: string | undefined, status: number, contentType: string | undefined, body: unknown): ResponseCheck;
  /** Every endpoint the guard routes to (`GET /v1/pets/{petId}`), in declaration order. */
  readonly endpoints: readonly string[];
  /**
   * Parts of the descriptions that could not be compiled and are therefore not checked (an invalid
   * `pattern`, a schema Ajv rejects), one line each naming the source.
   */
  readonly problems: readonly string[];
}

/** What a parameter value is read as, before its schema is checked. */
export type ScalarKind = 'integer' | 'number' | 'boolean' | 'null' | 'string' | 'any';

/** How the text of a parameter becomes the value its schema is checked against. */
export interface ValuePlan {
  shape: 'scalar' | 'array' | 'object';
  /** The scalar's kinds, or the kinds of an array's items, in the order they are tried. */
  kinds: readonly ScalarKind[];
  /** For objects: the kinds of each declared property. */
  properties: ReadonlyMap<string, readonly ScalarKind[]>;
  /** For objects: other properties are allowed. */
  openProperties: boolean;
}

/** OpenAPI parameter styles, plus Swagger's `tsv` collection format. */
export type ParameterStyle = 'form' | 'simple' | 'label' | 'matrix' | 'spaceDelimited' | 'pipeDelimited' | 'tabDelimited' | 'deepObject';

/** One declared parameter, ready to check. */
export interface ParameterPlan {
  /** As declared; lower case for headers. */
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  /** `query:limit`, `path:petId`, `header:x-id`, `cookie:sid`. */
  location: string;
  required: boolean;
  style: ParameterStyle;
  explode: boolean;
  /** The value is JSON text (`content: application/json`). */
  json: boolean;
  value: ValuePlan;
  validate: ValidateFunction | undefined;
}

/** How one field of a form body is read. */
export interface FormFieldPlan {
  value: ValuePlan;
  /** Separator of array items sent in one field (Swagger `collectionFormat`); `undefined`: repeated fields. */
  delimiter: string | undefined;
}

/** One declared media type of a request body. */
export interface MediaPlan {
  /** Lower-case media type without parameters; may be a wildcard (`image/*`, `*\/*`). */
  type: string;
  validate: ValidateFunction | undefined;
  /** For form bodies: how each declared field is read. */
  form: ReadonlyMap<string, FormFieldPlan> | undefined;
}

/** The request body an operation declares. */
export interface BodyPlan {
  required: boolean;
  /** Empty: any content type is accepted. */
  media: readonly MediaPlan[];
}

/** One declared response: its schema per media type. */
export interface ResponsePlan {
  media: ReadonlyArray<{ type: string; schema: SchemaNode | undefined }>;
}

/** One operation, ready to check. */
export interface CompiledOperation {
  /** `GET /v1/pets/{petId}`: the method and the template with the server's base path. */
  endpoint: string;
  method: string;
  template: string;
  operationId: string | undefined;
  query: readonly ParameterPlan[];
  path: ReadonlyMap<string, ParameterPlan>;
  headers: readonly ParameterPlan[];
  cookies: readonly ParameterPlan[];
  /** Query names that are not unknown: parameters, their exploded properties, API keys. */
  knownQuery: ReadonlySet<string>;
  /** `deepObject` parameter names: `filter[...]` keys belong to them. */
  deepObjects: readonly string[];
  /** An exploded free-form object parameter takes any query name. */
  anyQuery: boolean;
  body: BodyPlan | undefined;
  /** By status (`200`, `2XX`, `DEFAULT`, upper case). */
  responses: ReadonlyMap<string, ResponsePlan>;
  /** Resolves the `$ref`s of the converted schemas. */
  schemas: ReadonlyMap<string, SchemaNode>;
}

/** The operations of one path template, by upper-case method. */
export type PathOperations = Map<string, CompiledOperation>;

/** Everything the checks read. */
export interface CompiledGuard {
  router: PathRouter<PathOperations>;
  byEndpoint: ReadonlyMap<string, CompiledOperation>;
  options: ResolvedGuardOptions;
  sensitive: SensitiveDetector;
}

/**
 * The sensitive types `checkResponse` reports by default: personal and payment data and credentials;
 * not IP addresses nor postal addresses, which APIs often return on purpose.
 */
export const DEFAULT_RESPONSE_TYPES: readonly string[] = Object.freeze([
  'email',
  'phone',
  'payment_card',
  'ssn',
  'iban',
  'jwt',
  'secret',
  'private_key',
  'date_of_birth',
  'password',
]);

const DEFAULTS: Omit<ResolvedGuardOptions, 'responseTypes'> = {
  additionalQuery: 'report',
  undeclaredBody: 'report',
  trailingSlash: 'ignore',
  maxBodyBytes: 65_536,
  maxViolations: 16,
  maskResponses: false,
  maxResponseValues: 2000,
  maxResponseBytes: 1_048_576,
};

/**
 * Reads an API description file for the guard: JSON or YAML, external file `$ref`s merged in (URLs are
 * never fetched). Throws `PAL_ERR_SPEC_INVALID` naming the file when it cannot be read or is not a description.
 *
 * @example
 * const guard = compileOpenApiGuard([await loadOpenApiDocument('openapi.yaml')]);
 */
export async function loadOpenApiDocument(path: string): Promise<OpenApiDocument> {
  return parseOpenApiDocument(await readSpecText(path), path);
}

/**
 * Parses the text of an API description (JSON or YAML) named `source` for the guard, as
 * {@link loadOpenApiDocument} does; relative file `$ref`s resolve against `source`.
 */
export async function parseOpenApiDocument(text: string, source: string): Promise<OpenApiDocument> {
  const value = parseSpecText(text, source);
  if (versionOf(value) === undefined) throw invalid(`${source} is not an OpenAPI 3.x or Swagger 2.0 document`);
  const version = versionOf(value);
  // swagger-parser knows a fixed list of versions and wants them as text
  if (typeof value.swagger === 'number') value.swagger = '2.0';
  if (version !== '2.0') value.openapi = version === '3.1' ? '3.1.0' : '3.0.3';
  try {
    const bundled = (await SwaggerParser.bundle(source, value as never, { resolve: { http: false } })) as unknown as Json;
    return { source, document: bundled };
  } catch (error) {
    throw invalid(`${source} is not a valid API description: ${firstLine(error)}`, error);
  }
}

/**
 * Compiles API descriptions into a guard, once: the path router, one Ajv validator per parameter and per
 * request media type (Ajv with formats, `strict: false`, first error only, no coercion; OpenAPI 3.1 with
 * JSON Schema 2020-12), and the response schemas. Every server base path (`servers` URLs, Swagger
 * `basePath`) prefixes the templates. When two descriptions declare the same method and path, the first
 * wins. Parts that cannot be compiled are left unchecked and listed in `problems`; it never throws for a
 * loaded document.
 *
 * @example
 * const guard = compileOpenApiGuard([await loadOpenApiDocument('petstore.yaml')], { additionalQuery: 'allow' });
 * guard.checkRequest({ method: 'GET', path: '/v1/pets/abc', query: 'debug=1', headers: {} });
 * // { endpoint: 'GET /v1/pets/{petId}', operationId: 'showPetById', violations: [
 * //   { kind: 'invalid-parameter', location: 'path:petId', detail: 'must be integer' },
 * //   { kind: 'unknown-parameter', location: 'query:debug', detail: 'not declared for this operation' }] }
 */
export function compileOpenApiGuard(specs: readonly OpenApiDocument[], options: OpenApiGuardOptions = {}): OpenApiGuard {
  const resolved: ResolvedGuardOptions = {
    additionalQuery: options.additionalQuery ?? DEFAULTS.additionalQuery,
    undeclaredBody: options.undeclaredBody ?? DEFAULTS.undeclaredBody,
    trailingSlash: options.trailingSlash ?? DEFAULTS.trailingSlash,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxViolations: options.maxViolations ?? DEFAULTS.maxViolations,
    maskResponses: options.maskResponses ?? DEFAULTS.maskResponses,
    maxResponseValues: options.maxResponseValues ?? DEFAULTS.maxResponseValues,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    responseTypes: new Set(options.responseTypes ?? DEFAULT_RESPONSE_TYPES),
  };
  const problems: string[] = [];
  const router = createPathRouter<PathOperations>({ trailingSlash: resolved.trailingSlash });
  const byEndpoint = new Map<string, CompiledOperation>();
  const validators = new Validators(problems);
  specs.forEach((spec, index) => {
    for (const operation of compileSpec(spec, index, validators, problems)) {
      if (byEndpoint.has(operation.endpoint)) continue;
      const fresh: PathOperations = new Map([[operation.method, operation]]);
      const existing = router.add(operation.template, fresh);
      if (existing !== undefined) {
        if (existing.has(operation.method)) continue;
        existing.set(operation.method, operation);
      }
      byEndpoint.set(operation.endpoint, operation);
    }
  });
  const guard: CompiledGuard = { router, byEndpoint, options: resolved, sensitive: options.sensitive ?? createSensitiveDetector() };
  return {
    checkRequest: (request) => checkRequest(guard, request),
    checkResponse: (endpoint, status, contentType, body) => checkResponse(guard, endpoint, status, contentType, body),
    endpoints: Object.freeze([...byEndpoint.keys()]),
    problems: Object.freeze(problems),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Loading helpers

function invalid(message: string, cause?: unknown): PalisadeError {
  return new PalisadeError('PAL_ERR_SPEC_INVALID', message, cause === undefined ? undefined : { cause });
}

function firstLine(error: unknown): string {
  const line = ((error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '').replace(/:$/, '');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `2.0`, `3.0` or `3.1` (later 3.x read as 3.1); `undefined` for anything else. */
function versionOf(document: Json): '2.0' | '3.0' | '3.1' | undefined {
  if (document.swagger === '2.0' || document.swagger === 2) return '2.0';
  const openapi = typeof document.openapi === 'number' ? String(document.openapi) : document.openapi;
  if (typeof openapi !== 'string') return undefined;
  const match = /^3\.(\d+)/.exec(openapi);
  if (match === null) return undefined;
  return match[1] === '0' ? '3.0' : '3.1';
}

// ---------------------------------------------------------------------------------------------------------
// Validators: two Ajv instances shared by all specs (draft-07 for Swagger 2.0 / OpenAPI 3.0, 2020-12 for 3.1)

class Validators {
  private draft07: Ajv | undefined;
  private draft2020: Ajv2020 | undefined;
  private readonly cache = new Map<string, ValidateFunction | undefined>();
  private readonly refusedPatterns = new Set<string>();
  /** The spec being compiled, named in pattern problems. */
  private source = '';

  constructor(private readonly problems: string[]) {}

  /** Registers a spec's converted schemas under `rootId`. */
  register(version: '2.0' | '3.0' | '3.1', rootId: string, container: Json): void {
    this.instance(version).addSchema(container, rootId);
  }

  /** The validator of the schema at `ref`; `undefined` (and a problem) when Ajv cannot compile it. */
  compile(version: '2.0' | '3.0' | '3.1', ref: string, source: string, where: string): ValidateFunction | undefined {
    if (this.cache.has(ref)) return this.cache.get(ref);
    this.source = source;
    let validate: ValidateFunction | undefined;
    try {
      validate = this.instance(version).compile({ $ref: ref });
    } catch (error) {
      this.problems.push(`${source}: ${where}: schema not checked (${firstLine(error)})`);
    }
    this.cache.set(ref, validate);
    return validate;
  }

  private instance(version: '2.0' | '3.0' | '3.1'): Ajv {
    if (version === '3.1') {
      this.draft2020 ??= withFormats(new Ajv2020(this.ajvOptions()));
      return this.draft2020;
    }
    this.draft07 ??= withFormats(new Ajv(this.ajvOptions()));
    return this.draft07;
  }

  private ajvOptions(): AjvOptions {
    return {
      strict: false,
      allErrors: false,
      coerceTypes: false,
      useDefaults: false,
      validateSchema: false,
      addUsedSchema: false,
      inlineRefs: false,
      logger: false,
      code: { regExp: this.regExpEngine() },
    };
  }

  /**
   * Compiles `pattern` with the `u` flag, or without it when only that fails (many specs use `[\w-]`).
   * A pattern JavaScript cannot compile, or one that may backtrack exponentially (see
   * {@link hasNestedQuantifier}), is not checked (it accepts every value) and is listed in `problems`.
   */
  private regExpEngine(): RegExpEngine {
    const engine = (pattern: string, u: string): RegExpLike => {
      if (hasNestedQuantifier(pattern)) return this.refuse(pattern, 'may backtrack exponentially');
      try {
        return new RegExp(pattern, u);
      } catch {
        try {
          return new RegExp(pattern);
        } catch {
          return this.refuse(pattern, 'is not a JavaScript regular expression');
        }
      }
    };
    return Object.assign(engine, { code: 'palisadeGuardRegExp' });
  }

  private refuse(pattern: string, why: string): RegExpLike {
    const key = `${this.source}\u0000${pattern}`;
    if (!this.refusedPatterns.has(key)) {
      this.refusedPatterns.add(key);
      const shown = pattern.length > 60 ? `${pattern.slice(0, 60)}…` : pattern;
      this.problems.push(`${this.source}: pattern ${JSON.stringify(shown)} ${why}; not checked`);
    }
    return { test: () => true };
  }
}

/**
 * Whether a regular expression repeats a group many times (`*`, `+`, `{n,}`, or up to 10 or more times)
 * when that group holds a quantifier of variable count (`(a+)+`, `(?:\w*,)*`, `(x?){2,}`): the shape that
 * makes backtracking engines take exponential time. Fixed counts (`([0-9a-f]{2}){3}`) are safe. One pass
 * over the pattern; character classes and escapes are skipped.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  /** For each open group: whether it holds a quantifier of variable count. */
  const groups: boolean[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '(') {
      groups.push(false);
      i++;
      continue;
    }
    let end = i + 1;
    let inner = false;
    if (c === '\\') end = i + 2;
    else if (c === '[') end = skipClass(pattern, i);
    else if (c === ')') inner = groups.pop() ?? false;
    const repeat = quantifierAt(pattern, end);
    if (inner && repeat !== undefined && repeat.most >= 10) return true;
    if ((inner || (repeat !== undefined && repeat.most > repeat.least)) && groups.length > 0) groups[groups.length - 1] = true;
    i = repeat === undefined ? end : repeat.end;
  }
  return false;
}

/** The least and most repetitions of the quantifier at `i`, and the index after it (and a lazy `?`); `undefined` when there is none. */
function quantifierAt(pattern: string, i: number): { least: number; most: number; end: number } | undefined {
  const c = pattern[i];
  let found: { least: number; most: number; end: number } | undefined;
  if (c === '*') found = { least: 0, most: Number.POSITIVE_INFINITY, end: i + 1 };
  else if (c === '+') found = { least: 1, most: Number.POSITIVE_INFINITY, end: i + 1 };
  else if (c === '?') found = { least: 0, most: 1, end: i + 1 };
  else if (c === '{') {
    const bound = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (bound === null) return undefined;
    const least = Number(bound[1]);
    const most = bound[2] === undefined ? least : bound[3] === '' ? Number.POSITIVE_INFINITY : Number(bound[3]);
    found = { least, most, end: i + bound[0].length };
  }
  if (found !== undefined && pattern[found.end] === '?') found.end++;
  return found;
}

/** The index after the character class starting at `i` (`[...]`, escapes and a leading `]` inside). */
function skipClass(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
  return j + 1;
}

type AddFormats = (ajv: Ajv) => Ajv;

function withFormats<A extends Ajv>(ajv: A): A {
  // ajv-formats is CommonJS: its default export arrives wrapped once more under ESM
  const module = addFormatsModule as unknown as AddFormats | { default: AddFormats };
  const addFormats = typeof module === 'function' ? module : module.default;
  addFormats(ajv);
  return ajv;
}

// ---------------------------------------------------------------------------------------------------------
// Schema conversion: OpenAPI schema objects → JSON Schema Ajv accepts

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_SINGLES = new Set([
  'additionalProperties',
  'additionalItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const NUMBER_KEYWORDS = new Set([
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minContains',
  'maxContains',
]);
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

/**
 * Converts the schemas of one document, each original object once: OpenAPI 3.0 `nullable` and Swagger
 * `x-nullable` become `null` types, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, readOnly
 * properties are no longer required (they are not sent in requests), keywords with values of the wrong type
 * and annotations are dropped, `$ref`s are resolved against the document. A schema reached twice or through
 * a cycle gets a slot in `container` and is referred to as `{ $ref: '<rootId>#/definitions/<n>' }`, so the
 * result is acyclic and each shared schema is compiled once.
 */
class SchemaConverter {
  readonly container: Json;
  readonly byRef = new Map<string, SchemaNode>();
  private readonly definitions: Json = {};
  private readonly converted = new Map<object, Json>();
  private readonly slots = new Map<Json, string>();
  private readonly dialect2020: boolean;

  constructor(
    private readonly document: Json,
    private readonly rootId: string,
    private readonly version: '2.0' | '3.0' | '3.1',
  ) {
    this.dialect2020 = version === '3.1';
    this.container = { $id: rootId, [this.dialect2020 ? '$defs' : 'definitions']: this.definitions };
  }

  /** The converted form of a schema; a `$ref` to a slot when it was converted before. */
  convert(node: unknown): SchemaNode {
    if (typeof node === 'boolean') return node;
    if (!isObject(node)) return {};
    const seen = this.converted.get(node);
    if (seen !== undefined) return { $ref: this.refTo(seen) };
    if (typeof node.$ref === 'string') return this.convertReference(node);
    return this.materialize(node);
  }

  /** A `$ref` that Ajv and the response walker resolve to `schema`. */
  refTo(schema: SchemaNode): string {
    if (typeof schema === 'boolean') return this.refTo(schema ? {} : { not: {} });
    let ref = this.slots.get(schema);
    if (ref === undefined) {
      const key = String(this.slots.size);
      ref = `${this.rootId}#/${this.dialect2020 ? '$defs' : 'definitions'}/${key}`;
      this.slots.set(schema, ref);
      this.definitions[key] = schema;
      this.byRef.set(ref, schema);
    }
    return ref;
  }

  /** Follows `$ref`s (local pointers only) to the object they name; `undefined` when one cannot be resolved. */
  follow(node: unknown): unknown {
    let current = node;
    for (let hops = 0; hops < 32; hops++) {
      if (!isObject(current) || typeof current.$ref !== 'string') return current;
      current = resolvePointer(this.document, current.$ref);
      if (current === undefined) return undefined;
    }
    return undefined;
  }

  private convertReference(node: Json): SchemaNode {
    const target = this.follow(node);
    let out: Json;
    if (target === undefined) out = {};
    else {
      const object =
        typeof target === 'boolean' ? target : isObject(target) ? (this.converted.get(target) ?? this.materialize(target)) : {};
      out = { $ref: this.refTo(object) };
    }
    if (this.version === '3.1') {
      const siblings: Json = { ...node };
      delete siblings.$ref;
      const rest = this.materialize(siblings);
      if (Object.keys(rest).length > 0) out = { allOf: [out, rest] };
    } else if (node.nullable === true || node['x-nullable'] === true) {
      out = { anyOf: [{ type: 'null' }, out] };
    }
    this.converted.set(node, out);
    return out;
  }

  private materialize(source: Json): Json {
    const out: Json = {};
    this.converted.set(source, out);
    const nullable = source.nullable === true || source['x-nullable'] === true;
    // Swagger 2.0 has no `null` type (generated descriptions write it for "unknown"): it constrains nothing there
    const types = typeList(source.type).filter((type) => type !== 'null' || this.version !== '2.0');
    let body = out;
    if (nullable && types.length === 0) {
      body = {};
      out.anyOf = [{ type: 'null' }, body];
    }
    for (const [key, value] of Object.entries(source)) {
      if (SCHEMA_MAPS.has(key) || key === '$defs' || key === 'definitions') {
        if (isObject(value)) body[key] = this.convertMap(value);
      } else if (SCHEMA_LISTS.has(key)) {
        if (Array.isArray(value) && value.length > 0) body[key] = value.map((item) => this.convert(item));
      } else if (SCHEMA_SINGLES.has(key)) {
        if (isObject(value) || typeof value === 'boolean') body[key] = this.convert(value);
      } else if (key === 'items') {
        if (Array.isArray(value)) body[this.dialect2020 ? 'prefixItems' : 'items'] = value.map((item) => this.convert(item));
        else if (isObject(value) || typeof value === 'boolean') body.items = this.convert(value);
      } else if (key === 'dependencies') {
        if (isObject(value)) body.dependencies = this.convertDependencies(value);
      } else if (NUMBER_KEYWORDS.has(key)) {
        if (typeof value === 'number' && Number.isFinite(value)) body[key] = value;
      } else if (key === 'multipleOf') {
        if (typeof value === 'number' && value > 0) body[key] = value;
      } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
        if (typeof value === 'number') body[key] = value;
      } else if (key === 'pattern' || key === 'format') {
        if (typeof value === 'string') body[key] = value;
      } else if (key === 'enum') {
        if (Array.isArray(value) && value.length > 0) body.enum = nullable && !value.includes(null) ? [...value, null] : value;
      } else if (key === 'const') {
        body.const = value;
      } else if (key === 'uniqueItems' || key === 'readOnly' || key === 'writeOnly') {
        if (typeof value === 'boolean') body[key] = value;
      } else if (key === 'required') {
        if (Array.isArray(value)) body.required = this.requiredInRequests(source, value);
      }
    }
    if (Array.isArray(body.oneOf)) this.relaxOneOf(source, body);
    if (types.length > 0) body.type = nullable && !types.includes('null') ? [...types, 'null'] : types.length === 1 ? types[0] : types;
    // Swagger 2.0 / OpenAPI 3.0: `exclusiveMinimum: true` makes `minimum` exclusive
    for (const [flag, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (source[flag] === true && typeof source[bound] === 'number') {
        body[flag] = source[bound];
        delete body[bound];
      }
    }
    return out;
  }

  /**
   * Replaces `oneOf` in a converted schema: with a `discriminator` whose branches are all `$ref`s, by a
   * check of the discriminator value and, for each value, an `if`/`then` selecting its branch (values from
   * `mapping`, else the names of the referenced schemas); otherwise by `anyOf`, so that a request matching
   * two overlapping branches of a loosely written description is not rejected.
   */
  private relaxOneOf(source: Json, body: Json): void {
    const branches = body.oneOf as SchemaNode[];
    delete body.oneOf;
    const selected = this.discriminate(source, branches);
    const parts: SchemaNode[] = selected ?? (body.anyOf === undefined ? [] : [{ anyOf: branches }]);
    if (selected === undefined && body.anyOf === undefined) body.anyOf = branches;
    if (parts.length > 0) body.allOf = [...(Array.isArray(body.allOf) ? body.allOf : []), ...parts];
  }

  private discriminate(source: Json, branches: readonly SchemaNode[]): SchemaNode[] | undefined {
    const discriminator = source.discriminator;
    const raw = source.oneOf;
    if (!isObject(discriminator) || typeof discriminator.propertyName !== 'string' || !Array.isArray(raw)) return undefined;
    const property = discriminator.propertyName;
    const refs = raw.map((branch) => (isObject(branch) && typeof branch.$ref === 'string' ? branch.$ref : undefined));
    if (refs.some((ref) => ref === undefined)) return undefined;
    const byValue = new Map<string, number>();
    const mapped = new Set<number>();
    const mapping = isObject(discriminator.mapping) ? discriminator.mapping : {};
    for (const [value, target] of Object.entries(mapping)) {
      if (typeof target !== 'string') continue;
      const index = refs.findIndex((ref) => ref === target || refName(ref as string) === target);
      if (index < 0) continue;
      byValue.set(value, index);
      mapped.add(index);
    }
    refs.forEach((ref, index) => {
      if (mapped.has(index)) return;
      const values = this.fixedValues(raw[index], property, 0) ?? [refName(ref as string)];
      for (const value of values) if (!byValue.has(value)) byValue.set(value, index);
    });
    const selected: SchemaNode[] = [{ required: [property], properties: { [property]: { enum: [...byValue.keys()] } } }];
    for (const [value, index] of byValue) {
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a promise
      selected.push({ if: { properties: { [property]: { const: value } }, required: [property] }, then: branches[index] as SchemaNode });
    }
    return selected;
  }

  /** The values a schema allows for `property` when it fixes them (`enum` or `const`, also through `allOf`). */
  private fixedValues(schema: unknown, property: string, depth: number): string[] | undefined {
    const target = this.follow(schema);
    if (!isObject(target) || depth > 4) return undefined;
    const declared = isObject(target.properties) ? this.follow(target.properties[property]) : undefined;
    if (isObject(declared)) {
      const values = Array.isArray(declared.enum) ? declared.enum : 'const' in declared ? [declared.const] : [];
      const strings = values.filter((value): value is string => typeof value === 'string');
      if (strings.length > 0) return strings;
    }
    if (!Array.isArray(target.allOf)) return undefined;
    for (const part of target.allOf) {
      const found = this.fixedValues(part, property, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private convertMap(map: Json): Json {
    const out: Json = {};
    for (const [name, schema] of Object.entries(map)) out[name] = this.convert(schema);
    return out;
  }

  private convertDependencies(map: Json): Json {
    const out: Json = {};
    for (const [name, value] of Object.entries(map)) {
      out[name] = Array.isArray(value) ? value.filter((item) => typeof item === 'string') : this.convert(value);
    }
    return out;
  }

  /** The required names of `source`, without readOnly properties (servers fill them in). */
  private requiredInRequests(source: Json, required: unknown[]): string[] {
    const properties = isObject(source.properties) ? source.properties : {};
    return required.filter((name): name is string => {
      if (typeof name !== 'string') return false;
      const property = properties[name];
      if (isObject(property) && property.readOnly === true) return false;
      const target = this.follow(property);
      return !(isObject(target) && target.readOnly === true);
    });
  }
}

/** The last segment of a local `$ref` (`#/components/schemas/Cat` → `Cat`). */
function refName(ref: string): string {
  return ref
    .slice(ref.lastIndexOf('/') + 1)
    .replaceAll('~1', '/')
    .replaceAll('~0', '~');
}

function typeList(type: unknown): string[] {
  const list = Array.isArray(type) ? type : [type];
  return [...new Set(list.filter((t): t is string => typeof t === 'string' && JSON_TYPES.has(t)))];
}

/** The value at a local JSON pointer (`#/components/schemas/Pet`, percent-encoding allowed); `undefined` when absent. */
function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let fragment = ref.slice(1);
  if (fragment.includes('%')) {
    try {
      fragment = decodeURIComponent(fragment);
    } catch {
      return undefined;
    }
  }
  if (fragment === '') return document;
  if (!fragment.startsWith('/')) return undefined;
  let node: unknown = document;
  for (const token of fragment.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------------------
// Operations

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAMETER_LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);
/** OpenAPI: header parameters with these names are ignored (the media type and auth have their own fields). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
/** Swagger 2.0 parameter fields that are JSON Schema keywords. */
const SWAGGER_SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'x-nullable',
] as const;
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** What one spec's operations need while they are compiled. */
interface SpecContext {
  source: string;
  version: '2.0' | '3.0' | '3.1';
  converter: SchemaConverter;
  validators: Validators;
  /** Query names of `apiKey` security schemes. */
  apiKeyQuery: string[];
  /** Schemas to compile once the spec is converted, with where they came from. */
  pending: Array<{ ref: string; where: string; assign: (validate: ValidateFunction | undefined) => void }>;
}

function compileSpec(spec: OpenApiDocument, index: number, validators: Validators, problems: string[]): CompiledOperation[] {
  const document = spec.document as Json;
  const version = versionOf(document);
  if (version === undefined) {
    problems.push(`${spec.source}: not an OpenAPI 3.x or Swagger 2.0 document; ignored`);
    return [];
  }
  const rootId = `urn:palisade:openapi-guard:${index}`;
  const converter = new SchemaConverter(document, rootId, version);
  const context: SpecContext = {
    source: spec.source,
    version,
    converter,
    validators,
    apiKeyQuery: apiKeyQueryNames(document, converter),
    pending: [],
  };
  const operations: CompiledOperation[] = [];
  const rootPrefixes = version === '2.0' ? [swaggerBasePath(document)] : serverPrefixes(document.servers);
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = converter.follow(rawItem);
    if (path.startsWith('x-') || !isObject(item)) continue;
    const itemPrefixes = version === '2.0' ? rootPrefixes : (serverPrefixes(item.servers, true) ?? rootPrefixes);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const prefixes = version === '2.0' ? itemPrefixes : (serverPrefixes(operation.servers, true) ?? itemPrefixes);
      const base = compileOperation(context, document, path, item, method, operation);
      for (const prefix of prefixes) {
        const template = prefix + (path.startsWith('/') ? path : `/${path}`);
        operations.push({ ...base, template, endpoint: `${method.toUpperCase()} ${template}` });
      }
    }
  }
  validators.register(version, rootId, converter.container);
  for (const { ref, where, assign } of context.pending) assign(validators.compile(version, ref, spec.source, where));
  return operations;
}

function apiKeyQueryNames(document: Json, converter: SchemaConverter): string[] {
  const schemes = isObject(document.components) ? document.components.securitySchemes : document.securityDefinitions;
  if (!isObject(schemes)) return [];
  const names: string[] = [];
  for (const raw of Object.values(schemes)) {
    const scheme = converter.follow(raw);
    if (isObject(scheme) && scheme.type === 'apiKey' && scheme.in === 'query' && typeof scheme.name === 'string') names.push(scheme.name);
  }
  return names;
}

/** Swagger `basePath`, normalised (`/v1/` → `/v1`, `/` → ``). */
function swaggerBasePath(document: Json): string {
  return typeof document.basePath === 'string' ? normaliseBasePath(document.basePath) : '';
}

/**
 * The base paths of OpenAPI `servers`: each variable's default and enum values (at most 16 URLs per
 * server); `['']` when there are none, or `undefined` when `optional` and there are none (inherit).
 */
function serverPrefixes(servers: unknown, optional: true): string[] | undefined;
function serverPrefixes(servers: unknown): string[];
function serverPrefixes(servers: unknown, optional = false): string[] | undefined {
  const list = Array.isArray(servers) ? servers.filter(isObject) : [];
  if (list.length === 0) return optional ? undefined : [''];
  const prefixes: string[] = [];
  for (const server of list) {
    if (typeof server.url !== 'string') continue;
    for (const url of expandServerUrl(server.url, isObject(server.variables) ? server.variables : {})) {
      const prefix = basePathOfUrl(url);
      if (!prefixes.includes(prefix)) prefixes.push(prefix);
    }
  }
  return prefixes.length === 0 ? [''] : prefixes;
}

function expandServerUrl(url: string, variables: Json): string[] {
  let urls = [url];
  for (const name of new Set([...url.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] as string))) {
    const variable = variables[name];
    const values: string[] = [];
    if (isObject(variable)) {
      if (typeof variable.default === 'string' || typeof variable.default === 'number') values.push(String(variable.default));
      if (Array.isArray(variable.enum)) {
        for (const value of variable.enum) if (typeof value === 'string' || typeof value === 'number') values.push(String(value));
      }
    }
    const choices = [...new Set(values.length === 0 ? [''] : values)];
    urls = urls.flatMap((u) => choices.map((choice) => u.replaceAll(`{${name}}`, choice))).slice(0, 16);
  }
  return urls;
}

/** The normalised path of a server URL, absolute or relative. */
function basePathOfUrl(url: string): string {
  const withoutQuery = url.replace(/[?#].*$/, '');
  const absolute = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.exec(withoutQuery);
  if (absolute === null) return normaliseBasePath(withoutQuery);
  const rest = withoutQuery.slice(absolute[0].length);
  const slash = rest.indexOf('/');
  if (slash < 0) return '';
  let path = rest.slice(slash);
  try {
    path = decodeURI(path);
  } catch {
    // keep the encoded form
  }
  return normaliseBasePath(path);
}

function normaliseBasePath(path: string): string {
  const trimmed = path
    .trim()
    .replace(/^\.(?=\/|$)/, '')
    .replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

type OperationBase = Omit<CompiledOperation, 'endpoint' | 'template'>;

function compileOperation(context: SpecContext, document: Json, path: string, item: Json, method: string, operation: Json): OperationBase {
  const { converter } = context;
  const where = `${method.toUpperCase()} ${path}`;
  const merged = new Map<string, Json>();
  for (const list of [item.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = converter.follow(raw);
      if (isObject(parameter) && typeof parameter.name === 'string' && typeof parameter.in === 'string') {
        merged.set(`${parameter.in}\u0000${parameter.name}`, parameter);
      }
    }
  }
  const query: ParameterPlan[] = [];
  const pathParams = new Map<string, ParameterPlan>();
  const headers: ParameterPlan[] = [];
  const cookies: ParameterPlan[] = [];
  const knownQuery = new Set<string>(context.apiKeyQuery);
  const deepObjects: string[] = [];
  let anyQuery = false;
  let swaggerBody: Json | undefined;
  const formFields: Json[] = [];
  for (const parameter of merged.values()) {
    const location = parameter.in as string;
    if (context.version === '2.0' && location === 'body') swaggerBody = parameter;
    else if (context.version === '2.0' && location === 'formData') formFields.push(parameter);
    else if (PARAMETER_LOCATIONS.has(location)) {
      const plan = parameterPlan(context, parameter, `${where} parameter ${location}:${parameter.name as string}`);
      if (plan === undefined) continue;
      if (plan.in === 'query') {
        query.push(plan);
        knownQuery.add(plan.name);
        if (plan.style === 'deepObject') deepObjects.push(plan.name);
        else if (plan.value.shape === 'object' && plan.style === 'form' && plan.explode && !plan.json) {
          for (const name of plan.value.properties.keys()) knownQuery.add(name);
          if (plan.value.openProperties) anyQuery = true;
        }
      } else if (plan.in === 'path') pathParams.set(plan.name, plan);
      else if (plan.in === 'header') headers.push(plan);
      else cookies.push(plan);
    }
  }
  const body =
    context.version === '2.0'
      ? swaggerBodyPlan(context, document, operation, swaggerBody, formFields, where)
      : openApiBodyPlan(context, converter.follow(operation.requestBody), where);
  return {
    method: method.toUpperCase(),
    operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
    query,
    path: pathParams,
    headers,
    cookies,
    knownQuery,
    deepObjects,
    anyQuery,
    body,
    responses: responsePlans(context, document, operation),
    schemas: converter.byRef,
  };
}

function parameterPlan(context: SpecContext, parameter: Json, where: string): ParameterPlan | undefined {
  const location = parameter.in as ParameterPlan['in'];
  const name = location === 'header' ? (parameter.name as string).toLowerCase() : (parameter.name as string);
  if (location === 'header' && IGNORED_HEADERS.has(name)) return undefined;
  let rawSchema: unknown;
  let json = false;
  let style: ParameterStyle;
  let explode: boolean;
  if (context.version === '2.0') {
    rawSchema = swaggerParameterSchema(parameter);
    ({ style, explode } = swaggerStyle(location, parameter.collectionFormat));
  } else {
    if (parameter.schema !== undefined) rawSchema = parameter.schema;
    else if (isObject(parameter.content)) {
      const [first] = Object.values(parameter.content);
      rawSchema = isObject(first) ? first.schema : undefined;
      json = true;
    }
    const defaultStyle: ParameterStyle = location === 'query' || location === 'cookie' ? 'form' : 'simple';
    style = isStyle(parameter.style) ? parameter.style : defaultStyle;
    explode = typeof parameter.explode === 'boolean' ? parameter.explode : style === 'form';
  }
  const plan: ParameterPlan = {
    name,
    in: location,
    location: `${location}:${name}`,
    required: location === 'path' || parameter.required === true,
    style,
    explode,
    json,
    value: { shape: 'scalar', kinds: ['any'], properties: new Map(), openProperties: true },
    validate: undefined,
  };
  if (rawSchema !== undefined) {
    const schema = context.converter.convert(rawSchema);
    plan.value = json
      ? { shape: 'scalar', kinds: ['any'], properties: new Map(), openProperties: true }
      : valuePlan(schema, context.converter.byRef);
    context.pending.push({ ref: context.converter.refTo(schema), where, assign: (validate) => (plan.validate = validate) });
  }
  return plan;
}

function isStyle(value: unknown): value is ParameterStyle {
  return (
    typeof value === 'string' && ['form', 'simple', 'label', 'matrix', 'spaceDelimited', 'pipeDelimited', 'deepObject'].includes(value)
  );
}

function swaggerStyle(location: string, collectionFormat: unknown): { style: ParameterStyle; explode: boolean } {
  const plain: ParameterStyle = location === 'query' || location === 'cookie' ? 'form' : 'simple';
  switch (collectionFormat) {
    case 'multi':
      return { style: 'form', explode: true };
    case 'ssv':
      return { style: 'spaceDelimited', explode: false };
    case 'tsv':
      return { style: 'tabDelimited', explode: false };
    case 'pipes':
      return { style: 'pipeDelimited', explode: false };
    default:
      return { style: plain, explode: false };
  }
}

function swaggerParameterSchema(parameter: Json): Json {
  const schema: Json = {};
  for (const key of SWAGGER_SCHEMA_KEYS) if (parameter[key] !== undefined) schema[key] = parameter[key];
  if (schema.type === 'file') delete schema.type;
  return schema;
}

/** The kinds a schema's values can have, resolving `$ref`s and looking into `allOf`/`anyOf`/`oneOf`. */
function jsonTypes(schema: SchemaNode | undefined, refs: ReadonlyMap<string, SchemaNode>, depth = 0): Set<string> {
  const out = new Set<string>();
  if (schema === undefined || typeof schema === 'boolean' || depth > 16) {
    out.add('any');
    return out;
  }
  if (typeof schema.$ref === 'string') return jsonTypes(refs.get(schema.$ref), refs, depth + 1);
  const types = typeList(schema.type);
  if (types.length > 0) {
    for (const type of types) out.add(type);
    return out;
  }
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  if (values !== undefined) {
    for (const value of values) out.add(value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
    return out;
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const branch of list) for (const type of jsonTypes(branch as SchemaNode, refs, depth + 1)) if (type !== 'any') out.add(type);
  }
  if (out.size === 0) {
    if (isObject(schema.properties)) out.add('object');
    else if (schema.items !== undefined || schema.prefixItems !== undefined) out.add('array');
    else out.add('any');
  }
  return out;
}

const KIND_ORDER: readonly ScalarKind[] = ['integer', 'number', 'boolean', 'null', 'string', 'any'];

function scalarKinds(types: Set<string>): ScalarKind[] {
  const kinds = KIND_ORDER.filter((kind) => types.has(kind));
  return kinds.length === 0 ? ['any'] : kinds;
}

/** Applies `visit` to `schema` and the schemas it is made of (`$ref`, `allOf`, `anyOf`, `oneOf`). */
function eachPart(schema: SchemaNode | undefined, refs: ReadonlyMap<string, SchemaNode>, visit: (part: Json) => void, depth = 0): void {
  if (!isObject(schema) || depth > 16) return;
  if (typeof schema.$ref === 'string') eachPart(refs.get(schema.$ref), refs, visit, depth + 1);
  visit(schema);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) for (const branch of list) eachPart(branch as SchemaNode, refs, visit, depth + 1);
  }
}

/** How the text of a parameter with this schema is read. */
function valuePlan(schema: SchemaNode, refs: ReadonlyMap<string, SchemaNode>): ValuePlan {
  const types = jsonTypes(schema, refs);
  if (types.has('array')) {
    const items = new Set<string>();
    eachPart(schema, refs, (part) => {
      if (part.items !== undefined && !Array.isArray(part.items))
        for (const type of jsonTypes(part.items as SchemaNode, refs)) items.add(type);
    });
    return { shape: 'array', kinds: scalarKinds(items), properties: new Map(), openProperties: true };
  }
  if (types.has('object')) {
    const properties = new Map<string, ScalarKind[]>();
    let openProperties = false;
    let declared = false;
    eachPart(schema, refs, (part) => {
      if (isObject(part.properties)) {
        declared = true;
        for (const [name, property] of Object.entries(part.properties))
          properties.set(name, scalarKinds(jsonTypes(property as SchemaNode, refs)));
      }
      if (part.additionalProperties !== undefined && part.additionalProperties !== false) openProperties = true;
    });
    return { shape: 'object', kinds: ['any'], properties, openProperties: openProperties || !declared };
  }
  return { shape: 'scalar', kinds: scalarKinds(types), properties: new Map(), openProperties: true };
}

function openApiBodyPlan(context: SpecContext, requestBody: unknown, where: string): BodyPlan | undefined {
  if (!isObject(requestBody)) return undefined;
  const content = isObject(requestBody.content) ? requestBody.content : {};
  const media: MediaPlan[] = [];
  for (const [type, rawMedia] of Object.entries(content)) {
    const entry = context.converter.follow(rawMedia);
    const plan: MediaPlan = { type: essence(type), validate: undefined, form: undefined };
    if (isObject(entry) && entry.schema !== undefined) {
      const schema = context.converter.convert(entry.schema);
      if (isFormType(plan.type)) plan.form = formPlan(schema, context.converter.byRef, isObject(entry.encoding) ? entry.encoding : {});
      context.pending.push({
        ref: context.converter.refTo(schema),
        where: `${where} body ${plan.type}`,
        assign: (validate) => (plan.validate = validate),
      });
    }
    media.push(plan);
  }
  return { required: requestBody.required === true, media };
}

function swaggerBodyPlan(
  context: SpecContext,
  document: Json,
  operation: Json,
  body: Json | undefined,
  formFields: Json[],
  where: string,
): BodyPlan | undefined {
  if (body === undefined && formFields.length === 0) return undefined;
  const consumes = stringList(operation.consumes) ?? stringList(document.consumes) ?? [];
  let schema: SchemaNode;
  let form: Map<string, FormFieldPlan> | undefined;
  let required: boolean;
  if (body !== undefined) {
    schema = context.converter.convert(body.schema);
    required = body.required === true;
  } else {
    const properties: Json = {};
    const names: string[] = [];
    form = new Map();
    for (const field of formFields) {
      const name = field.name as string;
      const fieldSchema = context.converter.convert(swaggerParameterSchema(field));
      properties[name] = fieldSchema;
      if (field.required === true) names.push(name);
      const { style } = swaggerStyle('query', field.collectionFormat);
      const delimiter = field.collectionFormat === 'multi' ? undefined : DELIMITERS[style];
      form.set(name, { value: valuePlan(fieldSchema, context.converter.byRef), delimiter });
    }
    schema = names.length > 0 ? { type: 'object', properties, required: names } : { type: 'object', properties };
    required = names.length > 0;
  }
  const types = consumes.length > 0 ? consumes.map(essence) : body !== undefined ? ['*/*'] : FORM_TYPES;
  const media: MediaPlan[] = types.map((type) => ({ type, validate: undefined, form }));
  const ref = context.converter.refTo(schema);
  context.pending.push({
    ref,
    where: `${where} body`,
    assign: (validate) => {
      for (const m of media) m.validate = validate;
    },
  });
  return { required, media };
}

/** Array item separators of the non-exploded styles. */
export const DELIMITERS: Readonly<Record<ParameterStyle, string>> = {
  form: ',',
  simple: ',',
  label: '.',
  matrix: ',',
  spaceDelimited: ' ',
  pipeDelimited: '|',
  tabDelimited: '\t',
  deepObject: ',',
};

function formPlan(schema: SchemaNode, refs: ReadonlyMap<string, SchemaNode>, encoding: Json): Map<string, FormFieldPlan> {
  const fields = new Map<string, FormFieldPlan>();
  eachPart(schema, refs, (part) => {
    if (!isObject(part.properties)) return;
    for (const [name, property] of Object.entries(part.properties)) {
      const rule = isObject(encoding[name]) ? encoding[name] : {};
      const style = isStyle(rule.style) ? rule.style : 'form';
      const explode = typeof rule.explode === 'boolean' ? rule.explode : style === 'form';
      fields.set(name, { value: valuePlan(property as SchemaNode, refs), delimiter: explode ? undefined : DELIMITERS[style] });
    }
  });
  return fields;
}

function responsePlans(context: SpecContext, document: Json, operation: Json): Map<string, ResponsePlan> {
  const plans = new Map<string, ResponsePlan>();
  const responses = isObject(operation.responses) ? operation.responses : {};
  const produces = stringList(operation.produces) ?? stringList(document.produces) ?? ['application/json'];
  for (const [status, raw] of Object.entries(responses)) {
    if (status.startsWith('x-')) continue;
    const response = context.converter.follow(raw);
    if (!isObject(response)) continue;
    const media: Array<{ type: string; schema: SchemaNode | undefined }> = [];
    if (context.version === '2.0') {
      const schema = response.schema === undefined ? undefined : context.converter.convert(response.schema);
      for (const type of produces) media.push({ type: essence(type), schema });
    } else if (isObject(response.content)) {
      for (const [type, rawMedia] of Object.entries(response.content)) {
        const entry = context.converter.follow(rawMedia);
        media.push({
          type: essence(type),
          schema: isObject(entry) && entry.schema !== undefined ? context.converter.convert(entry.schema) : undefined,
        });
      }
    }
    plans.set(status.toUpperCase(), { media });
  }
  return plans;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((item): item is string => typeof item === 'string');
  return list.length > 0 ? list : undefined;
}

/** A media type without parameters, lower case: `Application/JSON; charset=utf-8` → `application/json`. */
export function essence(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** `application/json`, `application/problem+json`, `text/json`. */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json') || type === 'text/json';
}

/** `application/x-www-form-urlencoded`. */
export function isFormType(type: string): boolean {
  return type === 'application/x-www-form-urlencoded';
}

/** Whether a declared media type (`image/*`, `*\/*`, exact) covers a request's media type. */
export function mediaTypeCovers(declared: string, actual: string): boolean {
  if (declared === actual || declared === '*/*' || declared === '*') return true;
  if (declared.endsWith('/*')) return actual.startsWith(declared.slice(0, -1));
  return false;
}
