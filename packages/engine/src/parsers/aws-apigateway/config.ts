import { readFieldMap } from '../internal/field-map.js';

/** The `$context` variables (without the `$context.` prefix) the `aws-apigateway` parser reads. */
export const API_GATEWAY_VARIABLES = [
  'requestId',
  'extendedRequestId',
  'requestTime',
  'requestTimeEpoch',
  'httpMethod',
  'path',
  'resourcePath',
  'routeKey',
  'status',
  'protocol',
  'responseLength',
  'responseLatency',
  'integrationLatency',
  'domainName',
  'apiId',
  'stage',
  'xrayTraceId',
  'error.message',
  'identity.sourceIp',
  'identity.userAgent',
  'identity.caller',
  'identity.user',
  'identity.apiKeyId',
  'identity.apiKey',
  'identity.clientCert.subjectDN',
  'authorizer.principalId',
  'authorizer.claims.sub',
] as const;

/** One of {@link API_GATEWAY_VARIABLES}. */
export type ApiGatewayVariable = (typeof API_GATEWAY_VARIABLES)[number];

/**
 * Options of the `aws-apigateway` parser.
 *
 * `fieldMap` maps `$context` variable names (`identity.sourceIp`, `httpMethod`, `requestTimeEpoch`, …) to the
 * keys a custom access log format uses for them; dotted keys reach into nested objects
 * (`{"identity.sourceIp": "client.ip"}`). Variables not in the map are read under their documented
 * default keys (`ip`/`sourceIp`, `httpMethod`, …).
 */
export interface AwsApiGatewayOptions {
  fieldMap?: Partial<Record<ApiGatewayVariable, string>>;
}

const KNOWN = new Set<string>(API_GATEWAY_VARIABLES);

/** Reads and checks the options; throws a plain Error with every problem at once. */
export function resolveAwsApiGatewayOptions(raw: Record<string, unknown> | undefined): AwsApiGatewayOptions {
  const fieldMap = readFieldMap('aws-apigateway', raw, KNOWN, 'a $context variable this parser reads');
  return fieldMap === undefined ? {} : { fieldMap: fieldMap as Partial<Record<ApiGatewayVariable, string>> };
}
