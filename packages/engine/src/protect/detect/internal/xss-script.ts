/**
 * JavaScript injected into a script context: a value that ends the string or expression it lands in and
 * calls a function that shows it ran (`';alert(1)//`, `"-prompt(1)-"`), reaches for the page's secrets
 * (`document.cookie`), navigates (`top.location=…`), or turns a string into code (`eval`, `Function`,
 * `setTimeout('…')`, `constructor.constructor`, `parent['ev'+'al']`).
 *
 * The judgement is by use, not by name: `alert` must be called, passed or assigned in code, and the code
 * must not read as prose (`confirm (yes/no)` or `please eval(uate)` is not a call in code position).
 * Finding the names is one linear regular-expression pass; judging each look is bounded.
 */

import type { DetectorHit } from '../../types.js';
import { isAsciiLetter, isHtmlSpace, isIdentifierChar } from './xss-names.js';

/**
 * Names worth a look: functions and properties injected code uses. The match is case-insensitive; one
 * alternation is faster here than splitting the text into words.
 */
const SINK_NAMES =
  /alert|prompt|confirm|eval|msgbox|execscript|settimeout|setinterval|function|constructor|fromcharcode|cookie|domain|location|innerhtml|outerhtml|write|import|fetch|atob|btoa/gi;

/** Functions whose only use in a value is to prove or run injected code. */
const CALL_SINKS = new Set(['alert', 'prompt', 'confirm', 'eval', 'msgbox', 'execscript']);

/** Objects through which the page's globals are reached (`top.alert`, `self['eval']`). */
const GLOBAL_OBJECTS = new Set(['window', 'self', 'top', 'parent', 'frames', 'globalthis', 'this', 'document', 'content', 'opener']);

/** The objects that are the page's global scope, or its document, whatever the code around them. */
const WINDOW_OBJECTS = new Set(['window', 'self', 'top', 'parent', 'frames', 'globalthis', 'document', 'opener']);

/** Whole-word names of the global objects, found in one pass (`findGlobalMember`). */
const WINDOW_WORDS = /\b(?:window|self|top|parent|frames|globalThis|document|opener)\b/gi;

/** Members whose use through an obfuscated access (`document /**\/ . cookie`) is the attack. */
const MEMBER_SINKS = new Set(['cookie', 'domain', 'location', 'write', 'writeln', 'alert', 'prompt', 'confirm', 'eval', 'open']);

/** DOM methods of `document` that build or find elements: calling them is script, not text. */
const DOM_METHOD = /^(?:get|query|create|append|insert|write|exec|replace|remove)[A-Za-z]*$/;

/** Words after which an expression starts even though a word comes before it. */
const EXPRESSION_KEYWORDS = new Set(['new', 'return', 'throw', 'void', 'typeof', 'await', 'yield', 'else', 'do', 'case', 'in', 'delete']);

/** `.prototype.name=` (not `==`) right after `constructor`. */
const PROTOTYPE_ASSIGNMENT = /^\.prototype\.[A-Za-z_$][\w$]{0,30}\s*=(?!=)/;

/** Most characters looked at around one name (comments, whitespace, a member chain). */
const LOOK = 64;

/**
 * The first use of a script sink in `text`, judged as code, or undefined. `detail` is `js-breakout` when a
 * quote closes a string before the code, else `js-call`.
 */
export function findScriptSink(text: string, strict: boolean): DetectorHit | undefined {
  const found =
    findSinkUse(text, strict) ?? findIndirectCall(text, strict) ?? findGlobalMember(text) ?? findTaggedCall(text) ?? findJsFuck(text);
  if (found !== undefined) return { detail: breaksOut(text, found.start) ? 'js-breakout' : 'js-call', start: found.start, end: found.end };
  if (strict) return findBreakoutCall(text);
  return undefined;
}

interface Span {
  start: number;
  end: number;
}

/** Each whole word of `text` that names a sink, judged in order; one linear pass. */
function findSinkUse(text: string, strict: boolean): Span | undefined {
  SINK_NAMES.lastIndex = 0;
  for (let match = SINK_NAMES.exec(text); match !== null; match = SINK_NAMES.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if ((start > 0 && isIdentifierChar(text.charCodeAt(start - 1))) || (end < text.length && isIdentifierChar(text.charCodeAt(end)))) {
      SINK_NAMES.lastIndex = start + 1;
      continue;
    }
    const span = judgeSink(text, match[0], start, end, strict);
    if (span !== undefined) return span;
  }
  return undefined;
}

/** What surrounds a name: the member chain before it and how it is used after. */
interface Use {
  /** Lower-case object before `.name` or `['name']`, '' when there is none. */
  object: string;
  /** Where the expression (the member chain) starts. */
  chainStart: number;
  /** The expression stands where code can start (value start, punctuation or a keyword before it). */
  codePosition: boolean;
  /** Called right away: `name(`, ``name` ``, `name?.(`, `name.call(`, `(name)(`; comments allowed, no whitespace. */
  calledTight: boolean;
  /** Called with whitespace allowed (`name (1)`). */
  called: boolean;
  /** Where the call's first argument starts, when called. */
  argument: number;
  /** Passed or assigned as a value: `=name;`, `f(name)`, `(name)(…)`. */
  asValue: boolean;
  /** Assigned to: `name=…` (not `==`). */
  assigned: boolean;
  /** Where the next significant character after the name is. */
  next: number;
}

function judgeSink(text: string, raw: string, start: number, end: number, strict: boolean): Span | undefined {
  const name = raw.toLowerCase();
  const use = describeUse(text, start, end);
  const span = { start: use.chainStart, end: Math.min(text.length, Math.max(end, use.next + 1)) };
  switch (name) {
    case 'alert':
    case 'prompt':
    case 'confirm':
    case 'eval':
    case 'msgbox':
    case 'execscript': {
      const reached = use.object === '' || GLOBAL_OBJECTS.has(use.object);
      if ((use.calledTight || use.asValue) && use.codePosition && reached) return span;
      return strict && (use.called || use.asValue) ? span : undefined;
    }
    case 'settimeout':
    case 'setinterval':
      if (use.calledTight && use.codePosition && startsCode(text, use.argument)) return span;
      // `setInterval(code, 1)` as the value itself: whatever the argument, a timer set from a request value
      if (use.calledTight && startsValue(text, use.chainStart) && hasArgument(text, use.argument)) return span;
      return strict && use.called ? span : undefined;
    case 'function':
      // the constructor, not the keyword
      if (raw !== 'Function') return undefined;
      if (use.called && startsString(text, use.argument)) return span;
      // `new Function(…)` as the value itself
      if (use.calledTight && isNewAtStart(text, use.chainStart)) return span;
      return strict && use.called ? span : undefined;
    case 'constructor':
      if (text.startsWith('.constructor', end) || (use.called && startsString(text, use.argument))) return span;
      // `toString().constructor.prototype.charAt=[].join`: rewriting a built-in, the AngularJS sandbox escape
      if (PROTOTYPE_ASSIGNMENT.test(text.slice(end, end + 48))) return span;
      return strict && use.called ? span : undefined;
    case 'fromcharcode':
      if (use.calledTight && (use.object === 'string' || use.object === 'constructor') && use.codePosition) return span;
      return strict && use.called ? span : undefined;
    case 'cookie':
    case 'domain':
      if (use.object === 'document' && (use.codePosition || strict)) return span;
      return undefined;
    case 'location':
      return judgeLocation(text, use, span, strict);
    case 'innerhtml':
    case 'outerhtml':
      if (use.object !== '' && use.assigned && (use.codePosition || strict)) return span;
      return undefined;
    case 'write':
      if (use.object === 'document' && use.called && use.codePosition) return span;
      return strict && use.called && use.codePosition ? span : undefined;
    case 'import':
      if (use.object === '' && use.calledTight && use.codePosition && startsString(text, use.argument)) return span;
      return strict && use.called && use.codePosition ? span : undefined;
    case 'fetch':
      return strict && use.called && use.codePosition ? span : undefined;
    case 'atob':
    case 'btoa':
      // base64 in and out of script, the wrapper of an encoded payload (`eval(atob('…'))`)
      if (use.calledTight && startsValue(text, use.chainStart) && (use.object === '' || GLOBAL_OBJECTS.has(use.object))) return span;
      return strict && use.calledTight && use.codePosition ? span : undefined;
    default:
      return undefined;
  }
}

function judgeLocation(text: string, use: Use, span: Span, strict: boolean): Span | undefined {
  // `window.location` as the whole value: the page's address read through a global, as a probe writes it
  if (WINDOW_OBJECTS.has(use.object) && use.chainStart === 0 && isExpressionEnd(text, use.next)) return span;
  const navigates = use.assigned || /^\.(?:href\s*=(?!=)|replace\(|assign\()/i.test(text.slice(use.next, use.next + 16));
  if (!navigates) return undefined;
  if (GLOBAL_OBJECTS.has(use.object) && use.codePosition) return span;
  if (use.object === '' && use.codePosition && use.assigned && startsCode(text, use.next + 1)) return span;
  return strict && use.codePosition ? span : undefined;
}

function describeUse(text: string, start: number, end: number): Use {
  // the member chain before the name: `window.alert`, `document['cookie']`, `a.b.innerHTML`
  let object = '';
  let chainStart = start;
  const bracketed = start >= 2 && isQuote(text.charCodeAt(start - 1)) && text.charCodeAt(start - 2) === 0x5b /* [ */;
  let dot = bracketed ? start - 2 : start - 1;
  if (dot >= 0 && text.charCodeAt(dot) === 0x3f /* ? */ && text.charCodeAt(dot + 1) === 0x2e) dot--;
  if (dot >= 0 && (bracketed || text.charCodeAt(dot) === 0x2e) /* . */) {
    let objectEnd = dot;
    if (objectEnd > 0 && text.charCodeAt(objectEnd - 1) === 0x3f) objectEnd--;
    let objectStart = objectEnd;
    while (objectStart > 0 && objectEnd - objectStart < LOOK && isIdentifierChar(text.charCodeAt(objectStart - 1))) objectStart--;
    object = text.slice(objectStart, objectEnd).toLowerCase();
    chainStart = objectStart;
    // walk further up the chain: `window.document.cookie`
    while (chainStart > 1 && start - chainStart < LOOK && text.charCodeAt(chainStart - 1) === 0x2e) {
      let s = chainStart - 1;
      while (s > 0 && isIdentifierChar(text.charCodeAt(s - 1))) s--;
      if (s === chainStart - 1) break;
      chainStart = s;
    }
  }
  let after = end;
  if (bracketed && isQuote(text.charCodeAt(after)) && text.charCodeAt(after + 1) === 0x5d /* ] */) after += 2;
  const before = previousSignificant(text, chainStart);
  const codePosition = before < 0 || !isIdentifierChar(text.charCodeAt(before)) || isKeywordBefore(text, before);

  const tight = skipComments(text, after, false);
  const loose = skipComments(text, after, true);
  let calledTight = isCallAt(text, tight);
  let called = calledTight || isCallAt(text, loose);
  const c = loose < text.length ? text.charCodeAt(loose) : -1;
  const b = before < 0 ? -1 : text.charCodeAt(before);
  // `(alert)(1)`: the name alone in parentheses, then a call
  if (b === 0x28 /* ( */ && c === 0x29 /* ) */) {
    const then = skipComments(text, loose + 1, true);
    if (isCallAt(text, then)) {
      calledTight = true;
      called = true;
    }
  }
  let argument = -1;
  if (called) {
    const paren = text.indexOf('(', after);
    const tick = text.indexOf('`', after);
    const open = paren < 0 ? tick : tick < 0 ? paren : Math.min(paren, tick);
    argument = open < 0 ? -1 : text.charCodeAt(open) === 0x60 ? open : skipComments(text, open + 1, true);
  }
  const ends = c < 0 || c === 0x3b || c === 0x2c || c === 0x29 || c === 0x7d || c === 0x5d; // end ; , ) } ]
  const assignedFrom = b === 0x3d && before > 0 && !isComparison(text.charCodeAt(before - 1)); // `x=name`
  const passedTo = b === 0x28 && before > 0 && isCallee(text.charCodeAt(before - 1)); // `f(name`
  const asValue = ends && (assignedFrom || passedTo || (b === 0x2c && c === 0x29 && isInsideCall(text, before)));
  const assigned = c === 0x3d && text.charCodeAt(loose + 1) !== 0x3d && text.charCodeAt(loose + 1) !== 0x3e;
  return { object, chainStart, codePosition, calledTight, called, argument, asValue, assigned, next: loose };
}

/** `(`, `` ` ``, `?.(`, `.call(`, `.apply(`, `.bind(` at `at`. */
function isCallAt(text: string, at: number): boolean {
  if (at >= text.length) return false;
  const c = text.charCodeAt(at);
  if (c === 0x28 || c === 0x60) return true;
  if (c === 0x3f) return text.startsWith('?.(', at);
  if (c === 0x2e) return /^\.(?:call|apply|bind)\s*\(/.test(text.slice(at, at + 12));
  return false;
}

/** Skips `/* … *\/` comments (and whitespace when `spaces`), at most `LOOK` characters. */
function skipComments(text: string, from: number, spaces: boolean): number {
  let i = from;
  const limit = Math.min(text.length, from + LOOK);
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (spaces && (isHtmlSpace(c) || c === 0xa0 || c === 0xfeff)) i++;
    else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close > limit) return i;
      i = close + 2;
    } else break;
  }
  return i;
}

/** The index of the last non-whitespace character before `at` (looking back at most `LOOK`), or -1. */
function previousSignificant(text: string, at: number): number {
  const floor = Math.max(0, at - LOOK);
  for (let i = at - 1; i >= floor; i--) {
    const c = text.charCodeAt(i);
    if (!isHtmlSpace(c) && c !== 0xa0 && c !== 0xfeff) return i;
  }
  return -1;
}

function isKeywordBefore(text: string, last: number): boolean {
  let s = last;
  while (s > 0 && last - s < 12 && isIdentifierChar(text.charCodeAt(s - 1))) s--;
  return EXPRESSION_KEYWORDS.has(text.slice(s, last + 1));
}

/** A string literal (or a template) starts at `at`. */
function startsString(text: string, at: number): boolean {
  return at >= 0 && at < text.length && (isQuote(text.charCodeAt(at)) || text.charCodeAt(at) === 0x60);
}

/** Code that runs when evaluated starts at `at`: a string, or a name of a call sink. */
function startsCode(text: string, at: number): boolean {
  if (startsString(text, at)) return true;
  if (at < 0) return false;
  const i = skipComments(text, at, true);
  if (text.startsWith('//', i)) return true;
  let j = i;
  while (j < text.length && j - i < 16 && isIdentifierChar(text.charCodeAt(j))) j++;
  const word = text.slice(i, j).toLowerCase();
  return CALL_SINKS.has(word) || word === 'javascript' || word === 'name';
}

function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x27;
}

function isComparison(c: number): boolean {
  return c === 0x3d || c === 0x21 || c === 0x3c || c === 0x3e; // = ! < >
}

/** The character before `(` makes it a call: a name, `)` or `]`. */
function isCallee(c: number): boolean {
  return isIdentifierChar(c) || c === 0x29 || c === 0x5d;
}

/** The comma at `comma` separates arguments of a call (a `(` with a callee before it, no `)` between). */
function isInsideCall(text: string, comma: number): boolean {
  const floor = Math.max(0, comma - LOOK);
  for (let i = comma - 1; i > floor; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x29) return false;
    if (c === 0x28) return isCallee(text.charCodeAt(i - 1));
  }
  return false;
}

/** Most `[` kept open at once while matching brackets; deeper nesting is not followed. */
const MAX_BRACKET_DEPTH = 256;

/**
 * `window[…](`, `top['al'+'ert'](`, `x['constructor'](`, `this[(+{}+[])[+!![]]+…](…)`: a global called
 * through a computed name, or a sink name spelled as a string key. Brackets are matched in one forward
 * pass with a bounded stack, so nested (JSFuck-style) keys cost no more than flat ones.
 */
function findIndirectCall(text: string, strict: boolean): Span | undefined {
  if (!hasBracketCall(text, strict)) return undefined;
  const open: number[] = [];
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x5b /* [ */) {
      if (open.length < MAX_BRACKET_DEPTH) open.push(at);
      continue;
    }
    if (c !== 0x5d /* ] */) continue;
    const start = open.pop();
    if (start === undefined) continue;
    const after = skipComments(text, at + 1, strict);
    const called = isCallAt(text, after);
    if (!called && text.charCodeAt(after) !== 0x5b) continue;
    if (at - start <= 4 * LOOK) {
      const key = text
        .slice(start + 1, at)
        .replace(/['"`+\s]/g, '')
        .toLowerCase();
      if (CALL_SINKS.has(key) || key === 'constructor') return { start, end: after + 1 };
    }
    if (!called) continue;
    const before = previousSignificant(text, start);
    if (before < 0) continue;
    let s = before + 1;
    while (s > 0 && before + 1 - s < 16 && isIdentifierChar(text.charCodeAt(s - 1))) s--;
    if (GLOBAL_OBJECTS.has(text.slice(s, before + 1).toLowerCase())) return { start: s, end: after + 1 };
  }
  return undefined;
}

/** Some `]` is followed by a call or another `[` (the cheap test before matching brackets). */
function hasBracketCall(text: string, strict: boolean): boolean {
  for (let at = text.indexOf(']'); at >= 0; at = text.indexOf(']', at + 1)) {
    const after = skipComments(text, at + 1, strict);
    if (isCallAt(text, after) || text.charCodeAt(after) === 0x5b) return true;
  }
  return false;
}

/** A quote before `at` is closed and followed by an operator: the value leaves a string to write code. */
function breaksOut(text: string, at: number): boolean {
  for (let q = 0; q < at; q++) {
    const c = text.charCodeAt(q);
    if (c !== 0x22 && c !== 0x27 && c !== 0x60) continue;
    const next = skipComments(text, q + 1, true);
    return next < text.length && isOperator(text.charCodeAt(next));
  }
  return false;
}

function isOperator(c: number): boolean {
  // ; + - * / % , | & ^ ? : ) ] } < > = !
  return (
    c === 0x3b ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2a ||
    c === 0x2f ||
    c === 0x25 ||
    c === 0x2c ||
    c === 0x7c ||
    c === 0x26 ||
    c === 0x5e ||
    c === 0x3f ||
    c === 0x3a ||
    c === 0x29 ||
    c === 0x5d ||
    c === 0x7d ||
    c === 0x3c ||
    c === 0x3e ||
    c === 0x3d ||
    c === 0x21
  );
}

/**
 * Strict only: the first quote closes a string, then one of `;` `+` `-` `*` `}` and right after it a call
 * of any function: `';foo(1)//`, `'-top.x(1)-'`. SQL's `' and sleep(5)` or `'||pg_sleep(5)` is not this.
 */
function findBreakoutCall(text: string): DetectorHit | undefined {
  let q = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27 || c === 0x60) {
      q = i;
      break;
    }
  }
  if (q < 0) return undefined;
  const op = skipComments(text, q + 1, true);
  const c = op < text.length ? text.charCodeAt(op) : -1;
  if (c !== 0x3b && c !== 0x2b && c !== 0x2d && c !== 0x2a && c !== 0x7d) return undefined;
  const callee = skipComments(text, op + 1, true);
  if (callee >= text.length || !isAsciiLetter(text.charCodeAt(callee))) return undefined;
  let j = callee;
  // a member chain: `top.x`, `a.b.c`
  while (j < text.length && j - callee < LOOK && (isIdentifierChar(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2e)) j++;
  if (j >= text.length || (text.charCodeAt(j) !== 0x28 && text.charCodeAt(j) !== 0x60)) return undefined;
  if (EXPRESSION_KEYWORDS.has(text.slice(callee, j))) return undefined;
  return { detail: 'js-breakout', start: q, end: j + 1 };
}

/** Nothing but whitespace stands before `at`: the value starts with what is there. */
function startsValue(text: string, at: number): boolean {
  return previousSignificant(text, at) < 0 && at < LOOK;
}

/** The value ends at `at` (trailing `;` and whitespace aside). */
function isExpressionEnd(text: string, at: number): boolean {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x3b && !isHtmlSpace(c)) return false;
  }
  return true;
}

/** A call's argument list at `argument` holds something (not `()` or the end of the value). */
function hasArgument(text: string, argument: number): boolean {
  return argument >= 0 && argument < text.length && text.charCodeAt(argument) !== 0x29;
}

/** The value starts with `new` and then, whitespace aside, the expression at `at`. */
function isNewAtStart(text: string, at: number): boolean {
  const last = previousSignificant(text, at);
  return last >= 2 && text.slice(last - 2, last + 1) === 'new' && startsValue(text, last - 2);
}

/**
 * A global object used the way only injected code uses it (each whole-word name judged once, bounded):
 * - indexed by a sink's name or a string built in pieces, `self /*x*\/ ["alert"]`, `top['al'+'ert']`,
 *   `(document)['cookie']`, or by any string when that is the whole value (`self["$"]`);
 * - a sink member reached through comments, whitespace or parentheses that hide it, `document /*x*\/ . cookie`;
 * - a value that starts by calling a DOM method of `document`: `document.createElement(`, `document.body.appendChild(`.
 */
function findGlobalMember(text: string): Span | undefined {
  WINDOW_WORDS.lastIndex = 0;
  for (let match = WINDOW_WORDS.exec(text); match !== null; match = WINDOW_WORDS.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    let at = skipComments(text, end, true);
    let hidden = at !== end;
    // `(document)` or `(document/**/)`
    if (text.charCodeAt(at) === 0x29 && text.charCodeAt(previousSignificant(text, start)) === 0x28) {
      at = skipComments(text, at + 1, true);
      hidden = true;
    }
    const c = text.charCodeAt(at);
    if (c === 0x5b /* [ */) {
      const key = skipComments(text, at + 1, true);
      if (!startsString(text, key)) continue;
      const kind = keyKind(text, key);
      // `window["webpackJsonp"]` in a bundle sent as data is not an injection; a sink, a key spelled in
      // pieces, or a value that is nothing but the access is
      if (kind === 'sink' || kind === 'joined' || (kind === 'plain' && previousSignificant(text, start) < 0))
        return { start, end: key + 1 };
      continue;
    }
    if (c !== 0x2e /* . */) continue;
    const member = skipComments(text, at + 1, true);
    if (member !== at + 1) hidden = true;
    let memberEnd = member;
    while (memberEnd < text.length && memberEnd - member < LOOK && isIdentifierChar(text.charCodeAt(memberEnd))) memberEnd++;
    const name = text.slice(member, memberEnd);
    if (hidden && MEMBER_SINKS.has(name.toLowerCase())) return { start, end: memberEnd };
    // a value that is a DOM script (not a page's source sent as data, where such calls sit deep inside)
    if (match[0].toLowerCase() === 'document' && !hidden && previousSignificant(text, start) < 0 && isDomCall(text, member))
      return { start, end: memberEnd };
  }
  return undefined;
}

/**
 * What the string key at `key` is: `sink` (`['cookie']`, a name `MEMBER_SINKS` lists), `joined` (strings
 * added before the bracket closes, `['al'+'ert']`), `plain` (one other string, then `]`) or `none`.
 */
function keyKind(text: string, key: number): 'sink' | 'joined' | 'plain' | 'none' {
  const quote = text[key] as string;
  const close = text.indexOf(quote, key + 1);
  if (close < 0 || close - key > 4 * LOOK) return 'none';
  const after = skipComments(text, close + 1, true);
  const c = text.charCodeAt(after);
  if (c === 0x2b) return 'joined';
  if (c !== 0x5d) return 'none';
  const name = text.slice(key + 1, close).toLowerCase();
  return MEMBER_SINKS.has(name) || CALL_SINKS.has(name) ? 'sink' : 'plain';
}

/** `createElement(`, `body.appendChild(`: a member chain of up to three names from `at`, ending in a DOM method called. */
function isDomCall(text: string, at: number): boolean {
  let i = at;
  for (let level = 0; level < 3; level++) {
    const nameStart = i;
    while (i < text.length && i - nameStart < 32 && isIdentifierChar(text.charCodeAt(i))) i++;
    if (i === nameStart) return false;
    const c = text.charCodeAt(i);
    if (c === 0x28 /* ( */) return DOM_METHOD.test(text.slice(nameStart, i));
    if (c !== 0x2e) return false;
    i++;
  }
  return false;
}

/**
 * A function called without parentheses through a tagged template of `call` or `apply`:
 * ``[].sort.call`${alert}1` ``, ``Reflect.apply.call`…` ``. Whitespace and comments between are allowed.
 */
function findTaggedCall(text: string): Span | undefined {
  for (let tick = text.indexOf('`'); tick >= 0; tick = text.indexOf('`', tick + 1)) {
    const last = previousSignificant(text, tick);
    if (last < 0 || !isAsciiLetter(text.charCodeAt(last))) continue;
    let s = last;
    while (s > 0 && last - s < 8 && isIdentifierChar(text.charCodeAt(s - 1))) s--;
    const word = text.slice(s, last + 1);
    if (word !== 'call' && word !== 'apply') continue;
    let dot = previousSignificant(text, s);
    // `. /**/ call`
    while (dot > 0 && text.charCodeAt(dot) === 0x2f && text.charCodeAt(dot - 1) === 0x2a) {
      const open = text.lastIndexOf('/*', dot - 2);
      if (open < 0 || dot - open > LOOK) break;
      dot = previousSignificant(text, open);
    }
    if (dot >= 0 && text.charCodeAt(dot) === 0x2e) return { start: s, end: tick + 1 };
  }
  return undefined;
}

/** Shortest run of JSFuck characters judged: `!![]` (true). */
const MIN_JSFUCK = 4;

/**
 * JSFuck / hieroglyphy: code written with only `[]()!+` (`(![]+[])[+!+[]]` is `"a"`). A run of those
 * characters that coerces an array: `+[]`, `!![]`, `[]+`, `![]+`. Spaces in the run are read as the `+` a
 * form decoder made them into. Markdown's images, `![](a) ![](b)`, coerce nothing.
 */
function findJsFuck(text: string): Span | undefined {
  if (!text.includes('[]')) return undefined;
  let runStart = -1;
  let plain = '';
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const inAlphabet = c === 0x5b || c === 0x5d || c === 0x28 || c === 0x29 || c === 0x21 || c === 0x2b;
    if (inAlphabet || c === 0x20) {
      if (runStart < 0) runStart = i;
      if (plain.length < 4 * LOOK) plain += inAlphabet ? text[i] : '+';
      continue;
    }
    if (runStart >= 0 && isJsFuck(trimPluses(plain, text, runStart))) return { start: runStart, end: i };
    runStart = -1;
    plain = '';
  }
  return undefined;
}

/** The run without the spaces at its ends, which separate it from words rather than add. */
function trimPluses(plain: string, text: string, start: number): { run: string; spaced: boolean } {
  let from = 0;
  while (from < plain.length && text.charCodeAt(start + from) === 0x20) from++;
  let to = plain.length;
  while (to > from && text.charCodeAt(start + to - 1) === 0x20) to--;
  return { run: plain.slice(from, to), spaced: text.slice(start + from, start + to).includes(' ') };
}

function isJsFuck({ run, spaced }: { run: string; spaced: boolean }): boolean {
  if (run.length < MIN_JSFUCK || !run.includes('[]')) return false;
  // spaces read as `+` need more evidence: `[] ()` in prose is not code
  if (spaced && (!run.includes('!') || run.indexOf('[]') === run.lastIndexOf('[]'))) return false;
  return run.includes('+[]') || run.includes('!![]') || run.includes('[]+') || run.includes('!+[');
}

/**
 * Whether the body of a `javascript:` URL does something: calls a function (`void(0)` aside), assigns,
 * or uses a sink. Comments are skipped, so `//%0aalert(1)` counts and `//` alone does not. Bounded.
 */
export function hasScriptCode(text: string, from: number): boolean {
  const to = Math.min(text.length, from + 512);
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const eol = text.slice(i, to).search(/[\n\r\u2028\u2029]/);
      if (eol < 0) return false;
      i += eol;
      continue;
    }
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return false;
      i = close + 1;
      continue;
    }
    if (c === 0x29 && text.charCodeAt(i + 1) === 0x28) return true;
    if (!isIdentifierChar(c) || (i > from && isIdentifierChar(text.charCodeAt(i - 1)))) continue;
    let j = i;
    while (j < to && isIdentifierChar(text.charCodeAt(j))) j++;
    const word = text.slice(i, j).toLowerCase();
    const next = j < text.length ? text.charCodeAt(j) : -1;
    if ((next === 0x28 || next === 0x60) && word !== 'void' && !/^\d/.test(word)) return true;
    if (next === 0x3d && text.charCodeAt(j + 1) !== 0x3d) return true;
    if (CALL_SINKS.has(word)) return true;
    i = j - 1;
  }
  return findSinkUse(text.slice(from, to), false) !== undefined;
}

/** Whether a `javascript:` body does nothing: empty, `;`, `void(0)`, `void 0`, a lone comment. */
export function isInertScriptBody(text: string, from: number): boolean {
  const body = text
    .slice(from, from + 64)
    .replace(/[\s;]+/g, '')
    .toLowerCase();
  return (
    body === '' || body === 'void(0)' || body === 'void0' || body === 'false' || body === 'undefined' || body === 'null' || body === '0'
  );
}
