import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { isObject, num, parseJsonObject, putAttribute, status, stringRecord, text } from '../internal/fields.js';
import { parseAnyTime } from '../internal/time.js';

type Fields = Record<string, unknown>;

/** Placeholders Cloudflare writes instead of leaving a field out. */
const NO_TLS = new Set(['none', 'NONE']);
const UNKNOWN = 'unknown';

/**
 * Cloudflare Logpush `http_requests` dataset as NDJSON (`ClientIP`, `ClientRequestMethod`,
 * `ClientRequestURI`, `EdgeStartTimestamp`, `EdgeResponseStatus`, `RayID`, …).
 *
 * Contract: `EdgeStartTimestamp` may be in any Logpush `timestamp_format` (RFC 3339, unix seconds, unix
 * milliseconds or unixnano, as number or string); a job that does not log it is timed by
 * `EdgeEndTimestamp`. Latency is `EdgeEndTimestamp - EdgeStartTimestamp` when both carry sub-second
 * precision. `ClientIP` is the address that connected to the edge, so it is both
 * `client.peerIp` and `client.ip`. Custom fields (`RequestHeaders`, `ResponseHeaders`, `Cookies`) become
 * headers; the cookie object is joined back into one `cookie` header.
 */
export const cloudflareParser: Parser = {
  format: 'cloudflare',
  aliases: ['cloudflare-logpush'],
  description: 'Cloudflare Logpush http_requests dataset (NDJSON)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(
      lines,
      (o) =>
        ('EdgeStartTimestamp' in o || ('RayID' in o && 'EdgeResponseStatus' in o)) &&
        ('ClientRequestMethod' in o || 'ClientRequestURI' in o || 'ClientRequestHost' in o || 'ClientIP' in o),
    );
  },
  open() {
    return { parse: parseCloudflare };
  },
};

function parseCloudflare(line: string): ParseOutcome {
  const fields = parseJsonObject(line);
  if (fields === undefined) return reject('malformed_json');

  const startRaw = fields.EdgeStartTimestamp ?? fields.EdgeEndTimestamp;
  if (startRaw === undefined || startRaw === null) return reject('missing_field', 'EdgeStartTimestamp');
  const time = parseAnyTime(startRaw);
  if (time === undefined) return reject('bad_timestamp');

  const method = text(fields.ClientRequestMethod);
  const url = text(fields.ClientRequestURI);
  const path = url === undefined ? text(fields.ClientRequestPath) : undefined;
  if (method === undefined || (url === undefined && path === undefined)) return reject('missing_field', 'request');

  const code = fields.EdgeResponseStatus;
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const clientIp = text(fields.ClientIP);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: text(fields.ClientRequestScheme),
      host: text(fields.ClientRequestHost),
      url,
      path,
      headers: readRequestHeaders(fields),
      size: num(fields.ClientRequestBytes),
      httpVersion: text(fields.ClientRequestProtocol),
    },
    latencyMs: fields.EdgeStartTimestamp === startRaw ? readLatency(time, fields.EdgeEndTimestamp) : undefined,
    client: {
      peerIp: clientIp,
      ip: clientIp,
      port: readPort(fields.ClientSrcPort),
      userAgent: text(fields.ClientRequestUserAgent),
    },
  };
  if (responseStatus !== undefined) {
    const headers = stringRecord(fields.ResponseHeaders);
    const contentType = text(fields.EdgeResponseContentType);
    if (contentType !== undefined) headers['content-type'] ??= contentType;
    event.response = {
      status: responseStatus,
      headers,
      size: num(fields.EdgeResponseBodyBytes) ?? num(fields.EdgeResponseBytes),
    };
  }
  const tlsVersion = readTls(fields.ClientSSLProtocol);
  const cipher = readTls(fields.ClientSSLCipher);
  const ja3 = text(fields.JA3Hash);
  const ja4 = text(fields.JA4);
  if (tlsVersion !== undefined || cipher !== undefined || ja3 !== undefined || ja4 !== undefined) {
    event.client.tls = { version: tlsVersion, cipher, ja3, ja4 };
  }
  if (fields.ClientMTLSAuthStatus === 'ok') event.identity = { authScheme: 'mtls' };
  const originIp = text(fields.OriginIP);
  const originMs = num(fields.OriginResponseDurationMs) ?? nanosToMs(fields.OriginResponseTime);
  if (originIp !== undefined || originMs !== undefined) event.upstream = { address: originIp, latencyMs: originMs };
  const attributes = readAttributes(fields);
  if (attributes !== undefined) event.attributes = attributes;
  return event;
}

function readRequestHeaders(fields: Fields): Record<string, string> {
  const headers = stringRecord(fields.RequestHeaders);
  const referer = text(fields.ClientRequestReferer);
  if (referer !== undefined) headers.referer ??= referer;
  const requestedWith = text(fields.ClientXRequestedWith);
  if (requestedWith !== undefined) headers['x-requested-with'] ??= requestedWith;
  const cookies = fields.Cookies;
  if (isObject(cookies) && headers.cookie === undefined) {
    const pairs: string[] = [];
    for (const name in cookies) {
      const value = text(cookies[name]);
      if (value !== undefined) pairs.push(`${name}=${value}`);
    }
    if (pairs.length > 0) headers.cookie = pairs.join('; ');
  }
  return headers;
}

/** End minus start, only when both timestamps are finer than a second (rfc3339/unix give whole seconds). */
function readLatency(start: number, endRaw: unknown): number | undefined {
  if (endRaw === undefined || endRaw === null) return undefined;
  const end = parseAnyTime(endRaw);
  if (end === undefined || end < start) return undefined;
  if (start % 1000 === 0 && end % 1000 === 0) return undefined;
  return Math.round((end - start) * 1000) / 1000;
}

function readPort(value: unknown): number | undefined {
  const port = num(value);
  return port === undefined || port === 0 ? undefined : port;
}

function readTls(value: unknown): string | undefined {
  const s = text(value);
  return s === undefined || NO_TLS.has(s) ? undefined : s;
}

function nanosToMs(value: unknown): number | undefined {
  const n = num(value);
  return n === undefined ? undefined : n / 1e6;
}

function readAttributes(fields: Fields): Record<string, string | number | boolean> | undefined {
  const attributes: Record<string, string | number | boolean> = {};
  putAttribute(attributes, 'requestId', text(fields.RayID));
  putAttribute(attributes, 'cacheStatus', known(fields.CacheCacheStatus));
  putAttribute(attributes, 'edgeLocation', text(fields.EdgeColoCode));
  putAttribute(attributes, 'upstreamStatus', status(fields.OriginResponseStatus));
  putAttribute(attributes, 'securityAction', known(fields.SecurityAction) ?? known(fields.WAFAction));
  putAttribute(attributes, 'securityRuleId', text(fields.SecurityRuleID) ?? text(fields.WAFRuleID));
  putAttribute(attributes, 'botScore', num(fields.BotScore));
  putAttribute(attributes, 'clientCountry', text(fields.ClientCountry));
  putAttribute(attributes, 'clientAsn', num(fields.ClientASN));
  for (const _ in attributes) return attributes;
  return undefined;
}

/** A logged value, or `undefined` for Cloudflare's `unknown` placeholder. */
function known(value: unknown): string | undefined {
  const s = text(value);
  return s === UNKNOWN ? undefined : s;
}
