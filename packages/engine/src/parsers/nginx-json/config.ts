/**
 * Options of the `nginx-json` parser.
 *
 * `fieldMap` maps nginx variable names (`remote_addr`, `time_iso8601`, `request_uri`, `http_user_agent`, …)
 * to the keys a custom `log_format … escape=json` layout uses instead; dotted keys reach into nested
 * objects (`{"remote_addr": "client.ip"}`). Variables not in the map are read under their own name.
 */
export interface NginxJsonOptions {
  fieldMap?: Record<string, string>;
}

/** Reads and checks the options; throws a plain Error with every problem at once. */
export function resolveNginxJsonOptions(raw: Record<string, unknown> | undefined): NginxJsonOptions {
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
  if (problems.length > 0) throw new Error(`nginx-json options: ${problems.join('; ')}`);
  return map === undefined ? {} : { fieldMap: map as Record<string, string> };
}
