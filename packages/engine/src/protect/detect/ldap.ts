/**
 * LDAP injection: text that changes the filter an application builds from a value (`(uid=<value>)`).
 *
 * - Breakouts: a `)` the value never opened (it closes the application's item), then a new item or a boolean
 *   group (`*)(uid=*))(|(uid=*`, `admin)(|`, `x)!(sn=*`, `val)&(cn=admin`).
 * - Filters that only probes write: the `(objectClass=*)` presence test that matches every entry, the
 *   absolute `(&)` and `(|)`, items that compare numbers (`(1=0)`), and items on password attributes
 *   (`(userPassword=a*)`, how blind injection reads a password one character at a time).
 * - A value that is a bare extensible match (`userPassword:2.5.13.18:=123`): it names an attribute and a
 *   matching rule where a plain value belongs.
 *
 * Not attacks: a complete, balanced filter of ordinary items (directory search forms post those, such as
 * `(&(objectCategory=group)(groupType:1.2.840.113556.1.4.803:=2))`), and parentheses in prose and code
 * (`1) a-b=c`, `(see above)`, `f(x) (y = 2)`): what follows a parenthesis must be a filter item.
 */
import type { Detector, DetectorHit } from '../types.js';

/** Longest stretch after an unmatched `)` that is read for the filter it opens. */
const LOOKAHEAD = 160;
/** Most `)(` places looked at in one value. */
const MAX_CANDIDATES = 64;

/** An attribute description: a name with options (`cn;lang-en`) or an object identifier (`2.5.4.3`). */
const ATTRIBUTE = String.raw`(?:[A-Za-z][\w-]{0,60}(?:;[\w-]{1,30}){0,3}|\d{1,9}(?:\.\d{1,9}){1,20})`;
/** An item's start: the attribute, an optional extensible part, and a filter operator. */
const ITEM = String.raw`\s*${ATTRIBUTE}(?::dn)?(?::[\w.-]{1,60})?\s*[~<>:]?=`;

/** What follows an unmatched `)` when it opens a filter: an optional operator, `(`, then an operator or an item. */
const OPENS_FILTER = new RegExp(String.raw`^[\s*]*(?:[&|!]\s*)?\(\s*(?:[&|!]|${ITEM})`);
/** Where a breakout can be: a `)`, then an optional operator, then `(`. */
const CLOSE_THEN_OPEN = /\)[\s*]*(?:[&|!]\s*)?\(/g;
/** Items and filters that only probes write, each in its own group for the detail. */
const PROBE =
  /\((?:\s*(objectclass\s*=\s*\*\s*\))|\s*([&|]\s*\))|\s*[&|!]\s*(\(\s*\d{1,9}\s*=\s*\d{1,9}\s*\))|\s*((?:userPassword|unicodePwd|sambaNTPassword|sambaLMPassword|authPassword)\s*(?::[\w.:-]{1,60})?[~<>:]?=))|\)\s*(\(\s*\d{1,9}\s*=\s*\d{1,9}\s*\))/i;
const PROBE_DETAILS = ['presence-probe', 'absolute-filter', 'constant-item', 'password-item', 'constant-item'];
const BARE_EXTENSIBLE = new RegExp(String.raw`^\s*\*?\s*${ATTRIBUTE}(?::dn)?:(?:\d{1,9}(?:\.\d{1,9}){2,20}|[A-Za-z][\w-]{0,60}):=`);

/** Judges one value for LDAP filter syntax; see the module comment. */
export const detectLdapInjection: Detector = (value) => {
  const close = value.indexOf(')');
  if (close < 0) return value.indexOf(':=') < 0 ? undefined : hit('extensible-match', BARE_EXTENSIBLE.exec(value));
  return breakout(value) ?? probe(value) ?? hit('extensible-match', BARE_EXTENSIBLE.exec(value));
};

/** An unmatched `)` followed by a filter. */
function breakout(value: string): DetectorHit | undefined {
  CLOSE_THEN_OPEN.lastIndex = 0;
  let depth = 0;
  let counted = 0;
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const candidate = CLOSE_THEN_OPEN.exec(value);
    if (candidate === null) return undefined;
    const at = candidate.index;
    // the depth of nesting just before this `)`, counted once over the value however many candidates it has
    for (; counted < at; counted++) {
      const c = value.charCodeAt(counted);
      if (c === 0x28) depth++;
      else if (c === 0x29 && depth > 0) depth--;
    }
    if (depth > 0) continue;
    const found = OPENS_FILTER.exec(value.slice(at + 1, at + 1 + LOOKAHEAD));
    if (found !== null) return { detail: 'filter-breakout', start: at, end: at + 1 + found[0].length };
  }
  return undefined;
}

function probe(value: string): DetectorHit | undefined {
  const found = PROBE.exec(value);
  if (found === null) return undefined;
  const group = found.findIndex((text, i) => i > 0 && text !== undefined);
  return { detail: PROBE_DETAILS[group - 1] ?? 'probe', start: found.index, end: found.index + found[0].length };
}

function hit(detail: string, found: RegExpExecArray | null): DetectorHit | undefined {
  return found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
}

/** The LDAP-injection detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = { ldapi: detectLdapInjection };
