/**
 * Routes: parts of the API with their own protection modes, exclusions and body limit. The first route whose
 * match holds wins; requests no route matches get the sensor-wide settings.
 */
import type { ProtectionMode } from '@palisade/engine';
import type { SensorConfig, SensorRoute } from '@palisade/core';

/** The settings in force for one request. */
export interface RouteSettings {
  /** The route's name (or its index as `routes[i]`), or undefined for the sensor-wide settings. */
  name?: string;
  signatures: ProtectionMode;
  openapi: ProtectionMode;
  policies: ProtectionMode;
  maxBodyBytes: number;
  /** Values the signatures inspect per part of the request (head, body); more are refused when signatures block. */
  maxInputs: number;
  /** True when the rule is switched off at this place for this route; absent when the route switches nothing off. */
  excluded?: (ruleId: string, location: string) => boolean;
}

/** Finds the settings for a request. */
export type RouteResolver = (method: string, host: string | undefined, path: string) => RouteSettings;

/** Compiles the routes of a sensor configuration once. */
export function compileRoutes(config: SensorConfig): RouteResolver {
  const defaults: RouteSettings = {
    signatures: config.signatures.mode,
    openapi: config.openapi.mode,
    policies: config.policies.mode,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxInputs: config.signatures.maxInputs,
  };
  const compiled = config.routes.map((route, index) => compileRoute(route, index, defaults));
  if (compiled.length === 0) return () => defaults;
  return (method, host, path) => {
    for (const route of compiled) if (route.matches(method, host, path)) return route.settings;
    return defaults;
  };
}

interface CompiledRoute {
  matches: (method: string, host: string | undefined, path: string) => boolean;
  settings: RouteSettings;
}

function compileRoute(route: SensorRoute, index: number, defaults: RouteSettings): CompiledRoute {
  const methods = route.match.methods === undefined ? undefined : new Set(route.match.methods.map((m) => m.toUpperCase()));
  const hosts = route.match.hosts === undefined ? undefined : new Set(route.match.hosts.map((h) => h.toLowerCase()));
  const paths = route.match.paths?.map(globToRegExp);
  const exclusions = route.exclusions.map((e) => ({ rules: e.rules, locations: e.locations }));
  return {
    matches: (method, host, path) =>
      (methods === undefined || methods.has(method)) &&
      (hosts === undefined || (host !== undefined && hosts.has(host.toLowerCase().replace(/:\d+$/, '')))) &&
      (paths === undefined || paths.some((p) => p.test(path))),
    settings: {
      name: route.name ?? `routes[${index}]`,
      signatures: route.protections?.signatures ?? defaults.signatures,
      openapi: route.protections?.openapi ?? defaults.openapi,
      policies: route.protections?.policies ?? defaults.policies,
      maxBodyBytes: route.maxBodyBytes ?? defaults.maxBodyBytes,
      maxInputs: route.maxInputs ?? defaults.maxInputs,
      excluded:
        exclusions.length === 0
          ? undefined
          : (ruleId, location) =>
              exclusions.some(
                (e) =>
                  e.rules.some((r) => ruleMatches(r, ruleId)) &&
                  (e.locations === undefined || e.locations.some((l) => locationMatches(l, location))),
              ),
    },
  };
}

/** `sqli/tokens`, `sqli/*` or `sqli` against a rule id. */
export function ruleMatches(pattern: string, ruleId: string): boolean {
  if (pattern === ruleId) return true;
  if (pattern.endsWith('/*')) return ruleId.startsWith(pattern.slice(0, -1));
  return !pattern.includes('/') && ruleId.startsWith(`${pattern}/`);
}

/** A location (`json:$.q`) or a kind (`json`) against an input's location. */
export function locationMatches(pattern: string, location: string): boolean {
  return (
    pattern === location ||
    (!pattern.includes(':') && location.startsWith(`${pattern}:`)) ||
    (pattern.endsWith('*') && location.startsWith(pattern.slice(0, -1)))
  );
}

/** A path glob: `*` is one segment (or part of one), `**` any number of segments. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (c === '*') pattern += '[^/]*';
    else pattern += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}
