/**
 * Server-side code injection: a value that an interpreter on the server would run as code.
 *
 * - `php-code`: an opening `<?php` tag with code after it, a call of a PHP function that runs programs or
 *   code with a code-like argument (`system('id')`, `eval($_POST[x])`, `assert(base64_decode(…))`),
 *   superglobals read inside code (`$_GET[`), PHP stream wrappers that read, write or run (`php://filter`,
 *   `php://input`, `php://stdout`, `expect://`, `data://…;base64`, `phar://`, `compress.bzip2://`, `ssh2.exec://`), and serialized PHP objects (`O:8:"Foo":1:{`).
 * - `java-code`: Java expression and template languages reaching the runtime: `${…}` and `#{…}` (EL, SpEL,
 *   OGNL) holding `Runtime`, `ProcessBuilder`, `forName`, `getClass`, `T(java.…)`; OGNL's `#_memberAccess`
 *   and `@java.lang.` statics; Spring4Shell's `class.module.classLoader`; gadget class names of Java
 *   deserialization (`InvokerTransformer`, `TemplatesImpl`, `JdbcRowSetImpl`).
 * - `script-code`: Node.js, Python and Ruby reaching the operating system: `require('child_process')`,
 *   `process.mainModule`, `__import__('os')`, `os.system(`, `subprocess.Popen(`, `__subclasses__()`,
 *   `__globals__`, `__builtins__`, `Process.spawn(`, `Kernel.exec(`, `IO.popen(`.
 * - `jndi-lookup`: Log4Shell: `${jndi:ldap://…}` after undoing nested lookups (`${${lower:j}ndi:…}`,
 *   `${::-j}`, `${env:X:-j}`, `${upper:…}`), which Log4j resolves before the JNDI lookup.
 * - `shellshock`: a value that starts with a Bash function definition (`() {`), which a vulnerable Bash run
 *   by CGI imports from the environment and runs what follows it.
 */
import type { Detector, DetectorHit } from '../types.js';

const MAX_LENGTH = 256 * 1024;

/** Cheap pre-check for PHP: a tag, a call, a superglobal, a wrapper or a serialized object all have one of these. */
const MAYBE_PHP = /<\?|\(|\$_|:\/\/|o:\d/i;
const PHP_TAG =
  /<\?php\s[\s\S]{0,200}?(?:\$|\(|`|\becho\b|\bprint\b|\binclude\b|\brequire\b)|<\?=\s*(?:\$[A-Za-z_]|[A-Za-z_]\w{1,30}\s*\(|`)/i;
/** PHP functions that run programs, code or files, and a code-like first argument after them. */
const PHP_CALL =
  /\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|call_user_func(?:_array)?|preg_replace|include|include_once|require|require_once|file_get_contents|file_put_contents|fwrite|fopen|readfile|highlight_file|show_source|base64_decode|str_rot13|gzinflate|gzuncompress|phpinfo|unserialize|move_uploaded_file)\s*\(\s*(?:["'`][^"'`]{0,200}["'`]?\s*\)|\$_?[A-Za-z_]|(?:base64_decode|gzinflate|str_rot13|chr|urldecode|hex2bin)\s*\(|\))/i;
/** A short name before a call that makes a PHP call only a word in prose: `the system(s)`, `file_get_contents() in PHP`. */
const PHP_SUPERGLOBAL = /\$_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|ENV|SESSION)\s*\[|\$GLOBALS\s*\[/;
const PHP_WRAPPER =
  /\b(?:php:\/\/(?:filter|input|output|fd|memory|temp|std(?:in|out|err))|expect:\/\/|phar:\/\/|zip:\/\/|rar:\/\/|ogg:\/\/|compress\.(?:zlib|bzip2):\/\/|bzip2:\/\/|zlib:\/\/|ssh2\.(?:shell|exec|tunnel|sftp|scp):\/\/|glob:\/\/|data:\/\/text\/plain|data:\/\/[^,]{0,40};base64,|data:text\/plain;base64,PD9w)/i;
const PHP_OBJECT = /(?:^|[;{"'])O:\d{1,4}:"[A-Za-z_\\][\w\\]{0,200}":\d{1,4}:\{/;

/** Cheap pre-check for Java: every reported shape has one of these. */
const MAYBE_JAVA =
  /[$#%]\{|@java|java\.|\bclass\.|classloader|_memberaccess|runtime|processbuilder|transformer|templatesimpl|rowsetimpl|ognl/i;
const EXPRESSION_OPEN = /[$#%]\{/g;
/** What makes an expression reach the runtime. */
const EXPRESSION_PAYLOAD =
  /\bRuntime\b|ProcessBuilder|\bforName\s*\(|getClass\s*\(|getRuntime|\bT\s*\(\s*java\.|new\s+java\.|java\.lang\.|javax\.script|ScriptEngineManager|getMethod\s*\(|invoke\s*\(|\.exec\s*\(|_memberAccess|@java\.|\bognl\b|getEngineByName|getDeclaredConstructors?|newInstance\s*\(|getParameter\s*\(|getWriter\s*\(|\bexecute\s*\(|SpelExpressionParser/i;
/** Outside an expression: Spring4Shell and OGNL statics and gadget class names. */
const JAVA_STANDALONE =
  /\bclass\.module\.classLoader\b|\bclass\.classLoader\b|\(#_memberAccess|#_memberAccess\s*\[|@java\.lang\.Runtime@|java\.lang\.Runtime\s*\.\s*getRuntime\s*\(|new\s+java\.lang\.ProcessBuilder|org\.apache\.commons\.collections4?\.functors\.InvokerTransformer|com\.sun\.org\.apache\.xalan\.internal\.xsltc\.trax\.TemplatesImpl|com\.sun\.rowset\.JdbcRowSetImpl|java\.lang\.ProcessBuilder/i;
const MAX_EXPRESSION = 2048;
const MAX_EXPRESSIONS = 16;

/** Cheap pre-check for Node.js and Python. */
const MAYBE_SCRIPT = /child_process|mainmodule|__\w+__|os\.|subprocess|popen|process\.binding|spawn|kernel|open3/i;
const SCRIPT_CODE =
  /\brequire\s*\(\s*["'`]child_process["'`]\s*\)|\bchild_process\b[\s\S]{0,80}?\b(?:exec|execSync|spawn|spawnSync|execFile|fork)\s*\(|\bprocess\.mainModule\b|\bprocess\.binding\s*\(|\bglobal\.process\b[\s\S]{0,40}?\.(?:mainModule|binding)|__import__\s*\(\s*["']\s*(?:os|subprocess|pty|socket|commands|builtins)\s*["']\s*\)|\bos\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)\s*\(|\bsubprocess\.(?:Popen|call|run|check_output|check_call|getoutput|getstatusoutput)\s*\(|__subclasses__\s*\(\s*\)|__globals__\s*\[|__builtins__\s*(?:\[|\.\s*__import__|\.\s*eval|\.\s*exec)|\b__class__\s*\.\s*__(?:base|bases|mro)__|\bpty\.spawn\s*\(|\beval\s*\(\s*compile\s*\(|\bProcess\s*\.\s*spawn\s*\(|\bKernel\s*\.\s*(?:exec|system|spawn)\s*\(|\bIO\s*\.\s*popen\s*\(|\bOpen3\s*\.\s*(?:popen[23e]?|capture[23e]?)\s*\(/;

/** A `${` with `jndi` somewhere after it, after nested lookups are resolved. */
const MAYBE_JNDI = /\$\{/;
const JNDI = /\$\{\s*jndi\s*:\s*(?:ldaps?|rmi|dns|iiop|corba|nds|nis|http|https)?/i;
/** An innermost lookup: `${…}` with no `$`, `{` or `}` inside. */
const INNERMOST_LOOKUP = /\$\{([^${}]{0,256})\}/g;
/** Rounds of resolving nested lookups; each round removes a level of nesting. */
const MAX_ROUNDS = 12;

/** A Bash function definition at the start of a value: `() {`, `() { :; };`. */
const SHELLSHOCK = /^\s*\(\s*\)\s*\{/;

function hitOf(detail: string, found: RegExpExecArray): DetectorHit {
  return { detail, start: found.index, end: found.index + found[0].length };
}

/** PHP code; see the module comment. */
export const detectPhpCode: Detector = (value) => {
  if (value.length < 6 || value.length > MAX_LENGTH || !MAYBE_PHP.test(value)) return undefined;
  const tag = PHP_TAG.exec(value);
  if (tag !== null) return hitOf('php-tag', tag);
  const call = PHP_CALL.exec(value);
  if (call !== null) return hitOf('php-call', call);
  const superglobal = PHP_SUPERGLOBAL.exec(value);
  if (superglobal !== null) return hitOf('php-superglobal', superglobal);
  const wrapper = PHP_WRAPPER.exec(value);
  if (wrapper !== null) return hitOf('php-wrapper', wrapper);
  const object = PHP_OBJECT.exec(value);
  if (object !== null) return hitOf('php-object', object);
  return undefined;
};

/** Java expression languages and deserialization gadgets; see the module comment. */
export const detectJavaCode: Detector = (value) => {
  if (value.length < 8 || value.length > MAX_LENGTH || !MAYBE_JAVA.test(value)) return undefined;
  const standalone = JAVA_STANDALONE.exec(value);
  if (standalone !== null) return hitOf('java-runtime', standalone);
  EXPRESSION_OPEN.lastIndex = 0;
  let count = 0;
  for (let open = EXPRESSION_OPEN.exec(value); open !== null && count < MAX_EXPRESSIONS; open = EXPRESSION_OPEN.exec(value), count++) {
    const body = value.slice(open.index, open.index + MAX_EXPRESSION);
    const payload = EXPRESSION_PAYLOAD.exec(body);
    if (payload !== null) return { detail: 'expression-runtime', start: open.index, end: open.index + payload.index + payload[0].length };
  }
  return undefined;
};

/** Node.js and Python reaching the operating system; see the module comment. */
export const detectScriptCode: Detector = (value) => {
  if (value.length < 8 || value.length > MAX_LENGTH || !MAYBE_SCRIPT.test(value)) return undefined;
  const found = SCRIPT_CODE.exec(value);
  return found === null ? undefined : hitOf('script-os-access', found);
};

/**
 * Log4Shell. Nested lookups are resolved from the inside out the way Log4j does for the forms attackers
 * use: `${lower:x}` and `${upper:x}` give `x`, a lookup with a default (`${env:NOPE:-j}`, `${::-j}`) gives
 * the default, and any other lookup gives nothing. A `${jndi:` lookup is never resolved, so it shows.
 */
export const detectJndiLookup: Detector = (value) => {
  if (value.length < 7 || value.length > MAX_LENGTH || !MAYBE_JNDI.test(value)) return undefined;
  let text = value;
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const found = JNDI.exec(text);
    if (found !== null) return { detail: round === 0 ? 'jndi-lookup' : 'jndi-lookup-obfuscated', start: 0, end: value.length };
    let changed = false;
    const next = text.replace(INNERMOST_LOOKUP, (whole, inner: string) => {
      if (/^\s*jndi\s*:/i.test(inner)) return whole;
      changed = true;
      return resolveLookup(inner);
    });
    if (!changed) return undefined;
    text = next;
  }
  return undefined;
};

/** What Log4j would put in place of one lookup's body (without `${` and `}`). */
function resolveLookup(inner: string): string {
  const fallback = inner.indexOf(':-');
  if (fallback >= 0) return inner.slice(fallback + 2);
  const colon = inner.indexOf(':');
  if (colon < 0) return '';
  const prefix = inner.slice(0, colon).trim().toLowerCase();
  const rest = inner.slice(colon + 1);
  if (prefix === 'lower') return rest.toLowerCase();
  if (prefix === 'upper') return rest.toUpperCase();
  if (prefix === 'date') return rest.replace(/'/g, '');
  return '';
}

/** Shellshock: a value that starts with a Bash function definition. */
export const detectShellshock: Detector = (value) => {
  if (value.length < 4 || value.charCodeAt(0) > 0x28 || !value.includes('{')) return undefined;
  const found = SHELLSHOCK.exec(value);
  return found === null ? undefined : { detail: 'bash-function-definition', start: 0, end: Math.min(value.length, found[0].length + 40) };
};

/** Detectors of this module by rule name. */
export const DETECTORS: Readonly<Record<string, Detector>> = {
  'php-code': detectPhpCode,
  'java-code': detectJavaCode,
  'script-code': detectScriptCode,
  'jndi-lookup': detectJndiLookup,
  shellshock: detectShellshock,
};
