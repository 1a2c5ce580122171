/**
 * The inputs of a request that detectors inspect, each with where it came from: path segments, query
 * arguments (names and values), headers, cookies, and bodies walked field by field (JSON keys and values at
 * any depth, form fields). A location names the place in the words of a rule or an alert
 * (`query:id`, `json:$.user.name`, `header:user-agent`).
 *
 * Bounded: at most `maxInputs` inputs (default `DEFAULT_MAX_INPUTS`) and `MAX_DEPTH` levels of JSON or XML, so
 * a crafted body cannot make inspection expensive; what was left out is counted (`overflow`), so a caller can
 * refuse a request that could hide an attack past the bounds.
 */

import { XMLParser } from 'fast-xml-parser';

/** One value a request carries, and where. */
export interface RequestInput {
  /** `path` (the whole path), `path:2` (a segment), `query:id`, `query-name:id`, `header:user-agent`, `cookie:sid`, `cookie-name:sid`, `json:$.a[0].b`, `json-key:$.a`, `form:q`, `filename:upload`, `part-header:upload` (a multipart part's headers), `xml:/a/@id`, `body`, `request:method` (see `protocol.ts`). */
  location: string;
  value: string;
  /** The location with array positions left out (`json:$.items[].sku`): where a value means the same thing. Set by the JSON walk. */
  place?: string;
  /** The location's kind (`json`, the part before `:`), when the walk that made the input knows it. */
  kind?: string;
}

/** What a request is, as the sensor sees it before it is forwarded. */
export interface InspectedRequest {
  /** The path without the query, as sent (still percent-encoded). */
  path: string;
  /** The raw query without `?`, or ''. */
  query: string;
  /** The pairs of `query` as `readQueryPairs` reads them, when the caller read them already (so they are decoded once). */
  queryPairs?: readonly QueryPair[];
  /** Header names lower-case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, or undefined. */
  body?: Buffer;
}

/** One `name=value` pair of a query string, as sent and decoded as a form is. */
export interface QueryPair {
  /** The name as sent (still percent-encoded). */
  rawName: string;
  /** The value as sent; '' when the pair has no `=`. */
  rawValue: string;
  /** `rawName` decoded by `formDecode`. */
  name: string;
  /** `rawValue` decoded by `formDecode`. */
  value: string;
}

/**
 * The pairs of a query string (without `?`) in order, empty ones left out, each name and value decoded once for
 * every reader of the request (the signatures, the API description's check, the event).
 */
export function readQueryPairs(query: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (query === '') return pairs;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push({ rawName, rawValue, name: formDecode(rawName), value: formDecode(rawValue) });
  }
  return pairs;
}

export interface RequestInputs {
  inputs: RequestInput[];
  /** Inputs not listed: past the bounds, or binary content (an uploaded image) no detector can read. */
  leftOut: number;
  /** Of those, the ones past the bounds (too many inputs, nesting too deep): text that was never inspected. */
  overflow: number;
  /** The body could not be read as its content type says (not JSON, say): it is listed whole as `body`. */
  unreadableBody: boolean;
  /** A JSON body as parsed, for later checks of the same request (the API description's schema), so it is parsed once. */
  json?: { value: unknown };
  /** The body as UTF-8 text, when there was one, for later readers of the same request (the event), so it is decoded once. */
  text?: string;
}

/** Inputs listed per call (a request's head, or its body) unless the caller gives another bound. */
export const DEFAULT_MAX_INPUTS = 20_000;
const MAX_DEPTH = 32;
/** Headers whose values are the transport's, not the client's data. */
const TRANSPORT_HEADERS = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'host']);

/** Every input of a request a detector should look at, in request order. */
export function requestInputs(request: InspectedRequest, maxInputs: number = DEFAULT_MAX_INPUTS): RequestInputs {
  const result: RequestInputs = { inputs: [], leftOut: 0, overflow: 0, unreadableBody: false };
  const add = (location: string, value: string): void => {
    if (result.inputs.length < maxInputs) result.inputs.push({ location, value });
    else overflowBy(result, 1);
  };
  // the head's locations repeat from request to request: each is made once, with its kind and place
  const addAt = (at: Location, value: string): void => {
    if (result.inputs.length < maxInputs) result.inputs.push({ location: at.location, value, place: at.place, kind: at.kind });
    else overflowBy(result, 1);
  };
  const path = request.path;
  let segments = 0;
  for (let start = path.indexOf('/'); start >= 0; segments++) {
    const end = path.indexOf('/', start + 1);
    const segment = end < 0 ? path.slice(start + 1) : path.slice(start + 1, end);
    if (segment !== '') addAt(locationOf('path', String(segments)), segment);
    start = end;
  }
  // the whole path too, for what only shows across segments (`/etc/passwd`, `/a/../../b`)
  if (segments > 1) addAt(locationOf('path', ''), path);
  for (const pair of request.queryPairs ?? readQueryPairs(request.query)) {
    addAt(locationOf('query-name', pair.name), pair.name);
    addAt(locationOf('query', pair.name), pair.value);
  }
  const headers = request.headers;
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined || TRANSPORT_HEADERS.has(name)) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (name === 'cookie') {
        for (const [cookie, text] of cookies(value)) {
          addAt(locationOf('cookie-name', cookie), cookie);
          addAt(locationOf('cookie', cookie), text);
        }
      } else addAt(locationOf('header', name), value);
    }
  }
  const body = request.body;
  if (body === undefined || body.length === 0) return result;
  const type = contentType(request.headers['content-type']);
  const text = body.toString('utf8');
  result.text = text;
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      result.unreadableBody = true;
      add('body', text);
      return result;
    }
    result.json = { value: parsed };
    walkJson(parsed, '$', undefined, rootShape(), 0, result, maxInputs);
  } else if (type === 'application/x-www-form-urlencoded') {
    for (const [name, value] of formFields(text)) {
      add(`form-name:${name}`, name);
      add(`form:${name}`, value);
    }
  } else if (type === 'multipart/form-data' || type === 'multipart/mixed') {
    const boundary = multipartBoundary(request.headers['content-type']);
    const parts = boundary === undefined ? undefined : multipartParts(body, boundary, maxInputs, () => overflowBy(result, 1));
    if (parts === undefined) {
      result.unreadableBody = true;
      add('body', text);
      return result;
    }
    for (const part of parts) {
      add(`form-name:${part.name}`, part.name);
      // the part's own headers (its charset, its transfer encoding), for protocol rules
      if (part.headers !== '') add(`part-header:${part.name}`, part.headers);
      if (part.filename !== undefined) add(`filename:${part.name}`, part.filename);
      if (isBinary(part.content)) result.leftOut++;
      else add(`form:${part.name}`, part.content.toString('utf8'));
    }
  } else if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) {
    if (!walkXml(text, add, () => overflowBy(result, 1))) {
      result.unreadableBody = true;
      add('body', text);
    }
  } else add('body', text);
  return result;
}

/** The `boundary` parameter of a multipart `Content-Type`. */
function multipartBoundary(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const found = /;\s*boundary=(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(value ?? '');
  return found === null ? undefined : (found[1] ?? found[2]);
}

interface MultipartPart {
  name: string;
  /** The part's header lines as sent, one per line (`\n`), without the blank line that ends them. */
  headers: string;
  filename?: string;
  content: Buffer;
}

/**
 * The parts of a buffered multipart body (RFC 7578), or `undefined` when the body does not have the
 * structure its boundary promises. Only what inspection needs: names, file names and contents.
 */
function multipartParts(body: Buffer, boundary: string, maxParts: number, more: () => void): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  while (parts.length < maxParts) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // closing delimiter
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) return parts.length > 0 ? parts : undefined;
    const next = body.indexOf(delimiter, headersEnd + 4);
    const end = next < 0 ? body.length : next;
    const headers = body.toString('latin1', at, headersEnd);
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /[;\s]name="([^"]*)"|[;\s]name=([^;\s]+)/i.exec(disposition);
    const filename = /filename="([^"]*)"|filename=([^;\s]+)/i.exec(disposition);
    // the CRLF before the next delimiter belongs to the delimiter
    const contentEnd = end >= 2 && body[end - 2] === 0x0d && body[end - 1] === 0x0a ? end - 2 : end;
    parts.push({
      name: Buffer.from(name?.[1] ?? name?.[2] ?? '', 'latin1').toString('utf8'),
      headers: headers.replace(/^\r?\n/, '').replaceAll('\r\n', '\n'),
      filename: filename === null ? undefined : Buffer.from(filename[1] ?? filename[2] ?? '', 'latin1').toString('utf8'),
      content: body.subarray(headersEnd + 4, Math.max(headersEnd + 4, contentEnd)),
    });
    if (next < 0) return parts;
    at = next;
  }
  // the bound is reached: parts that follow are not read
  const after = at + delimiter.length;
  if (!(body[after] === 0x2d && body[after + 1] === 0x2d)) more();
  return parts;
}

/** Binary content (a NUL in its first KiB) is not text a detector can read. */
function isBinary(content: Buffer): boolean {
  return content.subarray(0, 1024).includes(0);
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  preserveOrder: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

/**
 * Element texts and attribute values of an XML document as `xml:/a/b` and `xml:/a/b/@id`, and its
 * document type declaration, if any, as `xml:!doctype`. False when the text is not XML the parser accepts
 * (documents declaring external entities are among those: the caller lists them whole).
 */
function walkXml(text: string, add: (location: string, value: string) => void, tooDeep: () => void): boolean {
  let document: unknown;
  try {
    document = xmlParser.parse(text, true);
  } catch {
    return false;
  }
  const doctype = /<!DOCTYPE[^[>]*(?:\[[^\]]*\])?[^>]*>/i.exec(text);
  if (doctype !== null) add('xml:!doctype', doctype[0]);
  const walk = (nodes: unknown, path: string, depth: number): void => {
    if (!Array.isArray(nodes)) return;
    if (depth > MAX_DEPTH) {
      tooDeep();
      return;
    }
    for (const node of nodes as Array<Record<string, unknown>>) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '#text') add(`xml:${path}`, String(value));
        else if (key === '#cdata' || key === '#comment') {
          for (const inner of value as Array<Record<string, unknown>>) add(`xml:${path}`, String(inner['#text'] ?? ''));
        } else if (key !== ':@' && !key.startsWith('?')) {
          // an element: its attributes sit beside it, under `:@`
          const attributes = (node[':@'] ?? {}) as Record<string, unknown>;
          for (const [attribute, text] of Object.entries(attributes)) add(`xml:${path}/${key}/${attribute}`, String(text));
          walk(value, `${path}/${key}`, depth + 1);
        }
      }
    }
  };
  walk(document, '', 0);
  return true;
}

/** A location of the request head with its kind and its place (array positions left out, as the signatures key it). */
interface Location {
  location: string;
  kind: string;
  place: string;
}

/**
 * Head locations made so far, by kind then name (`''` is the kind itself: `path`). Bounded: at most
 * `MAX_HEAD_LOCATIONS` names of at most `MAX_KEPT_NAME` characters (longer ones are made anew each time);
 * emptied when full.
 */
const headLocations = new Map<string, Map<string, Location>>();
let headLocationCount = 0;
const MAX_HEAD_LOCATIONS = 10_000;
const MAX_KEPT_NAME = 256;

/** The location `kind:name` (or `kind` alone for an empty name), made once and shared by every request that has it. */
function locationOf(kind: string, name: string): Location {
  let byName = headLocations.get(kind);
  if (byName === undefined) {
    byName = new Map();
    headLocations.set(kind, byName);
  }
  let at = byName.get(name);
  if (at === undefined) {
    const location = name === '' ? kind : `${kind}:${name}`;
    at = { location, kind, place: location.includes('[') ? location.replace(ARRAY_INDEX, '[]') : location };
    if (name.length > MAX_KEPT_NAME) return at;
    if (headLocationCount >= MAX_HEAD_LOCATIONS) {
      for (const names of headLocations.values()) names.clear();
      headLocationCount = 0;
    }
    byName.set(name, at);
    headLocationCount++;
  }
  return at;
}

/** An array position in a location (`[12]`). */
const ARRAY_INDEX = /\[\d+\]/g;

/** `name=value&…` as pairs, decoded as a form is (invalid escapes stay as they are). */
function formFields(text: string): Array<[string, string]> {
  if (text === '') return [];
  const pairs: Array<[string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([formDecode(name), formDecode(value)]);
  }
  return pairs;
}

/** Decodes a form field as a server would: `+` as a space, then percent escapes (a malformed one leaves the text as it is). */
export function formDecode(text: string): string {
  // most names and values hold no escape: nothing to decode, nothing to allocate
  if (!text.includes('%')) return text.includes('+') ? text.replaceAll('+', ' ') : text;
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // a malformed escape: the raw text, as a lenient server would keep it (detectors decode further)
    return spaced;
  }
}

/** `a=1; b=2` as pairs. */
function cookies(header: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    // a segment without `=` is still read by servers (PHP takes it as a name with an empty value)
    if (eq < 0) {
      if (part.trim() !== '') pairs.push([part.trim(), '']);
      continue;
    }
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

/** The media type of a `Content-Type` header, lower-case, without parameters. */
function contentType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The shape of a JSON member: its path with array positions left out, and the places of its values and keys.
 * Shapes are shared between requests (an API's documents repeat their members), so each place string is built,
 * and hashed by the lookups that use it, once rather than per request. Bounded: the tree starts over when full.
 */
interface Shape {
  valuePlace: string;
  keyPlace: string;
  readonly path: string;
  readonly children: Map<string, Shape>;
}

const MAX_SHAPES = 50_000;
let shapes = 0;
let root: Shape = newShape('$');

function newShape(path: string): Shape {
  return { path, valuePlace: `json:${path}`, keyPlace: `json-key:${path}`, children: new Map() };
}

function rootShape(): Shape {
  if (shapes >= MAX_SHAPES) {
    root = newShape('$');
    shapes = 0;
  }
  return root;
}

/** The shape of member `key` (or `[]`, an array's items) of `parent`. */
function childShape(parent: Shape, key: string): Shape {
  let child = parent.children.get(key);
  if (child === undefined) {
    child = newShape(key === '[]' ? `${parent.path}[]` : `${parent.path}.${key}`);
    // past the bound a shape is still made, only not kept (the tree starts over with the next document)
    if (shapes < MAX_SHAPES) {
      parent.children.set(key, child);
      shapes++;
    }
  }
  return child;
}

/**
 * A string value of a JSON document. Its location (`json:$.items[3].sku`) is made when it is first read:
 * most values are only looked up by their place and judged clean, and never need it.
 */
class JsonValueInput implements RequestInput {
  readonly kind = 'json';
  readonly value: string;
  readonly place: string;
  /** The path of the object or array that holds the value, and the value's key or position in it. */
  readonly #parent: string;
  readonly #member: string | number | undefined;
  #location: string | undefined;

  constructor(value: string, place: string, parent: string, member: string | number | undefined) {
    this.value = value;
    this.place = place;
    this.#parent = parent;
    this.#member = member;
  }

  get location(): string {
    this.#location ??= memberLocation('json:', this.#parent, this.#member);
    return this.#location;
  }
}

/** `prefix` and the path of member `member` (a key, or an array position; none: `parent` itself) of the value at `parent`. */
function memberLocation(prefix: string, parent: string, member: string | number | undefined): string {
  if (member === undefined) return `${prefix}${parent}`;
  return typeof member === 'number' ? `${prefix}${parent}[${member}]` : `${prefix}${parent}.${member}`;
}

/**
 * Keys and scalar values of a JSON document, with JSONPath-like locations. `parent` and `member` name the
 * value (`$` alone for the document itself); a container's own path is made only when it has members.
 */
function walkJson(
  value: unknown,
  parent: string,
  member: string | number | undefined,
  shape: Shape,
  depth: number,
  result: RequestInputs,
  maxInputs: number,
): void {
  if (depth > MAX_DEPTH) {
    overflowBy(result, 1);
    return;
  }
  if (result.inputs.length >= maxInputs) {
    // full: what is left is only counted, without building the locations
    overflowBy(result, countLeaves(value, depth));
    return;
  }
  const inputs = result.inputs;
  if (typeof value === 'string') {
    if (inputs.length < maxInputs) inputs.push(new JsonValueInput(value, shape.valuePlace, parent, member));
    else overflowBy(result, 1);
    return;
  }
  if (value === null || typeof value !== 'object') return; // numbers, booleans and null carry nothing a detector could find
  const path = memberLocation('', parent, member);
  if (Array.isArray(value)) {
    const items = childShape(shape, '[]');
    for (let i = 0; i < value.length; i++) walkJson(value[i], path, i, items, depth + 1, result, maxInputs);
  } else {
    // the keys of one object share their location
    const keyLocation = `json-key:${path}`;
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      // keys carry attacks too (`__proto__`, `$where`, `$gt`)
      if (inputs.length < maxInputs) inputs.push({ location: keyLocation, value: key, place: shape.keyPlace, kind: 'json-key' });
      else overflowBy(result, 1);
      walkJson(item, path, key, childShape(shape, key), depth + 1, result, maxInputs);
    }
  }
}

function overflowBy(result: RequestInputs, count: number): void {
  result.leftOut += count;
  result.overflow += count;
}

/** The keys and string values under a JSON value that would have been inputs (bounded by depth like the walk). */
function countLeaves(value: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return 1;
  if (typeof value === 'string') return 1;
  if (Array.isArray(value)) {
    let count = 0;
    for (const item of value) count += countLeaves(item, depth + 1);
    return count;
  }
  if (value !== null && typeof value === 'object') {
    let count = 0;
    for (const key in value) count += 1 + countLeaves((value as Record<string, unknown>)[key], depth + 1);
    return count;
  }
  return 0;
}
