/**
 * XML external entities (XXE) and their relatives: what makes an XML parser read a file or fetch a URL on the
 * attacker's behalf, or expand entities without bound. A document type declaration that pulls in an external
 * DTD, declares external or parameter entities, or nests entity references in entity values (billion laughs);
 * XInclude; schema includes and malformed or local-scheme schema locations that make a validating parser
 * fetch; the same hidden behind a UTF-7 encoding declaration.
 *
 * Benign XML passes: SOAP envelopes, `<!DOCTYPE html>`, the W3C and OASIS DTDs that XHTML, SVG and DocBook
 * documents name, Illustrator's plain internal entities, and well-formed `xsi:schemaLocation` pairs.
 */
import type { Detector, DetectorHit } from '../types.js';
import { decodeUtf7 } from './internal/markup-utf7.js';

/** Longest stretch looked at after a `<!DOCTYPE`, so a crafted value cannot make one declaration expensive. */
const SUBSET_WINDOW = 16 * 1024;
/** Most declarations looked at in one value. */
const MAX_DECLARATIONS = 8;

const DOCTYPE = /<!DOCTYPE/gi;
const DOCTYPE_HEAD =
  /<!DOCTYPE\s+[^\s[>]{1,200}\s*(?:(SYSTEM|PUBLIC)\s*("[^"]{0,2000}"|'[^']{0,2000}')(?:\s*("[^"]{0,2000}"|'[^']{0,2000}'))?)?\s*(\[)?/iy;
const ENTITY_DECLARATION = /<!ENTITY\s+(%\s*)?[^\s%>"']{1,200}\s+(?:(SYSTEM|PUBLIC)\b|("[^"]{0,4000}"|'[^']{0,4000}'))/gi;
const ENTITY_REFERENCE = /[&%][A-Za-z_][\w.-]{0,100};/;
const PARAMETER_REFERENCE = /%[A-Za-z_][\w.-]{0,100};/;
const UTF7_DECLARATION = /<\?xml\s[^>]{0,200}?encoding\s*=\s*["']?utf-?7/i;
const XINCLUDE = /<xi:include\b|<[\w.-]{1,50}:include\b[^>]{0,1000}?\bhref\s*=/i;
const SCHEMA_INCLUDE =
  /<[\w.-]{1,50}:(?:include|import|redefine|override)\b[^>]{0,1000}?\b(?:schemaLocation|namespace)\s*=\s*["']?\s*[A-Za-z][\w+.-]{0,20}:/i;
const SCHEMA_LOCATION = /\b[\w.-]{1,50}:(schemaLocation|noNamespaceSchemaLocation)\s*=\s*(?:"([^"]{0,4000})"|'([^']{0,4000})')/gi;
/** `…/prefix:element/@prefix:attribute` at the end of an XML location: the element's and attribute's local names. */
const XML_ATTRIBUTE = /\/(?:[\w.-]{1,50}:)?([\w.-]{1,50})\/@(?:[\w.-]{1,50}:)?([\w.-]{1,50})$/;
const SCHEMA_ELEMENTS = new Set(['include', 'import', 'redefine', 'override']);
const URL_LIKE = /^\s*[A-Za-z][\w+.-]{0,20}:/;
/** Schemes a schema location never legitimately uses: they read local files or reach internal services. */
const LOCAL_SCHEME = /^(?:file|ftp|jar|netdoc|gopher|php|expect|data|dict|ldap|phar|zip):/i;
const LOCAL_HOST = /^[a-z][\w+.-]*:\/\/(?:[^/@]*@)?(?:localhost|127\.|0\.0\.0\.0|10\.|169\.254\.|192\.168\.|\[)/i;
/** DTDs that standards bodies publish; naming them (XHTML, SVG, DocBook) reaches nothing an attacker controls. */
const STANDARD_DTD_HOST = /^https?:\/\/(?:www\.)?(?:w3\.org|oasis-open\.org|docs\.oasis-open\.org)\//i;

/** Judges one value; see the module comment. */
export const detectXxe: Detector = (value, { location }) => {
  if (location.startsWith('xml:/') && location.includes('/@')) {
    const found = xmlAttribute(value, location);
    if (found !== undefined) return found;
  }
  if (value.indexOf('<') < 0) return undefined;
  return inspect(value) ?? utf7(value);
};

/**
 * An attribute of a parsed XML body, judged by where it sits (`xml:/a/xi:include/@href`): the parser hands
 * detectors attribute values alone, so the element and attribute names come from the location.
 */
function xmlAttribute(value: string, location: string): DetectorHit | undefined {
  const found = XML_ATTRIBUTE.exec(location);
  if (found === null) return undefined;
  const [, element, attribute] = found;
  const whole = { start: 0, end: value.length };
  if (element === 'include' && attribute === 'href') return value.trim() === '' ? undefined : { detail: 'xinclude', ...whole };
  if (element !== undefined && attribute !== undefined && SCHEMA_ELEMENTS.has(element)) {
    const fetches = attribute === 'schemaLocation' || (attribute === 'namespace' && element !== 'import');
    return fetches && URL_LIKE.test(value) ? { detail: 'schema-include', ...whole } : undefined;
  }
  if (attribute === 'schemaLocation' || attribute === 'noNamespaceSchemaLocation') {
    return isSuspiciousSchemaLocation(attribute, value) ? { detail: 'schema-location', ...whole } : undefined;
  }
  return undefined;
}

function inspect(value: string): DetectorHit | undefined {
  const declarations = value.indexOf('<!') >= 0;
  return (declarations ? (doctype(value) ?? entities(value, 0, value.length)) : undefined) ?? xinclude(value) ?? schema(value);
}

/** A `<!DOCTYPE` with an external identifier or an internal subset that declares or references entities. */
function doctype(value: string): DetectorHit | undefined {
  DOCTYPE.lastIndex = 0;
  for (let n = 0; n < MAX_DECLARATIONS; n++) {
    const start = DOCTYPE.exec(value);
    if (start === null) return undefined;
    const at = start.index;
    DOCTYPE_HEAD.lastIndex = at;
    const head = DOCTYPE_HEAD.exec(value);
    if (head === null) continue;
    const [, keyword, first, second, subset] = head;
    const end = at + head[0].length;
    if (keyword !== undefined && first !== undefined) {
      const system = keyword.toUpperCase() === 'SYSTEM' ? unquote(first) : second === undefined ? undefined : unquote(second);
      if (system !== undefined && !isHarmlessDtd(system)) return { detail: 'external-dtd', start: at, end };
    }
    if (subset !== undefined) {
      const close = value.indexOf(']', end);
      const stop = Math.min(close < 0 ? value.length : close, end + SUBSET_WINDOW);
      const found = entities(value, end, stop);
      if (found !== undefined) return found;
      const reference = PARAMETER_REFERENCE.exec(value.slice(end, stop));
      if (reference !== null)
        return { detail: 'parameter-entity', start: end + reference.index, end: end + reference.index + reference[0].length };
    }
  }
  return undefined;
}

/** `<!ENTITY` declarations in `[from, to)`: external, parameter, or internal with nested references. */
function entities(value: string, from: number, to: number): DetectorHit | undefined {
  ENTITY_DECLARATION.lastIndex = from;
  for (let n = 0; n < MAX_DECLARATIONS * 4; n++) {
    const found = ENTITY_DECLARATION.exec(value);
    if (found === null || found.index >= to) return undefined;
    const [text, percent, external, literal] = found;
    const hit = (detail: string): DetectorHit => ({ detail, start: found.index, end: found.index + text.length });
    if (external !== undefined) return hit(percent === undefined ? 'external-entity' : 'external-parameter-entity');
    if (percent !== undefined) return hit('parameter-entity');
    // an internal entity is harmless unless its value expands further entities (billion laughs)
    if (literal !== undefined && ENTITY_REFERENCE.test(literal)) return hit('entity-expansion');
  }
  return undefined;
}

function xinclude(value: string): DetectorHit | undefined {
  if (value.indexOf('include') < 0) return undefined;
  const found = XINCLUDE.exec(value);
  if (found === null) return undefined;
  // a prefixed `include` with `href` is XInclude only when its namespace is declared (or the prefix is the usual one)
  if (!found[0].toLowerCase().startsWith('<xi:') && !value.includes('www.w3.org/2001/XInclude')) return undefined;
  return { detail: 'xinclude', start: found.index, end: found.index + found[0].length };
}

/** Schema documents that include other schemas by URL, and schema locations that are malformed or local. */
function schema(value: string): DetectorHit | undefined {
  if (value.indexOf('chema') < 0) return undefined;
  if (value.includes('www.w3.org/2001/XMLSchema"') || value.includes("www.w3.org/2001/XMLSchema'")) {
    const found = SCHEMA_INCLUDE.exec(value);
    if (found !== null) return { detail: 'schema-include', start: found.index, end: found.index + found[0].length };
  }
  SCHEMA_LOCATION.lastIndex = 0;
  for (let n = 0; n < MAX_DECLARATIONS; n++) {
    const found = SCHEMA_LOCATION.exec(value);
    if (found === null) return undefined;
    if (isSuspiciousSchemaLocation(found[1] ?? '', found[2] ?? found[3] ?? '')) {
      return { detail: 'schema-location', start: found.index, end: found.index + found[0].length };
    }
  }
  return undefined;
}

/** A schema location that names a local scheme or host, or a `schemaLocation` that is not namespace–location pairs. */
function isSuspiciousSchemaLocation(attribute: string, value: string): boolean {
  const locations = value.trim().split(/\s+/);
  // `schemaLocation` lists namespace and location in pairs: a lone URL is a probe, not a document
  if (attribute === 'schemaLocation' && locations.length % 2 === 1) return true;
  return locations.some((location) => LOCAL_SCHEME.test(location) || LOCAL_HOST.test(location));
}

/** An XML document declared as UTF-7, judged on what it decodes to. */
function utf7(value: string): DetectorHit | undefined {
  if (value.indexOf('<?') < 0) return undefined;
  const declaration = UTF7_DECLARATION.exec(value);
  if (declaration === null) return undefined;
  const at = declaration.index;
  const found = inspect(decodeUtf7(value.slice(at + declaration[0].length)));
  // a UTF-7 XML document that hides markup is an evasion in itself
  if (found === undefined && value.indexOf('+ADw', at) < 0) return undefined;
  return { detail: found === undefined ? 'utf7-markup' : `utf7-${found.detail}`, start: at, end: value.length };
}

function isHarmlessDtd(system: string): boolean {
  return system === 'about:legacy-compat' || STANDARD_DTD_HOST.test(system);
}

function unquote(literal: string): string {
  return literal.slice(1, -1).trim();
}

/** The XXE detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = { xxe: detectXxe };
