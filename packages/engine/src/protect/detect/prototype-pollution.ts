/**
 * Prototype pollution: names that make a JavaScript merge, `set(obj, path, value)` or query-string parser
 * write onto `Object.prototype` instead of the object at hand.
 *
 * - `prototype-pollution`: `__proto__` as a JSON object key, a piece of a bracketed or dotted parameter name
 *   (`a[__proto__][isAdmin]`, `__proto__.x`), a whole path segment, a piece of a value that is itself a
 *   property path (`user.__proto__.isAdmin`) or a key in JSON text inside a value (`{"__proto__": …}`); and
 *   `constructor` followed by `prototype` in the same places (`constructor[prototype]`,
 *   `{"constructor": {"prototype": …}}`).
 * - `prototype-pollution-text`: the same pieces anywhere in a value, prose and code included, for higher
 *   paranoia (JavaScript posted to a code editor mentions `__proto__` honestly).
 *
 * The words alone are not attacks: `prototype`, `constructor`, `proto` and `_proto_` are ordinary.
 */
import type { Detector, DetectorHit } from '../types.js';

const PROTO = '__proto__';
/** A separator around a piece of a property path: dots, brackets, quotes. */
const PIECE_EDGE = String.raw`[.\[\]"'\x60]`;
/** `__proto__` as a piece of a path, or `constructor` then `prototype` as consecutive pieces. */
const PATH_PIECE = new RegExp(
  String.raw`(?:^|${PIECE_EDGE})\s*(?:__proto__|constructor["'\x60]?\s*(?:\.|\]?\s*\[\s*["'\x60]?)\s*prototype)\s*(?=$|${PIECE_EDGE}|=)`,
);
/** A value that is a property path or a query string: no whitespace outside brackets and quotes. */
const PATH_LIKE = /^[^\s]{1,512}$/;
/** A `__proto__` or `prototype`-under-`constructor` key written in JSON or JavaScript object text. */
const OBJECT_KEY = /["'\x60]__proto__["'\x60]\s*:|["'\x60]constructor["'\x60]\s*:\s*\{\s*["'\x60]prototype["'\x60]\s*:/;
/** `…constructor` at the end of a JSON key location: its `prototype` key reaches `Object.prototype`. */
const CONSTRUCTOR_PARENT = /(?:\.constructor|\[["']constructor["']\])$/;

/** Judges keys, names, path segments and path-like values; see the module comment. */
export const detectPrototypePollution: Detector = (value, { location }) => {
  if (location.startsWith('json-key:')) {
    if (value === PROTO) return whole('proto-key', value);
    if (value === 'prototype' && CONSTRUCTOR_PARENT.test(location)) return whole('constructor-prototype-key', value);
    return undefined;
  }
  // `proto` is in both `__proto__` and `prototype`: one scan rules out nearly every value
  if (value.indexOf('proto') < 0) return undefined;
  if (value === PROTO) return whole('proto-piece', value);
  // a parameter name is a property path even with spaces in it (`constructor.prototype. x`)
  if (PATH_LIKE.test(value) || location.startsWith('query-name:') || location.startsWith('form-name:')) {
    const found = hit('proto-path', PATH_PIECE.exec(value));
    if (found !== undefined) return found;
  }
  return hit('proto-object-key', OBJECT_KEY.exec(value));
};

/** `__proto__` anywhere, or `constructor` then `prototype` as consecutive pieces anywhere. */
export const detectPrototypePollutionText: Detector = (value, context) => {
  const found = detectPrototypePollution(value, context);
  if (found !== undefined) return found;
  const at = value.indexOf(PROTO);
  if (at >= 0) return { detail: 'proto-text', start: at, end: at + PROTO.length };
  return value.indexOf('prototype') < 0 ? undefined : hit('proto-text', PATH_PIECE.exec(value));
};

function whole(detail: string, value: string): DetectorHit {
  return { detail, start: 0, end: value.length };
}

function hit(detail: string, found: RegExpExecArray | null): DetectorHit | undefined {
  return found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
}

/** The prototype-pollution detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'prototype-pollution': detectPrototypePollution,
  'prototype-pollution-text': detectPrototypePollutionText,
};
