#!/usr/bin/env node
// Runs every `*.test.ts` under the given directories with Node's test runner and tsx, resolving
// workspace packages to their TypeScript sources (`palisade-src` condition). Fails when no test is found,
// because Node's runner exits 0 on an empty file list.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const roots = process.argv.slice(2);
if (roots.length === 0) roots.push('.');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots) {
  const path = resolve(root);
  if (statSync(path).isFile()) files.push(path);
  else walk(path);
}
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
files.sort();
const result = spawnSync(process.execPath, ['--conditions=palisade-src', '--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
