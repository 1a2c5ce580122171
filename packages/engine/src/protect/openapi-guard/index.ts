/** OpenAPI enforcement for the inline sensor: requests checked against their API description, responses for undeclared sensitive data. */
export type { GuardRequest, GuardViolation, RequestCheck, ViolationKind } from './check-request.js';
export { MASK, MAX_FINDINGS, type ResponseCheck, type ResponseFinding } from './check-response.js';
export {
  compileOpenApiGuard,
  DEFAULT_RESPONSE_TYPES,
  loadOpenApiDocument,
  type OpenApiDocument,
  type OpenApiGuard,
  type OpenApiGuardOptions,
  parseOpenApiDocument,
} from './compile.js';
