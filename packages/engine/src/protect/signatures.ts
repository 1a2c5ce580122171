/**
 * Signature rules: loaded from YAML (`rules/signatures/*.yaml` and user folders), validated with every
 * problem reported at once, compiled once for a paranoia level, then run on the hot path against the inputs
 * of a request. The format is described in `rules/signatures/README.md`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PalisadeError } from '@palisade/core';
import { parse as parseYaml } from 'yaml';
import { decodedForms } from './decode.js';
import type { RequestInput } from './inputs.js';
import { characterClasses, triggersOf } from './prefilter.js';
import { maskedSnippet } from './snippet.js';
import { type Detector, type DetectorHit, SEVERITY_SCORES, type Severity, type SignatureCategory } from './types.js';

/** One rule as written in a rule file. */
export interface SignatureRule {
  id: string;
  title: string;
  category: SignatureCategory;
  paranoia: 1 | 2 | 3 | 4;
  severity: Severity;
  /** Input kinds (`query`) or exact locations (`header:user-agent`); all inputs when absent. */
  targets?: string[];
  exclude?: string[];
  detector?: string;
  regex?: string;
  flags?: string;
  phrases?: string[];
  /** False: the rule sees each value only as sent, never its decoded forms (protocol rules on header syntax). Default true. */
  decode?: boolean;
  /** Requests the rule does not apply to ({@link RULE_EXCEPTIONS}): a session id in the URL of a same-site navigation. */
  unless?: RuleException[];
  /** Where the rule was read from, for error messages. */
  source?: string;
}

/**
 * What a rule can be conditioned on about the whole request (`unless:` in a rule), beyond the value it matches:
 * - `same-site-referer`: the request's `Referer` names the host the request went to (a link followed within
 *   the site). A session id in such a URL is the site's own URL rewriting, not one planted from elsewhere.
 */
export const RULE_EXCEPTIONS = ['same-site-referer'] as const;
export type RuleException = (typeof RULE_EXCEPTIONS)[number];

/** The facts of a request that rule exceptions read. */
export interface RequestConditions {
  sameSiteReferer: boolean;
}

/**
 * Reads the conditions of a request from its `Host` and `Referer` headers (names lower-case). The referer is
 * same-site when it is an http(s) URL whose host and port are the request's `Host` (case aside).
 */
export function requestConditions(headers: Readonly<Record<string, string | string[] | undefined>>, host?: string): RequestConditions {
  const referer = headers.referer;
  const target = host ?? headers.host;
  if (typeof referer !== 'string' || typeof target !== 'string' || target === '') return { sameSiteReferer: false };
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return { sameSiteReferer: false };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { sameSiteReferer: false };
  const own = target.toLowerCase();
  // the URL leaves out its scheme's default port; a Host header may name it
  const bare = own.endsWith(':80') || own.endsWith(':443') ? own.slice(0, own.lastIndexOf(':')) : own;
  return { sameSiteReferer: url.host === own || url.host === bare };
}

/** The input kinds a location can have (the part before `:`). */
export const INPUT_KINDS = [
  'path',
  'query',
  'query-name',
  'header',
  'cookie',
  'cookie-name',
  'json',
  'json-key',
  'form',
  'form-name',
  'filename',
  'xml',
  'body',
  'request',
  'part-header',
] as const;

/** Kinds that only rules naming them see: facts about the request's framing, not client data (see `protocol.ts`). */
const EXPLICIT_KINDS = new Set<string>(['request', 'part-header']);

const CATEGORIES = new Set<string>([
  'sqli',
  'xss',
  'rce',
  'lfi',
  'rfi',
  'php',
  'java',
  'code',
  'ssi',
  'mail',
  'session-fixation',
  'ssrf',
  'xxe',
  'ssti',
  'nosqli',
  'ldapi',
  'crlf',
  'jndi',
  'shellshock',
  'prototype-pollution',
  'protocol',
  'graphql',
  'scanner',
]);
const KINDS = new Set<string>(INPUT_KINDS);
const RULE_ID = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/;

/**
 * Reads and validates the rules of a rule file's text. Every problem is reported in one
 * `PAL_ERR_RULES_INVALID` error naming the source and the rule.
 */
export function parseSignatureRules(text: string, source: string, detectors: Readonly<Record<string, Detector>>): SignatureRule[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PalisadeError('PAL_ERR_RULES_INVALID', `${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new PalisadeError('PAL_ERR_RULES_INVALID', `${source}: expected a top-level \`rules:\` list`);
  const problems: string[] = [];
  const rules: SignatureRule[] = [];
  list.forEach((item: unknown, index) => {
    const where = `${source}: rules[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${where}: expected a mapping`);
      return;
    }
    const rule = item as Record<string, unknown>;
    const found = ruleProblems(rule, detectors);
    const name = typeof rule.id === 'string' ? ` (${rule.id})` : '';
    for (const problem of found) problems.push(`${where}${name}: ${problem}`);
    if (found.length === 0) rules.push({ ...(rule as unknown as SignatureRule), source });
  });
  if (problems.length > 0) throw new PalisadeError('PAL_ERR_RULES_INVALID', problems.join('; '));
  return rules;
}

function ruleProblems(rule: Record<string, unknown>, detectors: Readonly<Record<string, Detector>>): string[] {
  const problems: string[] = [];
  const known = new Set([
    'id',
    'title',
    'category',
    'paranoia',
    'severity',
    'targets',
    'exclude',
    'detector',
    'regex',
    'flags',
    'phrases',
    'decode',
    'unless',
  ]);
  for (const key of Object.keys(rule)) if (!known.has(key)) problems.push(`unknown key \`${key}\``);
  if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) problems.push('id must look like `category/slug` (lower-case)');
  if (typeof rule.title !== 'string' || rule.title === '') problems.push('title is required');
  if (typeof rule.category !== 'string' || !CATEGORIES.has(rule.category))
    problems.push(`category must be one of ${[...CATEGORIES].join(', ')}`);
  if (![1, 2, 3, 4].includes(rule.paranoia as number)) problems.push('paranoia must be 1, 2, 3 or 4');
  if (typeof rule.severity !== 'string' || !(rule.severity in SEVERITY_SCORES))
    problems.push('severity must be critical, error, warning or notice');
  for (const key of ['targets', 'exclude'] as const) {
    const value = rule[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || !KINDS.has(t.split(':')[0] ?? ''))) {
      problems.push(`${key} must list input kinds (${INPUT_KINDS.join(', ')}) or locations such as header:user-agent`);
    }
  }
  if (rule.decode !== undefined && typeof rule.decode !== 'boolean') problems.push('decode must be true or false');
  if (
    rule.unless !== undefined &&
    (!Array.isArray(rule.unless) || rule.unless.some((u) => !(RULE_EXCEPTIONS as readonly unknown[]).includes(u)))
  ) {
    problems.push(`unless must list request conditions (${RULE_EXCEPTIONS.join(', ')})`);
  }
  const matchers = ['detector', 'regex', 'phrases'].filter((key) => rule[key] !== undefined);
  if (matchers.length !== 1) problems.push('a rule needs exactly one of detector, regex or phrases');
  if (rule.detector !== undefined && (typeof rule.detector !== 'string' || detectors[rule.detector] === undefined)) {
    problems.push(`detector \`${String(rule.detector)}\` does not exist (known: ${Object.keys(detectors).sort().join(', ')})`);
  }
  if (rule.regex !== undefined) {
    const flags = rule.flags ?? '';
    if (typeof flags !== 'string' || /[^imsu]/.test(flags)) problems.push('flags may only contain i, m, s and u');
    else if (typeof rule.regex !== 'string' || rule.regex === '') problems.push('regex must be a non-empty string');
    else {
      try {
        new RegExp(rule.regex, flags);
      } catch (error) {
        problems.push(`regex does not compile: ${(error as Error).message}`);
      }
    }
  } else if (rule.flags !== undefined) problems.push('flags only go with regex');
  if (rule.phrases !== undefined) {
    const phrases = rule.phrases;
    if (!Array.isArray(phrases) || phrases.length === 0 || phrases.some((p) => typeof p !== 'string' || p === '')) {
      problems.push('phrases must be a non-empty list of non-empty strings');
    }
  }
  return problems;
}

/** Loads every `*.yaml`/`*.yml` file of the given folders, in name order, and checks ids are unique. */
export async function loadSignatureRules(
  folders: readonly string[],
  detectors: Readonly<Record<string, Detector>>,
): Promise<SignatureRule[]> {
  const rules: SignatureRule[] = [];
  for (const folder of folders) {
    let names: string[];
    try {
      names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
    } catch (error) {
      throw new PalisadeError(
        'PAL_ERR_RULES_UNREADABLE',
        `cannot read rule folder ${folder}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    for (const name of names) {
      const path = join(folder, name);
      rules.push(...parseSignatureRules(await readFile(path, 'utf8'), path, detectors));
    }
  }
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const rule of rules) {
    const first = seen.get(rule.id);
    if (first !== undefined) duplicates.push(`${rule.id} (${first} and ${rule.source})`);
    else seen.set(rule.id, rule.source ?? '');
  }
  if (duplicates.length > 0) throw new PalisadeError('PAL_ERR_RULES_INVALID', `rule ids must be unique: ${duplicates.join(', ')}`);
  return rules;
}

/** How a compiled set of signatures runs. */
export interface SignatureOptions {
  /** Rules with a higher paranoia level are not compiled. Default 1. */
  paranoia?: number;
  /** Anomaly score at which a request is an attack. Default 5. */
  threshold?: number;
  /** Rule ids (or `category/*` prefixes) that are switched off. */
  disabled?: readonly string[];
}

/** A rule that matched a request, as recorded in the event. */
export interface SignatureMatch {
  ruleId: string;
  category: SignatureCategory;
  severity: Severity;
  score: number;
  paranoia: number;
  location: string;
  /** The detector's reason, or `regex` / `phrase`. */
  detail: string;
  /** A short, masked piece of the decoded value around the match. */
  snippet: string;
}

/** What the signatures found in a request (or in one phase of it). */
export interface SignatureResult {
  score: number;
  matches: SignatureMatch[];
}

interface CompiledRule {
  rule: SignatureRule;
  score: number;
  test: Detector;
  /** The character classes a form must have one of for `test` to be called on it (see `prefilter.ts`). */
  triggers: number;
  /** Its position among the compiled rules. */
  index: number;
  /** The rule's `unless`, when it has one. */
  unless: readonly RuleException[] | undefined;
}

/** Whether a request with these conditions meets one of a rule's exceptions. */
function meets(unless: readonly RuleException[], conditions: RequestConditions): boolean {
  return unless.includes('same-site-referer') && conditions.sameSiteReferer;
}

/** Signatures compiled for one paranoia level. */
export interface SignatureSet {
  readonly rules: readonly SignatureRule[];
  readonly threshold: number;
  readonly paranoia: number;
  /**
   * Runs the rules over inputs. `skip(ruleId, location)` lets the caller apply exclusions. Each rule counts
   * once per call; `into` accumulates across calls (request headers, then the body).
   */
  inspect(
    inputs: readonly RequestInput[],
    into?: SignatureResult,
    skip?: (ruleId: string, location: string) => boolean,
    /** The request's conditions, read only when a rule with `unless` is about to run; without it every rule runs. */
    conditions?: () => RequestConditions,
  ): SignatureResult;
  /**
   * Whether a rule does not apply to a request with these conditions (its `unless`): for callers that judge
   * values apart from their request (detection's attack reader keeps verdicts per value) and drop the matches.
   */
  exempt(ruleId: string, conditions: () => RequestConditions): boolean;
}

/** Compiles rules once for a paranoia level; the result is safe to share between requests. */
export function compileSignatures(
  rules: readonly SignatureRule[],
  detectors: Readonly<Record<string, Detector>>,
  options: SignatureOptions = {},
): SignatureSet {
  const paranoia = options.paranoia ?? 1;
  const threshold = options.threshold ?? 5;
  const disabled = options.disabled ?? [];
  const isDisabled = (id: string): boolean =>
    disabled.some((d) => d === id || (d.endsWith('/*') && id.startsWith(d.slice(0, -1))) || d === id.split('/')[0]);
  const compiled: CompiledRule[] = rules
    .filter((rule) => rule.paranoia <= paranoia && !isDisabled(rule.id))
    .map((rule, index) => ({
      rule,
      score: SEVERITY_SCORES[rule.severity],
      test: matcherOf(rule, detectors),
      triggers: triggersOf(rule.detector === undefined ? undefined : detectors[rule.detector]),
      index,
      unless: rule.unless !== undefined && rule.unless.length > 0 ? rule.unless : undefined,
    }));
  const indexOf = new Map(compiled.map((c) => [c.rule.id, c.index]));
  const exceptions = new Map(compiled.flatMap((c) => (c.unless === undefined ? [] : [[c.rule.id, c.unless] as const])));
  const matched = new Uint32Array(compiled.length);
  let stamps = 0;
  const nextStamp = (): number => {
    if (stamps === 0xffffffff) {
      matched.fill(0);
      stamps = 0;
    }
    return ++stamps;
  };
  // The rules that apply to a location, worked out once per distinct location (bounded cache).
  const namedOneByOne = new Set(
    compiled.flatMap((c) => [...(c.rule.targets ?? []), ...(c.rule.exclude ?? [])].filter((t) => t.includes(':')).map(kindOf)),
  );
  const byLocation = new Map<string, CompiledRule[]>();
  // the lists of the last two kinds whose locations share one: a JSON body's inputs alternate keys and values
  let lastKind: string | undefined;
  let lastList: CompiledRule[] = [];
  let otherKind: string | undefined;
  let otherList: CompiledRule[] = [];
  const rulesFor = (input: RequestInput): CompiledRule[] => {
    // most rules name input kinds only (`query`, `header`): then every location of a kind shares one list, and
    // an input that knows its kind is not asked for its location (a JSON value's is made only when read)
    const kind = input.kind ?? kindOf(input.location);
    if (kind === lastKind) return lastList;
    if (kind === otherKind) return otherList;
    const shared = !namedOneByOne.has(kind);
    const key = shared ? kind : input.location;
    let list = byLocation.get(key);
    if (list === undefined) {
      const location = input.location;
      list = compiled.filter((c) => applies(c.rule, location));
      if (byLocation.size >= 10_000) byLocation.clear();
      byLocation.set(key, list);
    }
    if (shared) {
      otherKind = lastKind;
      otherList = lastList;
      lastKind = kind;
      lastList = list;
    }
    return list;
  };
  // Values that every rule passed, by location: the same header, id or enum value comes with request after
  // request, and the detectors are pure functions of value and location. Bounded; emptied when full.
  const clean = new Map<string, Set<string>>();
  let cleanCount = 0;
  const classes: number[] = [];
  return {
    rules: compiled.map((c) => c.rule),
    threshold,
    paranoia,
    exempt(ruleId, conditions) {
      const unless = exceptions.get(ruleId);
      return unless !== undefined && meets(unless, conditions());
    },
    inspect(inputs, into = { score: 0, matches: [] }, skip, conditions) {
      // the rules that matched already (each counts once per call and across the calls of one request): a
      // rule's index holds this call's stamp, so the marks of earlier calls need no clearing
      const stamp = nextStamp();
      for (const match of into.matches) {
        const index = indexOf.get(match.ruleId);
        if (index !== undefined) matched[index] = stamp;
      }
      for (const input of inputs) {
        const candidates = rulesFor(input);
        if (candidates.length === 0) continue;
        // array positions do not change a verdict (no detector reads them): `items[3].sku` and `items[7].sku` share a key
        const place = input.place ?? (input.location.includes('[') ? input.location.replace(ARRAY_INDEX, '[]') : input.location);
        const remembered = input.value.length <= MAX_CLEAN_VALUE;
        if (remembered && clean.get(place)?.has(input.value)) continue;
        // only a value every rule looked at, and none matched, is remembered as clean
        let complete = true;
        const forms = windowed(decodedForms(input.value));
        // the classes of each form's characters, for the detectors' prefilter, and of all of them together
        classes.length = 0;
        let any = 0;
        for (const form of forms) {
          const found = characterClasses(form);
          classes.push(found);
          any |= found;
        }
        const sentClasses = forms[0] === input.value ? (classes[0] as number) : characterClasses(input.value);
        any |= sentClasses;
        for (const candidate of candidates) {
          // no form has a character the rule's detector needs: it cannot match, and has judged the value
          if ((any & candidate.triggers) === 0) continue;
          const id = candidate.rule.id;
          if (
            matched[candidate.index] === stamp ||
            skip?.(id, input.location) ||
            (candidate.unless !== undefined && conditions !== undefined && meets(candidate.unless, conditions()))
          ) {
            complete = false;
            continue;
          }
          const asSent = candidate.rule.decode === false;
          const count = asSent ? 1 : forms.length;
          for (let k = 0; k < count; k++) {
            // a form without any character the detector needs cannot be reported by it
            if (((asSent ? sentClasses : (classes[k] as number)) & candidate.triggers) === 0) continue;
            const form = asSent ? input.value : (forms[k] as string);
            const hit = candidate.test(form, { location: input.location });
            if (hit === undefined) continue;
            complete = false;
            matched[candidate.index] = stamp;
            into.score += candidate.score;
            into.matches.push({
              ruleId: id,
              category: candidate.rule.category,
              severity: candidate.rule.severity,
              score: candidate.score,
              paranoia: candidate.rule.paranoia,
              location: input.location,
              detail: hit.detail,
              snippet: maskedSnippet(form, hit.start, hit.end, input.location),
            });
            break;
          }
        }
        if (complete && remembered) {
          if (cleanCount >= MAX_CLEAN_VALUES) {
            clean.clear();
            cleanCount = 0;
          }
          let values = clean.get(place);
          if (values === undefined) {
            values = new Set();
            clean.set(place, values);
          }
          values.add(input.value);
          cleanCount++;
        }
      }
      return into;
    },
  };
}

/**
 * Detectors bound the text they read (a tokeniser's look-ahead, a reader's cap), so a long value is cut
 * into overlapping windows that each fit: an attack padded with a long filler is still read, and matches
 * shorter than the overlap never fall between two windows.
 */
const WINDOW = 16 * 1024;
const WINDOW_OVERLAP = 1024;

/** The forms, with each longer than `WINDOW` replaced by its overlapping windows. */
function windowed(forms: string[]): string[] {
  if (forms.every((form) => form.length <= WINDOW)) return forms;
  const out: string[] = [];
  for (const form of forms) {
    if (form.length <= WINDOW) {
      out.push(form);
      continue;
    }
    for (let start = 0; start < form.length; start += WINDOW - WINDOW_OVERLAP) {
      // a later window does not start the value: a space in front keeps checks anchored at a value's start
      // (a value that is a path, a command, a whole expression) from reading a cut as a beginning
      out.push(start === 0 ? form.slice(0, WINDOW) : ` ${form.slice(start, start + WINDOW)}`);
      if (start + WINDOW >= form.length) break;
    }
  }
  return out;
}

/** An array position in a location (`[12]`). */
const ARRAY_INDEX = /\[\d+\]/g;
/** Values longer than this are not remembered as clean. */
const MAX_CLEAN_VALUE = 256;
/** At most this many clean values are remembered per compiled set (values of at most 256 characters, by place: under 40 MB at worst). */
const MAX_CLEAN_VALUES = 50_000;

/** `query` for `query:id`; a location without a colon (`body`) is its own kind. */
function kindOf(location: string): string {
  const colon = location.indexOf(':');
  return colon < 0 ? location : location.slice(0, colon);
}

function applies(rule: SignatureRule, location: string): boolean {
  const kind = kindOf(location);
  const listed = (list: readonly string[]): boolean => list.some((t) => t === kind || t === location);
  if (rule.exclude !== undefined && listed(rule.exclude)) return false;
  if (rule.targets === undefined) return !EXPLICIT_KINDS.has(kind);
  return listed(rule.targets);
}

function matcherOf(rule: SignatureRule, detectors: Readonly<Record<string, Detector>>): Detector {
  if (rule.detector !== undefined) {
    const detector = detectors[rule.detector];
    if (detector === undefined) throw new PalisadeError('PAL_ERR_RULES_INVALID', `${rule.id}: unknown detector ${rule.detector}`);
    return detector;
  }
  if (rule.regex !== undefined) {
    const pattern = new RegExp(rule.regex, rule.flags ?? '');
    return (value) => {
      const found = pattern.exec(value);
      return found === null ? undefined : { detail: 'regex', start: found.index, end: found.index + found[0].length };
    };
  }
  const phrases = (rule.phrases ?? []).map((p) => p.toLowerCase());
  return (value): DetectorHit | undefined => {
    const lower = value.toLowerCase();
    for (const phrase of phrases) {
      const at = lower.indexOf(phrase);
      if (at >= 0) return { detail: 'phrase', start: at, end: at + phrase.length };
    }
    return undefined;
  };
}
