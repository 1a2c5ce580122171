/**
 * Palisade's error catalogue. Every error a user can meet has a stable `code` (`PAL_ERR_<AREA>_<WHAT>`) and
 * a one-line message that never contains secrets, tokens or record content. Match on `code`, never on text.
 * `docs/errors.md` lists the same codes (a test keeps the two in sync).
 */
export const ERROR_CATALOGUE = {
  PAL_ERR_CONFIG_INVALID: 'The configuration is invalid.',
  PAL_ERR_CONFIG_UNREADABLE: 'The configuration file cannot be read.',
  PAL_ERR_INPUT_UNREADABLE: 'An input file or directory cannot be read.',
  PAL_ERR_INPUT_NOT_FOUND: 'No input matched the given paths.',
  PAL_ERR_FORMAT_UNKNOWN: 'The format asked for does not exist.',
  PAL_ERR_FORMAT_UNDETECTED: 'The format of an input could not be detected.',
  PAL_ERR_STORE_LOCKED: 'The store is in use by another process.',
  PAL_ERR_STORE_OPEN: 'The store cannot be opened.',
  PAL_ERR_STORE_WRITE: 'Writing to the store failed.',
  PAL_ERR_STORE_SCHEMA: 'The store was written by a newer Palisade.',
  PAL_ERR_SPEC_INVALID: 'An API description (OpenAPI or Swagger) cannot be read or is invalid.',
  PAL_ERR_INVENTORY_MISSING: 'The store holds no API inventory yet.',
  PAL_ERR_SECRET_KEY: 'The deployment secret key cannot be read or created.',
  PAL_ERR_LISTEN: 'The push endpoint cannot listen on the address given.',
  PAL_ERR_USAGE: 'The command line is invalid.',
  PAL_ERR_HTTP_BAD_REQUEST: 'The request body cannot be read.',
  PAL_ERR_HTTP_UNAUTHORIZED: 'The request lacks a valid bearer token.',
  PAL_ERR_HTTP_NOT_FOUND: 'There is no endpoint at this path.',
  PAL_ERR_HTTP_METHOD: 'The endpoint does not accept this method.',
  PAL_ERR_HTTP_TOO_LARGE: 'The request body is over the size limit.',
  PAL_ERR_HTTP_MEDIA_TYPE: 'The content type or content encoding of the request is not supported.',
  PAL_ERR_HTTP_INTERNAL: 'The server failed on this request.',
  PAL_ERR_HTTP_HEADERS_TOO_LARGE: 'The request head is over the size limit.',
  PAL_ERR_HTTP_MALFORMED: 'The request is not valid HTTP.',
  PAL_ERR_HTTP_TIMEOUT: 'The client took too long to send its request.',
  PAL_ERR_RULES_INVALID: 'A rule file is invalid.',
  PAL_ERR_RULES_UNREADABLE: 'A rule folder or file cannot be read.',
  PAL_ERR_TRIAGE_INVALID: 'The triage file cannot be read or is not valid.',
  PAL_ERR_TRIAGE_WRITE: 'The triage file cannot be written.',
  PAL_ERR_STATE_INVALID: 'The saved detection state cannot be read.',
  PAL_ERR_SENSOR_BLOCKED: 'The request was blocked by the API security policy.',
  PAL_ERR_SENSOR_RATE_LIMITED: 'Too many requests.',
  PAL_ERR_SENSOR_INSPECTION_FAILED: 'The request could not be inspected and was refused.',
  PAL_ERR_SENSOR_UPSTREAM_UNAVAILABLE: 'The upstream could not be reached or failed.',
  PAL_ERR_SENSOR_UPSTREAM_TIMEOUT: 'The upstream did not answer in time.',
} as const;

/** A catalogued error code. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * An error meant for the user: a catalogued code and a one-line message. The CLI prints it without a stack
 * trace and exits 1. Never put secrets or record content in `message`.
 */
export class PalisadeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PalisadeError';
    this.code = code;
  }
}

/** True when `error` is a `PalisadeError` (with a catalogued code). */
export function isPalisadeError(error: unknown): error is PalisadeError {
  return error instanceof PalisadeError;
}
