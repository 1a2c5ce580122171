/**
 * The detectors' prefilter: a value made only of characters a detector is quiet on cannot be an attack of its
 * class, so the detector is not called for it. Most values of an API's traffic are names, numbers, dates and
 * sentences; most detectors need at least one character those lack (`<` for markup, `$` for an operator,
 * `{` for a template), so one pass over a value's characters spares most detector calls.
 *
 * A value's characters are read into a set of classes (`characterClasses`): ASCII letters, digits, the space,
 * the marks of names, addresses, numbers and dates (`. , - _ @ : / +`), other non-ASCII characters, and one
 * class for everything else: controls, quotes and the marks code is written with (`' " ( ) ; & # ! ? < > = $ { }
 * [ ] | \ ` * % ~ ^`), which every detector runs on. Each built-in detector declares the classes it is quiet on
 * (`QUIET_CLASSES`). The declarations were derived by running each detector over the strings of the engine's
 * and the sensor's tests and over public WAF test payloads, each cut down to the candidate classes (the other
 * characters dropped, or replaced by a space or by each quiet mark in turn), and keeping only the classes on
 * which no cut-down string was reported; `prefilter.test.ts` checks them again on every run: every test string a
 * detector reports passes its prefilter, no cut-down test string is reported by a detector quiet on it, and the
 * shipped rules give the same verdicts with the prefilter as without. A detector that is not declared (a user's,
 * a new one) always runs; a detector changed so that it fires on a cut-down test string fails that test.
 */
import { BUILTIN_DETECTORS } from './detect/index.js';
import type { Detector } from './types.js';

/** The classes of characters, in bit order; `other` stands for every character not named here. */
export const CHARACTER_CLASSES = ['letter', 'digit', 'space', '.', ',', '-', '_', '@', ':', '/', '+', 'nonascii', 'other'] as const;

export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

const bitOf = (name: CharacterClass): number => 1 << CHARACTER_CLASSES.indexOf(name);
const NONASCII = bitOf('nonascii');
/** Every class: what a detector without a declaration runs on. */
export const ALL_CLASSES = (1 << CHARACTER_CLASSES.length) - 1;

/** The class bit of each ASCII code. */
const ASCII_BITS = (() => {
  const bits = new Int32Array(128).fill(bitOf('other'));
  for (let c = 0x41; c <= 0x5a; c++) bits[c] = bitOf('letter');
  for (let c = 0x61; c <= 0x7a; c++) bits[c] = bitOf('letter');
  for (let c = 0x30; c <= 0x39; c++) bits[c] = bitOf('digit');
  bits[0x20] = bitOf('space');
  for (const name of CHARACTER_CLASSES) if (name.length === 1) bits[name.charCodeAt(0)] = bitOf(name);
  return bits;
})();

const OTHER = bitOf('other');

/**
 * The classes of the characters of `text`, as bits (`CHARACTER_CLASSES` order). One pass, no allocation. An
 * empty text counts as `other`: rules on empty values (a blank `Host`) run whatever they declare.
 */
export function characterClasses(text: string): number {
  if (text.length === 0) return OTHER;
  let classes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    classes |= c < 128 ? (ASCII_BITS[c] as number) : NONASCII;
  }
  return classes;
}

/** The bits of the classes named in `names` (space-separated). */
export function classBits(names: string): number {
  let bits = 0;
  for (const name of names.split(' ')) {
    if (name === '') continue;
    if (!(CHARACTER_CLASSES as readonly string[]).includes(name) || name === 'other')
      throw new Error(`not a quiet character class: ${name}`);
    bits |= bitOf(name as CharacterClass);
  }
  return bits;
}

/**
 * The classes each built-in detector is quiet on: a value whose characters all fall in them is never reported
 * by it. Detectors that read words (SQL keywords, command names, file names, scanner names) are not quiet on
 * letters and so run on almost every value; `xxe` (a blank schema location is reported) is not declared.
 */
export const QUIET_CLASSES: Readonly<Record<string, string>> = {
  sqli: 'digit space . , - _ @ : / + nonascii',
  'sqli-strict': 'digit space . , - _ @ : / + nonascii',
  xss: 'letter digit space . , - _ @ /',
  'xss-expression': 'letter digit space , - _ @ : / + nonascii',
  'xss-strict': 'letter digit space . , - _ @ /',
  'command-injection': 'digit space . , - _ @ : / + nonascii',
  'command-line': 'digit space . , - _ @ : / + nonascii',
  'shell-expansion': 'letter digit space . , - _ @ : / + nonascii',
  'windows-cmd-control': 'digit space . , - _ @ : / + nonascii',
  'windows-command': 'letter digit space , _ @ : + nonascii',
  'powershell-command': 'letter digit space . , _ @ : / + nonascii',
  'path-traversal': 'letter space , - _ @ : / + nonascii',
  'path-traversal-any': 'letter space , - _ @ : / + nonascii',
  'sensitive-file': 'digit space . , - _ @ : / + nonascii',
  'sensitive-file-any': 'digit space . , - _ @ : / + nonascii',
  'restricted-path': 'letter digit space , - @ : + nonascii',
  ssrf: 'letter digit space . , - _ @ : + nonascii',
  'ssrf-private': 'letter digit space . , - _ @ + nonascii',
  rfi: 'letter digit space . , - _ @ : + nonascii',
  'php-code': 'letter digit space . , - _ @ : + nonascii',
  'java-code': 'letter digit space , - _ @ : / + nonascii',
  'script-code': 'letter digit space , - _ @ : / + nonascii',
  'jndi-lookup': 'letter digit space . , - _ @ : / + nonascii',
  shellshock: 'letter digit space . , - _ @ : / + nonascii',
  ssti: 'letter digit space , - _ @ : / + nonascii',
  'ssti-statement': 'letter digit space . , - _ @ : / + nonascii',
  'nosqli-operator': 'letter digit space . , - _ @ : / + nonascii',
  nosqli: 'letter digit space . , - _ @ : / + nonascii',
  ldapi: 'letter digit space . , - _ @ : / + nonascii',
  crlf: 'letter digit space . , - _ @ : / +',
  'crlf-text': 'letter digit space . , - _ @ : / + nonascii',
  'crlf-any-header': 'letter digit space . , - _ @ : / + nonascii',
  'crlf-in-name': 'letter digit space . , - _ @ : / + nonascii',
  'prototype-pollution': 'digit space , - @ : / + nonascii',
  'prototype-pollution-text': 'digit space , - @ : / + nonascii',
  ssi: 'letter digit space . , - _ @ : / + nonascii',
  'mail-command': 'letter digit space . , - _ @ : / + nonascii',
  'mail-header': 'letter digit space . , - _ @ : / + nonascii',
  'session-fixation': 'letter digit space . , _ @ : / + nonascii',
  'session-id-name': 'digit space . , - _ @ : / + nonascii',
  'generic-session-id-name': 'digit space . , - _ @ : / + nonascii',
  'scanner-user-agent': 'digit space . , - _ @ : / + nonascii',
  'survey-user-agent': 'digit space . , - _ @ : / + nonascii',
  'oast-domain': 'letter digit space , - _ @ : / + nonascii',
  'log4j-lookup-evasion': 'letter digit space . , - _ @ : / + nonascii',
  'php-open-tag': 'letter digit space . , - _ @ : / + nonascii',
  'php-function-call': 'letter digit space . , - _ @ : / + nonascii',
  'php-helper-call': 'letter digit space . , - _ @ : / + nonascii',
  'php-variable-call': 'letter digit space . , - _ @ : / + nonascii',
  'php-dynamic-call': 'letter digit space . , - _ @ : / + nonascii',
  'php-ini-directive': 'letter digit space . , - _ @ : / + nonascii',
  'node-code': 'letter digit space , - @ : / + nonascii',
  'js-infinite-loop': 'letter digit space . , - _ @ : / + nonascii',
  'node-code-broad': 'letter digit space . , - _ @ : / + nonascii',
};

/** The classes that make each built-in detector run (all but its quiet ones), by detector. */
const TRIGGERS = new Map<Detector, number>();
for (const [name, quiet] of Object.entries(QUIET_CLASSES)) {
  const detector = BUILTIN_DETECTORS[name];
  if (detector === undefined) throw new Error(`prefilter declared for an unknown detector: ${name}`);
  TRIGGERS.set(detector, ALL_CLASSES & ~classBits(quiet));
}

/**
 * The character classes a value must have one of for `detector` to be called on it: all classes for a
 * detector without a declaration (a user's, or one registered under another name's function).
 */
export function triggersOf(detector: Detector | undefined): number {
  return detector === undefined ? ALL_CLASSES : (TRIGGERS.get(detector) ?? ALL_CLASSES);
}
