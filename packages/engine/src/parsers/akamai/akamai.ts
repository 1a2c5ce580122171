import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { num, parseJsonObject, putAttribute, status, text } from '../internal/fields.js';

type Fields = Record<string, unknown>;

/**
 * Akamai DataStream 2 JSON log lines (`reqTimeSec`, `cliIP`, `reqMethod`, `reqHost`, `reqPath`,
 * `queryStr`, `statusCode`, `UA`, …). Every value is a string in the raw stream; re-typed numbers are
 * accepted too.
 *
 * Contract: `reqTimeSec` is epoch seconds with an optional fraction. Latency is the sum of the edge's
 * three phases `reqEndTimeMSec` (reading the request) + `turnAroundTimeMSec` (last request byte to first
 * response byte) + `transferTimeMSec` (first to last response byte). `cliIP` is the address that
 * connected to the edge (`client.peerIp` and `client.ip`). `UA` and `referer` are percent-decoded
 * (DataStream hex-encodes whitespace and non-printable bytes); `+` is kept as is. `bytes` (body bytes
 * served) is the response size. `cacheStatus` 1/0 becomes `hit`/`miss`.
 */
export const akamaiParser: Parser = {
  format: 'akamai-datastream',
  aliases: ['akamai-ds2'],
  description: 'Akamai DataStream 2 JSON log lines',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOfJson(lines, (o) => 'reqTimeSec' in o && ('cliIP' in o || 'reqPath' in o || 'reqHost' in o || 'statusCode' in o));
  },
  open() {
    return { parse: parseAkamai };
  },
};

function parseAkamai(line: string): ParseOutcome {
  const fields = parseJsonObject(line);
  if (fields === undefined) return reject('malformed_json');

  const rawTime = fields.reqTimeSec;
  if (rawTime === undefined || rawTime === null) return reject('missing_field', 'reqTimeSec');
  const time = epochSecondsToMs(rawTime);
  if (time === undefined) return reject('bad_timestamp');

  const method = text(fields.reqMethod);
  let path = text(fields.reqPath);
  if (method === undefined || path === undefined) return reject('missing_field', 'request');
  if (path.charCodeAt(0) !== 47 /* / */) path = `/${path}`;

  const code = fields.statusCode;
  const responseStatus = status(code);
  if (responseStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const clientIp = text(fields.cliIP);
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: readScheme(fields.proto),
      host: text(fields.reqHost),
      path,
      query: text(fields.queryStr),
      headers: readRequestHeaders(fields),
    },
    latencyMs: readLatency(fields),
    client: {
      peerIp: clientIp,
      ip: clientIp,
      forwardedFor: text(fields.xForwardedFor),
      userAgent: decodePercent(text(fields.UA)),
    },
  };
  if (responseStatus !== undefined) {
    const headers: Record<string, string> = {};
    const contentType = text(fields.rspContentType);
    if (contentType !== undefined) headers['content-type'] = contentType;
    const contentLength = text(fields.rspContentLen);
    if (contentLength !== undefined) headers['content-length'] = contentLength;
    event.response = { status: responseStatus, headers, size: num(fields.bytes) };
  }
  const tlsVersion = text(fields.tlsVersion);
  if (tlsVersion !== undefined) event.client.tls = { version: tlsVersion };
  const attributes = readAttributes(fields);
  if (attributes !== undefined) event.attributes = attributes;
  return event;
}

/** Epoch seconds (`"1796043731.123"`) to milliseconds, rounded to the microsecond to drop float noise. */
function epochSecondsToMs(value: unknown): number | undefined {
  const seconds = num(value);
  if (seconds === undefined || seconds === 0) return undefined;
  return Math.round(seconds * 1e6) / 1e3;
}

function readScheme(value: unknown): string | undefined {
  const proto = text(value);
  return proto === undefined ? undefined : proto.toLowerCase();
}

function readRequestHeaders(fields: Fields): Record<string, string> {
  const headers: Record<string, string> = {};
  const referer = decodePercent(text(fields.referer));
  if (referer !== undefined) headers.referer = referer;
  const cookie = text(fields.cookie);
  if (cookie !== undefined) headers.cookie = cookie;
  const language = text(fields.accLang);
  if (language !== undefined) headers['accept-language'] = language;
  const range = text(fields.range);
  if (range !== undefined) headers.range = range;
  return headers;
}

/** Sum of the edge phases that were logged; `undefined` when none was. */
function readLatency(fields: Fields): number | undefined {
  const read = num(fields.reqEndTimeMSec);
  const turnAround = num(fields.turnAroundTimeMSec);
  const transfer = num(fields.transferTimeMSec);
  if (turnAround === undefined && transfer === undefined) return undefined;
  return (read ?? 0) + (turnAround ?? 0) + (transfer ?? 0);
}

/**
 * Decodes `%HH` escapes; runs of escaped bytes of 0x80 and above are decoded as UTF-8. A `%` not followed
 * by two hex digits is kept as logged.
 */
function decodePercent(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  let out = '';
  let textStart = 0;
  let utf8: number[] | undefined;
  for (let i = value.indexOf('%'); i !== -1; i = value.indexOf('%', i + 1)) {
    const hi = hexDigit(value.charCodeAt(i + 1));
    const lo = hi < 0 ? -1 : hexDigit(value.charCodeAt(i + 2));
    if (lo < 0) continue;
    if (i > textStart || (hi < 8 && utf8 !== undefined)) {
      if (utf8 !== undefined) out += Buffer.from(utf8).toString('utf8');
      utf8 = undefined;
      out += value.slice(textStart, i);
    }
    if (hi < 8) out += String.fromCharCode(hi * 16 + lo);
    else if (utf8 === undefined) utf8 = [hi * 16 + lo];
    else utf8.push(hi * 16 + lo);
    textStart = i + 3;
    i += 2;
  }
  if (utf8 !== undefined) out += Buffer.from(utf8).toString('utf8');
  return out + value.slice(textStart);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function readAttributes(fields: Fields): Record<string, string | number | boolean> | undefined {
  const attributes: Record<string, string | number | boolean> = {};
  putAttribute(attributes, 'requestId', text(fields.reqId));
  putAttribute(attributes, 'cpCode', text(fields.cp));
  const cache = text(fields.cacheStatus);
  putAttribute(attributes, 'cacheStatus', cache === '1' ? 'hit' : cache === '0' ? 'miss' : cache);
  putAttribute(attributes, 'clientCountry', text(fields.country));
  putAttribute(attributes, 'errorCode', text(fields.errorCode));
  putAttribute(attributes, 'securityRules', text(fields.securityRules));
  for (const _ in attributes) return attributes;
  return undefined;
}
