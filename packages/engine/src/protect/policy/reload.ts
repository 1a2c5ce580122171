/**
 * Hot reload of the access lists: the sensor keeps its allow and deny rules in a YAML or JSON file
 * (`accessFile`), and `watchAccessLists` re-reads it when it changes, validates it, and swaps the new rules
 * in at once. A file that cannot be read, parsed or validated leaves the rules in force untouched and is
 * reported through `onError` — an operator's typo never opens or closes the gate.
 *
 * The file holds either a list of access rules or a mapping with one `access:` list (the shape of the
 * `access` key of the policy config). An empty file is an error, not an empty list: an editor that truncates
 * before writing must not wipe the lists for a moment; write `[]` to remove every rule.
 *
 * The folder holding the file is watched, not the file, so editors that save by renaming a temporary file
 * over it are seen too. Change events are debounced, and reloads never overlap: a change during a reload
 * triggers one more reload after it, so the last version written is the one in force.
 */

import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { PalisadeError } from '@palisade/core';
import { parse as parseYaml } from 'yaml';

/** Whatever takes new access rules: `Policies` does (it validates, then swaps or throws). */
export interface AccessRulesTarget {
  /** Validates and installs `rules`; throws (keeping the old rules) when they are invalid. */
  replaceAccess(rules: unknown): void;
}

/** What happened on a reload. */
export interface AccessReload {
  /** The file read (absolute). */
  path: string;
  /** Rules now in force. */
  rules: number;
}

/** Hooks and settings of a watcher. */
export interface WatchAccessListsOptions {
  /** Called after each successful reload (not after the initial load). */
  onReload?: (reload: AccessReload) => void;
  /**
   * Called when a reload fails; the old rules stay in force. The error is a `PalisadeError` with code
   * `PAL_ERR_CONFIG_UNREADABLE` (read or parse) or `PAL_ERR_CONFIG_INVALID` (validation).
   */
  onError?: (error: PalisadeError) => void;
  /** Quiet time after the last change event before reading, ms; default 100. */
  debounceMs?: number;
}

/** A running watch of an access-list file. */
export interface AccessListWatcher {
  /** Reads the file now (whatever the watch saw); resolves to true when the new rules are in force. */
  reload(): Promise<boolean>;
  /** Stops watching (the watch keeps the process alive until then); a reload already running still finishes. Idempotent. */
  close(): void;
}

/**
 * Reads an access-list file and returns its rules, not yet validated (`replaceAccess` validates them).
 * Rejects with `PAL_ERR_CONFIG_UNREADABLE` when the file cannot be read, is empty, is not YAML/JSON, or has
 * neither a list nor an `access:` list at the top.
 */
export async function readAccessListFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PalisadeError('PAL_ERR_CONFIG_UNREADABLE', `${path}: cannot read the access-list file (${codeOf(error)})`, {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    throw new PalisadeError('PAL_ERR_CONFIG_UNREADABLE', `${path}: not valid YAML or JSON: ${first}`, { cause: error });
  }
  if (document === null || document === undefined) {
    throw new PalisadeError('PAL_ERR_CONFIG_UNREADABLE', `${path}: the file is empty (write [] for no rules)`);
  }
  if (Array.isArray(document)) return document;
  if (typeof document === 'object' && Object.keys(document).length === 1 && 'access' in document) return document.access;
  throw new PalisadeError('PAL_ERR_CONFIG_UNREADABLE', `${path}: expected a list of access rules or a mapping with one access: list`);
}

/**
 * Loads the access-list file into `target`, then watches it and reloads it on every change. Resolves once the
 * initial load is in force; rejects (watching nothing) when that initial load fails, so a sensor never starts
 * with lists it could not read. Later failures go to `onError` and keep the old rules.
 *
 * @example
 * const watcher = await watchAccessLists('/etc/palisade/access.yaml', policies, {
 *   onReload: ({ rules }) => log.info(`access lists reloaded: ${rules} rules`),
 *   onError: (error) => log.warn(error.message),
 * });
 * process.on('SIGTERM', () => watcher.close());
 */
export async function watchAccessLists(
  path: string,
  target: AccessRulesTarget,
  options: WatchAccessListsOptions = {},
): Promise<AccessListWatcher> {
  const file = resolve(path);
  const name = basename(file);
  const debounceMs = options.debounceMs ?? 100;
  await install(file, target);

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;

  const runOnce = async (): Promise<boolean> => {
    try {
      const rules = await install(file, target);
      if (!closed) options.onReload?.({ path: file, rules });
      return true;
    } catch (error) {
      if (!closed) options.onError?.(asPalisadeError(error, file));
      return false;
    }
  };

  const reload = (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    const run = async (): Promise<boolean> => {
      let ok = await runOnce();
      while (again && !closed) {
        again = false;
        ok = await runOnce();
      }
      running = undefined;
      return ok;
    };
    running = run();
    return running;
  };

  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (closed || (changed !== null && changed !== name)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, debounceMs);
  });
  watcher.on('error', (error) => {
    if (!closed) options.onError?.(asPalisadeError(error, file));
  });

  return {
    reload,
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/** Reads, validates and installs the file's rules; returns how many there are. */
async function install(file: string, target: AccessRulesTarget): Promise<number> {
  const rules = await readAccessListFile(file);
  try {
    target.replaceAccess(rules);
  } catch (error) {
    if (error instanceof PalisadeError) throw new PalisadeError(error.code, `${file}: ${error.message}`, { cause: error });
    throw error;
  }
  return Array.isArray(rules) ? rules.length : 0;
}

function asPalisadeError(error: unknown, file: string): PalisadeError {
  if (error instanceof PalisadeError) return error;
  return new PalisadeError('PAL_ERR_CONFIG_UNREADABLE', `${file}: ${codeOf(error)}`, { cause: error });
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
