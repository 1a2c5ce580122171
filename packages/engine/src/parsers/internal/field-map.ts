/**
 * Reads a `fieldMap` parser option (canonical field name → key in a custom layout, dotted keys reach into
 * nested objects), shared by the formats whose layout users define (nginx JSON, Fastly, API Gateway).
 * Throws a plain `Error` listing every problem at once; `known`, when given, limits the canonical names.
 */
export function readFieldMap(
  format: string,
  raw: Record<string, unknown> | undefined,
  known?: ReadonlySet<string>,
  knownLabel = 'a field this parser reads',
): Record<string, string> | undefined {
  const map = raw?.fieldMap;
  if (map === undefined) return undefined;
  const problems: string[] = [];
  if (typeof map !== 'object' || map === null || Array.isArray(map)) problems.push('fieldMap must be an object');
  else {
    for (const [k, v] of Object.entries(map)) {
      if (known !== undefined && !known.has(k)) problems.push(`fieldMap.${k} is not ${knownLabel}`);
      else if (typeof v !== 'string' || v === '') problems.push(`fieldMap.${k} must be a non-empty string`);
    }
  }
  if (problems.length > 0) throw new Error(`${format} options: ${problems.join('; ')}`);
  return map as Record<string, string>;
}
