import { type BodySample, type ParsedEvent, type ParseOutcome, type Parser, type ParseReject, reject, skip } from '@palisade/core';
import { isObject, num, parseJsonObject, status, text } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';
import { addHeader, normalizeHttpVersion, splitUrl, takeHeader } from './internal-url.js';

/** Bodies are samples: at most this many UTF-8 bytes of each body are kept. */
export const HAR_BODY_SAMPLE_BYTES = 64 * 1024;

/** How much of the sample `detect` reads: enough for the `log` header of a pretty-printed or one-line file. */
const DETECT_CHARS = 8192;
const LOG_OBJECT = /"log"\s*:\s*\{/;
const VERSION_KEY = /"version"\s*:/;
const ENTRIES_KEY = /"entries"\s*:\s*\[/;
const CREATOR_KEY = /"creator"\s*:\s*\{/;

/**
 * HTTP Archive 1.2 documents (browser dev tools, mitmproxy `--set hardump`, Burp, Charles): one event per
 * `log.entries[]` item, request and response bodies kept as samples of at most 64 KiB.
 *
 * The whole file is one record; the outcome is an array with one item per entry, in order: an event, or
 * the rejection of an unusable entry, so one bad entry never loses the others. Each event carries its
 * entry's index as `attributes.harEntry`. Custom `_` fields are ignored, as the spec requires.
 */
export const harParser: Parser = {
  format: 'har',
  description: 'HTTP Archive (HAR 1.2) from browser dev tools, mitmproxy, Burp or Charles',
  framing: 'document',
  detect: detectHar,
  open() {
    return { parse: parseHar };
  },
};

function detectHar(lines: readonly string[]): number {
  let sample = '';
  for (const line of lines) {
    sample += `${line.slice(0, DETECT_CHARS - sample.length)}\n`;
    if (sample.length >= DETECT_CHARS) break;
  }
  sample = sample.trimStart();
  if (sample.charCodeAt(0) !== 123 /* { */ || !LOG_OBJECT.test(sample)) return 0;
  const hasVersion = VERSION_KEY.test(sample);
  if (hasVersion && ENTRIES_KEY.test(sample)) return 1;
  // Dev tools write `pages` before `entries`: a long page list pushes `entries` out of the sample.
  if (hasVersion && CREATOR_KEY.test(sample)) return 0.9;
  return 0.3;
}

function parseHar(document: string): ParseOutcome {
  const root = parseJsonObject(document.trimStart());
  if (root === undefined) return reject('malformed_json');
  const log = root.log;
  const entries = isObject(log) ? log.entries : undefined;
  if (!Array.isArray(entries)) return reject('missing_field', 'log.entries');
  if (entries.length === 0) return skip('no entries');
  const items: (ParsedEvent | ParseReject)[] = [];
  for (let i = 0; i < entries.length; i++) items.push(parseEntry(entries[i], i));
  return items;
}

function parseEntry(entry: unknown, index: number): ParsedEvent | ParseReject {
  if (!isObject(entry)) return reject('unsupported_record', 'entry is not an object');
  const started = entry.startedDateTime;
  if (typeof started !== 'string') return reject('missing_field', 'startedDateTime');
  const time = parseIsoTime(started);
  if (time === undefined) return reject('bad_timestamp');

  const req = entry.request;
  if (!isObject(req)) return reject('missing_field', 'request');
  const method = text(req.method);
  const url = text(req.url);
  if (method === undefined) return reject('missing_field', 'request.method');
  if (url === undefined) return reject('missing_field', 'request.url');
  const parts = splitUrl(url);
  if (parts === undefined) return reject('bad_request_line', 'request.url');

  let responseStatus: number | undefined;
  const res = entry.response;
  // Status 0: the request got no response (blocked, aborted, failed).
  if (isObject(res) && res.status !== undefined && res.status !== null && num(res.status) !== 0) {
    responseStatus = status(res.status);
    if (responseStatus === undefined) return reject('bad_status');
  }

  const headers = readHeaders(req.headers);
  if (!Object.hasOwn(headers, 'cookie')) {
    const cookie = joinCookies(req.cookies);
    if (cookie !== undefined) headers.cookie = cookie;
  }
  const hostHeader = takeHeader(headers, 'host');
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: parts.scheme,
      host: parts.host ?? hostHeader,
      path: parts.path,
      query: parts.query,
      headers,
      body: readPostData(req.postData),
      size: requestSize(req.headersSize, req.bodySize),
      httpVersion: normalizeHttpVersion(req.httpVersion),
    },
    latencyMs: num(entry.time),
    client: {
      forwardedFor: takeHeader(headers, 'x-forwarded-for'),
      userAgent: takeHeader(headers, 'user-agent'),
    },
    attributes: { harEntry: index },
  };
  if (responseStatus !== undefined && isObject(res)) {
    event.response = {
      status: responseStatus,
      headers: readHeaders(res.headers),
      body: readContent(res.content),
      size: num(res.bodySize),
    };
  }
  const server = text(entry.serverIPAddress);
  if (server !== undefined) {
    // Chrome writes IPv6 server addresses in brackets.
    event.upstream = { address: server.charCodeAt(0) === 91 /* [ */ && server.endsWith(']') ? server.slice(1, -1) : server };
  }
  return event;
}

/** HAR `headers[]` (`{name, value}`) to a header record; HTTP/2 pseudo-headers (`:path`) are not headers. */
function readHeaders(list: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!Array.isArray(list)) return headers;
  for (const item of list) {
    if (!isObject(item)) continue;
    const { name, value } = item;
    if (typeof name !== 'string' || name === '' || name.charCodeAt(0) === 58 /* : */ || typeof value !== 'string') continue;
    addHeader(headers, name, value);
  }
  return headers;
}

/** HAR `cookies[]` to a `Cookie` header value, for tools that list cookies but not the header. */
function joinCookies(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const pairs: string[] = [];
  for (const item of list) {
    if (isObject(item) && typeof item.name === 'string' && item.name !== '') {
      pairs.push(`${item.name}=${typeof item.value === 'string' ? item.value : ''}`);
    }
  }
  return pairs.length === 0 ? undefined : pairs.join('; ');
}

/** HAR `postData`: `text`, or `params[]` rebuilt as `a=1&b=2` when `text` is absent. */
function readPostData(postData: unknown): BodySample | undefined {
  if (!isObject(postData)) return undefined;
  let body = postData.text;
  if (typeof body !== 'string' || body === '') {
    if (!Array.isArray(postData.params)) return undefined;
    const pairs: string[] = [];
    for (const param of postData.params) {
      if (isObject(param) && typeof param.name === 'string') {
        pairs.push(typeof param.value === 'string' ? `${param.name}=${param.value}` : param.name);
      }
    }
    if (pairs.length === 0) return undefined;
    body = pairs.join('&');
  }
  return sampleBody(body as string, postData.encoding, text(postData.mimeType));
}

/** HAR response `content`: the decoded body text, base64 when `encoding` says so. */
function readContent(content: unknown): BodySample | undefined {
  if (!isObject(content) || typeof content.text !== 'string' || content.text === '') return undefined;
  return sampleBody(content.text, content.encoding, text(content.mimeType));
}

function sampleBody(body: string, encoding: unknown, contentType: string | undefined): BodySample {
  const kept = capUtf8(body, HAR_BODY_SAMPLE_BYTES);
  const sample: BodySample = { text: kept, truncated: kept.length < body.length };
  if (encoding === 'base64') sample.encoding = 'base64';
  if (contentType !== undefined) sample.contentType = contentType;
  return sample;
}

/** The longest prefix of `value` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
function capUtf8(value: string, maxBytes: number): string {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes; a character at least 1.
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value.length > maxBytes ? value.slice(0, maxBytes + 1) : value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

/**
 * Request size: headers plus body when the header size is known, else the body size when there is a body
 * (`-1` means unknown in HAR; a known empty body with unknown headers says nothing about the size).
 */
function requestSize(headersSize: unknown, bodySize: unknown): number | undefined {
  const h = num(headersSize);
  const b = num(bodySize);
  if (h !== undefined) return h + (b ?? 0);
  return b === undefined || b === 0 ? undefined : b;
}
