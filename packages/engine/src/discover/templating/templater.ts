import type { DeclaredApi } from '../types.js';
import {
  classifySegment,
  FORMAT_WORDS,
  isValueClass,
  RESERVED_WORDS,
  type SegmentClass,
  type SplitSegment,
  singularize,
} from './segment.js';

/** One request as the templater sees it. */
export interface PathObservation {
  host: string;
  method: string;
  /** The request path, without the query string (percent-encoded as on the wire). */
  path: string;
  /** Responses 404 and 405 do not create endpoints (scanners, typos, wrong methods). */
  status?: number;
}

/** One discovered endpoint. */
export interface TemplatedEndpoint {
  host: string;
  method: string;
  /** OpenAPI-style template: `/api/v2/users/{userId}/orders/{orderId}`. */
  template: string;
  requests: number;
  /** True when the template came from a declared spec. */
  declared: boolean;
  /** Path parameters in order, with the value classes seen. */
  parameters: Array<{ name: string; kinds: SegmentClass[] }>;
}

/** Settings of the templater; all optional. */
export interface PathTemplaterOptions {
  /** Declared specs: their templates are matched before anything is learned. */
  declared?: readonly DeclaredApi[];
  /**
   * Human overrides: templates matched first, like declared ones (a template with parameters merges what
   * traffic would split; a literal path keeps apart what traffic would merge). Without `method`, the
   * override applies to every method; without `host`, to every host.
   */
  overrides?: ReadonlyArray<{ template: string; host?: string; method?: string }>;
  /** Distinct sibling values before cardinality can turn a position into a parameter (default 8). */
  minSiblings?: number;
  /** Most distinct literal children kept per position before it becomes a parameter (default 500). */
  maxSiblings?: number;
}

/** Turns request paths into endpoint templates, per host, as requests stream in. */
export interface PathTemplater {
  /** Learns from one request; returns its template (or `undefined` for 404/405 responses). */
  observe(request: PathObservation): string | undefined;
  /** The endpoints so far (deciding pending positions first). */
  endpoints(): TemplatedEndpoint[];
  /**
   * The template a path has now, without learning from it: a request's template can change after it was
   * observed, when its position turns into a parameter. `undefined` for paths never learned.
   */
  resolve(request: Omit<PathObservation, 'status'>): string | undefined;
}

interface Node {
  /** The segment (literal) or the parameter's suffix, for printing. */
  literals: Map<string, Node>;
  /** Parameter children by suffix (`` for a plain `{id}`, `.json` for `{id}.json`). */
  params: Map<string, Node>;
  /** Requests through this node. */
  count: number;
  /** Requests ending here, by method. */
  ends: Map<string, number>;
  /** Requests ending here with a trailing slash. */
  slashEnds: number;
  /** Value classes seen for this node when it is a parameter. */
  kinds: Set<SegmentClass>;
  /** This node's literal children were turned into a parameter: new values go to `params`. */
  paramPosition: boolean;
  /**
   * A parameter position decided by how its values continue (not by their number): a name seen first
   * after the decision stays a name until it, too, continues as the values do (a resource first called
   * late is not an account slug). Bounded by `maxSiblings` like any position.
   */
  judgesNewNames: boolean;
  /** For a node reached by a literal: the literal; for a parameter: undefined. */
  literal: string | undefined;
  /** For a parameter: the literal suffix after it (`.json`, `:cancel`) or ``. */
  suffix: string;
  /** The template of requests ending here, with and without a trailing slash, valid while `renderedAt === mergeEpoch`. */
  rendered: [string | undefined, string | undefined];
  renderedAt: number;
  /** For a parameter: its name, fixed the first time a template with it is rendered (names stay stable). */
  name: string | undefined;
  /** For a parameter: distinct values seen (up to `MAX_VALUES`), to tell a value's typical traffic. */
  values: Set<string>;
}

const MAX_VALUES = 4096;

function newNode(literal: string | undefined, suffix = ''): Node {
  return {
    literals: new Map(),
    params: new Map(),
    count: 0,
    ends: new Map(),
    slashEnds: 0,
    kinds: new Set(),
    paramPosition: false,
    judgesNewNames: false,
    literal,
    suffix,
    values: new Set(),
    name: undefined,
    rendered: [undefined, undefined],
    renderedAt: -1,
  };
}

interface DeclaredNode {
  literals: Map<string, DeclaredNode>;
  /** A parameter segment: its literal prefix/suffix around `{…}` (e.g. `` / `.json`). */
  params: Array<{ prefix: string; suffix: string; node: DeclaredNode }>;
  /** Templates ending here, by method (or `*` for any). */
  ends: Map<string, string>;
  template: string | undefined;
}

/**
 * Creates a path templater.
 *
 * How a path becomes a template, per host:
 * 1. Declared specs first: the path is matched against their templates (literal segments before
 *    parameters); a match is that endpoint.
 * 2. Otherwise each segment is classified on its own: integers, UUID/ULID/ObjectId, hex hashes, opaque
 *    tokens, dates, emails, phone numbers and slugs with digits are parameters wherever they are;
 *    `{id}.json` and `{id}:verb` keep their suffix; versions (`v1`, `v2.0`, `2010-04-01` at the root) and
 *    RPC-style names (`chat.postMessage`, `findByStatus`) stay literal.
 * 3. Cardinality: a position whose literal children keep growing (many values, most seen once, children
 *    that continue alike) becomes a parameter even when its values look like words; reserved words beside
 *    it (`me`, `search`, …) stay separate endpoints.
 *
 * Decisions are sticky: once a position is a parameter it stays one, so a template once published does
 * not change. Memory is bounded per position (`maxSiblings`).
 */
export function createPathTemplater(options: PathTemplaterOptions = {}): PathTemplater {
  const minSiblings = options.minSiblings ?? 8;
  const maxSiblings = options.maxSiblings ?? 500;
  const roots = new Map<string, Node>();
  const declared = buildDeclared(options.declared ?? [], options.overrides ?? []);
  // requests per declared endpoint, by host, method and template: no key is built per request
  const declaredCounts = new Map<string, Map<string, Map<string, number>>>();
  const rootOf = (host: string): Node => {
    let root = roots.get(host);
    if (root === undefined) {
      root = newNode('');
      roots.set(host, root);
    }
    return root;
  };

  /** Learns one path: counts along it (creating nodes), then lets the positions that got a new name decide. */
  const learn = (host: string, method: string, path: ReadPath): string => {
    const { segments, slash } = path;
    let node = rootOf(host);
    node.count++;
    const grown: Node[] = [];
    const walked: Node[] = [];
    for (let i = 0; i < segments.length; i++) {
      const raw = segments[i] as string;
      const split = path.splits[i] as SplitSegment;
      const kind = path.kinds[i] as SegmentClass;
      let next: Node;
      if (isValueClass(kind)) {
        next = paramChild(node, split.suffix);
        next.kinds.add(kind);
        if (next.values.size < MAX_VALUES) next.values.add(split.stem);
      } else if (
        !node.literals.has(raw) &&
        ((node.paramPosition && !node.judgesNewNames && isCandidate(raw, node.literal === undefined)) ||
          (FORMAT_WORDS.has(raw) && node.params.get('')?.kinds.has('format') === true))
      ) {
        next = paramChild(node, '');
        next.kinds.add('word');
        if (next.values.size < MAX_VALUES) next.values.add(raw);
      } else {
        let child = node.literals.get(raw);
        if (child === undefined) {
          child = newNode(raw);
          node.literals.set(raw, child);
          if (!node.paramPosition || node.judgesNewNames) grown.push(node);
        }
        next = child;
      }
      next.count++;
      node = next;
      walked.push(node);
    }
    node.ends.set(method, (node.ends.get(method) ?? 0) + 1);
    if (slash) node.slashEnds++;
    const epoch = mergeEpoch;
    // deepest first, so a position's children have their continuations when it decides
    for (let i = grown.length - 1; i >= 0; i--) {
      const position = grown[i] as Node;
      if (position.paramPosition && !position.judgesNewNames) continue;
      const decision =
        position.literals.size > maxSiblings
          ? MERGE_ALL
          : position.paramPosition
            ? undefined // judged by continuation at `finalize`
            : decide(position, minSiblings, false);
      if (decision !== undefined) makeParamPosition(position, decision);
    }
    if (epoch !== mergeEpoch) return renderPath(lookup(rootOf(host), path), slash); // the path moved
    // nothing merged: the nodes walked are the path; its template is cached on the node it ends at
    const i = slash ? 1 : 0;
    if (node.renderedAt !== mergeEpoch) {
      node.rendered = [undefined, undefined];
      node.renderedAt = mergeEpoch;
    }
    let template = node.rendered[i];
    if (template === undefined) {
      template = renderPath(walked, slash);
      node.rendered[i] = template;
    }
    return template;
  };

  const renderPath = (nodes: Node[], slash: boolean): string => {
    const names = new Set<string>();
    let previous: string | undefined;
    let out = '';
    for (const node of nodes) {
      if (node.literal !== undefined) {
        out += `/${node.literal}`;
        previous = node.literal;
      } else {
        node.name ??= paramName(previous, node.kinds);
        const name = uniqueName(node.name, names);
        out += `/{${name}}${node.suffix}`;
        previous = undefined;
      }
    }
    if (out === '') return '/';
    return slash ? `${out}/` : out;
  };

  return {
    observe(request) {
      if (request.status === 404 || request.status === 405) return undefined;
      const method = request.method.toUpperCase();
      const host = request.host.toLowerCase();
      const path = readPath(request.path);
      const match = declared.match(host, method, path.segments);
      if (match !== undefined) {
        let byMethod = declaredCounts.get(host);
        if (byMethod === undefined) {
          byMethod = new Map();
          declaredCounts.set(host, byMethod);
        }
        let byTemplate = byMethod.get(method);
        if (byTemplate === undefined) {
          byTemplate = new Map();
          byMethod.set(method, byTemplate);
        }
        byTemplate.set(match, (byTemplate.get(match) ?? 0) + 1);
        return match;
      }
      return learn(host, method, path);
    },
    resolve(request) {
      const host = request.host.toLowerCase();
      const path = readPath(request.path);
      const match = declared.match(host, request.method.toUpperCase(), path.segments);
      if (match !== undefined) return match;
      const root = roots.get(host);
      if (root === undefined) return undefined;
      const nodes = lookup(root, path);
      return nodes.length === path.segments.length ? renderPath(nodes, path.slash) : undefined;
    },
    endpoints() {
      const out: TemplatedEndpoint[] = [];
      for (const [host, byMethod] of declaredCounts) {
        for (const [method, byTemplate] of byMethod) {
          for (const [template, requests] of byTemplate) {
            out.push({ host, method, template, requests, declared: true, parameters: declaredParameters(template) });
          }
        }
      }
      for (const [host, root] of roots) {
        finalize(root, minSiblings);
        collect(root, [], (nodes, node) => {
          const slash = node.slashEnds * 2 > [...node.ends.values()].reduce((a, b) => a + b, 0);
          const template = renderPath(nodes, slash);
          const parameters = nodes
            .filter((n) => n.literal === undefined)
            .map((n, i) => ({ name: templateParamNames(template)[i] as string, kinds: [...n.kinds] }));
          for (const [method, requests] of node.ends) {
            out.push({ host, method, template, requests, declared: false, parameters });
          }
        });
      }
      return out.sort((a, b) =>
        a.host === b.host ? (a.template === b.template ? cmp(a.method, b.method) : cmp(a.template, b.template)) : cmp(a.host, b.host),
      );
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function paramChild(node: Node, suffix: string): Node {
  let child = node.params.get(suffix);
  if (child === undefined) {
    child = newNode(undefined, suffix);
    node.params.set(suffix, child);
  }
  return child;
}

/** The nodes a learned path runs through now (after any merges). */
function lookup(root: Node, path: ReadPath): Node[] {
  const nodes: Node[] = [];
  let node = root;
  const segments = path.segments;
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i] as string;
    const split = path.splits[i] as SplitSegment;
    const kind = path.kinds[i] as SegmentClass;
    const next = isValueClass(kind)
      ? (node.params.get(split.suffix) ?? node.params.get(''))
      : (node.literals.get(raw) ?? node.params.get(''));
    if (next === undefined) break; // not reached for a learned path
    nodes.push(next);
    node = next;
  }
  return nodes;
}

/** A segment's class in its place: numeric and dated API versions are versions. */
function effectiveKind(segments: readonly string[], i: number, kind: SegmentClass): SegmentClass {
  return (kind === 'int' || kind === 'date') && isVersionContext(segments, i, kind) ? 'version' : kind;
}

/**
 * Integers right after `api`/`rest` (`/rest/api/2/issue`) and dates at the root (`/2010-04-01/Accounts`)
 * are API versions, not values.
 */
function isVersionContext(segments: readonly string[], i: number, kind: SegmentClass): boolean {
  const previous = i > 0 ? (segments[i - 1] as string).toLowerCase() : '';
  if (kind === 'int') return (segments[i] as string).length <= 2 && (previous === 'api' || previous === 'rest' || previous === 'version');
  return i === 0 || (i === 1 && (previous === 'api' || previous === 'rest'));
}

/** Which literal children of a position join its parameter: all candidates, or those continuing as the parameter does. */
interface Decision {
  /** When set, only children whose continuations are all continuations of this parameter. */
  like?: Node;
  /** When set, only these names. */
  names?: ReadonlySet<string>;
  /** With `names`: the position still becomes a parameter position (new names go to the parameter). */
  position?: boolean;
  /** The names are response formats (`/verify/json`, `/verify/xml`): the parameter is a `{format}`. */
  formats?: boolean;
}

const MERGE_ALL: Decision = {};

/**
 * Whether a position's literal children behave like values, and which of them join the parameter.
 * - After a parameter, three or more names that all continue the same way (`/repos/{owner}/{name}/issues`)
 *   are values: resources under one id rarely share the same sub-resources.
 * - Beside a parameter that already holds values (ids, slugs with digits), names that continue as its
 *   values do are more of them; names with sub-resources of their own are endpoints of their own.
 * - Otherwise, enough names, arriving steadily and continuing alike, are values (Good-Turing: the share of
 *   requests that brought a name seen once estimates the chance the next request brings a new one — names
 *   of resources stop arriving, values keep coming).
 * While streaming, a position decides only once it has had `MIN_TRAFFIC` requests (early on every name is
 * new); `final` decides with whatever traffic there is.
 */
function decide(node: Node, minSiblings: number, final: boolean): Decision | undefined {
  const afterParam = node.literal === undefined;
  const candidates: Node[] = [];
  for (const [literal, child] of node.literals) if (isCandidate(literal, afterParam)) candidates.push(child);
  const n = candidates.length;
  const formats = [...node.literals.keys()].filter((literal) => FORMAT_WORDS.has(literal));
  if (formats.length >= 2 && sharedShape(formats.map((f) => node.literals.get(f) as Node)))
    return { names: new Set(formats), formats: true };
  if (afterParam && n >= 3 && sharedLiteralShape(candidates)) return MERGE_ALL;
  // three or more names (half of them or more) under which the same deep structure continues, with a
  // sub-resource below a parameter (`/{owner}/{repo}/pullrequests/{id}`), are values
  const alike = sameDeepStructure(deepCandidates(node));
  if (alike !== undefined) return { names: alike, position: true };
  const valueParam = node.params.get('');
  const holdsValues = valueParam !== undefined && [...valueParam.kinds].some((k) => k !== 'word');
  // after a parameter, names that continue exactly as the values beside them do (`/{dataset}/2.0/fields`
  // beside `/{dataset}/2024-01-01/fields`) are more values
  if (afterParam && holdsValues && n >= 2 && sharedLiteralShape([valueParam, ...candidates])) return { like: valueParam };
  // even one name beside values, continuing as they do through two or more sub-resources, is a value
  if (holdsValues && candidates.some((c) => c.literals.size >= 2 && continuesLike(c, valueParam))) return { like: valueParam };
  if (n < Math.ceil(minSiblings / 2)) return undefined;
  if (!final && node.count < MIN_TRAFFIC) return undefined;
  if (holdsValues) {
    return candidates.some((c) => continuesLike(c, valueParam)) ? { like: valueParam } : undefined;
  }
  // few names of which half or more continue with the caller's own entry (`/reactions/{emoji}/@me`): values —
  // a resource has no `@me` of its own
  if (n >= 3 && sharedSubresource(candidates) && candidates.filter(hasIdentityEntry).length * 2 >= n) return MERGE_ALL;
  if (n < minSiblings) return undefined;
  let total = 0;
  let once = 0;
  const shapes = new Map<string, number>();
  for (const child of candidates) {
    total += child.count;
    if (child.count === 1) once++;
    const shape = shapeOf(child);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  // many names with few continuations between them, most sharing one sub-resource
  // (`/reactions/{emoji}/@me`): values; resources each bring their own sub-resources
  if (sharedSubresource(candidates)) return MERGE_ALL;
  const newValueChance = once / total;
  const commonShape = Math.max(...shapes.values()) / n;
  // while streaming, ask for more: resource names in the long tail of rare operations arrive slowly too
  if (!final && (total < 2 * MIN_TRAFFIC || newValueChance < 0.2)) return undefined;
  if (newValueChance >= 0.1 && commonShape >= 0.5) return MERGE_ALL;
  return n >= 3 * minSiblings && commonShape >= 0.6 && newValueChance >= 0.02 ? MERGE_ALL : undefined;
}

/** Requests through a position before a streaming (not final) cardinality decision. */
const MIN_TRAFFIC = 100;

/**
 * Literals the deep-structure rule may merge: reserved words too (a real `/search` endpoint does not have the
 * sub-resources of the values beside it), never marked or RPC names, versions only after a parameter.
 */
function deepCandidates(node: Node): Node[] {
  const afterParam = node.literal === undefined;
  const out: Node[] = [];
  for (const [literal, child] of node.literals) {
    const kind = classifySegment(literal).kind;
    if (kind !== 'anchored' && (kind !== 'version' || afterParam)) out.push(child);
  }
  return out;
}

/** Literals cardinality may merge: not reserved words, and versions only after a parameter. */
function isCandidate(literal: string, afterParam: boolean): boolean {
  if (RESERVED_WORDS.has(literal.toLowerCase())) return false;
  const kind = classifySegment(literal).kind;
  return kind !== 'anchored' && (kind !== 'version' || afterParam);
}

/**
 * True when everything `node` continues with (ends, parameters, literals) `param` continues with too — a
 * literal also counts when it is one of the values of `param`'s own parameter (`/alice/main` beside
 * `/{owner}/{repo}` whose values include `main`). A name followed only by ids is a collection, never a value.
 */
function continuesLike(node: Node, param: Node): boolean {
  const keys = shapeOf(node).split('|');
  // a name followed by ids only (`/deploys/{id}`) is a collection, whatever its neighbours are
  if (keys.some((key) => key.startsWith('{}')) && !keys.some((key) => key !== '$' && !key.startsWith('{}'))) return false;
  const own = new Set(shapeOf(param).split('|'));
  const next = param.params.get('');
  return keys.every((key) => own.has(key) || next?.values.has(key) === true);
}

/** True when every node continues the same way and that way includes a literal segment. */
function sharedLiteralShape(nodes: readonly Node[]): boolean {
  const first = shapeOf(nodes[0] as Node);
  return first.split('|').some((key) => key !== '$' && !key.startsWith('{}')) && sharedShape(nodes);
}

/** Depth of the structure compared by `sameDeepStructure`. */
const DEEP = 4;

/**
 * The names among ≥ 3 candidates (and ≥ half of them) under which the same structure continues — judged on
 * the paths below each, up to `DEEP` levels, since sparse traffic leaves some paths unseen under some
 * names — when that common structure has a named sub-resource below a parameter
 * (`/{owner}/{repo}/pullrequests/{id}`).
 */
function sameDeepStructure(candidates: readonly Node[]): Set<string> | undefined {
  if (candidates.length < 3) return undefined;
  const pathsOf = candidates.map((child) => ({ literal: child.literal as string, paths: deepPaths(child, DEEP) }));
  const frequency = new Map<string, number>();
  for (const { paths } of pathsOf) for (const path of paths) frequency.set(path, (frequency.get(path) ?? 0) + 1);
  const core = new Set([...frequency].filter(([, n]) => n * 2 >= candidates.length).map(([path]) => path));
  if (!isRichCore(core)) return undefined;
  const alike = new Set<string>();
  for (const { literal, paths } of pathsOf) {
    if (paths.size === 0) continue;
    let shared = 0;
    const named = new Set<string>();
    for (const path of paths) {
      if (!core.has(path)) continue;
      shared++;
      for (const segment of namedSegments(path)) named.add(segment);
    }
    if (shared * 2 >= paths.size && (named.size >= 2 || [...paths].some((p) => core.has(p) && isRichPath(p)))) alike.add(literal);
  }
  return alike.size >= 3 && alike.size * 2 >= candidates.length ? alike : undefined;
}

/**
 * The paths below a node, `depth` levels deep (`$` an end, `{}` a parameter, names as they are), where the
 * literals sharing the continuation that three or more (and half or more) of them share count as one
 * parameter (values one level down).
 */
function deepPaths(node: Node, depth: number): Set<string> {
  const out = new Set<string>();
  if (depth === 0) return out;
  if (node.ends.size > 0) out.add('$');
  let valuePaths: Set<string> | undefined;
  for (const [suffix, child] of node.params) {
    out.add(`{}${suffix}`);
    const paths = deepPaths(child, depth - 1);
    if (suffix === '') valuePaths = paths;
    for (const p of paths) out.add(`{}${suffix}/${p}`);
  }
  const children = [...node.literals].map(([literal, child]) => ({ literal, paths: deepPaths(child, depth - 1) }));
  // names beside a parameter that go on only as it does, or only end (`/alice/frontend` beside
  // `/alice/{repo}/pullrequests`), are its values
  if (valuePaths !== undefined) {
    const like = valuePaths;
    for (const child of children) {
      if (child.paths.size > 0 && [...child.paths].every((p) => p === '$' || like.has(p))) child.literal = '{}';
    }
  }
  // the continuation most of the literals share (other than ending): those sharing it are values
  const counts = new Map<string, number>();
  for (const { paths } of children) for (const p of paths) if (p !== '$') counts.set(p, (counts.get(p) ?? 0) + 1);
  let shared: string | undefined;
  let best = 0;
  for (const [p, n] of counts) if (n > best) [shared, best] = [p, n];
  const collapse = children.length >= 3 && best >= 3 && best * 2 >= children.length;
  for (const { literal, paths } of children) {
    const name = collapse && paths.has(shared as string) ? '{}' : literal;
    out.add(name);
    for (const p of paths) out.add(`${name}/${p}`);
  }
  return out;
}

/** True when most of a name's paths are its parameter's, including a named sub-resource below a parameter. */
function continuesDeeplyLike(paths: ReadonlySet<string>, own: ReadonlySet<string>): boolean {
  let shared = 0;
  let rich = false;
  for (const p of paths) {
    if (!own.has(p)) continue;
    shared++;
    if (isRichPath(p)) rich = true;
  }
  return rich && shared * 2 >= paths.size;
}

/**
 * True when a shared structure says "values": a named sub-resource below a parameter, or two or more named
 * sub-resources (`/{article}/comments`, `/{article}/favorite`). One shared name alone (`/customers/search`,
 * `/invoices/search`) is not enough.
 */
function isRichCore(core: ReadonlySet<string>): boolean {
  const named = new Set<string>();
  for (const path of core) {
    if (isRichPath(path)) return true;
    for (const segment of namedSegments(path)) named.add(segment);
  }
  return named.size >= 2;
}

function namedSegments(path: string): string[] {
  return path.split('/').filter((p) => p !== '$' && !p.startsWith('{}'));
}

/** True for a path with a named segment after a parameter: `{}/pullrequests`, `{}/{}/fields`. */
function isRichPath(path: string): boolean {
  const parts = path.split('/');
  const param = parts.findIndex((p) => p.startsWith('{}'));
  return param >= 0 && parts.slice(param + 1).some((p) => p !== '$' && !p.startsWith('{}'));
}

/** True when the nodes continue in at most four ways and half of them or more share one literal continuation. */
function sharedSubresource(nodes: readonly Node[]): boolean {
  const union = new Map<string, number>();
  for (const node of nodes) for (const key of shapeOf(node).split('|')) union.set(key, (union.get(key) ?? 0) + 1);
  if (union.size > 4) return false;
  for (const [key, n] of union) if (key !== '$' && key !== '' && !key.startsWith('{}') && n * 2 >= nodes.length) return true;
  return false;
}

/** True when a node continues with a word naming the caller (`@me`, `me`, `self`). */
function hasIdentityEntry(node: Node): boolean {
  for (const literal of node.literals.keys()) if (IDENTITY_WORDS.has(literal.toLowerCase())) return true;
  return false;
}

/** Requests that leave a name "rarely called" when names arrive as values do. */
const RARE_NAME = 3;

/** True when a position's candidate names are many and mostly new: a third or more of their requests brought a name seen once. */
function arriveAsValues(node: Node, minSiblings: number): boolean {
  const afterParam = node.literal === undefined;
  let n = 0;
  let total = 0;
  let once = 0;
  for (const [literal, child] of node.literals) {
    if (!isCandidate(literal, afterParam)) continue;
    n++;
    total += child.count;
    if (child.count === 1) once++;
  }
  return n >= minSiblings && once * 3 >= total;
}

/** True when every node continues the same way. */
function sharedShape(nodes: readonly Node[]): boolean {
  const first = shapeOf(nodes[0] as Node);
  return nodes.every((node) => shapeOf(node) === first);
}

/** A child's continuation: where requests go next (parameters as `{}`), and whether they end there. */
function shapeOf(node: Node): string {
  const keys: string[] = [];
  if (node.ends.size > 0) keys.push('$');
  for (const [suffix] of node.params) keys.push(`{}${suffix}`);
  for (const literal of node.literals.keys()) keys.push(literal);
  return keys.sort().join('|');
}

/** Moves a position's mergeable literal children under its parameter child; returns that child. */
/** Incremented by every merge: cached templates rendered before it are stale. */
let mergeEpoch = 0;

function makeParamPosition(node: Node, decision: Decision): Node | undefined {
  mergeEpoch++;
  if (decision.names === undefined || decision.position === true) {
    node.judgesNewNames = node.paramPosition ? node.judgesNewNames && decision.like !== undefined : decision.like !== undefined;
    node.paramPosition = true;
  }
  const afterParam = node.literal === undefined;
  let param: Node | undefined;
  // judged against the parameter as it is now: what one merge brings must not let the next one in
  const joining = [...node.literals].filter(
    ([literal, child]) =>
      (decision.names !== undefined ? decision.names.has(literal) : isCandidate(literal, afterParam)) &&
      (decision.like === undefined || continuesLike(child, decision.like)),
  );
  for (const [literal, child] of joining) {
    param ??= paramChild(node, '');
    param.kinds.add(decision.formats === true ? 'format' : 'word');
    if (param.values.size < MAX_VALUES) param.values.add(literal);
    mergeInto(param, child);
    node.literals.delete(literal);
  }
  return param;
}

const EXTENSION = /\.[A-Za-z0-9]{1,5}$/;

/**
 * A position whose values carry three or more different file extensions (`{file}.csv`, `{file}.jpg`,
 * `README.md`) holds file names: one `{file}` with the extension inside it.
 */
function mergeFileNames(node: Node): void {
  const dotted = [...node.params.keys()].filter((suffix) => suffix.startsWith('.'));
  if (dotted.length < 3) return;
  const param = paramChild(node, '');
  param.kinds.add('word');
  for (const suffix of dotted) {
    mergeInto(param, node.params.get(suffix) as Node);
    node.params.delete(suffix);
  }
  for (const [literal, child] of [...node.literals]) {
    if (!EXTENSION.test(literal) || RESERVED_WORDS.has(literal.toLowerCase())) continue;
    mergeInto(param, child);
    node.literals.delete(literal);
  }
  param.name ??= 'file';
}

/**
 * Reserved words beside a parameter with many values are endpoints of their own (`/users/me`) when they
 * get traffic of their own; one used no more than a typical value, continuing as the values do and called with
 * the methods they are called with, is a value.
 */
function mergeOrdinaryReserved(node: Node, param: Node): void {
  // only beside values that are words themselves: a word is never one of a run of ids
  if (param.values.size < 20 || !(param.kinds.has('word') || param.kinds.has('mixed'))) return;
  const typical = param.count / param.values.size;
  for (const [literal, child] of [...node.literals]) {
    const word = literal.toLowerCase();
    if (!RESERVED_WORDS.has(word) || IDENTITY_WORDS.has(word) || !continuesLike(child, param)) continue;
    // called with a method no value is called with (`POST /users/register` beside `GET /users/{name}`): its own endpoint
    const methods = [...child.ends.keys()];
    if (methods.some((method) => !param.ends.has(method))) continue;
    // heavier than a typical value: its own endpoint — unless it is also replaced or deleted as the values
    // are (`PUT`/`DELETE /articles/search` is an article called "search"; a search endpoint takes neither)
    const written = methods.some((method) => WRITE_METHODS.has(method));
    if (child.count > 3 * typical && !written) continue;
    if (param.values.size < MAX_VALUES) param.values.add(literal);
    mergeInto(param, child);
    node.literals.delete(literal);
  }
}

/** Methods that change the object a path names. */
const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE']);

/** Reserved words that name the caller (`/users/me/orders`): their sub-resources are the caller's own. */
const IDENTITY_WORDS = new Set(['me', '@me', 'self', 'my', 'mine', 'current', 'myself']);

/**
 * A reserved word beside a parameter that holds values, with paths below it that go on as the parameter's
 * do (`/businesses/search/reviews` beside `/businesses/{id}/reviews`), is there a value that happens to be
 * that word: those continuations join the parameter when they carry under a tenth of the parameter's traffic there.
 * The word keeps its own endpoint (`/businesses/search`) and its own sub-resources (`/businesses/search/phone`);
 * a word that is neither and continues only as the values do (`/{dataset}/latest/fields` beside
 * `/{dataset}/{version}/fields`) joins whole. Words naming the caller (`me`, `self`) keep everything.
 */
function reservedBesideValues(node: Node, param: Node): void {
  for (const [literal, child] of [...node.literals]) {
    const word = literal.toLowerCase();
    if (!RESERVED_WORDS.has(word) || IDENTITY_WORDS.has(word) || child.literals.size === 0) continue;
    const like = [...child.literals].filter(([name]) => param.literals.has(name));
    if (like.length === 0) continue;
    if (child.ends.size === 0 && child.params.size === 0 && like.length === child.literals.size) {
      if (param.values.size < MAX_VALUES) param.values.add(literal);
      mergeInto(param, child);
      node.literals.delete(literal);
      continue;
    }
    const below = newNode(literal);
    for (const [name, grand] of like) {
      if (grand.count * 10 > (param.literals.get(name) as Node).count) continue;
      below.literals.set(name, grand);
      below.count += grand.count;
      child.literals.delete(name);
    }
    if (below.count === 0) continue;
    if (param.values.size < MAX_VALUES) param.values.add(literal);
    child.count -= below.count;
    mergeInto(param, below);
  }
}

function mergeInto(target: Node, source: Node): void {
  mergeEpoch++;
  target.count += source.count;
  target.slashEnds += source.slashEnds;
  for (const [method, n] of source.ends) target.ends.set(method, (target.ends.get(method) ?? 0) + n);
  for (const kind of source.kinds) target.kinds.add(kind);
  for (const value of source.values) if (target.values.size < MAX_VALUES) target.values.add(value);
  for (const [suffix, child] of source.params) {
    const existing = target.params.get(suffix);
    if (existing === undefined) {
      target.params.set(suffix, child);
    } else mergeInto(existing, child);
  }
  for (const [literal, child] of source.literals) {
    const existing = target.literals.get(literal);
    if (existing === undefined) target.literals.set(literal, child);
    else mergeInto(existing, child);
  }
  if (source.paramPosition && !target.paramPosition) target.judgesNewNames = source.judgesNewNames;
  if (source.paramPosition) target.paramPosition = true;
}

/** Final decisions over the whole tree, children first so shapes are settled. */
function finalize(node: Node, minSiblings: number): void {
  mergeFileNames(node);
  for (const child of node.params.values()) finalize(child, minSiblings);
  for (const child of node.literals.values()) finalize(child, minSiblings);
  const valueParam = node.params.get('');
  const decision = node.paramPosition
    ? valueParam === undefined
      ? undefined
      : { like: valueParam } // names kept beside a parameter that now continue as its values do
    : node.literals.size === 0
      ? undefined
      : decide(node, minSiblings, true);
  if (decision !== undefined) {
    makeParamPosition(node, decision);
  }
  // names kept apart by a position that judges new names, still arriving as values do (many, a third or
  // more of their requests bringing a name seen once): the rarely called ones are values after all;
  // resources first called late are called again
  if (node.paramPosition && node.judgesNewNames && arriveAsValues(node, minSiblings)) {
    const rare = new Set<string>();
    for (const [literal, child] of node.literals)
      if (child.count <= RARE_NAME && isCandidate(literal, node.literal === undefined)) rare.add(literal);
    makeParamPosition(node, { names: rare, position: true });
  }
  const param = node.params.get('');
  if (param !== undefined) mergeOrdinaryReserved(node, param);
  if (param !== undefined && param.values.size > 0) reservedBesideValues(node, param);
  // names left beside the parameter of a parameter position that continue as values do, deep down
  if (node.paramPosition && node.literals.size > 0) {
    const alike = sameDeepStructure(deepCandidates(node)) ?? new Set<string>();
    const param = node.params.get('');
    if (param !== undefined) {
      const own = deepPaths(param, DEEP);
      for (const child of deepCandidates(node)) if (continuesDeeplyLike(deepPaths(child, DEEP), own)) alike.add(child.literal as string);
    }
    if (alike.size > 0) makeParamPosition(node, { names: alike, position: true });
  }
  if (decision !== undefined || node.params.size > 0) for (const child of node.params.values()) finalize(child, minSiblings);
}

function collect(node: Node, trail: Node[], visit: (nodes: Node[], node: Node) => void): void {
  if (node.ends.size > 0) visit(trail, node);
  for (const child of node.literals.values()) collect(child, [...trail, child], visit);
  for (const child of node.params.values()) collect(child, [...trail, child], visit);
}

/** `{userId}` from `users`; ids get `Id`, other values the singular noun itself. */
function paramName(previous: string | undefined, kinds: ReadonlySet<SegmentClass>): string {
  const valueKinds = [...kinds].filter((k) => k !== 'word');
  const idLike =
    valueKinds.length > 0 &&
    valueKinds.every((k) => k === 'int' || k === 'uuid' || k === 'ulid' || k === 'objectid' || k === 'hex' || k === 'token');
  if (kinds.size === 1 && kinds.has('email')) return 'email';
  if (kinds.size === 1 && kinds.has('date')) return 'date';
  if (kinds.size === 1 && kinds.has('format')) return 'format';
  if (previous === undefined || !/^[A-Za-z][A-Za-z_-]*$/.test(previous)) return idLike ? 'id' : 'param';
  const noun = singularize(previous).replace(/[-_](\w)/g, (_m, c: string) => c.toUpperCase());
  return idLike ? `${noun}Id` : noun;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let i = 2; used.has(candidate); i++) candidate = `${name}${i}`;
  used.add(candidate);
  return candidate;
}

function templateParamNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

function declaredParameters(template: string): TemplatedEndpoint['parameters'] {
  return templateParamNames(template).map((name) => ({ name, kinds: [] }));
}

/** Segments of a path, percent-decoded where valid; empty segments dropped; trailing slash noted. */
export function splitPath(path: string): { segments: string[]; slash: boolean } {
  const q = path.indexOf('?');
  const clean = q >= 0 ? path.slice(0, q) : path;
  const segments: string[] = [];
  for (const part of clean.split('/')) {
    if (part === '') continue;
    let decoded = part;
    if (part.includes('%')) {
      try {
        decoded = decodeURIComponent(part);
      } catch {
        decoded = part;
      }
    }
    segments.push(decoded);
  }
  return { segments, slash: clean.length > 1 && clean.endsWith('/') };
}

/** A path read for templating: segments, trailing slash, and each segment split and classified in its place. */
interface ReadPath {
  segments: string[];
  slash: boolean;
  splits: SplitSegment[];
  kinds: SegmentClass[];
}

/**
 * Recently read paths: the same paths repeat across requests, and reading one (splitting, decoding,
 * classifying every segment) costs more than looking it up. Bounded; pure, so shared by every templater.
 */
const READ_PATHS = new Map<string, ReadPath>();
const READ_PATHS_LIMIT = 20_000;

function readPath(raw: string): ReadPath {
  let path = READ_PATHS.get(raw);
  if (path === undefined) {
    const { segments, slash } = splitPath(raw);
    const splits: SplitSegment[] = [];
    const kinds: SegmentClass[] = [];
    for (let i = 0; i < segments.length; i++) {
      const split = classifySegment(segments[i] as string);
      splits.push(split);
      kinds.push(effectiveKind(segments, i, split.kind));
    }
    path = { segments, slash, splits, kinds };
    if (READ_PATHS.size >= READ_PATHS_LIMIT) READ_PATHS.clear();
    READ_PATHS.set(raw, path);
  }
  return path;
}

/** Declared templates per host as a matching tree. */
function buildDeclared(
  apis: readonly DeclaredApi[],
  overrides: ReadonlyArray<{ template: string; host?: string; method?: string }>,
): { match(host: string, method: string, segments: string[]): string | undefined } {
  const byHost = new Map<string, DeclaredNode>();
  const anyHost = newDeclaredNode();
  for (const o of overrides) {
    const root = o.host === undefined ? anyHost : getOrCreate(byHost, o.host.toLowerCase());
    addDeclared(root, o.method?.toUpperCase() ?? '*', o.template);
  }
  for (const api of apis) {
    const roots = api.hosts.length === 0 ? [anyHost] : api.hosts.map((h) => getOrCreate(byHost, h.toLowerCase()));
    for (const op of api.operations) {
      for (const root of roots) addDeclared(root, op.method.toUpperCase(), op.template);
    }
  }
  return {
    match(host, method, segments) {
      const own = byHost.get(host);
      const found = own === undefined ? undefined : matchDeclared(own, method, segments, 0);
      return found ?? matchDeclared(anyHost, method, segments, 0);
    },
  };
}

function newDeclaredNode(): DeclaredNode {
  return { literals: new Map(), params: [], ends: new Map(), template: undefined };
}

function getOrCreate(map: Map<string, DeclaredNode>, key: string): DeclaredNode {
  let node = map.get(key);
  if (node === undefined) {
    node = newDeclaredNode();
    map.set(key, node);
  }
  return node;
}

function addDeclared(root: DeclaredNode, method: string, template: string): void {
  let node = root;
  for (const segment of template.split('/')) {
    if (segment === '') continue;
    const open = segment.indexOf('{');
    const close = segment.lastIndexOf('}');
    if (open >= 0 && close > open) {
      const prefix = segment.slice(0, open);
      const suffix = segment.slice(close + 1);
      let entry = node.params.find((p) => p.prefix === prefix && p.suffix === suffix);
      if (entry === undefined) {
        entry = { prefix, suffix, node: newDeclaredNode() };
        node.params.push(entry);
        // longer fixed parts first: `{id}.json` is tried before `{id}`
        node.params.sort((a, b) => b.prefix.length + b.suffix.length - (a.prefix.length + a.suffix.length));
      }
      node = entry.node;
    } else {
      node = getOrCreate(node.literals, segment);
    }
  }
  node.ends.set(method, template);
}

function matchDeclared(node: DeclaredNode, method: string, segments: readonly string[], i: number): string | undefined {
  if (i === segments.length) return node.ends.get(method) ?? node.ends.get('*');
  const segment = segments[i] as string;
  const literal = node.literals.get(segment);
  if (literal !== undefined) {
    const found = matchDeclared(literal, method, segments, i + 1);
    if (found !== undefined) return found;
  }
  for (const p of node.params) {
    if (segment.length > p.prefix.length + p.suffix.length && segment.startsWith(p.prefix) && segment.endsWith(p.suffix)) {
      const found = matchDeclared(p.node, method, segments, i + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
