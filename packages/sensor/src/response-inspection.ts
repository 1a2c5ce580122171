/**
 * Response phases: an upstream answer the sensor must read before the client gets it (a JSON body checked
 * for sensitive fields its API description does not declare, and masked when so configured). The body is
 * held up to a bound; a longer one is passed through unread, from where the bound was reached.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

/**
 * A writable for undici's `stream()` that holds the body of one response, then sends it (or what `inspect`
 * returns instead) with the head, its `Content-Length` set to what is sent. Over `limit` bytes it gives up
 * reading: the head and what it holds are sent and the rest streams through.
 */
export function heldResponse(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  limit: number,
  inspect: (body: Buffer) => Buffer | undefined,
): Writable {
  const chunks: Buffer[] = [];
  let size = 0;
  let passing = false;
  const startPassing = (): void => {
    passing = true;
    res.writeHead(status, headers);
    for (const chunk of chunks) res.write(chunk);
    chunks.length = 0;
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!passing) {
        size += chunk.length;
        chunks.push(chunk);
        if (size <= limit) return callback();
        startPassing();
        return res.write(Buffer.alloc(0)) ? callback() : res.once('drain', () => callback());
      }
      if (res.write(chunk)) callback();
      else res.once('drain', () => callback());
    },
    final(callback) {
      if (passing) {
        res.end(() => callback());
        return;
      }
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      let out = body;
      try {
        out = inspect(body) ?? body;
      } catch {
        // a failed look at a response never withholds it
      }
      const sent: Record<string, string | string[]> = { ...headers, 'content-length': String(out.length) };
      delete sent['transfer-encoding'];
      res.writeHead(status, sent);
      res.end(out, () => callback());
    },
    destroy(error, callback) {
      if (error !== null) res.destroy();
      callback(error);
    },
  });
}

/** True when a response is JSON in plain form (not compressed), so that its fields can be read. */
export function isReadableJson(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
  return (encoding === 'identity' || encoding === '') && (type.includes('/json') || type.includes('+json'));
}
