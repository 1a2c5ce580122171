/**
 * CRLF injection (HTTP response splitting and header injection): a line break in a value that an
 * application copies into a response header or a redirect, followed by a line that reads as a header or a
 * status line, so the client sees headers (or a whole response) the attacker wrote: `%0d%0aSet-Cookie: …`,
 * `%0aLocation: …`, `\r\n\r\nHTTP/1.1 200 OK`. A code point whose low byte is CR or LF (`嘍`, U+560D)
 * counts as one when a header follows it, because servers that write headers as Latin-1 truncate it.
 *
 * - `crlf`: a line break, then a header that changes what a client does (cookies, redirects, content
 *   type and length, CORS, security policies) or a status line.
 * - `crlf-text`: the narrow form for multi-line text (form and JSON fields), where ordinary prose has lines
 *   like `Location: Paris`: only `Set-Cookie`, a framing header alone on its line and a status line count.
 * - `crlf-any-header`: a line break, then any `Name: value` line, for higher paranoia on inputs that never
 *   hold several lines (query arguments, path segments, headers).
 * - `crlf-in-name`: a line break in a parameter's name, where it has no business at all.
 */
import type { Detector, DetectorHit } from '../types.js';

/** Response headers whose injection changes what the client does. */
const SENSITIVE_HEADERS =
  'set-cookie2?|location|refresh|content-(?:type|length|disposition|encoding|security-policy(?:-report-only)?|language)|transfer-encoding|access-control-allow-[a-z-]{1,20}|x-xss-protection|x-frame-options|x-content-type-options|strict-transport-security|cache-control|link|host|cookie|x-forwarded-[a-z-]{1,10}|forwarded|x-real-ip|x-client-ip|true-client-ip|x-originating-ip|remote-addr|remote-ip|via|connection|upgrade|authorization|www-authenticate|pragma|expires|last-modified|etag|vary|server|x-powered-by';
/** What may sit between the line break and the header name: more breaks, folding whitespace. */
const LINE_START = String.raw`[\r\n]+[\t ]*`;
const STATUS_LINE = String.raw`HTTP\/\d(?:\.\d)?\s+\d{3}\b`;

const SENSITIVE = new RegExp(String.raw`${LINE_START}(?:(?:${SENSITIVE_HEADERS})\s*:|${STATUS_LINE})`, 'i');
const IN_TEXT = new RegExp(
  String.raw`${LINE_START}(?:set-cookie2?\s*:\s*[^\s=;]{1,100}=|(?:content-length|transfer-encoding)\s*:\s*[\w-]{1,20}\s*(?:[\r\n]|$)|${STATUS_LINE})`,
  'i',
);
const ANY_HEADER = new RegExp(String.raw`${LINE_START}[A-Za-z][A-Za-z0-9-]{0,60}[\t ]*:`);
/**
 * A code point above Latin-1 whose low byte is CR or LF (`Ċ`, `č`, `Ȋ`, `ȍ`, `嘊`, `嘍`, `＊`, `－`), then a
 * sensitive header: what is left of it after a server writes the header as bytes. Only with a sensitive
 * header after it, as such letters are ordinary text.
 */
const WIDE_BREAK = new RegExp(String.raw`[\u010a\u010d\u020a\u020d\u560a\u560d\uff0a\uff0d](?:${SENSITIVE_HEADERS})\s*:`, 'i');

/** A line break, then a header that changes what a client does, or a status line. */
export const detectCrlfInjection: Detector = (value) => {
  if (hasLineBreak(value)) {
    const found = hit('header-injection', SENSITIVE.exec(value));
    if (found !== undefined) return found;
  }
  return hit('unicode-header-injection', WIDE_BREAK.exec(value));
};

/**
 * A line break, then `Set-Cookie: name=`, a framing header alone on its line (`Content-Length: 0`) or a
 * status line: response splitting even in multi-line text.
 */
export const detectCrlfInText: Detector = (value) => (hasLineBreak(value) ? hit('header-injection', IN_TEXT.exec(value)) : undefined);

/** A line break, then any `Name:` line. */
export const detectCrlfAnyHeader: Detector = (value) => (hasLineBreak(value) ? hit('header-line', ANY_HEADER.exec(value)) : undefined);

/** A CR or LF anywhere in the value; meant for parameter names. */
export const detectCrlfInName: Detector = (value) => {
  const at = value.search(/[\r\n]/);
  return at < 0 ? undefined : { detail: 'line-break-in-name', start: at, end: at + 1 };
};

function hasLineBreak(value: string): boolean {
  return value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
}

function hit(detail: string, found: RegExpExecArray | null): DetectorHit | undefined {
  return found === null ? undefined : { detail, start: found.index, end: found.index + found[0].length };
}

/** The CRLF-injection detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  crlf: detectCrlfInjection,
  'crlf-text': detectCrlfInText,
  'crlf-any-header': detectCrlfAnyHeader,
  'crlf-in-name': detectCrlfInName,
};
