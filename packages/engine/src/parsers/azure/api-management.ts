import { type BodySample, type ParsedEvent, type ParseReject, reject } from '@palisade/core';
import { isObject, num, status, stringRecord, text } from '../internal/fields.js';
import { type Attributes, azureText, type Fields, nonEmpty, normalizeTlsVersion, putAttribute } from './internal-azure.js';

/**
 * Reads one API Management `GatewayLogs` record.
 *
 * Contract: `properties.url` is the absolute URL; the top-level `durationMs` is the total time in ms and
 * `callerIpAddress` the immediate caller (`client.peerIp`). The subscription (`apimSubscriptionId`, or
 * `subscriptionId` in older records) is the consumer, `userId` the user; `apiId`/`operationId` are the
 * upstream service and route. Logged headers and bodies (`requestHeaders`, `requestBody`, …) are kept.
 */
export function parseApiManagementRecord(time: number, record: Fields, p: Fields): ParsedEvent | ParseReject {
  const method = text(p.method);
  const url = text(p.url);
  if (method === undefined || url === undefined) return reject('missing_field', 'request');
  const code = p.responseCode;
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const requestHeaders = stringRecord(p.requestHeaders);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      url,
      headers: requestHeaders,
      size: num(p.requestSize),
      httpVersion: azureText(p.clientProtocol),
    },
    latencyMs: num(record.durationMs ?? record.DurationMs),
    client: {
      peerIp: azureText(record.callerIpAddress ?? p.callerIpAddress),
      userAgent: findHeader(requestHeaders, 'user-agent'),
    },
  };
  const requestBody = readBody(p.requestBody);
  if (requestBody !== undefined) event.request.body = requestBody;
  if (responseStatus !== undefined) {
    event.response = { status: responseStatus, headers: stringRecord(p.responseHeaders), size: num(p.responseSize) };
    const responseBody = readBody(p.responseBody);
    if (responseBody !== undefined) event.response.body = responseBody;
  }
  const tlsVersion = normalizeTlsVersion(p.clientTlsVersion);
  if (tlsVersion !== undefined) event.client.tls = { version: tlsVersion };
  const consumer = azureText(p.apimSubscriptionId ?? p.subscriptionId);
  const user = azureText(p.userId);
  if (consumer !== undefined || user !== undefined) event.identity = { consumer, user };
  const address = azureText(p.backendUrl);
  const service = azureText(p.apiId);
  const route = azureText(p.operationId);
  const latencyMs = num(p.backendTime);
  if (address !== undefined || service !== undefined || route !== undefined || latencyMs !== undefined) {
    event.upstream = { address, service, route, latencyMs };
  }
  const attributes: Attributes = {};
  putAttribute(attributes, 'requestId', azureText(record.correlationId));
  const cache = azureText(p.cache);
  if (cache !== 'none') putAttribute(attributes, 'cacheStatus', cache);
  putAttribute(attributes, 'upstreamStatus', status(p.backendResponseCode));
  putAttribute(attributes, 'productId', azureText(p.productId));
  if (isObject(p.lastError)) putAttribute(attributes, 'errorReason', azureText(p.lastError.reason));
  const result = nonEmpty(attributes);
  if (result !== undefined) event.attributes = result;
  return event;
}

function findHeader(headers: Record<string, string>, lowerName: string): string | undefined {
  for (const name in headers) if (name.toLowerCase() === lowerName) return headers[name];
  return undefined;
}

function readBody(value: unknown): BodySample | undefined {
  return typeof value === 'string' && value !== '' ? { text: value, truncated: false } : undefined;
}
