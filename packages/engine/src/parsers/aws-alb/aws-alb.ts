import { type ParsedEvent, type ParseOutcome, type Parser, reject } from '@palisade/core';
import { shareOf } from '../internal/detect.js';
import { num, splitRequestLine, status, text } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';
import { splitAbsoluteUrl, splitHostPort } from './internal-cloud.js';

/** Field positions of an ALB access log entry (AWS documents them in this order; new ones are appended). */
const F = {
  Type: 0,
  Time: 1,
  Elb: 2,
  Client: 3,
  Target: 4,
  RequestProcessing: 5,
  TargetProcessing: 6,
  ResponseProcessing: 7,
  ElbStatus: 8,
  TargetStatus: 9,
  ReceivedBytes: 10,
  SentBytes: 11,
  Request: 12,
  UserAgent: 13,
  SslCipher: 14,
  SslProtocol: 15,
  TargetGroupArn: 16,
  TraceId: 17,
  DomainName: 18,
  RequestCreationTime: 21,
  ActionsExecuted: 22,
  ErrorReason: 24,
  Classification: 27,
  ClassificationReason: 28,
} as const;

/** Fields read; everything after `classification_reason` (conn_trace_id, newer fields) is ignored. */
const FIELDS_READ = F.ClassificationReason + 1;
/** The oldest layouts end after `ssl_protocol`; fewer fields means a cut-off line. */
const MIN_FIELDS = F.SslProtocol + 1;

const LINE_START = /^(?:https?|h2|grpcs|wss?) \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z app\/\S+ \S+ /;

/**
 * AWS Application Load Balancer access logs (space-separated, quoted fields, as delivered to S3).
 *
 * `time` is `request_creation_time` (when the load balancer received the request), falling back to the
 * response time. The client address is the one that connected to the load balancer (`client.peerIp` and
 * `client.ip`). `latencyMs` is the sum of the three processing times when none is `-1`; the upstream latency
 * is `target_processing_time`. Request lines ALB logs as `"- http://host:80- -"` (not HTTP) are rejected.
 */
export const awsAlbParser: Parser = {
  format: 'aws-alb',
  description: 'AWS Application Load Balancer access log entries (S3 delivery, space-separated)',
  framing: 'line',
  independentRecords: true,
  detect(lines) {
    return shareOf(lines, (line) => LINE_START.test(line));
  },
  open() {
    return { parse: parseAlbLine };
  },
};

function parseAlbLine(line: string): ParseOutcome {
  const f = splitFields(line);
  if (f === 'malformed') return reject('malformed_line');
  if (f === 'truncated' || f.length < MIN_FIELDS) return reject('truncated');

  const time = parseIsoTime(f[F.RequestCreationTime] ?? '') ?? parseIsoTime(f[F.Time] as string);
  if (time === undefined) return reject('bad_timestamp');

  const requestLine = splitRequestLine(f[F.Request] as string);
  if (requestLine === undefined) return reject('bad_request_line');
  const url = splitAbsoluteUrl(requestLine.url);
  if (url === undefined && requestLine.url.charCodeAt(0) !== 47 /* / */) return reject('bad_request_line');

  const code = f[F.ElbStatus] as string;
  const elbStatus = status(code);
  if (elbStatus === undefined && text(code) !== undefined && num(code) !== 0) return reject('bad_status');

  const type = f[F.Type] as string;
  const event: ParsedEvent = {
    time,
    request: {
      method: requestLine.method,
      scheme: type === 'ws' || type === 'wss' ? type : url?.scheme,
      host: url?.host,
      url: url === undefined ? requestLine.url : undefined,
      path: url?.path,
      query: url?.query,
      headers: {},
      size: num(f[F.ReceivedBytes]),
      httpVersion: requestLine.httpVersion,
    },
    latencyMs: sumProcessingMs(f),
    client: { userAgent: text(f[F.UserAgent]) },
  };
  if (elbStatus !== undefined) event.response = { status: elbStatus, headers: {}, size: num(f[F.SentBytes]) };

  const client = splitHostPort(f[F.Client] as string, true);
  if (client !== undefined) {
    event.client.peerIp = client.ip;
    event.client.ip = client.ip;
    event.client.port = client.port;
  }
  const cipher = text(f[F.SslCipher]);
  const version = text(f[F.SslProtocol]);
  const sni = text(f[F.DomainName]);
  if (cipher !== undefined || version !== undefined || sni !== undefined) event.client.tls = { version, cipher, sni };

  const target = text(f[F.Target]);
  const targetMs = readProcessingMs(f[F.TargetProcessing]);
  const targetGroup = readTargetGroupName(f[F.TargetGroupArn]);
  if (target !== undefined || targetMs !== undefined || targetGroup !== undefined) {
    event.upstream = { address: target, service: targetGroup, latencyMs: targetMs };
  }
  event.traceId = readTraceRoot(f[F.TraceId]);
  event.attributes = readAttributes(f);
  return event;
}

/** Splits an entry into its fields (quotes removed, `\"` and `\\` unescaped), stopping after the fields read. */
function splitFields(line: string): string[] | 'truncated' | 'malformed' {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n && out.length < FIELDS_READ) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const c = line.charCodeAt(j);
        if (c === 92 /* \ */) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === 34) break;
        j++;
      }
      if (j >= n) return 'truncated';
      const raw = line.slice(i + 1, j);
      out.push(escaped ? unescapeQuoted(raw) : raw);
      i = j + 1;
    } else {
      let j = line.indexOf(' ', i);
      if (j < 0) j = n;
      out.push(line.slice(i, j));
      i = j;
    }
    if (i < n) {
      if (line.charCodeAt(i) !== 32 /* space */) return 'malformed';
      i++;
    }
  }
  return out;
}

function unescapeQuoted(raw: string): string {
  let s = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    const next = raw[i + 1];
    if (c === '\\' && (next === '"' || next === '\\')) {
      s += next;
      i++;
    } else {
      s += c;
    }
  }
  return s;
}

/** Seconds as ALB logs them, in ms; `undefined` for `-1` (not applicable) and junk. */
function readProcessingMs(value: string | undefined): number | undefined {
  const n = num(value);
  return n === undefined ? undefined : Math.round(n * 1e6) / 1e3;
}

function sumProcessingMs(f: readonly string[]): number | undefined {
  const a = num(f[F.RequestProcessing]);
  const b = num(f[F.TargetProcessing]);
  const c = num(f[F.ResponseProcessing]);
  if (a === undefined || b === undefined || c === undefined) return undefined;
  return Math.round((a + b + c) * 1e6) / 1e3;
}

/** `arn:aws:elasticloadbalancing:…:targetgroup/my-targets/73e2…` → `my-targets`. */
function readTargetGroupName(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const at = arn.indexOf(':targetgroup/');
  if (at < 0) return undefined;
  const start = at + 13;
  const end = arn.indexOf('/', start);
  const name = end < 0 ? arn.slice(start) : arn.slice(start, end);
  return name === '' ? undefined : name;
}

/** The X-Ray trace id in an `X-Amzn-Trace-Id` value (`Root=1-5833…-36d2…;Sampled=1` → `1-5833…-36d2…`). */
function readTraceRoot(value: string | undefined): string | undefined {
  const header = text(value);
  if (header === undefined) return undefined;
  const at = header.indexOf('Root=');
  if (at < 0) return undefined;
  const end = header.indexOf(';', at);
  const root = end < 0 ? header.slice(at + 5) : header.slice(at + 5, end);
  return root === '' ? undefined : root;
}

function readAttributes(f: readonly string[]): Record<string, string | number> | undefined {
  const attributes: Record<string, string | number> = {};
  const loadBalancer = text(f[F.Elb]);
  const targetStatus = status(f[F.TargetStatus]);
  const actionsExecuted = text(f[F.ActionsExecuted]);
  const errorReason = text(f[F.ErrorReason]);
  const classification = text(f[F.Classification]);
  const classificationReason = text(f[F.ClassificationReason]);
  if (loadBalancer !== undefined) attributes.loadBalancer = loadBalancer;
  if (targetStatus !== undefined) attributes.targetStatus = targetStatus;
  if (actionsExecuted !== undefined) attributes.actionsExecuted = actionsExecuted;
  if (errorReason !== undefined) attributes.errorReason = errorReason;
  if (classification !== undefined) attributes.classification = classification;
  if (classificationReason !== undefined) attributes.classificationReason = classificationReason;
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}
