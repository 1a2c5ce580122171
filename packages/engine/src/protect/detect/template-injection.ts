/**
 * Server-side template injection: text that a template engine would evaluate as code. Inside template
 * delimiters (`{{ }}`, `${ }`, `#{ }`, `*{ }`, `@{ }`, `%{ }`, `<% %>`, `{% %}`, `<# >`, Razor `@( )`,
 * Perl `@{[ ]}`), an expression is an attack when it computes on literals (`{{7*7}}`, the probe every
 * scanner sends) or reaches for the runtime (`__class__.__mro__`, `config.items()`, `getClass().forName(`,
 * `T(java.lang.Runtime)`, `process.mainModule`, `system('id')`). Outside delimiters, the object walks that
 * only sandbox escapes use (`''.__class__`, `__subclasses__()`, FreeMarker's `Execute`, Velocity's
 * `$class.inspect`, `#set($x = ….getClass())`) are attacks too.
 *
 * Placeholders people legitimately post (`{{name}}`, `{{ user.firstName }}`, `${total}`, `{{#each items}}`,
 * `{{ price | currency }}`, `{{ $t('greeting') }}`) are not: a name, a path or a harmless call is what every
 * template is made of.
 */
import type { Detector, DetectorHit } from '../types.js';

/** Longest expression looked at inside one pair of delimiters. */
const MAX_EXPRESSION = 512;
/** Most delimiter openings looked at in one value. */
const MAX_OPENINGS = 64;

/** A cheap test that the value holds anything template-like at all (case-sensitive: Velocity directives, Python dunders and Java packages are). */
const CANDIDATE =
  /[$#*@%{]\{|<%|\{%|<#|@\(|#(?:set|if|foreach|evaluate|parse|include)\s*\(|__[a-z]{2,15}__|\$class\b|freemarker|\?new\b|getClass\s*\(|constructor\s*[.[]/;

/** Template openers; `{{` is matched before `{%`, and `@{[` before `@{`. */
const OPENER = /@\{\[|[{$#*@%]\{|<[%#]|\{%|@\(/;

/** An expression made only of numbers, arithmetic, brackets and quotes, that does compute something. */
const LITERALS_ONLY = /^[\d\s+\-*/%().'"]+$/;
const LITERAL_OPERATION = /\d['"]?[\s)]*[-+*/%][\s(]*['"]?[-+]?\d/;
/** Control characters other than whitespace, and the replacement character: binary, not an expression. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;
const DATE_LIKE = /^\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}\s*$/;

/** Names that only code reaching for the runtime uses, wherever they appear in an expression. */
const RUNTIME_NAMES = new Set(
  [
    'getclass',
    'forname',
    'getruntime',
    'processbuilder',
    'getdeclaredmethod',
    'getdeclaredmethods',
    'getdeclaredfield',
    'getmethod',
    'newinstance',
    'classloader',
    'getclassloader',
    'scriptenginemanager',
    'objectconstructor',
    'jythonruntime',
    'child_process',
    'mainmodule',
    'execsync',
    'spawnsync',
    'registerundefinedfiltercallback',
    'shell_exec',
    'passthru',
    'proc_open',
    'phpinfo',
    'file_get_contents',
    '_memberaccess',
    'instance_eval',
    'class_eval',
    'objectspace',
    'subprocess',
    'lipsum',
    'cycler',
    'joiner',
    'url_for',
    'get_flashed_messages',
  ].map((name) => name.toLowerCase()),
);
/** Names that are harmless as data but are code execution when called. */
const CALLED_NAMES = new Set([
  'exec',
  'system',
  'popen',
  'eval',
  'spawn',
  'require',
  'import',
  '__import__',
  'getattr',
  'attr',
  'getenv',
  'getproperty',
  'readfile',
  'readfilesync',
  'open',
  'invoke',
  'constructor',
  'function',
  'fork',
  'execute',
  'send',
  'public_send',
  'instance_variable_get',
  'const_get',
  'createobject',
]);
/** `a.b` walks that reach the runtime in one step. */
const RUNTIME_WALKS =
  /\b(?:constructor\s*\.\s*constructor|process\s*\.\s*(?:env|binding|mainModule|kill|exit|cwd)|os\s*\.\s*(?:popen|system|environ|exec\w*|spawn\w*|listdir|remove)|IO\s*\.\s*popen|File\s*\.\s*(?:read|open|write|delete)|Kernel\s*\.\s*\w|Dir\s*\.\s*(?:entries|glob)|System\s*\.\s*(?:Diagnostics|IO|getenv|getProperty|exit)|Process\s*\.\s*Start|Runtime\s*\.\s*getRuntime|_self\s*\.\s*env|self\s*\.\s*_|request\s*\.\s*(?:application|environ)|settings\s*\.\s*SECRET|T\s*\(\s*java|java\s*\.\s*(?:lang|io|net|nio)|freemarker\s*\.\s*template|\$smarty\s*\.)/;
/** `config`, `self` or `settings` on their own leak the application's secrets in Jinja and Django. */
const WHOLE_OBJECTS = /^\s*(?:config|self|settings|request\.environ)\s*(?:\.\s*items\s*\(\s*\)\s*)?$/;
/** Dunder names walked as attributes or subscripts. */
const DUNDER = /__(?:class|mro|subclasses|globals|builtins|base|bases|init|import|getattribute|dict|reduce|code|func|self|loader|spec)__/i;

/** Statements whose mere presence in a template tag is an attack. */
const DANGEROUS_STATEMENT =
  /^[-=!#]?\s*(?:import|from\s+[\w.]+\s+import|raw|exec|python|debug|load|php|@\s*page\s+import|@\s*include|@\s*taglib)\b/i;
const INCLUDE_STATEMENT = /^[-=]?\s*(?:include|extends|import|embed|source)\s*\(?\s*["'][^"']*(?:\/|\.\.|\\)/i;
/** A control statement on a constant condition: a probe that asks whether statements are evaluated. */
const CONSTANT_CONDITION =
  /^[-=]?\s*(?:if|elif|elsif|unless|while)\s*\(?\s*(?:true|false|yes|no|1|0|-?\d+\s*[=!<>]=?\s*-?\d+|null|nil|none)\s*\)?\s*[-=]?\s*$/i;

/** Out-of-delimiter gadgets: sandbox escapes and engine utilities that no ordinary value contains. */
const OBJECT_WALKS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'python-object-walk',
    /__(?:subclasses|globals|builtins|mro)__\s*[.[(]|__(?:class|init|base|bases)__\s*\.\s*__[a-z]{2,15}__|["')\]]\s*\.\s*__class__\b/i,
  ],
  [
    'freemarker-execute',
    /freemarker\s*\.\s*template\s*\.\s*utility\s*\.\s*(?:Execute|ObjectConstructor|JythonRuntime)|["']\s*\?\s*new\s*\(/i,
  ],
  ['velocity-class-tool', /\$class\s*\.\s*(?:inspect|type|forName)\b/i],
  ['velocity-set', /#set\s*\(\s*\$[\w.]{1,50}\s*=[^)]{0,300}?(?:getClass|forName|getRuntime|Runtime|exec|ProcessBuilder)/i],
  ['javascript-function-constructor', /\bconstructor\s*(?:\.\s*constructor|\[\s*["'`]constructor["'`]\s*\])\s*\(/],
  ['java-reflection', /getClass\s*\(\s*\)\s*\.\s*(?:forName|getClassLoader|getMethod|getDeclared\w*|getResource)\s*\(/],
];

/** Judges one value for expressions a template engine would run; see the module comment. */
export const detectTemplateInjection: Detector = (value) => {
  if (!CANDIDATE.test(value)) return undefined;
  return delimited(value, judgeExpression) ?? objectWalk(value);
};

/**
 * Template statements on constant conditions (`{% if True %}49{% endif %}`, `<% if true %>`): probes that
 * ask whether statements are evaluated, and also ordinary template logic in rare benign cases, so a rule of
 * its own, at a higher paranoia level.
 */
export const detectTemplateStatement: Detector = (value) => {
  if (value.indexOf('{%') < 0 && value.indexOf('<%') < 0) return undefined;
  return delimited(value, (expression, opener) =>
    (opener === '{%' || opener === '<%') && CONSTANT_CONDITION.test(expression) ? 'constant-condition' : undefined,
  );
};

type Judge = (expression: string, opener: string) => string | undefined;

/** Each delimited expression in `value`, in order, until `judge` names one. */
function delimited(value: string, judge: Judge): DetectorHit | undefined {
  const openers = new RegExp(OPENER.source, 'g');
  for (let n = 0; n < MAX_OPENINGS; n++) {
    const found = openers.exec(value);
    if (found === null) return undefined;
    const opener = found[0];
    const start = found.index + opener.length;
    const end = closingOf(value, start, opener);
    // an opener without its closer, or with control characters inside, is text or binary, not a template
    if (end < 0) continue;
    const expression = value.slice(start, end);
    if (CONTROL.test(expression)) continue;
    const detail = judge(expression, opener);
    if (detail !== undefined) return { detail, start: found.index, end: end + closerLength(opener) };
  }
  return undefined;
}

/** Where the expression opened by `opener` at `start` ends (the index of its closer), or -1 within the window. */
function closingOf(value: string, start: number, opener: string): number {
  const limit = Math.min(value.length, start + MAX_EXPRESSION);
  if (opener === '<%') return windowIndexOf(value, '%>', start, limit);
  if (opener === '{%') return windowIndexOf(value, '%}', start, limit);
  if (opener === '<#') return windowIndexOf(value, '>', start, limit);
  if (opener === '@{[') return windowIndexOf(value, ']', start, limit);
  const [open, close] = opener === '@(' ? ['(', ')'] : ['{', '}'];
  let depth = 0;
  for (let i = start; i < limit; i++) {
    const c = value[i];
    if (c === open) depth++;
    else if (c === close) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function closerLength(opener: string): number {
  return opener === '{{' || opener === '<%' || opener === '{%' || opener === '@{[' ? 2 : 1;
}

function windowIndexOf(value: string, needle: string, start: number, limit: number): number {
  const at = value.indexOf(needle, start);
  return at < 0 || at >= limit ? -1 : at;
}

/** What makes a delimited expression an attack, or undefined for a placeholder. */
function judgeExpression(raw: string, opener: string): string | undefined {
  // `${{7*7}}`, `{{{x}}}` and `<%= x %>` carry one more character of syntax
  const expression = raw.replace(/^[{=\-:#!@]+/, '').replace(/[}-]+$/, '');
  // a FreeMarker tag starts with its directive's name (`<#assign`, `<#if`); anything else is not one
  if (opener === '<#' && !/^[a-z]/i.test(raw)) return undefined;
  if (opener === '@{[') return /[\w$`]/.test(expression) ? 'perl-interpolation' : undefined;
  if (LITERALS_ONLY.test(expression) && LITERAL_OPERATION.test(expression) && !DATE_LIKE.test(expression)) return 'literal-arithmetic';
  if (DUNDER.test(expression)) return 'python-object-walk';
  if (RUNTIME_WALKS.test(expression)) return 'runtime-access';
  if (WHOLE_OBJECTS.test(expression) && opener !== '${' && opener !== '#{' && opener !== '%{') return 'config-leak';
  if (opener === '<#' && /\?\s*new\b|\bExecute\b|\bapi\b/.test(expression)) return 'freemarker-execute';
  if (opener === '<%' || opener === '{%') {
    if (DANGEROUS_STATEMENT.test(raw) || INCLUDE_STATEMENT.test(raw)) return 'dangerous-statement';
  }
  return dangerousName(expression);
}

/** A runtime name anywhere, or a code-execution name called, in the identifiers of an expression. */
function dangerousName(expression: string): string | undefined {
  const words = /([A-Za-z_$][\w$]{0,40})\s*(\()?/g;
  for (let found = words.exec(expression); found !== null; found = words.exec(expression)) {
    const name = (found[1] ?? '').toLowerCase().replace(/^\$/, '');
    if (RUNTIME_NAMES.has(name)) return 'runtime-access';
    if (found[2] !== undefined && CALLED_NAMES.has(name)) return 'code-call';
    // backticks and %x() run shell commands in Ruby and Perl templates
  }
  if (/`\s*[a-z][\w.-]{0,30}(?:\s[ -_a-~]{0,200})?`|%x\s*[({[]\s*[a-z]/.test(expression)) return 'shell-call';
  return undefined;
}

function objectWalk(value: string): DetectorHit | undefined {
  for (const [detail, pattern] of OBJECT_WALKS) {
    const found = pattern.exec(value);
    if (found !== null) return { detail, start: found.index, end: found.index + found[0].length };
  }
  return undefined;
}

/** The template-injection detectors by the names rule files use. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  ssti: detectTemplateInjection,
  'ssti-statement': detectTemplateStatement,
};
