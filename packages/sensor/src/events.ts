/**
 * The sensor's events: what it saw of a transaction, as the `ParsedEvent` the enricher turns into an
 * `ApiEvent` (client address resolved, identity read, secrets tokenized), and the facts the policies judge.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiEvent, ParsedEvent } from '@palisade/core';
import type { RequestFacts } from '@palisade/engine';
import { computeHeaderFingerprint } from './tls/header-fingerprint.js';
import { type TlsFingerprint, tlsFingerprintOf } from './tls/tls-listener.js';

/** The fingerprints of a request: its connection's TLS ClientHello (when the sensor terminates TLS) and its header order. */
export interface RequestFingerprints {
  tls: TlsFingerprint | undefined;
  /** Palisade's HTTP header-order fingerprint (see `tls/header-fingerprint.ts`). */
  http: string;
}

/** Reads a request's fingerprints (the TLS one was computed once, when its connection was accepted). */
export function fingerprintsOf(req: IncomingMessage): RequestFingerprints {
  return { tls: tlsFingerprintOf(req.socket), http: computeHeaderFingerprint(req) };
}

/** The event attribute holding the HTTP header-order fingerprint. */
export const HEADER_FINGERPRINT_ATTRIBUTE = 'client.header_fingerprint';

/** Header values as one string each (repeated headers joined as HTTP allows). */
export function flatHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const key in headers) {
    const value = headers[key];
    flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * What the sensor saw of a request, before the enricher. `bodyText` is `body` as UTF-8 text when the
 * inspection already decoded it (so it is not decoded twice); without it the body is decoded here.
 */
export function parsedRequestOf(
  time: number,
  req: IncomingMessage,
  path: string,
  query: string | undefined,
  body: Buffer | undefined,
  fingerprints: RequestFingerprints,
  bodyText?: string,
): ParsedEvent {
  const headers = flatHeaders(req.headers);
  const tls = fingerprints.tls;
  const parsed: ParsedEvent = {
    time,
    request: {
      method: req.method ?? 'GET',
      scheme: tls === undefined ? 'http' : 'https',
      host: req.headers.host,
      path,
      query,
      headers,
      httpVersion: `HTTP/${req.httpVersion}`,
      size: body?.length,
    },
    client: { peerIp: req.socket.remoteAddress, port: req.socket.remotePort, forwardedFor: headers['x-forwarded-for'] },
    attributes: { [HEADER_FINGERPRINT_ATTRIBUTE]: fingerprints.http },
  };
  if (tls !== undefined) {
    parsed.client.tls = { version: tls.tlsVersion, ja3: tls.ja3Hash, ja4: tls.ja4 };
    if (tls.serverName !== undefined) parsed.client.tls.sni = tls.serverName;
  }
  if (body !== undefined && body.length > 0) {
    parsed.request.body = { text: bodyText ?? body.toString('utf8'), truncated: false, contentType: headers['content-type'] };
  }
  return parsed;
}

/** Removes dot segments and percent-decodes a path, as the policies match it (`/a/%2e%2e/b` is `/b`). */
export function normalizedPath(path: string): string {
  let decoded = path;
  if (path.includes('%')) {
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = path;
    }
  }
  if (!decoded.includes('.') && !decoded.includes('//')) return decoded;
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return `/${out.join('/')}${decoded.endsWith('/') && out.length > 0 ? '/' : ''}`;
}

/** The facts the policies judge a request by, from its enriched event. */
export function factsOf(event: ApiEvent, path: string, endpoint: string | undefined, fingerprints: RequestFingerprints): RequestFacts {
  const facts: RequestFacts = {
    time: event.time,
    ip: event.client.ip ?? event.client.peerIp ?? '',
    method: event.request.method,
    path: normalizedPath(path),
    fingerprints: { ja3: fingerprints.tls?.ja3Hash, ja4: fingerprints.tls?.ja4, http: fingerprints.http },
    entities: event.entities,
  };
  if (event.request.host !== undefined) facts.host = event.request.host;
  if (endpoint !== undefined) facts.endpoint = endpoint;
  if (event.identity.user !== undefined) facts.user = event.identity.user;
  if (event.identity.apiKey !== undefined) facts.apiKey = event.identity.apiKey;
  if (event.identity.session !== undefined) facts.session = event.identity.session;
  return facts;
}
