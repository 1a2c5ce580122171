/**
 * A raw-socket HTTP/1.x client for replaying benchmark requests byte for byte (fetch/undici would normalise
 * or refuse many of them): one connection per request, the exact bytes written once, the response read only
 * as far as its final status line.
 */
import { connect } from 'node:net';

/** What came back for one raw request. */
export interface RawResult {
  /** Final status code (1xx interim responses skipped); 0 when none was read. */
  status: number;
  /** Set when no status was read: `timeout`, `reset`, `closed` (closed without a status line), or the socket error code. */
  error?: string;
  /** Milliseconds from connect to the status line (or to the error). */
  ms: number;
}

/** Largest response head looked at; a status line is always within it. */
const HEAD_LIMIT = 64 * 1024;

/** The final status in `head` (skipping complete 1xx responses), or undefined while more bytes are needed. */
function finalStatus(head: Buffer): number | undefined {
  let at = 0;
  for (;;) {
    const text = head.subarray(at).toString('latin1');
    const line = /^HTTP\/\d(?:\.\d)?[ \t]+(\d{3})/.exec(text);
    if (line === null) return text.length >= 12 && !text.startsWith('HTTP/') ? 0 : undefined;
    const status = Number(line[1]);
    if (status >= 200 || status === 101) return status;
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) return undefined;
    at += end + (/\r?\n\r?\n/.exec(text.slice(end))?.[0].length ?? 2);
  }
}

/**
 * Sends `request` to 127.0.0.1:`port` and resolves with the response status. Never rejects; the socket is
 * destroyed once the status is known, on error, or after `timeoutMs` (measured from the start).
 */
export function sendRaw(port: number, request: Uint8Array, timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    let head = Buffer.alloc(0);
    let settled = false;
    const finish = (status: number, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(error === undefined ? { status, ms: performance.now() - started } : { status, error, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(0, 'timeout'), timeoutMs);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      if (head.length < HEAD_LIMIT) head = Buffer.concat([head, chunk]);
      const status = finalStatus(head);
      if (status === 0) finish(0, 'no status line');
      else if (status !== undefined) finish(status);
    });
    socket.once('end', () => finish(0, 'closed'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(0, error.code === 'ECONNRESET' ? 'reset' : (error.code ?? error.message)),
    );
  });
}
