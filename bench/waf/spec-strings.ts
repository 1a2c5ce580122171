/**
 * A false-positive check on text the rules were not tuned on: every distinct string of the public OpenAPI
 * specs (examples, defaults, enums, names, descriptions) inspected in-process as a JSON value by the shipped
 * signatures, and the hits listed by rule. Descriptions are prose and Markdown, harsher than API values.
 * Never part of `npm test`.
 *
 * Usage: node --conditions=palisade-src --import tsx bench/waf/spec-strings.ts [--paranoia 1] [--dir DIR] [--show 3]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILTIN_DETECTORS, compileSignatures, loadSignatureRules, SHIPPED_SIGNATURES_DIR } from '@palisade/engine';
import { parse } from 'yaml';

const { values } = parseArgs({
  options: {
    paranoia: { type: 'string', default: '1' },
    dir: { type: 'string', default: '/work/shared/benchmarks/openapi-specs' },
    show: { type: 'string', default: '3' },
  },
});
const dir = values.dir as string;
const rules = await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS);
const signatures = compileSignatures(rules, BUILTIN_DETECTORS, { paranoia: Number(values.paranoia) });
const hits = new Map<string, string[]>();
const seen = new Set<string>();
let strings = 0;
let descriptions = 0;

function inspect(file: string, key: string, value: string): void {
  if (seen.has(value)) return;
  seen.add(value);
  const prose = key === 'description' || key === 'summary';
  if (prose) descriptions++;
  else strings++;
  const location = prose ? 'json:$.description' : 'json:$.value';
  for (const match of signatures.inspect([{ location, value }]).matches) {
    const list = hits.get(match.ruleId) ?? [];
    list.push(`${file} ${key}: ${match.snippet}`);
    hits.set(match.ruleId, list);
  }
}

function walk(file: string, node: unknown, key: string): void {
  if (typeof node === 'string') inspect(file, key, node);
  else if (Array.isArray(node)) for (const item of node) walk(file, item, key);
  else if (node !== null && typeof node === 'object') for (const [name, item] of Object.entries(node)) walk(file, item, name);
}

for (const file of readdirSync(dir).sort()) {
  if (!/\.(json|ya?ml)$/.test(file) || file === 'manifest.json') continue;
  walk(file, parse(readFileSync(join(dir, file), 'utf8'), { maxAliasCount: -1 }), '');
}
let total = 0;
for (const list of hits.values()) total += list.length;
process.stdout.write(`${strings} distinct values and names, ${descriptions} descriptions, paranoia ${values.paranoia}: ${total} hits\n`);
for (const [ruleId, list] of [...hits].sort((a, b) => b[1].length - a[1].length)) {
  process.stdout.write(`${String(list.length).padStart(5)}  ${ruleId}\n`);
  for (const line of list.slice(0, Number(values.show))) process.stdout.write(`         ${line.replaceAll('\n', '\\n')}\n`);
}
