/**
 * Which requests a policy applies to: path patterns and method/path/endpoint conditions, compiled once and
 * checked without allocation on the hot path.
 *
 * Path patterns start with `/` and are matched segment by segment (empty segments are ignored, so `//a/`
 * is `/a`): a literal segment matches itself; `{name}` matches any one segment; `*` inside a segment matches
 * any characters within it (`*.php`, `{id}.json`); `**` as a whole segment matches zero or more segments.
 * Matching is case-sensitive and takes O(path × pattern) time at worst, never backtracks exponentially.
 */

type Segment = { kind: 'literal'; text: string } | { kind: 'any' } | { kind: 'glob'; parts: readonly string[] } | { kind: 'globstar' };

/** One compiled path pattern. */
export interface PathPattern {
  /** The pattern as written. */
  readonly source: string;
  /** True when `path` matches. */
  matches(path: string): boolean;
}

/** Why a path pattern is not valid, or `undefined` when it is. */
export function pathPatternProblem(source: unknown): string | undefined {
  if (typeof source !== 'string' || !source.startsWith('/')) return `${JSON.stringify(source)} is not a path starting with /`;
  for (const segment of source.split('/')) {
    if (segment.includes('**') && segment !== '**') return `"${source}": ** must be a whole segment`;
    let depth = 0;
    for (const c of segment) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      if (depth < 0 || depth > 1) return `"${source}": unbalanced { }`;
    }
    if (depth !== 0) return `"${source}": unbalanced { }`;
  }
  return undefined;
}

/** Compiles a path pattern; throws on an invalid one (config validation reports them first). */
export function compilePathPattern(source: string): PathPattern {
  const problem = pathPatternProblem(source);
  if (problem !== undefined) throw new Error(problem);
  const segments: Segment[] = [];
  for (const raw of source.split('/')) {
    if (raw === '') continue;
    if (raw === '**') {
      if (segments.at(-1)?.kind !== 'globstar') segments.push({ kind: 'globstar' });
      continue;
    }
    const glob = raw.replace(/\{[^{}]*\}/g, '*');
    if (glob === '*' || /^\*+$/.test(glob)) segments.push({ kind: 'any' });
    else if (glob.includes('*')) segments.push({ kind: 'glob', parts: glob.split(/\*+/) });
    else segments.push({ kind: 'literal', text: raw });
  }
  const hasGlobstar = segments.some((s) => s.kind === 'globstar');
  if (!hasGlobstar) return { source, matches: (path) => matchExact(segments, path) };
  const last = segments.at(-1);
  if (last?.kind !== 'literal') return { source, matches: (path) => matchWithGlobstar(segments, path) };
  const tail = last.text;
  return { source, matches: (path) => lastSegmentIs(path, tail) && matchWithGlobstar(segments, path) };
}

/** True when the last non-empty segment of `path` is `text` (a cheap test before a `**` walk). */
function lastSegmentIs(path: string, text: string): boolean {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  const start = end - text.length;
  return start >= 1 && path.charCodeAt(start - 1) === 47 && path.startsWith(text, start);
}

/** Start of the next non-empty segment at or after `from`, or `path.length`. */
function segmentStart(path: string, from: number): number {
  let i = from;
  while (i < path.length && path.charCodeAt(i) === 47) i++;
  return i;
}

function segmentEnd(path: string, start: number): number {
  const slash = path.indexOf('/', start);
  return slash < 0 ? path.length : slash;
}

function matchSegment(segment: Segment, path: string, start: number, end: number): boolean {
  switch (segment.kind) {
    case 'literal':
      return end - start === segment.text.length && path.startsWith(segment.text, start);
    case 'any':
      return true;
    case 'glob':
      return matchGlob(segment.parts, path, start, end);
    case 'globstar':
      return false;
  }
}

/** `parts` are the literal pieces between `*`s: the first is a prefix, the last a suffix, the rest in order. */
function matchGlob(parts: readonly string[], path: string, start: number, end: number): boolean {
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (end - start < first.length + last.length) return false;
  if (!path.startsWith(first, start) || !path.startsWith(last, end - last.length)) return false;
  let at = start + first.length;
  const stop = end - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = path.indexOf(part, at);
    if (found < 0 || found + part.length > stop) return false;
    at = found + part.length;
  }
  return true;
}

function matchExact(segments: readonly Segment[], path: string): boolean {
  let at = segmentStart(path, 0);
  for (const segment of segments) {
    if (at >= path.length) return false;
    const end = segmentEnd(path, at);
    if (!matchSegment(segment, path, at, end)) return false;
    at = segmentStart(path, end);
  }
  return at >= path.length;
}

/** Wildcard matching over segments, `**` as the star: O(segments of path × segments of pattern). */
function matchWithGlobstar(segments: readonly Segment[], path: string): boolean {
  let p = 0;
  let at = segmentStart(path, 0);
  let starP = -1;
  let starAt = 0;
  while (at < path.length) {
    const end = segmentEnd(path, at);
    const segment = segments[p];
    if (segment !== undefined && segment.kind === 'globstar') {
      starP = p++;
      starAt = at;
    } else if (segment !== undefined && matchSegment(segment, path, at, end)) {
      p++;
      at = segmentStart(path, end);
    } else if (starP >= 0) {
      p = starP + 1;
      starAt = segmentStart(path, segmentEnd(path, starAt));
      at = starAt;
    } else return false;
  }
  while (p < segments.length && segments[p]?.kind === 'globstar') p++;
  return p === segments.length;
}

/** Which requests a policy applies to; every given condition must hold. */
export interface RequestMatchConfig {
  /** HTTP methods, any case. */
  methods?: string[];
  /** Path patterns (see the module doc). A request matches `paths` or `endpoints` when either is given. */
  paths?: string[];
  /** Endpoint templates exactly as the inventory names them, e.g. `POST /login`. */
  endpoints?: string[];
}

/** A compiled request condition. */
export interface RequestMatcher {
  /** True when the request is one the policy applies to. */
  test(method: string, path: string, endpoint: string | undefined): boolean;
  /** The first path pattern `path` matches, as written (a template for keys when no endpoint is known). */
  pathTemplate(path: string): string | undefined;
}

/** Compiles a list of path patterns with O(1) lookup for the literal ones. */
export class PathPatternSet {
  readonly #literal = new Map<string, string>();
  readonly #patterns: PathPattern[] = [];

  constructor(sources: readonly string[]) {
    for (const source of sources) {
      const pattern = compilePathPattern(source);
      if (/[*{]/.test(source)) this.#patterns.push(pattern);
      else {
        const key = normalizePath(source);
        if (!this.#literal.has(key)) this.#literal.set(key, source);
      }
    }
  }

  /** The first pattern (literal ones first) that `path` matches, as written, or `undefined`. */
  match(path: string): string | undefined {
    if (this.#literal.size > 0) {
      const literal = this.#literal.get(normalizePath(path));
      if (literal !== undefined) return literal;
    }
    for (const pattern of this.#patterns) if (pattern.matches(path)) return pattern.source;
    return undefined;
  }
}

/** `path` without empty segments (`//a/b/` → `/a/b`); returns `path` itself when already normal. */
export function normalizePath(path: string): string {
  if (!path.includes('//') && !(path.length > 1 && path.endsWith('/'))) return path;
  const parts = path.split('/').filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

/** Compiles a request condition; an absent or empty config matches every request. */
export function compileRequestMatch(config: RequestMatchConfig | undefined): RequestMatcher {
  const methods = config?.methods?.length ? new Set(config.methods.map((m) => m.toUpperCase())) : undefined;
  const paths = config?.paths?.length ? new PathPatternSet(config.paths) : undefined;
  const endpoints = config?.endpoints?.length ? new Set(config.endpoints) : undefined;
  return {
    test(method, path, endpoint) {
      if (methods !== undefined && !methods.has(method) && !methods.has(method.toUpperCase())) return false;
      if (paths === undefined && endpoints === undefined) return true;
      if (endpoints !== undefined && endpoint !== undefined && endpoints.has(endpoint)) return true;
      return paths !== undefined && paths.match(path) !== undefined;
    },
    pathTemplate: (path) => paths?.match(path),
  };
}
