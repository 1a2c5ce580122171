import type { EntityExtractorConfig } from '@palisade/core';
import { readJwtClaim } from './jwt.js';

/** What entity extractors can read from one request. Header names lower-case. */
export interface EntityInput {
  host: string | undefined;
  path: string;
  query: Record<string, string | string[]> | undefined;
  headers: Record<string, string>;
  /** The raw bearer JWT, when the request had one (read before it is tokenized). */
  jwt: string | undefined;
  body: string | undefined;
  bodyTruncated: boolean;
  /** `body` parsed as JSON, when the caller had it parsed already. */
  json?: { value: unknown };
}

/** Extracts business entities (`{ accountId: '8812' }`) with the configured extractors. */
export type EntityExtractor = (input: EntityInput) => Record<string, string>;

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Compiles extractors once. Path templates match whole segments anywhere in the path:
 * `/accounts/{accountId}` matches `/api/v2/accounts/8812/invoices` and gives `accountId = 8812`.
 * The first extractor that finds a value for a name wins. Values are capped at 256 characters.
 */
export function compileEntityExtractors(configs: readonly EntityExtractorConfig[]): EntityExtractor {
  if (configs.length === 0) return () => EMPTY;
  const steps = configs.map(compileOne);
  return (input) => {
    const out: Record<string, string> = {};
    for (const step of steps) {
      if (step.host !== undefined && step.host !== input.host) continue;
      if (out[step.name] !== undefined) continue;
      const value = step.read(input);
      if (value !== undefined && value !== '') out[step.name] = value.slice(0, 256);
    }
    return out;
  };
}

interface Step {
  name: string;
  host: string | undefined;
  read(input: EntityInput): string | undefined;
}

function compileOne(config: EntityExtractorConfig): Step {
  const base = { name: config.name, host: config.host?.toLowerCase() };
  switch (config.from) {
    case 'path': {
      const segments = config.template.split('/').filter((s) => s !== '');
      const paramIndex = segments.indexOf(`{${config.name}}`);
      const index = paramIndex >= 0 ? paramIndex : segments.findIndex((s) => /^\{.+\}$/.test(s));
      return {
        ...base,
        read: (input) => {
          const parts = input.path.split('/').filter((s) => s !== '');
          outer: for (let start = 0; start + segments.length <= parts.length; start++) {
            for (let i = 0; i < segments.length; i++) {
              const seg = segments[i] as string;
              if (seg[0] !== '{' && seg !== parts[start + i]) continue outer;
            }
            const raw = parts[start + index] as string;
            try {
              return decodeURIComponent(raw);
            } catch {
              return raw;
            }
          }
          return undefined;
        },
      };
    }
    case 'query':
      return {
        ...base,
        read: (input) => {
          const v = input.query?.[config.param];
          return Array.isArray(v) ? v[0] : v;
        },
      };
    case 'header': {
      const header = config.header.toLowerCase();
      return { ...base, read: (input) => input.headers[header] };
    }
    case 'jwt':
      return { ...base, read: (input) => (input.jwt === undefined ? undefined : readJwtClaim(input.jwt, config.claim)) };
    case 'body': {
      const keys = config.path.split('.');
      return {
        ...base,
        read: (input) => {
          if (input.body === undefined || input.bodyTruncated) return undefined;
          let value: unknown;
          // a document that is not an object or an array has no member to read: the walk below finds none
          if (input.json !== undefined) value = input.json.value;
          else {
            const first = input.body.trimStart()[0];
            if (first !== '{' && first !== '[') return undefined;
            try {
              value = JSON.parse(input.body);
            } catch {
              return undefined;
            }
          }
          for (const key of keys) {
            if (typeof value !== 'object' || value === null) return undefined;
            value = (value as Record<string, unknown>)[key];
          }
          return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
        },
      };
    }
  }
}
