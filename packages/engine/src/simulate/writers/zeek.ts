import type { SimExchange, SimWriter } from '../exchange.js';
import { basicAuthUser, forwardedFor } from './internal.js';

/**
 * Zeek `http.log` in its JSON form (`LogAscii::use_json=T`): one object per line with Zeek's field names and
 * types (`ts` epoch seconds with microseconds, `id.orig_h`, `status_code`, `proxied`, …), the format the
 * `zeek-http` parser reads (it reads the TSV form equally well; JSON needs no header block).
 *
 * Contract: the sensor watches the plain-text leg behind the TLS-terminating proxy, so the originator is
 * `proxyIp` and the responder is the upstream; the client shows only in `proxied` (`X-FORWARDED-FOR ->
 * client, proxy`). http.log has no request duration, scheme or request headers beyond the ones below, so
 * those facts are not written. `uid` is derived from the exchange id, so the same exchange always gets the
 * same uid. Unset fields are omitted, as Zeek's JSON writer does.
 */
export const zeekWriter: SimWriter = {
  format: 'zeek-http',
  extension: '.log',
  begin: () => '',
  write: writeZeekLine,
  end: () => '',
};

/** The fields of one http.log record, in Zeek's column order. */
interface ZeekHttpRecord {
  ts: number;
  uid: string;
  'id.orig_h': string;
  'id.orig_p': number;
  'id.resp_h': string;
  'id.resp_p': number;
  trans_depth: number;
  method: string;
  host: string;
  uri: string;
  referrer?: string;
  version: string;
  user_agent: string;
  origin?: string;
  request_body_len: number;
  response_body_len: number;
  status_code: number;
  status_msg?: string;
  tags: string[];
  username?: string;
  proxied: string[];
  orig_mime_types?: string[];
  resp_mime_types?: string[];
}

function writeZeekLine(x: SimExchange): string {
  const { client, request, response } = x;
  const headers = request.headers;
  const responder = splitHostPort(x.upstream.address, 80);
  const requestMime = mimeType(headers['content-type']);
  const responseMime = mimeType(response.headers['content-type']);
  const record: ZeekHttpRecord = {
    // Zeek writes `ts` with six decimals; `toFixed` keeps the number exact to the microsecond.
    ts: Number((x.time / 1000).toFixed(6)),
    uid: zeekUid(x.id),
    'id.orig_h': x.proxyIp,
    'id.orig_p': client.port,
    'id.resp_h': responder.host,
    'id.resp_p': responder.port,
    trans_depth: 1,
    method: request.method,
    host: request.host,
    uri: request.query === '' ? request.path : `${request.path}?${request.query}`,
    referrer: headers.referer,
    version: '1.1',
    user_agent: client.userAgent,
    origin: headers.origin,
    request_body_len: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    response_body_len: response.size,
    status_code: response.status,
    status_msg: REASON_PHRASES[response.status],
    tags: [],
    username: basicAuthUser(headers.authorization),
    proxied: [`X-FORWARDED-FOR -> ${forwardedFor(x)}`],
    orig_mime_types: request.body === undefined || requestMime === undefined ? undefined : [requestMime],
    resp_mime_types: response.size === 0 || responseMime === undefined ? undefined : [responseMime],
  };
  return `${JSON.stringify(record)}\n`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Zeek connection uid (`C` + base62 of 96 bits) made from the first 24 hex digits of the exchange id. */
function zeekUid(id: string): string {
  let n = BigInt(`0x${id.slice(0, 24) || '0'}`);
  let digits = '';
  do {
    digits = BASE62[Number(n % 62n)] + digits;
    n /= 62n;
  } while (n > 0n);
  return `C${digits}`;
}

/** `10.0.3.14:8080`, `[2001:db8::5]:8080` or a bare address, split; `fallbackPort` when there is no port. */
function splitHostPort(address: string, fallbackPort: number): { host: string; port: number } {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    const port = Number(address.slice(end + 2));
    return { host: address.slice(1, end), port: address[end + 1] === ':' && Number.isInteger(port) ? port : fallbackPort };
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return { host: address, port: fallbackPort };
  const port = Number(address.slice(colon + 1));
  return { host: address.slice(0, colon), port: Number.isInteger(port) ? port : fallbackPort };
}

/** The media type of a `Content-Type` value (`application/json; charset=utf-8` → `application/json`). */
function mimeType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** The reason phrases servers send with the status codes an API answers with. */
const REASON_PHRASES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
