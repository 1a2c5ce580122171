import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ParseOutcome, Parser, ParserOptions } from '@palisade/core';

/**
 * Golden-file tests for a parser. Every input file in `fixturesDir` (any name not ending in
 * `.expected.json` or `.options.json`) is parsed — line by line for line formats (empty lines skipped),
 * whole for document formats — and the outcomes are compared with `<input>.expected.json`, an array with
 * one entry per record. `<input>.options.json`, when present, holds the parser options.
 *
 * Expected files are written by hand from the format's documentation; `scripts/write-golden.ts` drafts
 * missing ones from the current output for review (it never overwrites one).
 */
export function testParserGolden(parser: Parser, fixturesDir: string): void {
  const inputs = readdirSync(fixturesDir)
    .filter((name) => !name.endsWith('.expected.json') && !name.endsWith('.options.json'))
    .sort();
  assert.ok(inputs.length > 0, `no golden fixtures in ${fixturesDir}`);
  for (const input of inputs) {
    test(`${parser.format} golden: ${input}`, () => {
      const path = join(fixturesDir, input);
      const optionsPath = `${path}.options.json`;
      const options: ParserOptions | undefined = existsSync(optionsPath)
        ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as ParserOptions)
        : undefined;
      const actual = toPlain(parseAll(parser, readFileSync(path, 'utf8'), options));
      const expectedPath = `${path}.expected.json`;
      if (!existsSync(expectedPath)) assert.fail(`missing ${expectedPath} (draft it with scripts/write-golden.ts, then review it)`);
      const expected: unknown = JSON.parse(readFileSync(expectedPath, 'utf8'));
      assert.deepStrictEqual(actual, expected);
    });
  }
}

/** Parses a whole text the way ingest frames it; exported for tests that check single records. */
export function parseAll(parser: Parser, content: string, options?: ParserOptions): ParseOutcome[] {
  const records = parser.open(options);
  if (parser.framing === 'document') return [records.parse(content)];
  const outcomes: ParseOutcome[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    outcomes.push(records.parse(line));
  }
  return outcomes;
}

/** The outcomes as plain JSON values (what expected files hold). */
export function toPlain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
