import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { decodedForms } from './decode.js';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from './detect/index.js';
import { CHARACTER_CLASSES, characterClasses, classBits, QUIET_CLASSES, triggersOf } from './prefilter.js';
import { compileSignatures, loadSignatureRules } from './signatures.js';
import type { Detector } from './types.js';

const bit = (name: string): number => 1 << (CHARACTER_CLASSES as readonly string[]).indexOf(name);

/** Every string literal (and every literal part of a template) of a TypeScript file, as its value. */
function literalsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      found.push(node.head.text);
      for (const span of node.templateSpans) found.push(span.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function filesUnder(folder: string, keep: (name: string) => boolean): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

/** A location as the tests write them (`query:q`, `json-key:$.user.constructor`, `body`). */
const LOCATION =
  /^(?:path|query|query-name|header|cookie|cookie-name|json|json-key|form|form-name|filename|xml|body|request|part-header)(?::|$)/;

/**
 * The strings the detectors are tested with (their tests and fixtures) and the other strings of the
 * protection and sensor tests, each with every decoded form the signatures would give a detector; and every
 * location those tests name, for the detectors whose judgement depends on the location.
 */
function testCorpus(): { forms: string[]; locations: string[] } {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const files = [
    ...filesUnder(here, (name) => name.endsWith('.test.ts') || name === 'detector-cases.ts'),
    ...filesUnder(join(here, '../../../sensor/src'), (name) => name.endsWith('.test.ts')),
  ];
  const forms = new Set<string>();
  const locations = new Set(LOCATIONS);
  for (const file of files) {
    for (const literal of literalsOf(file)) {
      if (LOCATION.test(literal)) locations.add(literal);
      for (const form of decodedForms(literal)) forms.add(form);
    }
  }
  return { forms: [...forms].filter((form) => form.length > 0), locations: [...locations] };
}

/** A location of each kind, and the names detectors treat apart (a Referer, URL-valued and e-mail fields, XML attributes). */
const LOCATIONS = [
  'path',
  'path:0',
  'path:1',
  'query:q',
  'query:url',
  'query:file',
  'query-name:q',
  'query-name:a[b]',
  'header:user-agent',
  'header:referer',
  'header:host',
  'cookie:sid',
  'cookie-name:sid',
  'json:$.a',
  'json:$.callback',
  'json-key:$',
  'json-key:$.a.constructor',
  'form:email',
  'form-name:q',
  'filename:upload',
  'xml:/a',
  'xml:/a/@b',
  'body',
];

/**
 * `text` cut down to the classes of `quiet`: every other character dropped, or each replaced by `stand`
 * (a space, or one of the quiet punctuation marks: a separator an attack could use instead of the one it has).
 */
function cutDown(text: string, quiet: number, stand: string): string {
  let out = '';
  for (const character of text) out += (characterClasses(character) & ~quiet) === 0 ? character : stand;
  return stand === ' ' ? out.replace(/ {2,}/g, ' ').trim() : out;
}

/** The marks a detector is quiet on, each as a stand-in for the characters it needs (and `''`, a space). */
function standsOf(quiet: number): string[] {
  const stands = ['', ' '];
  for (const name of CHARACTER_CLASSES) if (name.length === 1 && (quiet & bit(name)) !== 0) stands.push(name);
  return stands;
}

describe('detector prefilter', () => {
  it('reads the classes of a value in one pass', () => {
    assert.equal(characterClasses('Ab1 .'), bit('letter') | bit('digit') | bit('space') | bit('.'));
    assert.equal(characterClasses('é'), bit('nonascii'));
    assert.equal(characterClasses('\n'), bit('other'));
    for (const mark of '<>=$%{}[]|\\`*~^\'"();&#!?') assert.equal(characterClasses(mark), bit('other'), mark);
    assert.equal(characterClasses(''), bit('other'), 'an empty value reaches every detector');
  });

  it('refuses a declaration that names `other` or no class at all', () => {
    assert.throws(() => classBits('letter other'), /other/);
    assert.throws(() => classBits('letters'), /letters/);
  });

  it('runs a detector without a declaration on every value', () => {
    const own = (): undefined => undefined;
    assert.equal(triggersOf(own) & characterClasses('plain words'), characterClasses('plain words'));
    assert.equal(triggersOf(undefined), (1 << CHARACTER_CLASSES.length) - 1);
  });

  it('declares only built-in detectors, and only classes benign text is made of', () => {
    for (const [name, quiet] of Object.entries(QUIET_CLASSES)) {
      assert.ok(BUILTIN_DETECTORS[name] !== undefined, name);
      assert.equal(classBits(quiet) & bit('other'), 0, name);
    }
  });

  const { forms, locations } = testCorpus();
  /** A detector declared with one parameter never reads its context: one location judges it for all. */
  const locationsOf = (detector: (value: string, context: { location: string }) => unknown): readonly string[] =>
    detector.length < 2 ? ['query:q'] : locations;

  it('lets every test string a detector reports reach that detector', () => {
    assert.ok(forms.length > 3_000, `only ${forms.length} test strings found`);
    const missed: string[] = [];
    for (const [name, detector] of Object.entries(BUILTIN_DETECTORS)) {
      const triggers = triggersOf(detector);
      for (const form of forms) {
        if ((characterClasses(form) & triggers) !== 0) continue;
        for (const location of locationsOf(detector)) {
          if (detector(form, { location }) !== undefined) missed.push(`${name} @${location}: ${JSON.stringify(form.slice(0, 80))}`);
        }
      }
    }
    assert.deepEqual(missed, []);
  });

  it('changes no verdict of the shipped rules on any test string at any paranoia level', async () => {
    const rules = await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS);
    // a detector wrapped in another function has no declaration: the same rules without the prefilter
    const unfiltered: Record<string, Detector> = {};
    for (const [name, detector] of Object.entries(BUILTIN_DETECTORS)) unfiltered[name] = (value, context) => detector(value, context);
    for (const paranoia of [1, 4]) {
      const filtered = compileSignatures(rules, BUILTIN_DETECTORS, { paranoia });
      const plain = compileSignatures(rules, unfiltered, { paranoia });
      const verdict = (set: typeof plain, location: string, value: string): string =>
        set
          .inspect([{ location, value }])
          .matches.map((m) => `${m.ruleId} ${m.detail} ${m.snippet}`)
          .join('; ');
      const differ: string[] = [];
      for (const form of ['', ...forms]) {
        for (const location of ['query:q', 'json:$.a', 'json-key:$', 'header:user-agent', 'header:host', 'path:0', 'body']) {
          const expected = verdict(plain, location, form);
          if (verdict(filtered, location, form) !== expected) differ.push(`${location} ${JSON.stringify(form.slice(0, 80))}`);
        }
      }
      assert.deepEqual(differ, [], `paranoia ${paranoia}`);
    }
  });

  it('finds no test string, cut down to the classes a detector is quiet on, reported by it', () => {
    const reported: string[] = [];
    for (const [name, quiet] of Object.entries(QUIET_CLASSES)) {
      const detector = BUILTIN_DETECTORS[name];
      if (detector === undefined) continue;
      const bits = classBits(quiet);
      const seen = new Set<string>();
      const stands = standsOf(bits);
      for (const form of forms) {
        if ((characterClasses(form) & ~bits) === 0) continue; // already judged whole by the test before
        for (const stand of stands) {
          const cut = cutDown(form, bits, stand);
          if (cut === '' || seen.has(cut)) continue;
          seen.add(cut);
          for (const location of locationsOf(detector)) {
            if (detector(cut, { location }) !== undefined) reported.push(`${name} @${location}: ${JSON.stringify(cut.slice(0, 80))}`);
          }
        }
      }
    }
    assert.deepEqual(reported, []);
  });
});
