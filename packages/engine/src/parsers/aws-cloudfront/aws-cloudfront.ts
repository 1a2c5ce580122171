import { type ParsedEvent, type ParseOutcome, type Parser, type RecordParser, reject, skip } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { num, secondsToMs, status, text } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';

/** The documented field order of a standard (legacy) log file, used when a stream has no `#Fields:` line. */
const DEFAULT_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

/** The fields this parser reads, and where each sits in a line (-1: not in this stream's layout). */
interface Layout {
  count: number;
  date: number;
  time: number;
  edgeLocation: number;
  scBytes: number;
  clientIp: number;
  method: number;
  distributionHost: number;
  uriStem: number;
  status: number;
  referer: number;
  userAgent: number;
  uriQuery: number;
  cookie: number;
  resultType: number;
  requestId: number;
  hostHeader: number;
  protocol: number;
  csBytes: number;
  timeTaken: number;
  forwardedFor: number;
  sslProtocol: number;
  sslCipher: number;
  protocolVersion: number;
  clientPort: number;
  detailedResultType: number;
  contentType: number;
  contentLength: number;
}

/** Without a header, older files with fewer (trailing) fields are fine; a line must reach `sc-status`. */
const MIN_HEADERLESS_FIELDS = 9;

const DEFAULT_LAYOUT = buildLayout(DEFAULT_FIELDS);

const DATA_LINE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[A-Z0-9-]+\t\d+\t[0-9A-Fa-f.:]+\t[A-Z]+\t/;

/**
 * Amazon CloudFront standard (legacy) access logs: W3C extended format, tab-separated, with `#Version:` and
 * `#Fields:` header lines.
 *
 * The `#Fields:` line sets the layout for the rest of the stream; without one the documented 33-field order
 * is assumed. Values are URL-decoded once, which restores what the viewer sent (CloudFront encodes `%`
 * itself as `%25`); the user agent is decoded a second time when it was double-encoded (`%2520`). `host`
 * is `x-host-header` (the host the viewer asked for), falling back to `cs(Host)`. `time` is the logged
 * date and time (when the edge finished the response, second precision). `c-ip` is the address that
 * connected to the edge (`client.peerIp`, and `client.ip` when no `x-forwarded-for` was logged: with one,
 * `c-ip` is a proxy and the enrich stage resolves the client from the chain).
 */
export const awsCloudfrontParser: Parser = {
  format: 'aws-cloudfront',
  description: 'Amazon CloudFront standard (legacy) access logs, W3C tab-separated with #Fields header',
  framing: 'line',
  detect(lines) {
    return shareOf(
      lines,
      (line) =>
        line.startsWith('#Version:') ||
        (line.startsWith('#Fields:') && line.includes(' x-edge-')) ||
        (DATA_LINE.test(line) && countTabs(line) >= 11),
    );
  },
  open(): RecordParser {
    let layout = DEFAULT_LAYOUT;
    let headerSeen = false;
    return {
      parse(line) {
        if (line.charCodeAt(0) === 35 /* # */) {
          if (line.startsWith('#Fields:')) {
            layout = buildLayout(line.slice(8).trim().split(/\s+/));
            headerSeen = true;
          }
          return skip('header line');
        }
        return parseCloudfrontLine(line, layout, headerSeen);
      },
    };
  },
};

function parseCloudfrontLine(line: string, layout: Layout, headerSeen: boolean): ParseOutcome {
  const v = line.split('\t');
  if (v.length < (headerSeen ? layout.count : MIN_HEADERLESS_FIELDS)) return reject('truncated');

  const date = get(v, layout.date);
  const clock = get(v, layout.time);
  const time = date === undefined || clock === undefined ? undefined : parseIsoTime(`${date}T${clock}Z`);
  if (time === undefined) return reject('bad_timestamp');

  const method = get(v, layout.method);
  const path = decode(get(v, layout.uriStem));
  if (method === undefined || path === undefined) return reject('missing_field', 'cs-method/cs-uri-stem');

  const code = get(v, layout.status);
  const responseStatus = status(code);
  if (responseStatus === undefined && code !== undefined && num(code) !== 0) return reject('bad_status');

  const requestHeaders: Record<string, string | undefined> = {
    referer: decode(get(v, layout.referer)),
    cookie: decode(get(v, layout.cookie)),
  };
  const clientIp = get(v, layout.clientIp);
  const forwardedFor = decode(get(v, layout.forwardedFor));
  const event: ParsedEvent = {
    time,
    request: {
      method,
      scheme: get(v, layout.protocol),
      host: get(v, layout.hostHeader) ?? get(v, layout.distributionHost),
      path,
      query: decode(get(v, layout.uriQuery)),
      headers: requestHeaders,
      size: num(get(v, layout.csBytes)),
      httpVersion: get(v, layout.protocolVersion),
    },
    latencyMs: secondsToMs(get(v, layout.timeTaken)),
    client: {
      peerIp: clientIp,
      ip: forwardedFor === undefined ? clientIp : undefined,
      port: num(get(v, layout.clientPort)),
      forwardedFor,
      userAgent: decodeUserAgent(get(v, layout.userAgent)),
    },
  };
  if (responseStatus !== undefined) {
    event.response = {
      status: responseStatus,
      headers: {
        'content-type': decode(get(v, layout.contentType)),
        'content-length': get(v, layout.contentLength),
      },
      size: num(get(v, layout.scBytes)),
    };
  }
  const version = get(v, layout.sslProtocol);
  const cipher = get(v, layout.sslCipher);
  if (version !== undefined || cipher !== undefined) event.client.tls = { version, cipher };
  event.attributes = readAttributes(v, layout);
  return event;
}

function readAttributes(v: readonly string[], layout: Layout): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  const edgeLocation = get(v, layout.edgeLocation);
  const requestId = get(v, layout.requestId);
  const distributionHost = get(v, layout.distributionHost);
  const resultType = get(v, layout.resultType);
  const detailedResultType = get(v, layout.detailedResultType);
  if (edgeLocation !== undefined) attributes.edgeLocation = edgeLocation;
  if (requestId !== undefined) attributes.requestId = requestId;
  if (distributionHost !== undefined) attributes.distributionHost = distributionHost;
  if (resultType !== undefined) attributes.edgeResultType = resultType;
  if (detailedResultType !== undefined && detailedResultType !== resultType) {
    attributes.edgeDetailedResultType = detailedResultType;
  }
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}

function get(v: readonly string[], index: number): string | undefined {
  return index < 0 ? undefined : text(v[index]);
}

function buildLayout(fields: readonly string[]): Layout {
  const at = (name: string): number => fields.indexOf(name);
  return {
    count: fields.length,
    date: at('date'),
    time: at('time'),
    edgeLocation: at('x-edge-location'),
    scBytes: at('sc-bytes'),
    clientIp: at('c-ip'),
    method: at('cs-method'),
    distributionHost: at('cs(Host)'),
    uriStem: at('cs-uri-stem'),
    status: at('sc-status'),
    referer: at('cs(Referer)'),
    userAgent: at('cs(User-Agent)'),
    uriQuery: at('cs-uri-query'),
    cookie: at('cs(Cookie)'),
    resultType: at('x-edge-result-type'),
    requestId: at('x-edge-request-id'),
    hostHeader: at('x-host-header'),
    protocol: at('cs-protocol'),
    csBytes: at('cs-bytes'),
    timeTaken: at('time-taken'),
    forwardedFor: at('x-forwarded-for'),
    sslProtocol: at('ssl-protocol'),
    sslCipher: at('ssl-cipher'),
    protocolVersion: at('cs-protocol-version'),
    clientPort: at('c-port'),
    detailedResultType: at('x-edge-detailed-result-type'),
    contentType: at('sc-content-type'),
    contentLength: at('sc-content-len'),
  };
}

/** The user agent, decoded twice when CloudFront double-encoded it (a `%20` left after one pass). */
function decodeUserAgent(value: string | undefined): string | undefined {
  const once = decode(value);
  return once?.includes('%20') ? decode(once) : once;
}

/** Percent-decodes a logged value (UTF-8); malformed `%` sequences are kept as they are. */
function decode(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  const src = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b === 37 /* % */ && i + 2 < src.length) {
      const hi = parseHexDigit(src[i + 1] as number);
      const lo = parseHexDigit(src[i + 2] as number);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.toString('utf8', 0, n);
}

function parseHexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function countTabs(line: string): number {
  let n = 0;
  for (let i = line.indexOf('\t'); i >= 0; i = line.indexOf('\t', i + 1)) n++;
  return n;
}
