import { readFieldMap } from '../internal/field-map.js';

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
  const fieldMap = readFieldMap('nginx-json', raw);
  return fieldMap === undefined ? {} : { fieldMap };
}
