/**
 * A router from a request path to the path template that declares it, built once from the templates of
 * the loaded specs and read on every request: a trie of path segments, literal segments before
 * segments with a parameter and a fixed part (`{file}.json`, `v{major}`), those before whole-segment
 * parameters (`{id}`).
 */

/** How a trailing slash is read: `ignore` makes `/pets/` and `/pets` the same path; `strict` keeps them apart. */
export type TrailingSlash = 'ignore' | 'strict';

/** Options of {@link createPathRouter}. */
export interface PathRouterOptions {
  /** Default `ignore`. */
  trailingSlash?: TrailingSlash;
}

/** A matched path: the value registered with its template and the parameter values, percent-decoded. */
export interface PathMatch<T> {
  value: T;
  template: string;
  /** Parameter name → the decoded text of its place in the path (never empty). */
  params: Record<string, string>;
}

/**
 * Path templates (`/v1/pets/{petId}`) to values, looked up by request path.
 * Lookup walks one trie node per segment and backs off to the next kind of child only when a branch
 * cannot match, so each trie node is visited at most once per lookup (linear in the trie in the worst case,
 * in the number of segments in practice). Not safe to `add` while another caller matches.
 */
export interface PathRouter<T> {
  /**
   * Registers `value` under `template`; returns the value already registered under an equivalent
   * template (same segments, parameters in the same places, whatever their names) and keeps that one.
   */
  add(template: string, value: T): T | undefined;
  /** The template matching `path` (percent-encoded as on the wire, without the query string), if any. */
  match(path: string): PathMatch<T> | undefined;
}

/** One piece of a segment with parameters: a literal text or a parameter. */
type Piece = { literal: string } | { param: string };

interface PatternChild<T> {
  /** Alternating pieces, never two parameters in a row (such a segment is not split, see `parseSegment`). */
  pieces: Piece[];
  /** The literal characters of the segment, to try the most specific patterns first. */
  fixed: number;
  key: string;
  node: TrieNode<T>;
}

interface TrieNode<T> {
  literals: Map<string, TrieNode<T>> | undefined;
  patterns: PatternChild<T>[] | undefined;
  param: TrieNode<T> | undefined;
  end: { value: T; template: string; names: string[] } | undefined;
}

function newNode<T>(): TrieNode<T> {
  return { literals: undefined, patterns: undefined, param: undefined, end: undefined };
}

/**
 * Creates an empty router.
 *
 * @example
 * const router = createPathRouter<string>();
 * router.add('/pets/{petId}', 'getPet');
 * router.match('/pets/42'); // { value: 'getPet', template: '/pets/{petId}', params: { petId: '42' } }
 * router.match('/pets/42/extra'); // undefined
 */
export function createPathRouter<T>(options: PathRouterOptions = {}): PathRouter<T> {
  const ignoreSlash = (options.trailingSlash ?? 'ignore') === 'ignore';
  const root = newNode<T>();

  const add = (template: string, value: T): T | undefined => {
    let node = root;
    const names: string[] = [];
    for (const segment of splitSegments(template, ignoreSlash)) {
      const parsed = parseSegment(segment);
      if (parsed === undefined) {
        node.literals ??= new Map();
        let next = node.literals.get(segment);
        if (next === undefined) {
          next = newNode();
          node.literals.set(segment, next);
        }
        node = next;
      } else if (parsed.length === 1 && 'param' in (parsed[0] as Piece)) {
        names.push((parsed[0] as { param: string }).param);
        node.param ??= newNode();
        node = node.param;
      } else {
        for (const piece of parsed) if ('param' in piece) names.push(piece.param);
        const key = parsed.map((piece) => ('param' in piece ? '{}' : piece.literal)).join('');
        node.patterns ??= [];
        let child = node.patterns.find((p) => p.key === key);
        if (child === undefined) {
          const fixed = parsed.reduce((sum, piece) => sum + ('literal' in piece ? piece.literal.length : 0), 0);
          child = { pieces: parsed, fixed, key, node: newNode() };
          node.patterns.push(child);
          node.patterns.sort((a, b) => b.fixed - a.fixed);
        }
        node = child.node;
      }
    }
    if (node.end !== undefined) return node.end.value;
    node.end = { value, template, names };
    return undefined;
  };

  const match = (path: string): PathMatch<T> | undefined => {
    const segments = splitSegments(path, ignoreSlash);
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      if (segment.includes('%')) segments[i] = decodeSegment(segment);
    }
    const values: string[] = [];
    const end = walk(root, segments, 0, values);
    if (end === undefined) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < end.names.length; i++) params[end.names[i] as string] = values[i] as string;
    return { value: end.value, template: end.template, params };
  };

  return { add, match };
}

/** Depth-first: literal child, then patterns (most literal characters first), then the parameter child. */
function walk<T>(node: TrieNode<T>, segments: readonly string[], i: number, values: string[]): TrieNode<T>['end'] {
  if (i === segments.length) return node.end;
  const segment = segments[i] as string;
  const literal = node.literals?.get(segment);
  if (literal !== undefined) {
    const found = walk(literal, segments, i + 1, values);
    if (found !== undefined) return found;
  }
  if (node.patterns !== undefined) {
    for (const pattern of node.patterns) {
      const depth = values.length;
      if (matchPieces(pattern.pieces, segment, values)) {
        const found = walk(pattern.node, segments, i + 1, values);
        if (found !== undefined) return found;
      }
      values.length = depth;
    }
  }
  if (node.param !== undefined && segment !== '') {
    values.push(segment);
    const found = walk(node.param, segments, i + 1, values);
    if (found !== undefined) return found;
    values.pop();
  }
  return undefined;
}

/**
 * Matches a segment against alternating literal and parameter pieces in one pass: a parameter ends at the
 * first occurrence of the literal after it, or at the segment's end (the last literal is matched as a
 * suffix). Parameters are never empty. Pushes the parameter values onto `values`.
 */
function matchPieces(pieces: readonly Piece[], segment: string, values: string[]): boolean {
  let position = 0;
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k] as Piece;
    if ('literal' in piece) {
      if (!segment.startsWith(piece.literal, position)) return false;
      position += piece.literal.length;
      continue;
    }
    const next = pieces[k + 1] as { literal: string } | undefined;
    let stop: number;
    if (next === undefined) stop = segment.length;
    else if (k + 1 === pieces.length - 1) {
      stop = segment.length - next.literal.length;
      if (!segment.endsWith(next.literal)) return false;
    } else stop = segment.indexOf(next.literal, position + 1);
    if (stop <= position) return false;
    values.push(segment.slice(position, stop));
    position = stop;
  }
  return position === segment.length;
}

/**
 * The pieces of a template segment with parameters; `undefined` for a literal segment. RFC 6570 operators
 * (`{+path}`, `{id*}`) are dropped from names. Two parameters in a row (`{a}{b}`) cannot be told apart:
 * the segment is read as one parameter named after the first.
 */
function parseSegment(segment: string): Piece[] | undefined {
  if (!segment.includes('{')) return undefined;
  const pieces: Piece[] = [];
  let rest = segment;
  while (rest !== '') {
    const open = rest.indexOf('{');
    const close = open < 0 ? -1 : rest.indexOf('}', open);
    if (open < 0 || close < 0) {
      pieces.push({ literal: rest });
      break;
    }
    if (open > 0) pieces.push({ literal: rest.slice(0, open) });
    const name = rest
      .slice(open + 1, close)
      .replace(/^[+#./;?&]/, '')
      .replace(/\*$/, '');
    const last = pieces[pieces.length - 1];
    if (last === undefined || !('param' in last)) pieces.push({ param: name });
    rest = rest.slice(close + 1);
  }
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last !== undefined && 'literal' in last && 'literal' in piece) last.literal += piece.literal;
    else merged.push(piece);
  }
  return merged.some((piece) => 'param' in piece) ? merged : undefined;
}

/** The segments after the leading slash (`/` → `['']`); without the last empty one when slashes are ignored. */
function splitSegments(path: string, ignoreSlash: boolean): string[] {
  const segments = (path.startsWith('/') ? path.slice(1) : path).split('/');
  if (ignoreSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
