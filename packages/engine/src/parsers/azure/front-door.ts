import { type ParsedEvent, type ParseReject, reject } from '@palisade/core';
import { num, status, text } from '../internal/fields.js';
import {
  type Attributes,
  azureText,
  type Fields,
  nonEmpty,
  normalizeTlsVersion,
  putAttribute,
  secondsToRoundedMs,
} from './internal-azure.js';

/**
 * Reads one Front Door `FrontDoorAccessLog` record (Standard/Premium; classic `FrontdoorAccessLog` too).
 *
 * Contract: `requestUri` is the absolute URL; `timeTaken` is seconds. `socketIp` is the address that
 * connected to the edge (`client.peerIp`); `clientIp` is the client Front Door resolved, from
 * X-Forwarded-For when the request had one (`client.ip`).
 */
export function parseFrontDoorRecord(time: number, p: Fields): ParsedEvent | ParseReject {
  const method = text(p.httpMethod);
  const url = text(p.requestUri);
  if (method === undefined || url === undefined) return reject('missing_field', 'request');
  const code = p.httpStatusCode;
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const headers: Record<string, string> = {};
  const referer = azureText(p.referer ?? p.referrer);
  if (referer !== undefined) headers.referer = referer;
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: azureText(p.requestProtocol)?.toLowerCase(),
      host: azureText(p.hostName),
      url,
      headers,
      size: num(p.requestBytes),
      httpVersion: readHttpVersion(p.httpVersion),
    },
    latencyMs: secondsToRoundedMs(p.timeTaken),
    client: {
      peerIp: azureText(p.socketIp ?? p.socketIP),
      ip: azureText(p.clientIp ?? p.clientIP),
      port: num(p.clientPort),
      userAgent: azureText(p.userAgent),
    },
  };
  if (responseStatus !== undefined) {
    event.response = { status: responseStatus, headers: {}, size: num(p.responseBytes) };
  }
  const version = normalizeTlsVersion(p.securityProtocol);
  const cipher = azureText(p.securityCipher);
  const sni = azureText(p.sni);
  if (version !== undefined || cipher !== undefined || sni !== undefined) event.client.tls = { version, cipher, sni };
  const address = azureText(p.originIp ?? p.originIP) ?? azureText(p.backendHostname);
  const service = azureText(p.originName);
  const route = azureText(p.routeName ?? p.routingRuleName);
  if (address !== undefined || service !== undefined || route !== undefined) {
    event.upstream = { address, service, route };
  }
  const attributes: Attributes = {};
  putAttribute(attributes, 'requestId', azureText(p.trackingReference));
  putAttribute(attributes, 'cacheStatus', azureText(p.cacheStatus));
  putAttribute(attributes, 'edgeLocation', azureText(p.pop));
  putAttribute(attributes, 'clientCountry', azureText(p.clientCountry));
  const error = azureText(p.errorInfo ?? p.ErrorInfo);
  if (error !== 'NoError') putAttribute(attributes, 'errorInfo', error);
  const result = nonEmpty(attributes);
  if (result !== undefined) event.attributes = result;
  return event;
}

/** Front Door logs .NET-style versions (`1.1.0.0`, `2.0.0.0`). */
function readHttpVersion(value: unknown): string | undefined {
  const s = azureText(value);
  if (s === undefined) return undefined;
  if (s.startsWith('HTTP/')) return s;
  return `HTTP/${s.endsWith('.0.0') ? s.slice(0, -4) : s}`;
}
