import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { PalisadeError } from '@palisade/core';
import { type Document, isScalar, parseDocument } from 'yaml';
import type { DeclaredApi, DeclaredOperation, DeclaredParameter, DeclaredSecurityScheme, JsonSchema } from '../types.js';

/**
 * Reads an OpenAPI 3.0/3.1 or Swagger 2.0 description (JSON or YAML) from a file and normalises it
 * (see `parseSpec`). External `$ref`s to local files resolve relative to `path`; URLs are never fetched.
 * Throws `PAL_ERR_SPEC_INVALID` naming the file when it cannot be read or is not a valid description.
 *
 * @example
 * const api = await loadSpec('openapi.yaml');
 * api.operations.map((op) => `${op.method} ${op.template}`); // ['GET /v1/pets', 'GET /v1/pets/{petId}']
 */
export async function loadSpec(path: string): Promise<DeclaredApi> {
  return parseSpec(await readSpecText(path), path);
}

/** The text of an API description file; throws `PAL_ERR_SPEC_INVALID` naming the file when it cannot be read. */
export async function readSpecText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * Parses the text of an OpenAPI 3.0/3.1 or Swagger 2.0 description (JSON or YAML) named `source` and
 * normalises it: `$ref`s dereferenced (a recursive schema is expanded once and then refers to itself as
 * `{ $ref: '#/components/schemas/Node' }`, so the result has no cycles and serialises as JSON), templates prefixed with the base path of the first server (or Swagger `basePath`), methods in
 * upper case, path-level parameters merged into each operation, Swagger `body`/`formData` parameters
 * turned into `requestBody`. The result shares no state with the caller; it never reads the network.
 * Throws `PAL_ERR_SPEC_INVALID` naming `source` when the text is not a valid description.
 *
 * @example
 * const api = await parseSpec('{"swagger":"2.0","info":{"title":"T","version":"1"},"basePath":"/v1","paths":{"/a":{"get":{}}}}', 'inline');
 * api.operations[0]?.template; // '/v1/a'
 */
export async function parseSpec(text: string, source: string): Promise<DeclaredApi> {
  const document = parseSpecText(text, source);
  const specVersion = specVersionOf(document);
  if (specVersion === undefined) throw notADescription(source);
  if (document.paths === undefined || document.paths === null) document.paths = {};
  if (!isObject(document.paths)) throw invalid(`${source} is not a valid API description: \`paths\` is not an object`);
  const resolved = await dereference(document, specVersion, source);
  return specVersion === '2.0' ? fromSwagger(resolved, source) : fromOpenApi(resolved, specVersion, source);
}

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** OpenAPI versions swagger-parser 13 accepts; other 3.x versions are passed to it as the nearest one. */
const PARSER_VERSIONS = new Set(['3.0.0', '3.0.1', '3.0.2', '3.0.3', '3.0.4', '3.1.0', '3.1.1', '3.1.2']);

function invalid(message: string, cause?: unknown): PalisadeError {
  return new PalisadeError('PAL_ERR_SPEC_INVALID', message, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first line of an error message, short enough for a one-line report. */
function firstLine(error: unknown): string {
  const line = ((error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '').replace(/:$/, '');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * JSON or YAML text to a plain object, version numbers kept as text (see `fixVersionNumbers`); throws
 * `PAL_ERR_SPEC_INVALID` naming `source` when the text is neither or holds no object.
 */
export function parseSpecText(text: string, source: string): Json {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const value = parseJson(body) ?? parseYaml(body, source);
  if (!isObject(value)) throw notADescription(source);
  return value;
}

/** The fast path for JSON documents; `undefined` when the text is not strict JSON (YAML will tell why). */
function parseJson(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) fixVersionNumbers(value);
    return value;
  } catch {
    return undefined;
  }
}

function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { merge: true });
  const [error] = document.errors;
  if (error !== undefined) throw invalid(`${source} is not valid JSON or YAML: ${firstLine(error)}`, error);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw invalid(`${source} is not valid YAML: ${firstLine(cause)}`, cause);
  }
  if (isObject(value)) fixVersionNumbers(value, { text, document });
  return value;
}

function notADescription(source: string): PalisadeError {
  return invalid(`${source} is not an OpenAPI 3.x or Swagger 2.0 document`);
}

/**
 * Unquoted `openapi: 3.0`, `swagger: 2.0` and `version: 1.0` are numbers to a JSON or YAML reader; they
 * become text again: as written when the YAML source is at hand, else the number's text (`2` → `2.0` for
 * the spec versions).
 */
function fixVersionNumbers(document: Json, yaml?: { text: string; document: Document.Parsed }): void {
  const textOf = (value: unknown, path: string[], isSpecVersion: boolean): unknown => {
    if (typeof value !== 'number') return value;
    const node = yaml?.document.getIn(path, true);
    if (yaml !== undefined && isScalar(node) && node.range) return yaml.text.slice(node.range[0], node.range[1]).trim();
    return isSpecVersion && Number.isInteger(value) ? `${value}.0` : String(value);
  };
  if ('openapi' in document) document.openapi = textOf(document.openapi, ['openapi'], true);
  if ('swagger' in document) document.swagger = textOf(document.swagger, ['swagger'], true);
  if (isObject(document.info) && 'version' in document.info)
    document.info.version = textOf(document.info.version, ['info', 'version'], false);
}

/** `2.0` for Swagger, the `openapi` field for OpenAPI 3.x, `undefined` for anything else. */
function specVersionOf(document: Json): string | undefined {
  if (document.swagger === '2.0') return '2.0';
  if (typeof document.openapi === 'string' && /^3\.\d+(\.\d+)?(-[\w.]+)?$/.test(document.openapi)) return document.openapi;
  return undefined;
}

/**
 * Replaces every `$ref` with its target (files only, never URLs), then cuts the cycles recursive schemas
 * make (see `breakCycles`).
 */
async function dereference(document: Json, specVersion: string, source: string): Promise<Json> {
  if (specVersion !== '2.0' && !PARSER_VERSIONS.has(specVersion)) {
    document.openapi = specVersion.startsWith('3.0.') ? '3.0.4' : '3.1.2';
  }
  let resolved: Json;
  try {
    resolved = (await SwaggerParser.dereference(source, document as never, { resolve: { http: false } })) as unknown as Json;
  } catch (error) {
    throw invalid(`${source} is not a valid API description: ${firstLine(error)}`, error);
  }
  breakCycles(resolved);
  return resolved;
}

/**
 * Makes the dereferenced document a graph of shared, acyclic objects, in place: one depth-first walk
 * (reusable definitions first) replaces every edge back to an object still being walked by
 * `{ $ref: '#/components/schemas/Node' }` (the pointer of that object). A recursive schema is thus expanded
 * once and refers to itself inside, like swagger-parser's `circular: 'ignore'` but without leaving every
 * schema that merely reaches a cycle unresolved. Linear in the document's size.
 */
function breakCycles(document: Json): void {
  const pointers = reusablePointers(document);
  const visited = new Set<object>();
  const walking = new Set<object>();
  const walk = (node: object, pointer: string, keys: string[] = Object.keys(node)): void => {
    if (!pointers.has(node)) pointers.set(node, pointer);
    visited.add(node);
    walking.add(node);
    for (const key of keys) {
      const child = (node as Json)[key];
      if (typeof child !== 'object' || child === null) continue;
      if (walking.has(child)) (node as Json)[key] = { $ref: pointers.get(child) };
      else if (!visited.has(child)) walk(child, `${pointer}/${escapePointer(key)}`);
    }
    walking.delete(node);
  };
  walk(document, '#', [...new Set(['components', 'definitions', ...Object.keys(document)])]);
}

/** The pointers of reusable objects (`#/components/schemas/Pet`, `#/definitions/Pet`), by object. */
function reusablePointers(document: Json): Map<object, string> {
  const pointers = new Map<object, string>();
  const groups: Array<[string, unknown]> = [
    ['definitions', document.definitions],
    ['parameters', document.parameters],
    ['responses', document.responses],
  ];
  if (isObject(document.components)) {
    for (const [kind, members] of Object.entries(document.components)) groups.push([`components/${escapePointer(kind)}`, members]);
  }
  for (const [group, members] of groups) {
    if (!isObject(members)) continue;
    for (const [name, member] of Object.entries(members)) {
      if (isObject(member) && !pointers.has(member)) pointers.set(member, `#/${group}/${escapePointer(name)}`);
    }
  }
  return pointers;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function fromOpenApi(document: Json, specVersion: string, source: string): DeclaredApi {
  const servers = Array.isArray(document.servers) ? document.servers.filter(isObject) : [];
  const locations = servers.map((server) => splitServerUrl(resolveServerUrl(server)));
  const basePath = locations[0]?.path ?? '';
  const schemes = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  return {
    ...describe(document, specVersion, source),
    hosts: unique(locations.flatMap((location) => (location.host === undefined ? [] : [location.host]))),
    basePath,
    operations: operationsOf(document, basePath, false),
    securitySchemes: securitySchemesOf(schemes),
  };
}

function fromSwagger(document: Json, source: string): DeclaredApi {
  const basePath = typeof document.basePath === 'string' ? normaliseBasePath(document.basePath) : '';
  const schemes = Array.isArray(document.schemes) ? document.schemes.filter((s): s is string => typeof s === 'string') : [];
  const hosts =
    typeof document.host === 'string' && document.host !== ''
      ? (schemes.length > 0 ? schemes : ['https']).flatMap((scheme) => hostOf(`${scheme}://${document.host as string}`) ?? [])
      : [];
  return {
    ...describe(document, '2.0', source),
    hosts: unique(hosts),
    basePath,
    operations: operationsOf(document, basePath, true),
    securitySchemes: securitySchemesOf(isObject(document.securityDefinitions) ? document.securityDefinitions : {}),
  };
}

function describe(document: Json, specVersion: string, source: string): Pick<DeclaredApi, 'source' | 'title' | 'version' | 'specVersion'> {
  const info = isObject(document.info) ? document.info : {};
  return {
    source,
    title: typeof info.title === 'string' ? info.title : '',
    version: typeof info.version === 'string' ? info.version : '',
    specVersion,
  };
}

/** A server URL with its variables replaced by their defaults (or first enum value). */
function resolveServerUrl(server: Json): string {
  if (typeof server.url !== 'string') return '';
  const variables = isObject(server.variables) ? server.variables : {};
  return server.url.replace(/\{([^}]*)\}/g, (_, name: string) => {
    const variable = variables[name];
    if (!isObject(variable)) return '';
    if (typeof variable.default === 'string' || typeof variable.default === 'number') return String(variable.default);
    const first = Array.isArray(variable.enum) ? variable.enum[0] : undefined;
    return typeof first === 'string' || typeof first === 'number' ? String(first) : '';
  });
}

/** The host (absolute URLs only) and the normalised base path of a server URL. */
function splitServerUrl(url: string): { host?: string; path: string } {
  const absolute = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url) || url.startsWith('://');
  if (!absolute) return { path: normaliseBasePath(url.replace(/[?#].*$/, '')) };
  const withScheme = url.startsWith('//') ? `https:${url}` : url.startsWith('://') ? `https${url}` : url;
  try {
    const parsed = new URL(withScheme);
    const path = normaliseBasePath(safeDecodeUri(parsed.pathname));
    return parsed.host === '' ? { path } : { host: parsed.host, path };
  } catch {
    return { path: '' };
  }
}

/** `host[:port]` of a URL, lower case, default port dropped; `undefined` when it does not parse. */
function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).host;
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** `/v1/` → `/v1`, `v1` → `/v1`, `/` and `.` → ``. */
function normaliseBasePath(path: string): string {
  const trimmed = path
    .trim()
    .replace(/^\.(?=\/|$)/, '')
    .replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** Base path + spec path, with one slash between them; a trailing slash only when the spec path has one. */
function joinTemplate(basePath: string, path: string): string {
  return basePath + (path.startsWith('/') ? path : `/${path}`);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function operationsOf(document: Json, basePath: string, swagger: boolean): DeclaredOperation[] {
  const rootSecurity = securityOf(document.security) ?? [];
  const operations: DeclaredOperation[] = [];
  for (const [path, item] of Object.entries(document.paths as Json)) {
    if (path.startsWith('x-') || !isObject(item)) continue;
    const template = joinTemplate(basePath, path);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const { parameters, requestBody } = parametersOf(item.parameters, operation.parameters, swagger);
      const declared: DeclaredOperation = {
        method: method.toUpperCase(),
        template,
        deprecated: operation.deprecated === true,
        parameters,
        responses: swagger ? swaggerResponsesOf(operation.responses) : openApiResponsesOf(operation.responses),
        security: securityOf(operation.security) ?? rootSecurity,
      };
      if (typeof operation.operationId === 'string') declared.operationId = operation.operationId;
      const body = swagger ? requestBody : openApiRequestBodyOf(operation.requestBody);
      if (body !== undefined) declared.requestBody = body;
      operations.push(declared);
    }
  }
  return operations;
}

const PARAMETER_LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);

/**
 * Path-level then operation-level parameters, the operation's winning on the same name and location.
 * Swagger `body` and `formData` parameters become the request body schema.
 */
function parametersOf(
  pathLevel: unknown,
  operationLevel: unknown,
  swagger: boolean,
): { parameters: DeclaredParameter[]; requestBody?: JsonSchema } {
  const merged = new Map<string, Json>();
  for (const list of [pathLevel, operationLevel]) {
    if (!Array.isArray(list)) continue;
    for (const parameter of list) {
      if (isObject(parameter) && typeof parameter.name === 'string' && typeof parameter.in === 'string') {
        merged.set(`${parameter.in}\u0000${parameter.name}`, parameter);
      }
    }
  }
  const parameters: DeclaredParameter[] = [];
  let requestBody: JsonSchema | undefined;
  const form: Json[] = [];
  for (const parameter of merged.values()) {
    const location = parameter.in as string;
    if (swagger && location === 'body') {
      if (isObject(parameter.schema)) requestBody = parameter.schema;
    } else if (swagger && location === 'formData') {
      form.push(parameter);
    } else if (PARAMETER_LOCATIONS.has(location)) {
      const declared: DeclaredParameter = {
        name: parameter.name as string,
        in: location as DeclaredParameter['in'],
        required: location === 'path' || parameter.required === true,
      };
      const schema = swagger ? swaggerParameterSchema(parameter) : openApiParameterSchema(parameter);
      if (schema !== undefined) declared.schema = schema;
      parameters.push(declared);
    }
  }
  if (form.length > 0 && requestBody === undefined) requestBody = formSchema(form);
  return requestBody === undefined ? { parameters } : { parameters, requestBody };
}

function openApiParameterSchema(parameter: Json): JsonSchema | undefined {
  if (isObject(parameter.schema)) return parameter.schema;
  return isObject(parameter.content) ? mediaTypeSchema(parameter.content) : undefined;
}

/** The JSON Schema keywords a Swagger 2.0 non-body parameter carries inline. */
const SWAGGER_SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
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
] as const;

function swaggerParameterSchema(parameter: Json): JsonSchema | undefined {
  if (parameter.type === 'file') return { type: 'string', format: 'binary' };
  const schema: JsonSchema = {};
  for (const key of SWAGGER_SCHEMA_KEYS) if (parameter[key] !== undefined) schema[key] = parameter[key];
  return Object.keys(schema).length === 0 ? undefined : schema;
}

/** An object schema with one property per Swagger `formData` parameter. */
function formSchema(parameters: Json[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const name = parameter.name as string;
    properties[name] = swaggerParameterSchema(parameter) ?? {};
    if (parameter.required === true) required.push(name);
  }
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}

function openApiRequestBodyOf(requestBody: unknown): JsonSchema | undefined {
  return isObject(requestBody) && isObject(requestBody.content) ? mediaTypeSchema(requestBody.content) : undefined;
}

/** The schema of `application/json`, else of a `…+json` type, else of the first media type. */
function mediaTypeSchema(content: Json): JsonSchema | undefined {
  const types = Object.keys(content);
  const essence = (type: string): string => (type.split(';', 1)[0] ?? '').trim().toLowerCase();
  const chosen =
    types.find((type) => essence(type) === 'application/json') ?? types.find((type) => essence(type).endsWith('+json')) ?? types[0];
  const media = chosen === undefined ? undefined : content[chosen];
  return isObject(media) && isObject(media.schema) ? media.schema : undefined;
}

function openApiResponsesOf(responses: unknown): Record<string, JsonSchema | undefined> {
  return responsesOf(responses, (response) => (isObject(response.content) ? mediaTypeSchema(response.content) : undefined));
}

function swaggerResponsesOf(responses: unknown): Record<string, JsonSchema | undefined> {
  return responsesOf(responses, (response) => (isObject(response.schema) ? response.schema : undefined));
}

function responsesOf(responses: unknown, schemaOf: (response: Json) => JsonSchema | undefined): Record<string, JsonSchema | undefined> {
  const out: Record<string, JsonSchema | undefined> = {};
  if (!isObject(responses)) return out;
  for (const [status, response] of Object.entries(responses)) {
    if (status.startsWith('x-')) continue;
    out[status] = isObject(response) ? schemaOf(response) : undefined;
  }
  return out;
}

/** A security requirement list as alternatives of scheme names; `undefined` when absent. */
function securityOf(value: unknown): string[][] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isObject).map((requirement) => Object.keys(requirement));
}

const SCHEME_TYPES = new Set<DeclaredSecurityScheme['type']>(['http', 'apiKey', 'oauth2', 'openIdConnect', 'mutualTLS', 'basic']);
const KEY_LOCATIONS = new Set(['header', 'query', 'cookie']);

/** OpenAPI `components.securitySchemes` or Swagger `securityDefinitions`; unknown types are left out. */
function securitySchemesOf(definitions: Json): Record<string, DeclaredSecurityScheme> {
  const out: Record<string, DeclaredSecurityScheme> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (!isObject(definition) || typeof definition.type !== 'string') continue;
    const type = definition.type as DeclaredSecurityScheme['type'];
    if (!SCHEME_TYPES.has(type)) continue;
    const scheme: DeclaredSecurityScheme = { type };
    if (type === 'http' && typeof definition.scheme === 'string') scheme.scheme = definition.scheme.toLowerCase();
    if (type === 'apiKey') {
      if (typeof definition.in === 'string' && KEY_LOCATIONS.has(definition.in)) scheme.in = definition.in as DeclaredSecurityScheme['in'];
      if (typeof definition.name === 'string') scheme.name = definition.name;
    }
    out[name] = scheme;
  }
  return out;
}
