import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PalisadeError } from '../errors.js';
import { ConfigSchema, type PalisadeConfig } from './schema.js';

/** Where configuration comes from. Only this module reads `process.env`. */
export interface ConfigSources {
  /** Path of a YAML or JSON config file; `undefined` for defaults only. */
  file?: string;
  /** Environment to read `PALISADE_*` variables from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values from the command line, applied last. */
  overrides?: { dataDir?: string; storePath?: string };
}

/**
 * Loads the configuration once: file, then `PALISADE_*` environment variables, then command-line
 * overrides; validates it reporting every problem at once (`PAL_ERR_CONFIG_INVALID`), and freezes it.
 *
 * Environment variables: `PALISADE_CONFIG` (file, when none is given), `PALISADE_DATA_DIR`,
 * `PALISADE_DB`, `PALISADE_RETENTION_DAYS`, `PALISADE_TRUSTED_PROXIES` (comma-separated CIDRs).
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<PalisadeConfig> {
  const env = sources.env ?? process.env;
  const file = sources.file ?? env.PALISADE_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PalisadeError(
        'PAL_ERR_CONFIG_UNREADABLE',
        `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw new PalisadeError(
        'PAL_ERR_CONFIG_INVALID',
        `config file ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `config file ${file} must hold a mapping at the top`);
      }
      raw = parsed as Record<string, unknown>;
    }
  }
  const store = { ...(raw.store as Record<string, unknown> | undefined) };
  const ingest = { ...(raw.ingest as Record<string, unknown> | undefined) };
  if (env.PALISADE_DATA_DIR) raw = { ...raw, dataDir: env.PALISADE_DATA_DIR };
  if (env.PALISADE_DB) store.path = env.PALISADE_DB;
  if (env.PALISADE_RETENTION_DAYS) store.retentionDays = Number(env.PALISADE_RETENTION_DAYS);
  if (env.PALISADE_TRUSTED_PROXIES !== undefined) {
    ingest.trustedProxies = env.PALISADE_TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (sources.overrides?.dataDir !== undefined) raw = { ...raw, dataDir: sources.overrides.dataDir };
  if (sources.overrides?.storePath !== undefined) store.path = sources.overrides.storePath;
  const result = ConfigSchema.safeParse({ ...raw, store, ingest });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `invalid configuration${file ? ` in ${file}` : ''}: ${problems.join('; ')}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
