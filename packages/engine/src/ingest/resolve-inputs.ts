import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { PalisadeError } from '@palisade/core';
import { glob } from 'tinyglobby';

/** One input to read: a file or stdin (`-`). */
export interface InputSpec {
  kind: 'file' | 'stdin';
  path: string;
  /** True when the user named this file (not found through a directory or glob). */
  explicit: boolean;
}

/**
 * Expands the command-line inputs: `-` is stdin, directories are walked (hidden files skipped), globs
 * (`logs/*.gz`, `**\/access.log*`) are expanded. Files found through a directory or glob are ordered
 * oldest first (by modification time, then name), so rotated logs are read in time order.
 * Throws `PAL_ERR_INPUT_NOT_FOUND` / `PAL_ERR_INPUT_UNREADABLE` with the offending path.
 */
export async function resolveInputs(args: readonly string[]): Promise<InputSpec[]> {
  const out: InputSpec[] = [];
  const seen = new Set<string>();
  const add = (spec: InputSpec): void => {
    if (spec.kind === 'file' && seen.has(spec.path)) return;
    seen.add(spec.path);
    out.push(spec);
  };
  for (const arg of args) {
    if (arg === '-') {
      add({ kind: 'stdin', path: 'stdin', explicit: true });
      continue;
    }
    const stat = statOrUndefined(arg);
    if (stat?.isFile()) {
      add({ kind: 'file', path: arg, explicit: true });
    } else if (stat?.isDirectory()) {
      const files = walk(arg);
      if (files.length === 0) throw new PalisadeError('PAL_ERR_INPUT_NOT_FOUND', `no files in directory ${arg}`);
      for (const file of sortOldestFirst(files)) add({ kind: 'file', path: file, explicit: false });
    } else if (/[*?[\]{}]/.test(arg)) {
      const files = (await glob(arg, { onlyFiles: true, dot: false, expandDirectories: false })).sort();
      if (files.length === 0) throw new PalisadeError('PAL_ERR_INPUT_NOT_FOUND', `no files match ${arg}`);
      for (const file of sortOldestFirst(files)) add({ kind: 'file', path: file, explicit: false });
    } else if (stat === undefined) {
      throw new PalisadeError('PAL_ERR_INPUT_NOT_FOUND', `no such file or directory: ${arg}`);
    } else {
      throw new PalisadeError('PAL_ERR_INPUT_UNREADABLE', `not a regular file or directory: ${arg}`);
    }
  }
  return out;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new PalisadeError('PAL_ERR_INPUT_UNREADABLE', `cannot read ${path}: ${code ?? 'error'}`);
  }
}

function walk(dir: string): string[] {
  const files: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new PalisadeError(
      'PAL_ERR_INPUT_UNREADABLE',
      `cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const stat = statOrUndefined(path);
    if (stat?.isDirectory()) files.push(...walk(path));
    else if (stat?.isFile()) files.push(path);
  }
  return files;
}

function sortOldestFirst(files: string[]): string[] {
  return files
    .map((file) => ({ file, mtime: statOrUndefined(file)?.mtimeMs ?? 0 }))
    .sort((a, b) => a.mtime - b.mtime || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map((entry) => entry.file);
}
