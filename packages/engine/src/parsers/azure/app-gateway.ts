import { type ParsedEvent, type ParseReject, reject } from '@palisade/core';
import { num, status, text, upstreamSecondsToMs } from '../internal/fields.js';
import { type Attributes, azureText, type Fields, nonEmpty, putAttribute, secondsToRoundedMs } from './internal-azure.js';

/** Keys only v2 (nginx-based) Application Gateways write. */
const V2_KEYS = ['serverRouted', 'transactionId', 'WAFMode', 'clientResponseTime', 'originalRequestUriWithArgs'];

/**
 * Reads one Application Gateway `ApplicationGatewayAccessLog` record, v2 or v1 SKU.
 *
 * Contract: `clientIP` is the immediate client (`client.peerIp`; Application Gateway logs no
 * X-Forwarded-For). v2: `timeTaken` and `serverResponseLatency` are seconds, the request target is
 * `originalRequestUriWithArgs` (as received, before rewrites), `sslEnabled`/`sslProtocol`/`sslCipher`
 * describe the client connection. v1: `timeTaken` is milliseconds and `requestQuery` holds gateway
 * facts (`SERVER-ROUTED`, `SERVER-STATUS`, `X-AzureApplicationGateway-LOG-ID`), not the client's query.
 */
export function parseAppGatewayRecord(time: number, record: Fields, p: Fields): ParsedEvent | ParseReject {
  const method = text(p.httpMethod);
  const requestUri = text(p.requestUri);
  const original = text(p.originalRequestUriWithArgs);
  if (method === undefined || (requestUri === undefined && original === undefined)) {
    return reject('missing_field', 'request');
  }
  const code = p.httpStatus;
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const v2 = isV2(p);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      host: azureText(p.originalHost) ?? azureText(p.host),
      url: original ?? (v2 ? undefined : requestUri),
      path: original === undefined && v2 ? requestUri : undefined,
      query: original === undefined && v2 ? text(p.requestQuery) : undefined,
      headers: {},
      size: num(p.receivedBytes),
      httpVersion: azureText(p.httpVersion),
    },
    latencyMs: v2 ? secondsToRoundedMs(p.timeTaken) : num(p.timeTaken),
    client: {
      peerIp: azureText(p.clientIP ?? p.clientIp),
      port: num(p.clientPort),
      userAgent: azureText(p.userAgent),
    },
  };
  if (responseStatus !== undefined) event.response = { status: responseStatus, headers: {}, size: num(p.sentBytes) };
  const attributes: Attributes = {};
  if (v2) readV2Facts(event, record, p, attributes);
  else readV1Facts(event, p, attributes);
  const result = nonEmpty(attributes);
  if (result !== undefined) event.attributes = result;
  return event;
}

function isV2(p: Fields): boolean {
  if (typeof p.instanceId === 'string' && p.instanceId.startsWith('appgw')) return true;
  for (const key of V2_KEYS) if (key in p) return true;
  return false;
}

function readV2Facts(event: ParsedEvent, record: Fields, p: Fields, attributes: Attributes): void {
  const ssl = text(p.sslEnabled);
  if (ssl === 'on') event.request.scheme = 'https';
  else if (ssl === 'off') event.request.scheme = 'http';
  const version = azureText(p.sslProtocol);
  const cipher = azureText(p.sslCipher);
  if (version !== undefined || cipher !== undefined) event.client.tls = { version, cipher };
  if (p.sslClientVerify === 'SUCCESS') event.identity = { authScheme: 'mtls' };
  const address = azureText(p.serverRouted);
  const latencyMs = upstreamSecondsToMs(p.serverResponseLatency);
  const service = azureText(record.backendPoolName);
  const route = azureText(record.ruleName);
  if (address !== undefined || latencyMs !== undefined || service !== undefined || route !== undefined) {
    event.upstream = { address, service, route, latencyMs };
  }
  putAttribute(attributes, 'requestId', azureText(p.transactionId));
  putAttribute(attributes, 'upstreamStatus', status(p.serverStatus) ?? azureText(p.serverStatus));
  putAttribute(attributes, 'wafMode', azureText(p.WAFMode));
}

function readV1Facts(event: ParsedEvent, p: Fields, attributes: Attributes): void {
  const facts = text(p.requestQuery);
  if (facts === undefined) return;
  for (const pair of facts.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const value = pair.slice(eq + 1);
    if (value === '') continue;
    switch (pair.slice(0, eq)) {
      case 'SERVER-ROUTED':
        event.upstream = { address: value };
        break;
      case 'SERVER-STATUS':
        putAttribute(attributes, 'upstreamStatus', status(value) ?? value);
        break;
      case 'X-AzureApplicationGateway-LOG-ID':
        putAttribute(attributes, 'requestId', value);
        break;
      case 'X-AzureApplicationGateway-CACHE-HIT':
        putAttribute(attributes, 'cacheStatus', value === '1' ? 'hit' : 'miss');
        break;
    }
  }
}
