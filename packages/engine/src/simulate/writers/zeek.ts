import type { SimExchange, SimWriter } from '../exchange.js';
import { basicAuthUser, forwardedFor, sessionPart, writeHeadAndPart } from './internal.js';
import { esc, memo, quoted } from './json-text.js';

/**
 * Zeek `http.log` in its JSON form (`LogAscii::use_json=T`): one object per line with Zeek's field names and
 * types (`ts` epoch seconds with microseconds, `id.orig_h`, `status_code`, `proxied`, …), the format the
 * `zeek-http` parser reads (it reads the TSV form equally well; JSON needs no header block).
 *
 * Contract: the sensor watches the plain-text leg behind the TLS-terminating proxy, so the originator is
 * `proxyIp` and the responder is the upstream; the client shows only in `proxied` (`X-FORWARDED-FOR ->
 * client, proxy`). http.log has no request duration, scheme or request headers beyond the ones below, so
 * those facts are not written. `uid` is derived from the exchange id, so the same exchange always gets the
 * same uid. Unset fields are omitted, as Zeek's JSON writer does. Hot path: strings escaped only when they
 * need it, values from small sets (proxies, upstreams, statuses, media types) and the uid of a day's ids
 * rendered once, the fields a session's requests share rendered once per session (`clientFields`), and
 * `writeInto` copies their bytes instead of building a whole line.
 */
export const zeekWriter: SimWriter = {
  format: 'zeek-http',
  extension: '.log',
  begin: () => '',
  write: writeZeekLine,
  writeInto: writeZeekInto,
  end: () => '',
};

function writeZeekLine(x: SimExchange): string {
  return `${lineHead(x)}${clientFields(x).text}`;
}

function writeZeekInto(x: SimExchange, out: Buffer, at: number): number {
  return writeHeadAndPart(lineHead(x), clientFields(x), out, at);
}

/**
 * `{"ts":…` to the mime types: what changes from request to request. The uri is escaped by parts (no
 * surrogate pair can span the `?` between them); the uid is base62.
 */
function lineHead(x: SimExchange): string {
  const { request, response } = x;
  const query = request.query === '' ? '' : `?${esc(request.query)}`;
  const bodyFields =
    request.body === undefined
      ? '"request_body_len":0,'
      : `"request_body_len":${Buffer.byteLength(request.body)},${mimeTypes('orig_mime_types', request.headers['content-type'])}`;
  return (
    `{"ts":${epochSeconds(x.time)},"uid":"${zeekUid(x.id)}","id.orig_h":${few(x.proxyIp)},"id.orig_p":${x.client.port},` +
    `${responder(x.upstream.address)}"trans_depth":1,"method":${few(request.method)},` +
    `"uri":"${esc(request.path)}${query}","version":"1.1",${bodyFields}"response_body_len":${response.size},` +
    `${statusFields(response.status)}"tags":[],` +
    `${response.size === 0 ? '' : mimeTypes('resp_mime_types', response.headers['content-type'])}`
  );
}

/** `"host":…` to the end of the line: what the client and its headers make of it, once per session. */
const clientFields = sessionPart((x) => {
  const headers = x.request.headers;
  const { referer, origin } = headers;
  const username = basicAuthUser(headers.authorization);
  return (
    `"host":${quoted(x.request.host)},"user_agent":${quoted(x.client.userAgent)},` +
    `${referer === undefined ? '' : `"referrer":${quoted(referer)},`}` +
    `${origin === undefined ? '' : `"origin":${quoted(origin)},`}` +
    `${username === undefined ? '' : `"username":${quoted(username)},`}` +
    `"proxied":[${quoted(`X-FORWARDED-FOR -> ${forwardedFor(x)}`)}]}\n`
  );
});

/** The second `epochSeconds` last wrote, and its text. */
let lastSecond = Number.NaN;
let lastSecondText = '';
/** The digits after the point of `.001` … `.999` as `JSON.stringify` writes a number: no trailing zeros (`.5`, `.25`). */
const FRACTIONS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0').replace(/0+$/, ''));
/**
 * Below this (the year 33658), seconds with three decimals have at most 15 significant digits: both `ms / 1000`
 * and the number `toFixed(6)` gives back are the double nearest to them, and they are its shortest text.
 */
const EXACT_MS = 1e15;

/**
 * Epoch ms as `ts`: seconds with up to six decimals, as `JSON.stringify(Number((ms / 1000).toFixed(6)))`
 * writes them (`1772439342.123`, `1772439342.5`, `1772439342`). Whole ms, the simulator's, are written by
 * arithmetic; anything else the slow way.
 */
function epochSeconds(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < EXACT_MS)) return JSON.stringify(Number((ms / 1000).toFixed(6)));
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = String(second);
  }
  const fraction = ms - second * 1000;
  return fraction === 0 ? lastSecondText : `${lastSecondText}.${FRACTIONS[fraction]}`;
}

/** `"id.resp_h":…,"id.resp_p":…,` for each upstream address (a handful). */
const responder = memo((address: string) => {
  const { host, port } = splitHostPort(address, 80);
  return `${JSON.stringify({ 'id.resp_h': host, 'id.resp_p': port }).slice(1, -1)},`;
});

/** `"status_code":…,"status_msg":…,` for each status (the message omitted when there is no reason phrase). */
const statusFields = memo(
  (status: number) => `${JSON.stringify({ status_code: status, status_msg: REASON_PHRASES[status] }).slice(1, -1)},`,
);

/** The media type of each `Content-Type` value seen, as a JSON string, or `''` for none. */
const mediaType = memo((contentType: string) => {
  const mime = mimeType(contentType);
  return mime === undefined ? '' : quoted(mime);
});

/** `"<key>":["<media type>"],`, or `''` when there is no `Content-Type` or it names no media type. */
function mimeTypes(key: string, contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const type = mediaType(contentType);
  return type === '' ? '' : `"${key}":[${type}],`;
}

/** `quoted` for values from a small set (methods, proxies). */
const few = memo(quoted);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Zeek connection uid: `C` and the last 96 bits of the exchange id in base 62, six digits for each 32 bits.
 * Each simulated request is its own connection (`trans_depth` 1), so each gets its own uid; the id's first
 * bits are the seed, which every request of a simulation shares.
 */
export function zeekUid(id: string): string {
  const hex = id.padStart(24, '0').slice(-24);
  let uid = 'C';
  for (let i = 0; i < 24; i += 8) {
    let n = Number.parseInt(hex.slice(i, i + 8), 16) || 0;
    let digits = '';
    for (let k = 0; k < 6; k++) {
      digits = BASE62[n % 62] + digits;
      n = Math.floor(n / 62);
    }
    uid += digits;
  }
  return uid;
}

/** `10.0.3.14:8080`, `[2001:db8::5]:8080` or a bare address, split; `fallbackPort` when there is no port. */
export function splitHostPort(address: string, fallbackPort: number): { host: string; port: number } {
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
export function mimeType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** The reason phrases servers send with the status codes an API answers with. */
export const REASON_PHRASES: Record<number, string> = {
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
