/**
 * Checks one request against the compiled API descriptions: the path routes to a declared template, the
 * method is declared for it, every parameter is present when required and valid for its schema once read
 * in its style, no undeclared query parameter is sent, and the body has a declared media type and is
 * valid for its schema.
 */

import type { ErrorObject, ValidateFunction } from 'ajv';
import { type CompiledGuard, type CompiledOperation, essence, isFormType, isJsonType, type MediaPlan, mediaTypeCovers } from './compile.js';
import type { QueryPair } from '../inputs.js';
import {
  coerceScalar,
  decodeForm,
  INVALID_JSON,
  pairsOf,
  parsePairs,
  type QueryPairs,
  readQueryValue,
  readSimpleValue,
} from './read-parameter.js';

/** What the guard needs of a request; nothing of it is kept. */
export interface GuardRequest {
  /** Any case (`get`, `GET`). */
  method: string;
  /** The path as sent, still percent-encoded; a `?query` suffix is ignored. */
  path: string;
  /** The raw query without `?`, or ''. */
  query: string;
  /** The pairs of `query` as `readQueryPairs` reads them, when the caller read them already (so names are decoded once). */
  queryPairs?: readonly QueryPair[];
  /** Header names lower-case. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The whole body; absent or empty when the request has none. */
  body?: Uint8Array;
  /** The body already parsed as JSON (by the signatures' walk), so it is not parsed twice. */
  json?: { value: unknown };
}

/** The kinds of disagreement between a request and the API description. */
export type ViolationKind =
  | 'unknown-endpoint'
  | 'unknown-method'
  | 'missing-parameter'
  | 'unknown-parameter'
  | 'invalid-parameter'
  | 'content-type'
  | 'invalid-body'
  | 'undeclared-body'
  | 'missing-body';

/** One disagreement between a request and the API description. */
export interface GuardViolation {
  kind: ViolationKind;
  /**
   * Where: `path` (no template matches), `method`, `path:petId`, `query:limit`, `header:x-request-id`,
   * `cookie:sid`, `header:content-type`, `body`, `json:$.items[0].name`, `form:name`. Names taken from the
   * request are cut to 64 characters, and characters other than letters, digits and `_.$@-` are replaced by `?`.
   */
  location: string;
  /** Why, in the words of the description (`must be integer`); never contains a value of the request. */
  detail: string;
}

/** The result of {@link checkRequest}. */
export interface RequestCheck {
  /** The operation the request routed to (`GET /v1/pets/{petId}`); absent when no path or method matched. */
  endpoint?: string;
  operationId?: string;
  /** In request order (path, query, headers, cookies, body); at most `maxViolations`. */
  violations: GuardViolation[];
}

/**
 * Checks `request` against `guard`. Never throws; never echoes request values in details; reads at most
 * `maxBodyBytes` of a body (a longer body is only checked for its media type).
 */
export function checkRequest(guard: CompiledGuard, request: GuardRequest): RequestCheck {
  const question = request.path.indexOf('?');
  const path = question < 0 ? request.path : request.path.slice(0, question);
  const match = guard.router.match(path);
  if (match === undefined) return { violations: [{ kind: 'unknown-endpoint', location: 'path', detail: 'no declared path matches' }] };
  const method = request.method.toUpperCase();
  let operation = match.value.get(method);
  if (operation === undefined && method === 'HEAD') operation = match.value.get('GET');
  if (operation === undefined) {
    if (method === 'OPTIONS' && firstHeader(request.headers['access-control-request-method']) !== undefined) return { violations: [] };
    const declared = [...match.value.keys()].join(', ');
    return {
      violations: [
        { kind: 'unknown-method', location: 'method', detail: `method not declared for ${match.template} (declared: ${declared})` },
      ],
    };
  }
  const check = new Check(guard.options.maxViolations);
  checkPath(check, operation, match.template, match.params);
  if (!check.full()) checkQuery(check, operation, request, guard.options.additionalQuery === 'report');
  if (!check.full()) checkHeaders(check, operation, request.headers);
  if (!check.full() && (operation.body !== undefined || request.body !== undefined)) checkBody(check, guard, operation, request);
  const result: RequestCheck = { endpoint: operation.endpoint, violations: check.violations };
  if (operation.operationId !== undefined) result.operationId = operation.operationId;
  return result;
}

class Check {
  readonly violations: GuardViolation[] = [];
  constructor(private readonly max: number) {}

  add(kind: ViolationKind, location: string, detail: string): void {
    if (this.violations.length < this.max) this.violations.push({ kind, location, detail });
  }

  full(): boolean {
    return this.violations.length >= this.max;
  }

  /** Runs `validate` on `value`; on failure adds an `invalid-parameter` violation at `location`. */
  validate(validate: ValidateFunction | undefined, value: unknown, location: string): void {
    if (value === INVALID_JSON) {
      this.add('invalid-parameter', location, 'must be JSON');
      return;
    }
    if (validate === undefined || validate(value)) return;
    const error = pickError(validate.errors);
    this.add('invalid-parameter', location, error === undefined ? 'does not match its schema' : describe(error));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Path

/** The path parameter names of each operation whose template differs from the router's (names in order). */
const templateNames = new WeakMap<CompiledOperation, string[]>();

function checkPath(check: Check, operation: CompiledOperation, template: string, params: Record<string, string>): void {
  if (operation.path.size === 0) return;
  let values = params;
  if (template !== operation.template) {
    let names = templateNames.get(operation);
    if (names === undefined) {
      names = [...operation.template.matchAll(/\{([^}]*)\}/g)].map((m) => (m[1] as string).replace(/^[+#./;?&]/, '').replace(/\*$/, ''));
      templateNames.set(operation, names);
    }
    const ordered = Object.values(params);
    values = Object.create(null) as Record<string, string>;
    names.forEach((name, i) => {
      if (ordered[i] !== undefined) values[name] = ordered[i] as string;
    });
  }
  for (const plan of operation.path.values()) {
    const text = values[plan.name];
    if (text === undefined) check.add('missing-parameter', plan.location, 'required');
    else check.validate(plan.validate, readSimpleValue(plan, text), plan.location);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Query, headers, cookies

function checkQuery(check: Check, operation: CompiledOperation, request: GuardRequest, reportUnknown: boolean): void {
  const query = request.query;
  if (query === '' && operation.query.length === 0) return;
  const pairs = request.queryPairs === undefined ? parsePairs(query) : pairsOf(request.queryPairs);
  for (const plan of operation.query) {
    const raw = pairs.get(plan.name);
    const value = readQueryValue(plan, raw, pairs, operation.knownQuery);
    if (value === undefined) {
      if (plan.required) check.add('missing-parameter', plan.location, 'required');
      continue;
    }
    if (raw !== undefined && raw.length > 1 && !(plan.value.shape === 'array' && plan.explode)) {
      check.add('invalid-parameter', plan.location, 'sent more than once');
      continue;
    }
    check.validate(plan.validate, value, plan.location);
  }
  if (!reportUnknown || operation.anyQuery) return;
  for (const name of pairs.keys()) {
    if (operation.knownQuery.has(name) || isDeepObjectKey(operation, name)) continue;
    check.add('unknown-parameter', `query:${safeName(name)}`, 'not declared for this operation');
  }
}

function isDeepObjectKey(operation: CompiledOperation, name: string): boolean {
  if (operation.deepObjects.length === 0) return false;
  const bracket = name.indexOf('[');
  return bracket > 0 && operation.deepObjects.includes(name.slice(0, bracket));
}

function checkHeaders(check: Check, operation: CompiledOperation, headers: GuardRequest['headers']): void {
  for (const plan of operation.headers) {
    const raw = headers[plan.name];
    if (raw === undefined) {
      if (plan.required) check.add('missing-parameter', plan.location, 'required');
      continue;
    }
    check.validate(plan.validate, readSimpleValue(plan, typeof raw === 'string' ? raw : raw.join(',')), plan.location);
  }
  if (operation.cookies.length === 0) return;
  const cookies = cookiePairs(headers.cookie);
  for (const plan of operation.cookies) {
    const raw = cookies.get(plan.name);
    const value = readQueryValue(plan, raw, cookies, new Set());
    if (value === undefined) {
      if (plan.required) check.add('missing-parameter', plan.location, 'required');
      continue;
    }
    check.validate(plan.validate, value, plan.location);
  }
}

function cookiePairs(header: string | readonly string[] | undefined): QueryPairs {
  const pairs = new Map<string, string[]>();
  if (header === undefined) return pairs;
  for (const line of typeof header === 'string' ? [header] : header) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      const list = pairs.get(name);
      if (list === undefined) pairs.set(name, [value]);
      else list.push(value);
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------
// Body

function checkBody(check: Check, guard: CompiledGuard, operation: CompiledOperation, request: GuardRequest): void {
  const body = request.body;
  const length = body?.length ?? 0;
  const plan = operation.body;
  if (plan === undefined) {
    if (length > 0 && guard.options.undeclaredBody === 'report')
      check.add('undeclared-body', 'body', 'this operation declares no request body');
    return;
  }
  if (length === 0 || body === undefined) {
    if (plan.required) check.add('missing-body', 'body', 'a request body is required');
    return;
  }
  const header = firstHeader(request.headers['content-type']);
  const type = header === undefined ? '' : essence(header);
  let media: MediaPlan | undefined;
  if (plan.media.length > 0) {
    media = plan.media.find((m) => m.type === type) ?? plan.media.find((m) => mediaTypeCovers(m.type, type));
    if (media === undefined) {
      const declared = plan.media.map((m) => m.type).join(', ');
      check.add(
        'content-type',
        'header:content-type',
        type === '' ? `missing; declared: ${declared}` : `media type not declared (declared: ${declared})`,
      );
      return;
    }
  }
  if (media?.validate === undefined || length > guard.options.maxBodyBytes) return;
  const text = (): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (isJsonType(type)) {
    let value: unknown;
    if (request.json !== undefined) value = request.json.value;
    else {
      try {
        value = JSON.parse(text());
      } catch {
        check.add('invalid-body', 'body', 'not valid JSON');
        return;
      }
    }
    if (!media.validate(value)) {
      const error = pickError(media.validate.errors);
      check.add(
        'invalid-body',
        error === undefined ? 'body' : jsonLocation(error),
        error === undefined ? 'does not match its schema' : (error.message ?? error.keyword),
      );
    }
  } else if (isFormType(type)) {
    const value = readForm(text(), media);
    if (!media.validate(value)) {
      const error = pickError(media.validate.errors);
      check.add(
        'invalid-body',
        error === undefined ? 'body' : formLocation(error),
        error === undefined ? 'does not match its schema' : (error.message ?? error.keyword),
      );
    }
  }
}

/** A form body as the object its schema describes: declared fields read as their types, arrays from repeated fields. */
function readForm(text: string, media: MediaPlan): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, raws] of parsePairs(text)) {
    const field = media.form?.get(name);
    if (field === undefined) {
      out[name] = raws.length === 1 ? decodeForm(raws[0] as string) : raws.map(decodeForm);
      continue;
    }
    const { value, delimiter } = field;
    if (value.shape === 'array') {
      const texts = delimiter === undefined ? raws.map(decodeForm) : decodeForm(raws[0] as string).split(delimiter);
      out[name] = texts.map((t) => coerceScalar(t, value.kinds));
    } else out[name] = coerceScalar(decodeForm(raws[0] as string), value.kinds);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Locations and details

function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value[0];
}

/**
 * The error to report: the first one, unless it only says a value is not `null` (the null branch of a
 * nullable schema, tried first) and a more telling one follows.
 */
function pickError(errors: readonly ErrorObject[] | null | undefined): ErrorObject | undefined {
  if (errors === null || errors === undefined) return undefined;
  return errors.find((error) => !(error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null')) ?? errors[0];
}

/** The instance path of an Ajv error as segments, with the member a `required` or `additionalProperties` error names. */
function errorSegments(error: ErrorObject): string[] {
  const segments =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown; unevaluatedProperty?: unknown };
  const member = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  if (typeof member === 'string') segments.push(member);
  return segments;
}

/** `json:$.items[0].name` for an Ajv error. */
function jsonLocation(error: ErrorObject): string {
  let path = '$';
  for (const segment of errorSegments(error).slice(0, 32)) path += /^\d{1,9}$/.test(segment) ? `[${segment}]` : `.${safeName(segment)}`;
  return `json:${path}`;
}

/** `form:name` for an Ajv error of a form body. */
function formLocation(error: ErrorObject): string {
  const [field] = errorSegments(error);
  return field === undefined ? 'body' : `form:${safeName(field)}`;
}

/** An Ajv error as a detail: where inside the value, and what the schema wants. */
function describe(error: ErrorObject): string {
  const segments = errorSegments(error);
  const message = error.message ?? error.keyword;
  return segments.length === 0 ? message : `${segments.map(safeName).join('.')}: ${message}`;
}

const UNSAFE = /[^\w.$@-]/g;

/** A name taken from the request, safe to show: at most 64 characters among letters, digits and `_.$@-`, others as `?`. */
function safeName(name: string): string {
  const cut = name.length > 64 ? name.slice(0, 64) : name;
  return cut.replace(UNSAFE, '?');
}
