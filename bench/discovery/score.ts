/**
 * Scores discovered endpoint templates against the templates a spec declares (the discovery benchmark's
 * ground truth). Parameter names do not matter: `{petId}`, `{id}` and `:id` all become `{}`.
 *
 * - true positive: a discovered (method, template) equal to a spec one; false positive: a discovered one
 *   equal to none; false negative: a spec one nothing discovered equals.
 * - over-merge: a discovered template that is the best match (see below) of two or more spec templates of
 *   its method, e.g. `/users/{}` standing for the spec's `/users/me` and `/users/{id}`.
 * - over-split: a spec template that is the best match of two or more discovered templates, e.g.
 *   `/pets/{}` for the discovered `/pets/1`, `/pets/2` (literal ids promoted to endpoints).
 *
 * "Best match" is the most specific matching template, the way a router picks one (a literal segment beats
 * a partial one like `{}.json`, which beats a bare `{}`, left to right), so `/users/me` next to `/users/{}`
 * is neither an over-merge nor an over-split. `{}` matches any single segment.
 *
 * Callers pass only the spec operations that received at least one non-404 request in the traffic the
 * templater saw: an endpoint never called cannot be discovered, so it must not count as a false negative.
 */

/** A method and a path template, OpenAPI (`{id}`) or colon (`:id`) style. */
export interface TemplateRef {
  method: string;
  template: string;
}

/** Figures of one comparison; ratios are 0 when undefined (nothing to divide). */
export interface TemplateScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  overMerges: number;
  overSplits: number;
}

/** A template prepared for matching: its normalised key and segments. */
export interface CompiledTemplate {
  method: string;
  /** `GET /pets/{}` */
  key: string;
  segments: Segment[];
}

interface Segment {
  text: string;
  /** 2 literal, 1 partial (`{}.json`), 0 a bare parameter `{}`. */
  rank: number;
  /** For segments with a parameter: the text it must match. */
  pattern?: RegExp;
}

/** `{anything}` and a segment-leading `:name` become `{}`: `/a/:id/{b}.json` → `/a/{}/{}.json`. */
export function normaliseTemplate(template: string): string {
  return template.replace(/\{[^}/]*\}/g, '{}').replace(/(^|\/):[A-Za-z_][\w-]*/g, '$1{}');
}

/** Compiles a method and template for `matchesTemplate` and `compareSpecificity`. */
export function compileTemplate(ref: TemplateRef): CompiledTemplate {
  const method = ref.method.toUpperCase();
  const normalised = normaliseTemplate(ref.template);
  const segments = normalised.split('/').map((text): Segment => {
    if (!text.includes('{}')) return { text, rank: 2 };
    const source = text
      .split('{}')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return { text, rank: text === '{}' ? 0 : 1, pattern: new RegExp(`^${source}$`) };
  });
  return { method, key: `${method} ${normalised}`, segments };
}

/**
 * True when `pattern` matches `target` segment by segment (same method, same number of segments; a
 * parameter of the pattern matches any segment text, `{}` included; a literal only itself).
 */
export function matchesTemplate(pattern: CompiledTemplate, target: CompiledTemplate): boolean {
  if (pattern.method !== target.method || pattern.segments.length !== target.segments.length) return false;
  for (let i = 0; i < pattern.segments.length; i++) {
    const p = pattern.segments[i] as Segment;
    const t = target.segments[i] as Segment;
    if (p.pattern === undefined ? p.text !== t.text : !p.pattern.test(t.text)) return false;
  }
  return true;
}

/** Positive when `a` is more specific than `b` (router order: the first differing segment rank decides). */
export function compareSpecificity(a: CompiledTemplate, b: CompiledTemplate): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.segments[i] as Segment).rank - (b.segments[i] as Segment).rank;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The most specific of `patterns` that matches `target`, or `undefined`. */
export function bestMatch(patterns: readonly CompiledTemplate[], target: CompiledTemplate): CompiledTemplate | undefined {
  let best: CompiledTemplate | undefined;
  for (const pattern of patterns) {
    if (matchesTemplate(pattern, target) && (best === undefined || compareSpecificity(pattern, best) > 0)) best = pattern;
  }
  return best;
}

/**
 * Compares discovered templates with the spec's (both deduplicated after normalisation). Pass as `spec`
 * only the operations that were called (see the module comment).
 *
 * @example
 * scoreTemplates([{ method: 'GET', template: '/pets/{petId}' }], [{ method: 'get', template: '/pets/:id' }]).f1; // 1
 */
export function scoreTemplates(spec: readonly TemplateRef[], discovered: readonly TemplateRef[]): TemplateScore {
  const specTemplates = uniqueCompiled(spec);
  const found = uniqueCompiled(discovered);
  const specKeys = new Set(specTemplates.map((t) => t.key));
  const foundKeys = new Set(found.map((t) => t.key));
  const tp = found.filter((t) => specKeys.has(t.key)).length;
  const fp = found.length - tp;
  const fn = specTemplates.filter((t) => !foundKeys.has(t.key)).length;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    tp,
    fp,
    fn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    overMerges: countShared(specTemplates, found),
    overSplits: countShared(found, specTemplates),
  };
}

function uniqueCompiled(refs: readonly TemplateRef[]): CompiledTemplate[] {
  const byKey = new Map<string, CompiledTemplate>();
  for (const ref of refs) {
    const compiled = compileTemplate(ref);
    if (!byKey.has(compiled.key)) byKey.set(compiled.key, compiled);
  }
  return [...byKey.values()];
}

/** How many of `patterns` are the best match of two or more of `targets`. */
function countShared(targets: readonly CompiledTemplate[], patterns: readonly CompiledTemplate[]): number {
  const hits = new Map<string, number>();
  for (const target of targets) {
    const best = bestMatch(patterns, target);
    if (best !== undefined) hits.set(best.key, (hits.get(best.key) ?? 0) + 1);
  }
  let shared = 0;
  for (const count of hits.values()) if (count >= 2) shared++;
  return shared;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
