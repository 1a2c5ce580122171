/**
 * Drafts the missing `*.expected.json` golden files of a parser from its current output, for a person to
 * review against the format's documentation before committing. Never overwrites an expected file.
 *
 * Usage: node --conditions=palisade-src --import tsx scripts/write-golden.ts <format> <fixtures-dir>
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParserOptions } from '@palisade/core';
import { createDefaultParserRegistry } from '@palisade/engine';
import { parseAll, toPlain } from '@palisade/testkit';

const [format, dir] = process.argv.slice(2);
if (format === undefined || dir === undefined) {
  console.error('usage: write-golden.ts <format> <fixtures-dir>');
  process.exit(2);
}
const parser = createDefaultParserRegistry().get(format);
for (const name of readdirSync(dir).sort()) {
  if (name.endsWith('.expected.json') || name.endsWith('.options.json')) continue;
  const input = join(dir, name);
  const expected = `${input}.expected.json`;
  if (existsSync(expected)) continue;
  const optionsPath = `${input}.options.json`;
  const options = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as ParserOptions) : undefined;
  writeFileSync(expected, `${JSON.stringify(toPlain(parseAll(parser, readFileSync(input, 'utf8'), options)), null, 2)}\n`);
  console.log(`drafted ${expected}: review every value before committing`);
}
