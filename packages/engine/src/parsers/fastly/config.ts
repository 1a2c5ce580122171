/**
 * Options of the `fastly` parser.
 *
 * `fieldMap` maps the field names of Fastly's recommended JSON log format (`timestamp`, `client_ip`,
 * `url`, `request_method`, `response_status`, `time_elapsed`, … — see `FASTLY_FIELDS`) to the keys a
 * custom VCL log format uses instead; dotted keys reach into nested objects (`{"client_ip": "client.ip"}`).
 * Fields not in the map are read under their default names.
 */
export interface FastlyOptions {
  fieldMap?: Record<string, string>;
}

/** Reads and checks the options; throws a plain Error with every problem at once. */
export function resolveFastlyOptions(raw: Record<string, unknown> | undefined): FastlyOptions {
  if (raw === undefined) return {};
  const problems: string[] = [];
  const map = raw.fieldMap;
  if (map !== undefined) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) problems.push('fieldMap must be an object');
    else {
      for (const [k, v] of Object.entries(map)) {
        if (typeof v !== 'string' || v === '') problems.push(`fieldMap.${k} must be a non-empty string`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`fastly options: ${problems.join('; ')}`);
  return map === undefined ? {} : { fieldMap: map as Record<string, string> };
}
