/**
 * Protocol enforcement: facts about how a request is framed that the client's data does not carry (its
 * method, HTTP version, Host, whether and how a body is announced), written as inputs of the `request` kind
 * so that signature rules judge them like any other value (`rules/signatures/protocol.yaml`). Rules see
 * these inputs only when they name them in `targets`; detectors of client data never do.
 *
 * | location | value | example |
 * |---|---|---|
 * | `request:method` | the method as sent | `GET` |
 * | `request:version` | the HTTP version | `HTTP/1.0` |
 * | `request:host` | the Host header, `''` when there is none | `api.example.com` |
 * | `request:body` | a body is announced: method, framing, and whether its type is declared | `GET length=7 typed`, `POST chunked untyped` |
 * | `request:content-type` | the Content-Type of an announced body (a type without a body is not parsed by anyone) | `application/json` |
 *
 * Pure and cheap: a handful of strings per request, no parsing of the body.
 */
import type { RequestInput } from './inputs.js';

/** What the protocol facts are made of: the request head as the HTTP server parsed it. */
export interface RequestHead {
  /** The method as sent (`GET`). Without it, no facts are made: the caller did not see a request line. */
  method?: string;
  /** `1.1`, as node's `IncomingMessage.httpVersion` gives it. */
  httpVersion?: string;
  /** Header names lower-case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The protocol facts of a request head, as `request:*` inputs (none when the method is unknown). */
export function requestFacts(head: RequestHead): RequestInput[] {
  if (head.method === undefined) return [];
  const facts: RequestInput[] = [{ location: 'request:method', value: head.method }];
  if (head.httpVersion !== undefined) facts.push({ location: 'request:version', value: `HTTP/${head.httpVersion}` });
  const host = head.headers.host;
  facts.push({ location: 'request:host', value: (Array.isArray(host) ? host[0] : host) ?? '' });
  const framing = bodyFraming(head.headers);
  if (framing !== undefined) {
    const type = head.headers['content-type'];
    facts.push({ location: 'request:body', value: `${head.method} ${framing} ${type === undefined ? 'untyped' : 'typed'}` });
    if (type !== undefined) facts.push({ location: 'request:content-type', value: Array.isArray(type) ? type.join(', ') : type });
  }
  return facts;
}

/** `chunked` or `length=N` when the head announces a body, undefined when it announces none. */
function bodyFraming(headers: RequestHead['headers']): string | undefined {
  if (headers['transfer-encoding'] !== undefined) return 'chunked';
  const length = Number(headers['content-length'] ?? 0);
  return length > 0 ? `length=${length}` : undefined;
}
