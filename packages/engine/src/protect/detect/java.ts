/**
 * Java runtime attacks that the pattern rules of `rules/signatures/java.yaml` cannot express:
 *
 * - `log4j-lookup-evasion`: a Log4j lookup hidden from the plain `${jndi:` check. HTML character
 *   references for `$`, `{` and `}` that the shared decoder leaves alone (`&lbrace;`, `&dollar`, numeric
 *   references padded with zeros, `&#00000123;`) are read as the characters, and a Log4j lookup with a
 *   default that holds another lookup (`${env:x:-${env:y:-$}{jndi:…}}`) is reported: that nesting only
 *   exists to assemble a lookup name out of pieces.
 *
 * Shell and Spring placeholders (`${HOME:-/root}`, `${db.url:${DB_URL}}`), a `$` price and an `&amp;` are
 * none of these.
 */
import type { Detector, DetectorHit } from '../types.js';

const MAX_LENGTH = 64 * 1024;

/** Character references for `$`, `{` and `}`, with or without `;`, numeric ones with any zero padding. */
const BRACE_REFERENCE = /&(?:#0*(?:36|123|125)|#x0*(?:24|7b|7d)|dollar|lbrace|lcub|rbrace|rcub);?/gi;
const REFERENCE_CHARACTER: Readonly<Record<string, string>> = {
  '36': '$',
  '123': '{',
  '125': '}',
  '24': '$',
  '7b': '{',
  '7d': '}',
  dollar: '$',
  lbrace: '{',
  lcub: '{',
  rbrace: '}',
  rcub: '}',
};
const JNDI = /\$\{\s*jndi\s*:/i;
/**
 * A Log4j lookup by one of its prefixes (or none, `${::-x}`), then `:` and, before the lookup closes,
 * another `${`. `:-` right after the name is a shell default (`${env:-x}`), not a Log4j lookup.
 */
const NESTED_LOOKUP =
  /\$\{\s*(?:env|sys|lower|upper|date|main|java|base64|ctx|jvmrunargs|k8s|docker|spring|web|bundle|sd|map|marker|event|log4j)?\s*:(?!-)[^{}]{0,64}\$\{/i;

/** A Log4j lookup behind character references or assembled by nested lookups; see the module comment. */
export const detectLog4jLookupEvasion: Detector = (value) => {
  if (value.length < 6 || value.length > MAX_LENGTH) return undefined;
  const hasDollar = value.indexOf('$') >= 0;
  const hasReference = value.indexOf('&') >= 0;
  if (!hasDollar && !hasReference) return undefined;
  if (hasReference) {
    const text = value.replace(BRACE_REFERENCE, (reference) => {
      const key = reference.toLowerCase().replace(/^&#?x?0*|;$/g, '');
      return REFERENCE_CHARACTER[key] ?? reference;
    });
    if (text !== value && JNDI.test(text)) return hit('jndi-lookup-character-references', 0, value.length);
    if (text !== value && NESTED_LOOKUP.test(text)) return hit('nested-log4j-lookup', 0, value.length);
  }
  if (!hasDollar) return undefined;
  const nested = NESTED_LOOKUP.exec(value);
  return nested === null ? undefined : hit('nested-log4j-lookup', nested.index, nested.index + nested[0].length);
};

function hit(detail: string, start: number, end: number): DetectorHit {
  return { detail, start, end };
}

/** The detectors of this module by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'log4j-lookup-evasion': detectLog4jLookupEvasion,
};
