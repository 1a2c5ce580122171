/**
 * Names the cross-site-scripting detector judges by: the events a browser dispatches to `on…` attributes,
 * the elements that load or run code by themselves, and the JavaScript functions and properties an
 * injected script reaches for.
 */

/**
 * Events of HTML, SVG and legacy Internet Explorer elements, without the `on` prefix. An attribute named
 * `on` + one of these runs its value as script; `on` + some other word (`only`, `online`, `onset`) does not.
 */
const EVENT_NAMES = new Set(
  (
    'abort activate afterprint afterscriptexecute afterupdate animationcancel animationend animationiteration ' +
    'animationstart auxclick beforeactivate beforecopy beforecut beforedeactivate beforeeditfocus beforeinput ' +
    'beforematch beforepaste beforeprint beforescriptexecute beforetoggle beforeunload beforeupdate begin blur ' +
    'bounce cancel canplay canplaythrough cellchange change click close command contentvisibilityautostatechange ' +
    'contextlost contextmenu contextrestored controlselect copy cuechange cut dataavailable datasetchanged ' +
    'datasetcomplete dblclick deactivate drag dragdrop dragend dragenter dragexit dragleave dragover dragstart ' +
    'drop durationchange emptied end ended error errorupdate filterchange finish focus focusin focusout ' +
    'formdata fullscreenchange fullscreenerror gotpointercapture hashchange help input invalid keydown ' +
    'keypress keyup layoutcomplete load loadeddata loadedmetadata loadend loadstart losecapture ' +
    'lostpointercapture message messageerror mousedown mouseenter mouseleave mousemove mouseout mouseover ' +
    'mouseup mousewheel move moveend movestart mozfullscreenchange offline online pagehide pagereveal ' +
    'pageshow pageswap paste pause play playing pointercancel pointerdown pointerenter pointerleave ' +
    'pointermove pointerout pointerover pointerrawupdate pointerup popstate progress propertychange ' +
    'ratechange readystatechange rejectionhandled repeat reset resize resizeend resizestart rowenter rowexit ' +
    'rowsdelete rowsinserted scroll scrollend scrollsnapchange scrollsnapchanging search securitypolicyviolation ' +
    'seeked seeking select selectionchange selectstart show slotchange stalled start storage submit suspend ' +
    'timeupdate toggle touchcancel touchend touchmove touchstart transitioncancel transitionend transitionrun ' +
    'transitionstart unhandledrejection unload volumechange waiting webkitanimationend ' +
    'webkitanimationiteration webkitanimationstart webkitmouseforcechanged webkitmouseforcedown ' +
    'webkitmouseforceup webkitmouseforcewillbegin webkitplaybacktargetavailabilitychanged ' +
    'webkittransitionend webkitwillrevealbottom wheel zoom'
  ).split(' '),
);

/**
 * Whether a lower-case attribute name is an event handler: `on` + a known event, or, when `strict`,
 * `on` + any three or more letters (an event this list does not know yet).
 */
export function isEventHandlerName(name: string, strict: boolean): boolean {
  if (name.length < 4 || name.charCodeAt(0) !== 0x6f /* o */ || name.charCodeAt(1) !== 0x6e /* n */) return false;
  if (EVENT_NAMES.has(name.slice(2))) return true;
  if (!strict) return false;
  let letters = 0;
  while (2 + letters < name.length && isAsciiLetter(name.charCodeAt(2 + letters))) letters++;
  return letters >= 3;
}

/**
 * Whether a lower-case attribute name has the shape of an event handler whatever the event: `on` + 3 to 50
 * letters (`onbeforehellfreezes`). Judged with its value or place, since English has such words too (`onion`).
 */
export function isHandlerShapedName(name: string): boolean {
  if (name.length < 5 || name.length > 52 || name.charCodeAt(0) !== 0x6f /* o */ || name.charCodeAt(1) !== 0x6e /* n */) return false;
  for (let i = 2; i < name.length; i++) if (!isAsciiLetter(name.charCodeAt(i))) return false;
  return true;
}

/**
 * Elements that load or run active content from their attributes whatever those say (frames, plug-ins, a
 * document base, legacy IE imports); `script`, `style`, `meta` and `link` are judged by their own rules.
 */
export const ACTIVE_ELEMENTS: ReadonlySet<string> = new Set([
  'iframe',
  'frame',
  'object',
  'embed',
  'applet',
  'base',
  'isindex',
  'bgsound',
  'layer',
  'ilayer',
  'import',
  '?import',
  '?xml:namespace',
  'portal',
  // IE's VML frame, `<v:vmlframe src=…>`, which loads a foreign document (judged by its local name)
  'vmlframe',
]);

/**
 * Elements an injection spells with characters between the letters (`<f o r m`, `<s/c/r/i/p/t`), to slip past
 * filters that look for the name: no markup or prose spells them that way.
 */
export const SPACED_ELEMENTS: readonly string[] = [
  'script',
  'form',
  'style',
  'svg',
  'iframe',
  'frame',
  'object',
  'embed',
  'applet',
  'meta',
  'link',
  'base',
  'dialog',
  'img',
  'image',
  'video',
  'audio',
  'body',
  'math',
  'input',
  'button',
  'isindex',
  'marquee',
  'details',
  'template',
];

/** Elements only `xss-strict` reports by name: harmless alone, but the usual carriers of an injection. */
export const SUSPECT_ELEMENTS: ReadonlySet<string> = new Set([
  'html',
  'body',
  'form',
  'frameset',
  'svg',
  'math',
  'xml',
  'style',
  'meta',
  'link',
  'template',
  'noscript',
  'xmp',
  'plaintext',
  'textarea',
  'title',
  'video',
  'audio',
  'source',
  'details',
  'marquee',
  'animate',
  'set',
  'handler',
  'listener',
]);

/** Attributes whose value a browser fetches or navigates to, so a `data:` document there becomes a page. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href',
  'src',
  'data',
  'action',
  'formaction',
  'xlink:href',
  'codebase',
  'code',
  'dynsrc',
  'lowsrc',
  'background',
  'poster',
  'to',
  'from',
  'values',
  'by',
  'value',
  'content',
]);

/** URL schemes that run script when navigated to (browsers and old IE/Netscape). */
export const SCRIPT_SCHEMES: readonly string[] = ['javascript', 'vbscript', 'livescript', 'mocha'];

/** `a`–`z` or `A`–`Z`. */
export function isAsciiLetter(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** A character of a JavaScript identifier (ASCII letters, digits, `_`, `$`, and any non-ASCII letter-ish code unit). */
export function isIdentifierChar(c: number): boolean {
  return (
    isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24 || (c >= 0xaa && c !== 0xa0 && c !== 0xfeff && c < 0x2000)
  );
}

/** HTML whitespace: tab, line feed, form feed, carriage return, space. */
export function isHtmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}
