/**
 * JavaScript sent to a Node.js server that evaluates or deserializes it.
 *
 * - `node-code`: serialized functions that `node-serialize` and `funcster` revive and run
 *   (`_$$ND_FUNC$$_`, `__js_function`); the `Function` constructor reached directly or through
 *   `constructor.constructor`; `module.exports=`; the `process` object's dangerous members
 *   (its `env`, `mainModule` and `binding`, or any member by index); `require.main`, `require.cache`,
 *   `require[…]`; console calls, the usual probe of an eval sink (`console.log(1)`, `console["info"](1)`);
 *   and React Server Components references that walk to a constructor or prototype (`"$1:constructor:constructor"`).
 * - `js-infinite-loop`: a loop whose condition is constant truth (`while(true)`, `while(!0)`, `while([])`,
 *   `for(;;)`), which blocks Node's single thread for good when evaluated.
 * - `node-code-broad` (for paranoia 2): function literals `function(){`, `eval(`, `String.fromCharCode(`.
 */
import type { Detector, DetectorHit } from '../types.js';

const MAX_LENGTH = 256 * 1024;

const NODE_GATE = /ND_FUNC|js_function|Function|constructor|prototype|__proto__|exports|process|require|console|child_process/;
const PROCESS_MEMBER =
  'env|mainModule|binding|_linkedBinding|dlopen|kill|exit|chdir|setuid|setgid|umask|argv|execPath|getBuiltinModule|moduleLoadList|openStdin|stdin|stdout|stderr|cwd|constructor|global|require|main|process';
const NODE_CODE = new RegExp(
  [
    '_\\$\\$ND_FUNC\\$\\$_',
    '__js_function',
    '\\bnew\\s+Function\\s*\\(',
    '\\bconstructor\\s*(?:\\.\\s*|\\[\\s*["\'`])constructor\\b',
    '\\bmodule\\s*\\.\\s*exports\\s*=',
    '\\(\\s*["\'`]child_process["\'`]\\s*\\)',
    `\\bprocess\\s*(?:\\.\\s*(?:${PROCESS_MEMBER})\\b|\\[\\s*["'\`]?[A-Za-z_$])`,
    '\\bglobal(?:This)?\\s*\\.\\s*process\\b',
    '\\brequire\\s*(?:\\.\\s*(?:main|cache|extensions|resolve)\\b|\\[\\s*["\'`]?[A-Za-z_$])',
    '\\bconsole\\s*(?:\\.\\s*(?:log|info|warn|error|debug|trace|dir)(?:\\.(?:call|apply))?\\(|\\[\\s*["\'`](?:log|info|warn|error|debug|trace|dir)["\'`]\\s*\\])',
    '\\$[0-9a-fA-F@]{1,8}:(?:[A-Za-z_]\\w{0,40}:){0,4}(?:constructor|prototype|__proto__)\\b',
  ].join('|'),
);

const LOOP_GATE = /while|for/;
const INFINITE_LOOP =
  /\bwhile\s*\([\s(]*(?:!+\s*(?:false|null|undefined|NaN|[-+]?0(?:\.0+)?|""|''|``)|(?:!!)*(?:true|this|window|globalThis|String|Boolean|Function|Object|Array|Number|Symbol|[-+]?Infinity|[-+]?[1-9]\d{0,15}|new\s+[A-Za-z]\w{0,40}|\{[^}]{0,80}\}|\[[^\]]{0,80}\]|"[^"]{1,80}"|'[^']{1,80}'|`[^`]{1,80}`))[\s)]*\)|\bfor\s*\(\s*;\s*;\s*\)/;

const BROAD_GATE = /function|eval|fromCharCode/;
const NODE_BROAD = /\bfunction\s*\(\s*\)\s*\{|\beval\(|\bString\s*\.\s*fromCharCode\s*\(/;

function hitOf(detail: string, found: RegExpExecArray): DetectorHit {
  return { detail, start: found.index, end: found.index + found[0].length };
}

/** Node.js code reaching the runtime; see the module comment. */
export const detectNodeCode: Detector = (value) => {
  if (value.length < 8 || value.length > MAX_LENGTH || !NODE_GATE.test(value)) return undefined;
  const found = NODE_CODE.exec(value);
  return found === null ? undefined : hitOf('node-code', found);
};

/** A JavaScript loop that never ends; see the module comment. */
export const detectJsInfiniteLoop: Detector = (value) => {
  if (value.length < 7 || value.length > MAX_LENGTH || !LOOP_GATE.test(value)) return undefined;
  const found = INFINITE_LOOP.exec(value);
  return found === null ? undefined : hitOf('js-infinite-loop', found);
};

/** Function literals and string-building calls, for paranoia 2; see the module comment. */
export const detectNodeCodeBroad: Detector = (value) => {
  if (value.length < 5 || value.length > MAX_LENGTH || !BROAD_GATE.test(value)) return undefined;
  const found = NODE_BROAD.exec(value);
  return found === null ? undefined : hitOf('js-code', found);
};

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'node-code': detectNodeCode,
  'js-infinite-loop': detectJsInfiniteLoop,
  'node-code-broad': detectNodeCodeBroad,
};
