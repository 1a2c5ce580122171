import { readFieldMap } from '../internal/field-map.js';

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
  const fieldMap = readFieldMap('fastly', raw);
  return fieldMap === undefined ? {} : { fieldMap };
}
