import { type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { parseIsoTime } from '../internal/time.js';
import { buildEnvoyEvent, type EnvoyRecord } from './internal-envoy.js';

/** The tokens of one text line: `[time]`, `"quoted"` and bare values, in order. */
interface Tokens {
  values: string[];
  quoted: boolean[];
}

const METHOD = /^[A-Z][A-Z0-9_-]{0,31}$/;

/**
 * Envoy's default text access log format and Istio's default text format (1.8+, with
 * `%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"` and the
 * cluster/address/SNI/route tail; also the pre-1.8 layout with the quoted mixer status).
 *
 * Contract: the layout is recognised per line by its shape — `[start time] "request line"`, status, flags,
 * optional Istio fields, four bare numbers (bytes received, bytes sent, duration, upstream service time),
 * five quoted values (XFF, User-Agent, request id, authority, upstream host) and, for Istio, six bare
 * values. A line that does not fit is rejected as `malformed_line`; TCP entries (`"- - -"`) are skipped.
 */
export const envoyParser: Parser = {
  format: 'envoy',
  aliases: ['istio', 'envoy-text'],
  description: 'Envoy default text access log, and Istio default text access log',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, (line) => {
      const tokens = tokenize(line);
      return tokens !== undefined && findQuotedRun(tokens.quoted) > 0 && parseIsoTime(tokens.values[0] as string) !== undefined;
    });
  },
  open() {
    return { parse: parseEnvoyLine };
  },
};

function parseEnvoyLine(line: string): ParseOutcome {
  const tokens = tokenize(line);
  if (tokens === undefined) return reject('malformed_line');
  const run = findQuotedRun(tokens.quoted);
  if (run < 0) return reject('malformed_line');
  const v = tokens.values;

  const record: EnvoyRecord = {
    startTime: v[0],
    responseCode: v[2],
    responseFlags: v[3],
    bytesReceived: v[run - 4],
    bytesSent: v[run - 3],
    duration: v[run - 2],
    upstreamServiceTime: v[run - 1],
    forwardedFor: v[run],
    userAgent: v[run + 1],
    requestId: v[run + 2],
    authority: v[run + 3],
    upstreamHost: v[run + 4],
  };
  const requestLine = v[1] as string;
  if (requestLine !== '- - -') {
    const first = requestLine.indexOf(' ');
    const last = requestLine.lastIndexOf(' ');
    if (first <= 0 || last <= first) return reject('bad_request_line');
    const method = requestLine.slice(0, first);
    if (method !== '-' && !METHOD.test(method)) return reject('bad_request_line');
    record.method = method;
    record.path = requestLine.slice(first + 1, last);
    record.protocol = requestLine.slice(last + 1);
  }
  readIstioExtras(tokens, run, record);
  if (v.length >= run + 11) {
    record.upstreamCluster = v[run + 5];
    record.downstreamRemoteAddress = v[run + 8];
    record.requestedServerName = v[run + 9];
    record.routeName = v[run + 10];
  }
  return buildEnvoyEvent(record);
}

/** Istio fields between the flags and the byte counts: bare details/termination, then a quoted failure reason. */
function readIstioExtras(tokens: Tokens, run: number, record: EnvoyRecord): void {
  let bare = 0;
  for (let i = 4; i < run - 4; i++) {
    if (tokens.quoted[i]) {
      record.upstreamTransportFailureReason = tokens.values[i];
    } else if (bare++ === 0) {
      record.responseCodeDetails = tokens.values[i];
    } else {
      record.connectionTerminationDetails = tokens.values[i];
    }
  }
}

/**
 * Index of the first of the five quoted values (XFF … upstream host) that follow four bare numbers, or -1.
 * Also checks the fixed head: a quoted request line, then bare status and flags.
 */
function findQuotedRun(quoted: readonly boolean[]): number {
  if (quoted[1] !== true || quoted[2] !== false || quoted[3] !== false) return -1;
  for (let q = 8; q + 5 <= quoted.length; q++) {
    if (
      quoted[q] &&
      quoted[q + 1] &&
      quoted[q + 2] &&
      quoted[q + 3] &&
      quoted[q + 4] &&
      !quoted[q - 1] &&
      !quoted[q - 2] &&
      !quoted[q - 3] &&
      !quoted[q - 4]
    ) {
      return q;
    }
  }
  return -1;
}

/**
 * Splits a line into `[…]`, `"…"` and bare tokens. Envoy does not escape quotes inside values, so a quoted
 * value ends at a quote followed by a space or the end of the line.
 */
function tokenize(line: string): Tokens | undefined {
  if (line.charCodeAt(0) !== 91 /* [ */) return undefined;
  const close = line.indexOf(']', 1);
  if (close < 0) return undefined;
  const values = [line.slice(1, close)];
  const quoted = [false];
  const n = line.length;
  let i = close + 1;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 /* space */) {
      i++;
    } else if (c === 34 /* " */) {
      let end = line.indexOf('"', i + 1);
      while (end >= 0 && end + 1 < n && line.charCodeAt(end + 1) !== 32) end = line.indexOf('"', end + 1);
      if (end < 0) return undefined;
      values.push(line.slice(i + 1, end));
      quoted.push(true);
      i = end + 1;
    } else {
      let end = line.indexOf(' ', i);
      if (end < 0) end = n;
      values.push(line.slice(i, end));
      quoted.push(false);
      i = end;
    }
  }
  return { values, quoted };
}
