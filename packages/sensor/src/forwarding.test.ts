import assert from 'node:assert/strict';
import { test } from 'node:test';
import { util as undiciUtil } from 'undici';
import { clientResponseHeaders, clientResponseHeadersOf } from './forwarding.js';

const raw = (...pairs: string[]): Buffer[] => pairs.map((part) => Buffer.from(part, 'latin1'));

test('response headers read in one pass are the ones parsed then filtered', () => {
  const cases: Buffer[][] = [
    raw(
      'Content-Type',
      'application/json',
      'Content-Length',
      '35',
      'Date',
      'Tue, 08 Dec 2026 02:14:39 GMT',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
    ),
    raw('Set-Cookie', 'a=1', 'X-Trace', 't1', 'set-cookie', 'b=2', 'SET-COOKIE', 'c=3', 'Transfer-Encoding', 'chunked'),
    // a header the Connection header lists, before and after it
    raw('X-Hop', '1', 'Connection', 'x-hop, X-Other', 'X-Other', '2', 'X-Kept', '3'),
    raw('Connection', 'close', 'Connection', 'x-late', 'X-Late', 'gone', 'Proxy-Connection', 'x', 'Upgrade', 'h2c', 'Trailer', 'x'),
    raw('X-Drop', '1', 'Connection', 'Keep-Alive,X-Drop', 'Keep-Alive', 'timeout=5', 'X-Kept', '2'),
    // names that an object inherits are headers like any other
    raw('constructor', 'c', 'toString', 't', 'Valueof', 'v', 'Vary', 'accept', 'vary', 'origin'),
    raw('X-Latin', 'caf\u00e9'),
    raw(),
  ];
  for (const headers of cases) {
    const expected = clientResponseHeaders(undiciUtil.parseHeaders(headers) as Record<string, string | string[] | undefined>);
    assert.deepEqual(clientResponseHeadersOf(headers), expected);
    assert.deepEqual(Object.keys(clientResponseHeadersOf(headers)), Object.keys(expected));
  }
});

test('hop-by-hop response headers never reach the client', () => {
  const sent = clientResponseHeadersOf(
    raw(
      'Connection',
      'keep-alive, X-Secret',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'X-Secret',
      's',
      'Content-Type',
      'text/plain',
    ),
  );
  assert.deepEqual(sent, { 'content-type': 'text/plain' });
});
