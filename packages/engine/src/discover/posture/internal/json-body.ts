import type { BodySample } from '@palisade/core';

/** Largest body sample parsed as JSON, in characters: the cost of one event stays bounded. */
export const MAX_JSON_BODY_CHARS = 65_536;
/** Containers deeper than this are not visited. */
export const MAX_JSON_WALK_DEPTH = 16;
/** Members and array elements visited per document. */
export const MAX_JSON_WALK_NODES = 2000;

/**
 * Parses a body sample when it is a whole JSON document: not truncated, not base64, at most
 * {@link MAX_JSON_BODY_CHARS} characters, declared JSON (or undeclared and starting with `{` / `[`).
 * Returns `undefined` otherwise and when the text does not parse. Never throws.
 */
export function parseJsonSample(body: BodySample | undefined, contentType: string | undefined): { value: unknown } | undefined {
  if (body === undefined || body.truncated || body.encoding === 'base64') return undefined;
  const text = body.text;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_JSON_BODY_CHARS) return undefined;
  const type = (body.contentType ?? contentType ?? '').toLowerCase();
  if (type !== '' && !type.includes('json')) return undefined;
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

const PLAIN_MEMBER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of a member, written as the sensitive-data detector writes it: `$.user.email`, `$["x-id"]`. */
export function memberPath(parent: string, key: string): string {
  return PLAIN_MEMBER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** One step of a JSON path: a member name, or any element of an array (`[]`). */
export type PathStep = { member: string } | { item: true };

/**
 * Reads a collapsed JSON path (`$.items[].card`, `$["x-id"].v`) into steps. Returns `undefined` when the
 * text is not such a path.
 */
export function readJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i + 1));
      if (match === null) return undefined;
      steps.push({ member: match[0] });
      i += 1 + match[0].length;
    } else if (path.startsWith('[]', i)) {
      steps.push({ item: true });
      i += 2;
    } else if (path.startsWith('["', i)) {
      const end = findQuotedEnd(path, i + 1);
      if (end < 0 || path[end + 1] !== ']') return undefined;
      try {
        steps.push({ member: JSON.parse(path.slice(i + 1, end + 1)) as string });
      } catch {
        return undefined;
      }
      i = end + 2;
    } else {
      return undefined;
    }
  }
  return steps;
}

function findQuotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * Visits the members and elements of a parsed JSON document, depth first, with their collapsed paths;
 * `key` is the member name (for elements, the name of the array's member). Bounded by
 * {@link MAX_JSON_WALK_NODES} and {@link MAX_JSON_WALK_DEPTH}.
 */
export function walkJson(root: unknown, visit: (path: string, key: string | undefined, value: unknown) => void): void {
  let nodes = 0;
  const walk = (node: unknown, path: string, key: string | undefined, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth >= MAX_JSON_WALK_DEPTH) return;
    if (Array.isArray(node)) {
      const itemPath = `${path}[]`;
      for (const item of node) {
        if (++nodes > MAX_JSON_WALK_NODES) return;
        visit(itemPath, key, item);
        walk(item, itemPath, key, depth + 1);
      }
      return;
    }
    for (const member of Object.keys(node)) {
      if (++nodes > MAX_JSON_WALK_NODES) return;
      const value = (node as Record<string, unknown>)[member];
      const childPath = memberPath(path, member);
      visit(childPath, member, value);
      walk(value, childPath, member, depth + 1);
    }
  };
  walk(root, '$', undefined, 0);
}
