import { isIP } from 'node:net';
import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { num, splitRequestLine, status, text } from '../internal/fields.js';
import { parseClfTime } from '../internal/time.js';
import { decodeQuoted, findQuoteEnd, tokenize } from './quoted-fields.js';
import { isAddressList, readTrailingFields } from './trailing-fields.js';

/** `host ident user [dd/Mon/yyyy:hh:mm:ss ±hhmm] "request" status bytes`, with room for a vhost or address list. */
const SHAPE = /^\S+(?: \S+){2,5} \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)? [+-]\d{4}\] ".*" (?:\d{3}|-) (?:\d+|-)(?: |$)/;
/** Apache `vhost_combined` starts with `%v:%p`. */
const VHOST_PORT = /^[^:\s]+:\d+$/;
/** `0` / `000`: nginx's "no status" for requests that never got a response. */
const NO_STATUS = /^0+$/;

/** The last timestamp text of a stream and its value: consecutive lines mostly share the second. */
interface TimeCache {
  text: string;
  time: number | undefined;
}

/** The fields before the `[time]`. */
interface Head {
  vhost?: string;
  remote: string;
  user?: string;
}

/**
 * NCSA Common / Combined Log Format as written by nginx (`combined`, `main`), Apache (`common`, `combined`,
 * `vhost_combined`), Traefik (`common`) and ingress-nginx (`upstreaminfo`).
 *
 * Contract: `%h` becomes `client.peerIp` (a hostname goes to `attributes.remoteHost`; an address list, as
 * logged by `$http_x_forwarded_for` layouts, goes to `client.forwardedFor`); `%u` becomes `identity.user`;
 * the request line must be a request (`"-"` and scanner garbage are rejected as `bad_request_line`); a `-`
 * status means no response. Extra fields after the user agent are read only for the layouts listed in
 * `readTrailingFields`; the rest are ignored. `\xHH` (nginx) and `\"` (Apache) escapes are decoded.
 */
export const combinedParser: Parser = {
  format: 'combined',
  aliases: ['nginx-combined', 'apache-combined', 'clf'],
  description: 'NCSA Common/Combined Log Format (nginx, Apache, Traefik common, ingress-nginx)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, (line) => SHAPE.test(line));
  },
  open() {
    const cache: TimeCache = { text: '', time: undefined };
    return { parse: (line) => parseCombined(line, cache) };
  },
};

function parseCombined(line: string, cache: TimeCache): ParseOutcome {
  const open = line.indexOf(' [');
  if (open <= 0) return reject('malformed_line');
  const head = readHead(line.slice(0, open));
  if (head === undefined) return reject('malformed_line');
  const close = line.indexOf(']', open + 2);
  if (close < 0) return reject('truncated');
  const timeText = line.slice(open + 2, close);
  if (timeText !== cache.text) {
    cache.text = timeText;
    cache.time = parseClfTime(timeText);
  }
  const time = cache.time;
  if (time === undefined) return reject('bad_timestamp');

  if (line.charCodeAt(close + 1) !== 32 || line.charCodeAt(close + 2) !== 34) return reject('malformed_line');
  const requestEnd = findQuoteEnd(line, close + 2);
  if (requestEnd < 0) return reject('truncated');
  const requestLine = splitRequestLine(decodeQuoted(line.slice(close + 3, requestEnd)));
  if (requestLine === undefined) return reject('bad_request_line');

  if (line.charCodeAt(requestEnd + 1) !== 32) return reject('truncated');
  const statusEnd = indexOfSpace(line, requestEnd + 2);
  const statusText = line.slice(requestEnd + 2, statusEnd);
  const responseStatus = status(statusText);
  if (responseStatus === undefined && statusText !== '-' && !NO_STATUS.test(statusText)) {
    return statusText === '' ? reject('truncated') : reject('bad_status');
  }
  if (statusEnd >= line.length) return reject('truncated');
  const bytesEnd = indexOfSpace(line, statusEnd + 1);
  const bytesText = line.slice(statusEnd + 1, bytesEnd);
  const bytes = num(bytesText);
  if (bytes === undefined && bytesText !== '-') return bytesText === '' ? reject('truncated') : reject('bad_number');

  const tokens = tokenize(line, bytesEnd);
  if (tokens === undefined) return reject('truncated');
  const headers: Record<string, string> = {};
  let userAgent: string | undefined;
  let trailingFrom = tokens.length;
  const referer = tokens[0];
  const agent = tokens[1];
  if (referer?.quoted === true && agent?.quoted === true) {
    const value = text(referer.value);
    if (value !== undefined) headers.referer = value;
    userAgent = text(agent.value);
    trailingFrom = 2;
  }
  const trailing = readTrailingFields(tokens, trailingFrom);

  const event: ParsedEvent = {
    time,
    request: {
      method: requestLine.method,
      host: head.vhost,
      url: requestLine.url,
      headers,
      size: trailing.requestSize,
      httpVersion: requestLine.httpVersion,
    },
    latencyMs: trailing.latencyMs,
    client: { forwardedFor: trailing.forwardedFor, userAgent },
  };
  if (responseStatus !== undefined) event.response = { status: responseStatus, headers: {}, size: bytes };
  const remote = text(head.remote);
  if (remote !== undefined) {
    if (isIP(remote) !== 0) event.client.peerIp = remote;
    else if (remote.includes(',') && isAddressList(remote)) event.client.forwardedFor ??= remote;
    else event.attributes = { remoteHost: remote };
  }
  if (head.user !== undefined) event.identity = { user: head.user };
  if (trailing.upstream !== undefined) event.upstream = trailing.upstream;
  if (trailing.requestId !== undefined) event.attributes = { ...event.attributes, requestId: trailing.requestId };
  return event;
}

/** Splits `host ident user`, `vhost:port host ident user` or `addr, addr ident user`. */
function readHead(head: string): Head | undefined {
  const first = head.indexOf(' ');
  const second = first < 0 ? -1 : head.indexOf(' ', first + 1);
  if (second > first + 1 && head.indexOf(' ', second + 1) < 0) {
    return { remote: head.slice(0, first), user: readUser(head.slice(second + 1)) };
  }
  const parts = head.split(' ');
  if (parts.length === 3) return { remote: parts[0] as string, user: readUser(parts[2] as string) };
  if (parts.length === 4 && VHOST_PORT.test(parts[0] as string)) {
    const vhost = parts[0] as string;
    const user = readUser(parts[3] as string);
    return { vhost: vhost.slice(0, vhost.lastIndexOf(':')), remote: parts[1] as string, user };
  }
  let i = 0;
  while (i < parts.length - 3 && (parts[i] as string).endsWith(',')) i++;
  if (i === 0 || i !== parts.length - 3) return undefined;
  return { remote: parts.slice(0, i + 1).join(' '), user: readUser(parts[parts.length - 1] as string) };
}

function readUser(user: string): string | undefined {
  const value = text(user);
  return value === undefined ? undefined : decodeQuoted(value);
}

function indexOfSpace(line: string, from: number): number {
  const i = line.indexOf(' ', from);
  return i < 0 ? line.length : i;
}
