/** Characters of an error body that are looked at. */
export const MAX_ERROR_SCAN_CHARS = 16_384;

// Each expression is anchored on a literal that rarely occurs in ordinary error messages, and every
// repetition is bounded or separated by a fixed character, so the cost stays linear in the text.
const PATTERNS: ReadonlyArray<readonly [kind: string, pattern: RegExp]> = [
  ['java-stack-trace', /\bat (?:[\w$]+\.){1,40}[\w$<>]+\([\w$]+\.(?:java|kt|scala|groovy):\d+\)/],
  ['java-stack-trace', /Exception in thread "|\bCaused by: (?:[\w$]+\.){1,40}[\w$]*(?:Exception|Error)\b/],
  ['java-exception', /\b(?:java|javax|jakarta|org\.springframework|org\.hibernate)\.(?:[\w$]+\.){0,40}[\w$]*(?:Exception|Error)\b/],
  ['dotnet-stack-trace', /\.cs:line \d+|--- End of (?:inner exception )?stack trace/],
  ['dotnet-exception', /\bSystem\.(?:[A-Z]\w*\.){0,20}[A-Z]\w*Exception\b/],
  ['python-traceback', /Traceback \(most recent call last\)|\bFile \\?"[^"\n]{1,300}\\?", line \d+/],
  [
    'node-stack-trace',
    /\bat [^\n()]{0,200}\(?(?:file:\/\/|\/)[^\s():]{1,300}\.[cm]?[jt]s:\d+:\d+\)?|\(node:internal\/[\w/.-]{1,200}:\d+:\d+\)/,
  ],
  [
    'php-error',
    /\bPHP (?:Fatal error|Parse error|Warning|Notice)\b|\b(?:Fatal error|Parse error): .{0,300}? on line \d+|Stack trace:\s{0,8}(?:\\n)?#0 /,
  ],
  ['ruby-backtrace', /\.rb:\d+:in [`'‘]/],
  ['go-panic', /\bgoroutine \d+ \[[a-z ]{1,40}\]:|\bpanic: runtime error\b|\.go:\d+ \+0x[0-9a-f]+/],
  [
    'sql-error',
    /\bSQLSTATE\b|syntax error at or near|\bORA-\d{5}\b|You have an error in your SQL syntax|Unclosed quotation mark after the character string|unterminated quoted string at or near|\bSQLITE_ERROR\b|\bPG::\w{1,40}Error\b/i,
  ],
  [
    'file-path-with-line',
    /(?:^|[\s"'(=])(?:[A-Za-z]:)?(?:[\\/]{1,2}[\w.@-]{1,100}){1,30}\.(?:js|mjs|cjs|ts|py|rb|php|java|go|cs|kt|scala|rs|c|cc|cpp|h|ex|exs|pl|erl|lua)(?::\d+|\(\d+\)|, line \d+| on line \d+|:line \d+)/,
  ],
];

/** The kinds of internal detail an error body discloses (`java-stack-trace`, `sql-error`, …), each once. */
export function findErrorDisclosures(text: string): string[] {
  const sample = text.length > MAX_ERROR_SCAN_CHARS ? text.slice(0, MAX_ERROR_SCAN_CHARS) : text;
  const kinds: string[] = [];
  for (const [kind, pattern] of PATTERNS) {
    if (!kinds.includes(kind) && pattern.test(sample)) kinds.push(kind);
  }
  return kinds;
}

const VERSION = /\d+\.\d+|\/\s?\d/;

/**
 * Response headers that disclose the software and its version, by name: `x-powered-by`, `x-aspnet-version`,
 * `x-aspnetmvc-version`, and `server` when it has a version number (`nginx/1.25.3`, not `nginx`).
 */
export function findVersionHeaders(headers: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const name of ['x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim() !== '') found.push(name);
  }
  const server = headers['server'];
  if (typeof server === 'string' && VERSION.test(server)) found.push('server');
  return found;
}
