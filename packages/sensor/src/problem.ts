/**
 * The sensor's own answers (blocked, rate-limited, malformed, upstream down) as RFC 9457 problem+json with a
 * catalogued `code` and the event id. They never echo the request, so a blocked payload cannot be reflected.
 */
import type { ServerResponse } from 'node:http';
import { ERROR_CATALOGUE, type ErrorCode } from '@palisade/core';

/** A problem document as the sensor sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  /** The id of the event that records the transaction, to quote when asking why. */
  eventId: string;
}

/** The problem document for a code and status. */
export function problemOf(status: number, code: ErrorCode, eventId: string): Problem {
  return { type: `https://palisade.dev/errors/${code}`, title: ERROR_CATALOGUE[code], status, code, eventId };
}

/**
 * Sends a problem response (headers and body) unless headers were already sent, in which case the
 * connection is cut: a half-sent upstream response must not be completed with a problem document.
 */
export function sendProblem(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  eventId: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problemOf(status, code, eventId));
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** The raw HTTP/1.1 bytes of a problem response, for sockets that have no `ServerResponse` (malformed requests, upgrades). */
export function rawProblem(status: number, reason: string, code: ErrorCode, eventId: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify(problemOf(status, code, eventId));
  let extra = '';
  for (const name in headers) extra += `${name}: ${headers[name]}\r\n`;
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n${extra}connection: close\r\n\r\n${body}`;
}
