/**
 * How the upstream's answer reaches the client: an undici dispatch handler that writes it straight into the
 * client's response, or first holds it when the sensor must read it before the client gets it (a JSON body
 * checked for sensitive fields its API description does not declare, and masked when so configured). The
 * body is held up to a bound; a longer one is passed through unread, from where the bound was reached.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { clientResponseHeadersOf } from './forwarding.js';

/** Reads a held body; returns what to send instead, or undefined to send it as it came. */
export type ResponseInspector = (body: Buffer) => Buffer | undefined;

/** What a relay needs: where the answer goes and what to do with it. */
export interface RelayOptions {
  res: ServerResponse;
  /** Largest body held for `inspect`; a longer one streams through from where the bound was reached. */
  limit: number;
  /** Chooses, from the answer's status and its headers as the client gets them, whether its body is held and read. */
  inspectorFor: (status: number, headers: Record<string, string | string[]>) => ResponseInspector | undefined;
  /**
   * Called once, after the client's response is finished (`error` null) or when the relay failed: the upstream
   * failed, or the client went away first. `status` and `headers` are the upstream's, once its head came.
   */
  done: (error: Error | null, status: number, headers: Record<string, string | string[]> | undefined) => void;
}

/**
 * A dispatch handler relaying one upstream answer to the client. A failed look at a held body never withholds
 * it. When the client goes away first, the upstream request is aborted. Not reusable.
 */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  readonly #options: RelayOptions;
  #abort: ((error?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #status = 0;
  #headers: Record<string, string | string[]> | undefined;
  #inspect: ResponseInspector | undefined;
  /** The body while it is held; undefined when it streams. */
  #held: Buffer[] | undefined;
  #size = 0;
  #settled = false;

  constructor(options: RelayOptions) {
    this.#options = options;
  }

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    const res = this.#options.res;
    const headers = clientResponseHeadersOf(rawHeaders);
    this.#status = statusCode;
    this.#headers = headers;
    this.#resume = resume;
    if (res.destroyed) {
      this.#clientGone();
      return false;
    }
    res.on('close', this.#onClose);
    this.#inspect = this.#options.inspectorFor(statusCode, headers);
    if (this.#inspect !== undefined) {
      this.#held = [];
      return true;
    }
    res.on('drain', resume);
    res.writeHead(statusCode, headers);
    return !res.writableNeedDrain;
  }

  onData(chunk: Buffer): boolean {
    const res = this.#options.res;
    const held = this.#held;
    if (held === undefined) return res.write(chunk);
    this.#size += chunk.length;
    held.push(chunk);
    if (this.#size <= this.#options.limit) return true;
    // over the bound: the head and what is held go now, the rest streams through
    this.#held = undefined;
    res.on('drain', this.#resume as () => void);
    res.writeHead(this.#status, this.#headers);
    let flowing = true;
    for (const part of held) flowing = res.write(part);
    return flowing;
  }

  onComplete(): void {
    const res = this.#options.res;
    const held = this.#held;
    if (held === undefined) {
      res.end();
      return;
    }
    this.#held = undefined;
    const body = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, this.#size);
    let out = body;
    try {
      out = (this.#inspect as ResponseInspector)(body) ?? body;
    } catch {
      // a failed look at a response never withholds it
    }
    // the headers as they came when they already give the length sent (no Transfer-Encoding is relayed)
    const headers = this.#headers as Record<string, string | string[]>;
    const length = String(out.length);
    res.writeHead(this.#status, headers['content-length'] === length ? headers : { ...headers, 'content-length': length });
    res.end(out);
  }

  onError(error: Error): void {
    this.#held = undefined;
    // undici may fail a request inside `dispatch`: the caller hears of it after `dispatch` returned
    queueMicrotask(() => this.#settle(error));
  }

  /** The client's response closed: finished, or cut before it was (then the upstream request is dropped). */
  readonly #onClose = (): void => {
    if (this.#options.res.writableFinished) this.#settle(null);
    else this.#clientGone();
  };

  #clientGone(): void {
    if (this.#settled) return;
    const error = new Error('the client closed the connection before the answer was sent');
    this.#settle(error);
    this.#abort?.(error);
  }

  #settle(error: Error | null): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#options.res.off('close', this.#onClose);
    this.#options.done(error, this.#status, this.#headers);
  }
}

/** True when a response is JSON in plain form (not compressed), so that its fields can be read. */
export function isReadableJson(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
  return (encoding === 'identity' || encoding === '') && (type.includes('/json') || type.includes('+json'));
}
