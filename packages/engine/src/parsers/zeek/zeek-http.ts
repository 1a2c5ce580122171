import { type ParsedEvent, type ParseOutcome, type Parser, reject, skip } from '@palisade/core';
import { shareOfJson } from '../internal/detect.js';
import { num, parseJsonObject, status, text, unescapeHexBytes } from '../internal/fields.js';
import { parseIsoTime } from '../internal/time.js';

/** The `http.log` fields the parser reads, as logged (TSV strings and string lists, or typed JSON values). */
interface ZeekRecord {
  ts: unknown;
  uid: unknown;
  origH: unknown;
  origP: unknown;
  respH: unknown;
  respP: unknown;
  method: unknown;
  host: unknown;
  uri: unknown;
  referrer: unknown;
  version: unknown;
  userAgent: unknown;
  origin: unknown;
  requestBodyLen: unknown;
  responseBodyLen: unknown;
  statusCode: unknown;
  username: unknown;
  proxied: unknown;
  origMimeTypes: unknown;
  respMimeTypes: unknown;
}

/** Column of each read field in the current `#fields` layout, -1 when the log does not have it. */
type ColumnIndex = { [K in keyof ZeekRecord]: number };

const COLUMN_NAMES: { [K in keyof ZeekRecord]: string } = {
  ts: 'ts',
  uid: 'uid',
  origH: 'id.orig_h',
  origP: 'id.orig_p',
  respH: 'id.resp_h',
  respP: 'id.resp_p',
  method: 'method',
  host: 'host',
  uri: 'uri',
  referrer: 'referrer',
  version: 'version',
  userAgent: 'user_agent',
  origin: 'origin',
  requestBodyLen: 'request_body_len',
  responseBodyLen: 'response_body_len',
  statusCode: 'status_code',
  username: 'username',
  proxied: 'proxied',
  origMimeTypes: 'orig_mime_types',
  respMimeTypes: 'resp_mime_types',
};

/** TSV header state of one stream; a later header block (concatenated logs) replaces it. */
interface ZeekStream {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  columns: ColumnIndex | undefined;
  width: number;
}

/**
 * Zeek `http.log`, in the ASCII/TSV form (`#separator`, `#set_separator`, `#empty_field`, `#unset_field`,
 * `#fields` … header lines) or the JSON form (`LogAscii::use_json=T`).
 *
 * Contract: TSV columns come from the latest `#fields` line of the stream, so concatenated logs work; a TSV
 * data line before any `#fields` line is rejected, header lines are skipped, and records of other Zeek logs
 * are skipped. A request without a response (`status_code` unset) is an event without `response`. The
 * Basic-auth `username` is the identity; the `password` column is never read. `\xHH` escapes are decoded.
 */
export const zeekHttpParser: Parser = {
  format: 'zeek-http',
  aliases: ['zeek', 'zeek-json'],
  description: 'Zeek http.log, TSV (with #fields header) or JSON (LogAscii::use_json=T)',
  framing: 'line',
  detect(lines) {
    for (const line of lines) {
      if (line.startsWith('#fields') && line.includes('uid') && line.includes('method') && line.includes('uri')) return 1;
      if (line === '#path\thttp') return 1;
    }
    if (lines[0]?.startsWith('#separator') === true) return 0.3;
    return shareOfJson(lines, (o) => 'uid' in o && 'id.orig_h' in o && ('method' in o || 'trans_depth' in o || 'uri' in o));
  },
  open() {
    const stream: ZeekStream = {
      separator: '\t',
      setSeparator: ',',
      emptyField: '(empty)',
      unsetField: '-',
      columns: undefined,
      width: 0,
    };
    return { parse: (line) => parseZeekLine(stream, line) };
  },
};

function parseZeekLine(stream: ZeekStream, line: string): ParseOutcome {
  const first = line.charCodeAt(0);
  if (first === 35 /* # */) return readHeader(stream, line);
  if (first === 123 /* { */ || first === 0xfeff) return parseZeekJson(line);
  if (stream.columns === undefined) return reject('unsupported_record', 'data line before #fields header');
  const columns = stream.columns;
  if (columns.method < 0 && columns.uri < 0) return skip('not an http.log record');
  const cells = line.split(stream.separator);
  if (cells.length !== stream.width) return reject(cells.length < stream.width ? 'truncated' : 'malformed_line');
  return buildZeekEvent({
    ts: readCell(stream, cells, columns.ts),
    uid: readCell(stream, cells, columns.uid),
    origH: readCell(stream, cells, columns.origH),
    origP: readCell(stream, cells, columns.origP),
    respH: readCell(stream, cells, columns.respH),
    respP: readCell(stream, cells, columns.respP),
    method: readCell(stream, cells, columns.method),
    host: readCell(stream, cells, columns.host),
    uri: readCell(stream, cells, columns.uri),
    referrer: readCell(stream, cells, columns.referrer),
    version: readCell(stream, cells, columns.version),
    userAgent: readCell(stream, cells, columns.userAgent),
    origin: readCell(stream, cells, columns.origin),
    requestBodyLen: readCell(stream, cells, columns.requestBodyLen),
    responseBodyLen: readCell(stream, cells, columns.responseBodyLen),
    statusCode: readCell(stream, cells, columns.statusCode),
    username: readCell(stream, cells, columns.username),
    proxied: readSetCell(stream, cells, columns.proxied),
    origMimeTypes: readSetCell(stream, cells, columns.origMimeTypes),
    respMimeTypes: readSetCell(stream, cells, columns.respMimeTypes),
  });
}

function parseZeekJson(line: string): ParseOutcome {
  const o = parseJsonObject(line);
  if (o === undefined) return reject('malformed_json');
  if (!('method' in o) && !('uri' in o) && !('trans_depth' in o)) return skip('not an http.log record');
  return buildZeekEvent({
    ts: o.ts,
    uid: o.uid,
    origH: o['id.orig_h'],
    origP: o['id.orig_p'],
    respH: o['id.resp_h'],
    respP: o['id.resp_p'],
    method: o.method,
    host: o.host,
    uri: o.uri,
    referrer: o.referrer,
    version: o.version,
    userAgent: o.user_agent,
    origin: o.origin,
    requestBodyLen: o.request_body_len,
    responseBodyLen: o.response_body_len,
    statusCode: o.status_code,
    username: o.username,
    proxied: o.proxied,
    origMimeTypes: o.orig_mime_types,
    respMimeTypes: o.resp_mime_types,
  });
}

/** Reads a `#…` header line into the stream state; every header line is a skip. */
function readHeader(stream: ZeekStream, line: string): ParseOutcome {
  if (line.startsWith('#separator ')) {
    const separator = unescapeHexBytes(line.slice(11));
    if (separator !== '') stream.separator = separator;
    return skip('header');
  }
  const cut = line.indexOf(stream.separator);
  const name = cut < 0 ? line : line.slice(0, cut);
  const value = cut < 0 ? '' : line.slice(cut + stream.separator.length);
  if (name === '#set_separator') stream.setSeparator = unescapeHexBytes(value);
  else if (name === '#empty_field') stream.emptyField = unescapeHexBytes(value);
  else if (name === '#unset_field') stream.unsetField = unescapeHexBytes(value);
  else if (name === '#fields') readFieldsHeader(stream, value.split(stream.separator));
  return skip('header');
}

function readFieldsHeader(stream: ZeekStream, names: readonly string[]): void {
  const columns = {} as ColumnIndex;
  for (const key of Object.keys(COLUMN_NAMES) as (keyof ZeekRecord)[]) {
    columns[key] = names.indexOf(COLUMN_NAMES[key]);
  }
  stream.columns = columns;
  stream.width = names.length;
}

function readCell(stream: ZeekStream, cells: readonly string[], column: number): string | undefined {
  const raw = column < 0 ? undefined : cells[column];
  if (raw === undefined || raw === stream.unsetField || raw === stream.emptyField) return undefined;
  return unescapeHexBytes(raw);
}

function readSetCell(stream: ZeekStream, cells: readonly string[], column: number): string[] | undefined {
  const raw = column < 0 ? undefined : cells[column];
  if (raw === undefined || raw === stream.unsetField || raw === stream.emptyField) return undefined;
  return raw.split(stream.setSeparator).map(unescapeHexBytes);
}

function buildZeekEvent(r: ZeekRecord): ParseOutcome {
  const time = readTs(r.ts);
  if (time === undefined) return reject('bad_timestamp');
  const method = text(r.method);
  const url = text(r.uri);
  if (method === undefined) return url === undefined ? skip('response without request') : reject('missing_field', 'method');
  if (url === undefined) return reject('missing_field', 'uri');
  const code = status(r.statusCode);
  if (code === undefined && text(r.statusCode) !== undefined) return reject('bad_status');

  const headers: Record<string, string> = {};
  const referrer = text(r.referrer);
  if (referrer !== undefined) headers.referer = referrer;
  const origin = text(r.origin);
  if (origin !== undefined) headers.origin = origin;
  const forwardedFor = readProxied(r.proxied, headers);
  const version = text(r.version);

  const event: ParsedEvent = {
    time,
    request: {
      method,
      host: text(r.host),
      url,
      headers,
      size: num(r.requestBodyLen),
      httpVersion: version === undefined ? undefined : `HTTP/${version}`,
    },
    client: {
      peerIp: text(r.origH),
      port: num(r.origP),
      forwardedFor,
      userAgent: text(r.userAgent),
    },
  };
  if (code !== undefined) event.response = { status: code, size: num(r.responseBodyLen) };
  const user = text(r.username);
  if (user !== undefined) event.identity = { user, authScheme: 'basic' };

  const attributes: Record<string, string | number> = {};
  let hasAttributes = false;
  const uid = text(r.uid);
  if (uid !== undefined) hasAttributes = setAttribute(attributes, 'zeekUid', uid);
  const serverIp = text(r.respH);
  if (serverIp !== undefined) hasAttributes = setAttribute(attributes, 'serverIp', serverIp);
  const serverPort = num(r.respP);
  if (serverPort !== undefined) hasAttributes = setAttribute(attributes, 'serverPort', serverPort);
  const origMime = joinList(r.origMimeTypes);
  if (origMime !== undefined) hasAttributes = setAttribute(attributes, 'origMimeTypes', origMime);
  const respMime = joinList(r.respMimeTypes);
  if (respMime !== undefined) hasAttributes = setAttribute(attributes, 'respMimeTypes', respMime);
  if (hasAttributes) event.attributes = attributes;
  return event;
}

function setAttribute(attributes: Record<string, string | number>, key: string, value: string | number): true {
  attributes[key] = value;
  return true;
}

/** `ts` is epoch seconds with microseconds (or ISO 8601 with `LogAscii::json_timestamps`). */
function readTs(value: unknown): number | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
  if (Number.isFinite(seconds)) return seconds > 0 ? Math.round(seconds * 1e6) / 1000 : undefined;
  return typeof value === 'string' ? parseIsoTime(value) : undefined;
}

/**
 * `proxied` holds `NAME -> value` entries for the proxy headers Zeek watches (X-FORWARDED-FOR, VIA, …).
 * Adds them to the request headers and returns the X-Forwarded-For value.
 */
function readProxied(value: unknown, headers: Record<string, string>): string | undefined {
  if (!Array.isArray(value)) return undefined;
  let forwardedFor: string | undefined;
  for (const entry of value) {
    if (typeof entry !== 'string') continue;
    const arrow = entry.indexOf(' -> ');
    if (arrow <= 0) continue;
    const name = entry.slice(0, arrow).toLowerCase();
    const headerValue = entry.slice(arrow + 4);
    headers[name] = name in headers ? `${headers[name]}, ${headerValue}` : headerValue;
    if (name === 'x-forwarded-for') forwardedFor = headers[name];
  }
  return forwardedFor;
}

function joinList(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.join(',');
}
