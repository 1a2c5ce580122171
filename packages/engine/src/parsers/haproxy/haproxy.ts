import { isIP } from 'node:net';
import { type ClientTls, type ParsedEvent, type ParseOutcome, type Parser, reject, skip } from '@palisade/core';
import { num, splitRequestLine, status, text } from '../internal/fields.js';
import { parseHaproxyTime } from '../internal/time.js';
import { parseUtcOffset, type ResolvedHaproxyOptions, resolveHaproxyOptions } from './config.js';

/**
 * `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq ` — the fixed
 * part of `option httplog` (HAProxy 1.x logs `Tq/Tw/Tc/Tr/Tt` in the same place), after any syslog prefix.
 */
const HTTP_HEAD =
  /(?:^|\s)(\S+):(\d{1,5}) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\] (\S+) (\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(\+?-?\d+) (-?\d+) (\+?\d+) (\S+) (\S+) (\S+) \d+\/\d+\/\d+\/\d+\/\+?\d+ \d+\/\d+ /;
/** `option tcplog`: three timers, no status. */
const TCP_HEAD = /\S:\d{1,5} \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:[\d:.]+\] \S+ \S+ -?\d+\/-?\d+\/\+?-?\d+ \+?\d+ /;
/** Error log lines for failed handshakes: legacy `… [%tr] frt/bind: message` or `%ci:%cp [%tr] %ft %ac/%fc …`. */
const ERROR_HEAD = /\S:\d{1,5} \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:[\d:.]+\] (?:\S+\/\S+: |\S+ \d+\/\d+ )/;
/** A syslog program tag (`haproxy[14389]: `) or an RFC 5424 header: a HAProxy line that is not traffic. */
const SYSLOG_TAG = /^(?:<\d{1,3}>)?(?:\S+\s+){0,6}?\S+\[\d+\]: |^<\d{1,3}>1 /;
const RFC5424_ZONE = /^<\d{1,3}>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2}) /;
/** `option httpslog` tail: `%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc`. */
const TLS_TAIL = /^ (-|\d+)\/(-|[0-9A-Fa-f]+)\/(-|\d+)\/(-|\d+)\/(-|\d+) ([^\s/]+)\/([^\s/]+)\/(\S+)$/;
const NO_TLS_ERROR = /^[-0]$/;

/**
 * HAProxy `option httplog` (and `option httpslog`) lines, with or without a syslog prefix (RFC 3164, RFC 5424
 * or none), with or without captured header blocks `{…}`.
 *
 * Contract: `%ci:%cp` becomes `client.peerIp`/`port`; the accept date is local time without a zone (UTC
 * unless `utcOffset` is set or an RFC 5424 header carries the offset); the last timer (`Ta`, `Tt` before
 * 1.9) is `latencyMs`, `Tr` is `upstream.latencyMs`, `-1` timers are undefined; `bytes_read` (headers
 * included) is `response.size`; a `~` after the frontend name (TLS) gives scheme `https`. Captured cookies
 * become `cookie` / `set-cookie` headers; captured headers need the names from the options, otherwise they
 * are kept raw in attributes. `#XX` escapes are decoded. `<BADREQ>` is rejected as `bad_request_line`;
 * `tcplog`, error-log and other HAProxy syslog lines are skipped. Custom `log-format` layouts are not read.
 */
export const haproxyParser: Parser = {
  format: 'haproxy',
  description: 'HAProxy option httplog / httpslog lines (syslog prefix optional)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return scoreLines(lines);
  },
  open(options) {
    const resolved = resolveHaproxyOptions(options?.options);
    return { parse: (line) => parseHaproxy(line, resolved) };
  },
};

function parseHaproxy(line: string, options: ResolvedHaproxyOptions): ParseOutcome {
  const m = HTTP_HEAD.exec(line);
  if (m === null) {
    if (TCP_HEAD.test(line)) return skip('haproxy tcplog line');
    if (ERROR_HEAD.test(line)) return skip('haproxy connection error line');
    if (SYSLOG_TAG.test(line)) return skip('haproxy message without a transaction');
    return reject('malformed_line');
  }
  const clientIp = m[1] as string;
  const frontendField = m[4] as string;
  const backendServer = m[5] as string;
  const serverTimer = m[9] as string;
  const totalTimer = m[10] as string;
  const bytesText = m[12] as string;

  const localTime = parseHaproxyTime(m[3] as string);
  if (localTime === undefined) return reject('bad_timestamp');
  const zone = RFC5424_ZONE.exec(line)?.[1];
  const time = localTime - (zone === undefined ? options.offsetMs : (parseUtcOffset(zone) ?? 0));

  let pos = m.index + m[0].length;
  const blocks: string[] = [];
  while (line.charCodeAt(pos) === 123 /* { */ && blocks.length < 2) {
    const end = line.indexOf('}', pos);
    if (end < 0) return reject('truncated');
    blocks.push(line.slice(pos + 1, end));
    pos = line.charCodeAt(end + 1) === 32 ? end + 2 : end + 1;
  }
  // syslog-ng escapes the quotes around the request as \"
  const escaped = line.charCodeAt(pos) === 92 /* \ */;
  if (escaped) pos++;
  if (line.charCodeAt(pos) !== 34 /* " */) return pos >= line.length ? reject('truncated') : reject('malformed_line');
  const close = line.indexOf(escaped ? '\\"' : '"', pos + 1);
  const truncated = close < 0;
  const rawRequest = line.slice(pos + 1, truncated ? line.length : close);
  if (rawRequest === '<BADREQ>') return reject('bad_request_line');
  const requestLine = splitRequestLine(decodeHashEscapes(rawRequest));
  if (requestLine === undefined) return reject('bad_request_line');

  const tlsFrontend = frontendField.endsWith('~');
  const slash = backendServer.indexOf('/');
  const server = slash < 0 ? undefined : backendServer.slice(slash + 1);
  const peerIp = isIP(clientIp) !== 0 ? clientIp : undefined;
  const attributes: Record<string, string | number | boolean> = {
    frontend: tlsFrontend ? frontendField.slice(0, -1) : frontendField,
    terminationState: m[15] as string,
  };
  if (server !== undefined && server !== '<NOSRV>') attributes.server = server;
  if (truncated) attributes.truncated = true;

  const requestHeaders: Record<string, string> = {};
  const responseHeaders: Record<string, string> = {};
  const event: ParsedEvent = {
    time,
    request: {
      method: requestLine.method,
      scheme: tlsFrontend ? 'https' : 'http',
      url: requestLine.url,
      headers: requestHeaders,
      httpVersion: requestLine.httpVersion,
    },
    latencyMs: num(totalTimer.startsWith('+') ? totalTimer.slice(1) : totalTimer),
    client: { peerIp, port: peerIp === undefined ? undefined : num(m[2]) },
    upstream: { service: text(slash < 0 ? backendServer : backendServer.slice(0, slash)), latencyMs: num(serverTimer) },
    attributes,
  };
  const cookie = text(m[13]);
  if (cookie !== undefined) requestHeaders.cookie = decodeHashEscapes(cookie);
  const setCookie = text(m[14]);
  if (setCookie !== undefined) responseHeaders['set-cookie'] = decodeHashEscapes(setCookie);
  if (blocks.length > 0) readCapturedHeaders(blocks, options, event, responseHeaders);

  const responseStatus = status(m[11]);
  if (responseStatus !== undefined) {
    event.response = {
      status: responseStatus,
      headers: responseHeaders,
      size: num(bytesText.startsWith('+') ? bytesText.slice(1) : bytesText),
    };
  }
  if (!truncated) readTlsTail(line.slice(close + (escaped ? 2 : 1)), event, attributes);
  return event;
}

/** The share of httplog lines, not counting HAProxy's tcplog and error-log lines (they share the stream). */
function scoreLines(lines: readonly string[]): number {
  let hits = 0;
  let counted = 0;
  for (const line of lines) {
    if (HTTP_HEAD.test(line)) hits++;
    else if (TCP_HEAD.test(line) || ERROR_HEAD.test(line)) continue;
    counted++;
  }
  return counted === 0 ? 0 : hits / counted;
}

/** Maps the `{…|…}` blocks to headers when the capture names are configured, else keeps them raw. */
function readCapturedHeaders(
  blocks: readonly string[],
  options: ResolvedHaproxyOptions,
  event: ParsedEvent,
  responseHeaders: Record<string, string>,
): void {
  const attributes = event.attributes as Record<string, string | number | boolean>;
  const requestNames = options.requestHeaders;
  const responseNames = options.responseHeaders;
  let requestBlock: string | undefined;
  let responseBlock: string | undefined;
  if (blocks.length === 2) [requestBlock, responseBlock] = blocks;
  else if (requestNames === undefined && responseNames !== undefined) responseBlock = blocks[0];
  else requestBlock = blocks[0];

  if (requestBlock !== undefined && requestBlock !== '') {
    if (requestNames === undefined) attributes.capturedRequestHeaders = requestBlock;
    else {
      const values = requestBlock.split('|');
      const headers = event.request.headers as Record<string, string>;
      for (let i = 0; i < values.length && i < requestNames.length; i++) {
        const raw = text(values[i]);
        if (raw === undefined) continue;
        const name = requestNames[i] as string;
        const value = decodeHashEscapes(raw);
        if (name === 'host') event.request.host = value;
        else if (name === 'user-agent') event.client.userAgent = value;
        else if (name === 'x-forwarded-for') event.client.forwardedFor = value;
        else headers[name] = value;
      }
    }
  }
  if (responseBlock !== undefined && responseBlock !== '') {
    if (responseNames === undefined) attributes.capturedResponseHeaders = responseBlock;
    else {
      const values = responseBlock.split('|');
      for (let i = 0; i < values.length && i < responseNames.length; i++) {
        const raw = text(values[i]);
        if (raw !== undefined) responseHeaders[responseNames[i] as string] = decodeHashEscapes(raw);
      }
    }
  }
}

function readTlsTail(tail: string, event: ParsedEvent, attributes: Record<string, string | number | boolean>): void {
  const m = TLS_TAIL.exec(tail);
  if (m === null) return;
  const tls: ClientTls = { sni: text(m[6]), version: text(m[7]), cipher: text(m[8]) };
  if (tls.sni !== undefined || tls.version !== undefined || tls.cipher !== undefined) {
    event.client.tls = tls;
    event.request.scheme = 'https';
  }
  for (let i = 1; i <= 4; i++) {
    if (!NO_TLS_ERROR.test(m[i] as string)) {
      attributes.tlsErrors = `${m[1]}/${m[2]}/${m[3]}/${m[4]}`;
      break;
    }
  }
}

/** Decodes HAProxy's `#XX` escapes (non-printable bytes, `"`, `#`, `{`, `|`, `}`), UTF-8 aware. */
export function decodeHashEscapes(value: string): string {
  if (!value.includes('#')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const hash = c === 35 && i + 2 < value.length;
    if (hash && isHexDigit(value.charCodeAt(i + 1)) && isHexDigit(value.charCodeAt(i + 2))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const codePoint = value.codePointAt(i) as number;
      if (codePoint > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
