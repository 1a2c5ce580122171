import { type EventIdentity, type ParsedEvent, type ParseOutcome, type Parser, reject, skip } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { isObject, num, parseJsonObject, status, text } from '../internal/fields.js';
import { parseAnyTime, parseEpochTime } from '../internal/time.js';
import { type ApiGatewayVariable, resolveAwsApiGatewayOptions } from './config.js';

type Fields = Record<string, unknown>;
type KeyPath = readonly string[];
type Lookup = Record<ApiGatewayVariable, readonly KeyPath[]>;

/**
 * Keys tried for each variable when no `fieldMap` entry names one: the key names of the JSON formats in the
 * API Gateway documentation (`ip`, `caller`, `user`, …) and the variable's own (possibly nested) name.
 */
const DEFAULT_KEYS: Record<ApiGatewayVariable, readonly string[]> = {
  requestId: ['requestId'],
  extendedRequestId: ['extendedRequestId'],
  requestTime: ['requestTime'],
  requestTimeEpoch: ['requestTimeEpoch'],
  httpMethod: ['httpMethod'],
  path: ['path'],
  resourcePath: ['resourcePath'],
  routeKey: ['routeKey'],
  status: ['status'],
  protocol: ['protocol'],
  responseLength: ['responseLength'],
  responseLatency: ['responseLatency'],
  integrationLatency: ['integrationLatency', 'integration.latency'],
  domainName: ['domainName'],
  apiId: ['apiId'],
  stage: ['stage'],
  xrayTraceId: ['xrayTraceId'],
  'error.message': ['errorMessage', 'error.message'],
  'identity.sourceIp': ['ip', 'sourceIp', 'identity.sourceIp'],
  'identity.userAgent': ['userAgent', 'identity.userAgent'],
  'identity.caller': ['caller', 'identity.caller'],
  'identity.user': ['user', 'identity.user'],
  'identity.apiKeyId': ['apiKeyId', 'identity.apiKeyId'],
  'identity.apiKey': ['apiKey', 'identity.apiKey'],
  'identity.clientCert.subjectDN': ['identity.clientCert.subjectDN'],
  'authorizer.principalId': ['principalId', 'authorizer.principalId'],
  'authorizer.claims.sub': ['authorizer.claims.sub'],
};

const METHOD = /^[A-Z]{3,10}$/;

/**
 * Amazon API Gateway access logs (REST and HTTP APIs) in JSON, as CloudWatch Logs or Firehose deliver
 * them. The layout is the user's `$context` template: the documented key names (`requestId`, `ip`,
 * `caller`, `user`, `requestTime`, `httpMethod`, `resourcePath`, `routeKey`, `status`, `protocol`,
 * `responseLength`, …) are read by default, as are objects nested like the variables (`{"identity":
 * {"sourceIp": …}}`, optionally under a top-level `context`); the `fieldMap` option names other keys.
 * A CloudWatch Logs record `{"message": "<json>", "timestamp": …}` is unwrapped.
 *
 * `path` is `$context.path` when logged, otherwise the route template (`resourcePath`, or the path of
 * `routeKey`). `identity.sourceIp` is the connecting address (`client.peerIp`); `apiKeyId` is the
 * consumer; the user is `identity.user`, the authorizer's `claims.sub` or `principalId`, or the IAM
 * caller. A raw `identity.apiKey` is passed on as an `x-api-key` request header (enrich tokenizes it).
 * WebSocket API events without an HTTP method are skipped.
 */
export const awsApiGatewayParser: Parser = {
  format: 'aws-apigateway',
  description: 'Amazon API Gateway access logs (REST and HTTP APIs) in JSON, CloudWatch Logs or Firehose',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(lines, (o) => {
      const record = unwrapMessage(o);
      if (record === undefined) return false;
      const root = selectRoot(record);
      return (
        ('requestId' in root || 'extendedRequestId' in root) &&
        ('httpMethod' in root || 'routeKey' in root || 'resourcePath' in root) &&
        !('httpRequest' in root)
      );
    });
  },
  open(options) {
    const { fieldMap } = resolveAwsApiGatewayOptions(options?.options);
    const lookup = {} as Record<ApiGatewayVariable, KeyPath[]>;
    for (const variable of Object.keys(DEFAULT_KEYS) as ApiGatewayVariable[]) {
      const mapped = fieldMap?.[variable];
      lookup[variable] = buildKeyPaths(mapped === undefined ? DEFAULT_KEYS[variable] : [mapped]);
    }
    return { parse: (line) => parseApiGatewayLine(line, lookup) };
  },
};

function parseApiGatewayLine(line: string, lookup: Lookup): ParseOutcome {
  const outer = parseJsonObject(line);
  if (outer === undefined) return reject('malformed_json');
  const record = unwrapMessage(outer);
  if (record === undefined) return reject('malformed_json', 'message is not a JSON object');
  const root = selectRoot(record);

  const epoch = read(root, lookup.requestTimeEpoch);
  let time = epoch === undefined ? undefined : parseEpochTime(epoch);
  time ??= parseAnyTime(read(root, lookup.requestTime));
  if (time === undefined && record !== outer) time = parseEpochTime(outer.timestamp);
  if (time === undefined) return reject('bad_timestamp');

  const routeKey = text(read(root, lookup.routeKey));
  const method = text(read(root, lookup.httpMethod)) ?? readRouteMethod(routeKey);
  if (method === undefined) {
    if ('eventType' in root || 'connectionId' in root) return skip('WebSocket API event');
    return reject('missing_field', 'httpMethod');
  }
  const resourcePath = text(read(root, lookup.resourcePath));
  const path = text(read(root, lookup.path)) ?? resourcePath ?? readRoutePath(routeKey);
  if (path === undefined) return reject('missing_field', 'path');

  const code = read(root, lookup.status);
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const apiKey = text(read(root, lookup['identity.apiKey']));
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: 'https',
      host: text(read(root, lookup.domainName)),
      path,
      headers: apiKey === undefined ? {} : { 'x-api-key': apiKey },
      httpVersion: text(read(root, lookup.protocol)),
    },
    latencyMs: num(read(root, lookup.responseLatency)),
    client: {
      peerIp: text(read(root, lookup['identity.sourceIp'])),
      userAgent: text(read(root, lookup['identity.userAgent'])),
    },
  };
  if (responseStatus !== undefined) {
    event.response = { status: responseStatus, headers: {}, size: num(read(root, lookup.responseLength)) };
  }
  const certSubject = text(read(root, lookup['identity.clientCert.subjectDN']));
  if (certSubject !== undefined) event.client.tls = { clientCertSubject: certSubject };
  event.identity = readIdentity(root, lookup, certSubject !== undefined);

  const route = resourcePath ?? routeKey;
  const integrationMs = num(read(root, lookup.integrationLatency));
  if (route !== undefined || integrationMs !== undefined) event.upstream = { route, latencyMs: integrationMs };
  const trace = text(read(root, lookup.xrayTraceId));
  event.traceId = trace?.startsWith('Root=') ? trace.slice(5) : trace;
  event.attributes = readAttributes(root, lookup);
  return event;
}

function readIdentity(root: Fields, lookup: Lookup, mtls: boolean): Partial<EventIdentity> | undefined {
  const consumer = text(read(root, lookup['identity.apiKeyId']));
  const user =
    text(read(root, lookup['identity.user'])) ??
    text(read(root, lookup['authorizer.claims.sub'])) ??
    text(read(root, lookup['authorizer.principalId'])) ??
    text(read(root, lookup['identity.caller']));
  if (consumer === undefined && user === undefined && !mtls) return undefined;
  const identity: Partial<EventIdentity> = { consumer, user };
  if (mtls) identity.authScheme = 'mtls';
  return identity;
}

function readAttributes(root: Fields, lookup: Lookup): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  const requestId = text(read(root, lookup.requestId)) ?? text(read(root, lookup.extendedRequestId));
  const apiId = text(read(root, lookup.apiId));
  const stage = text(read(root, lookup.stage));
  const errorMessage = text(read(root, lookup['error.message']));
  if (requestId !== undefined) attributes.requestId = requestId;
  if (apiId !== undefined) attributes.apiId = apiId;
  if (stage !== undefined) attributes.stage = stage;
  if (errorMessage !== undefined) attributes.errorMessage = errorMessage;
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}

/** The access log record: the object itself, or the JSON in a CloudWatch Logs `message`. */
function unwrapMessage(o: Fields): Fields | undefined {
  const message = o.message;
  if (typeof message !== 'string' || 'requestId' in o || 'httpMethod' in o || 'context' in o) return o;
  return parseJsonObject(message);
}

/** Formats that nest everything under `context` (like the `$context` variables) are read from there. */
function selectRoot(record: Fields): Fields {
  const context = record.context;
  return isObject(context) && !('requestId' in record) ? context : record;
}

/** Each key as written, plus its nested reading when it has dots (`identity.sourceIp`). */
function buildKeyPaths(keys: readonly string[]): KeyPath[] {
  const paths: KeyPath[] = [];
  for (const key of keys) {
    paths.push([key]);
    if (key.includes('.')) paths.push(key.split('.'));
  }
  return paths;
}

function read(root: Fields, paths: readonly KeyPath[]): unknown {
  for (const path of paths) {
    let cur: unknown = root;
    for (const key of path) {
      if (!isObject(cur)) {
        cur = undefined;
        break;
      }
      cur = cur[key];
    }
    if (cur !== undefined && cur !== null) return cur;
  }
  return undefined;
}

/** `GET /pets/{id}` → `GET`; `ANY /{proxy+}` and `$default` have no method. */
function readRouteMethod(routeKey: string | undefined): string | undefined {
  if (routeKey === undefined) return undefined;
  const space = routeKey.indexOf(' ');
  const method = space < 0 ? routeKey : routeKey.slice(0, space);
  return method !== 'ANY' && METHOD.test(method) ? method : undefined;
}

/** `GET /pets/{id}` → `/pets/{id}`. */
function readRoutePath(routeKey: string | undefined): string | undefined {
  if (routeKey === undefined) return undefined;
  const space = routeKey.indexOf(' ');
  return space < 0 || routeKey.charCodeAt(space + 1) !== 47 /* / */ ? undefined : routeKey.slice(space + 1);
}
