import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Bytes of a stream's start read for fingerprinting and format detection. */
export const HEAD_BYTES = 64 * 1024;

/**
 * A stream of (decompressed) bytes that can be peeked at and then read from any offset. Files are
 * reopened at the offset (gzip files are decompressed from the start and skipped forward); stdin and
 * other one-shot streams replay the peeked head.
 */
export interface ByteSource {
  /** `stdin`, a path, or `http-push`. */
  readonly name: string;
  /** The file path, for file sources. */
  readonly file: string | undefined;
  /** Size on disk (compressed size for gzip), when known. */
  readonly size: number | undefined;
  readonly compressed: boolean;
  /** The first bytes (up to `HEAD_BYTES`) and whether that is the whole stream. */
  head(): Promise<{ head: Buffer; ended: boolean }>;
  /** Decompressed bytes from `offset` to the end. `onRaw` is told how many raw (on-disk) bytes were read. */
  stream(offset: number, onRaw?: (bytes: number) => void): AsyncIterable<Buffer>;
}

/** Opens a file (plain or gzip, decided by its magic bytes). */
export async function openFileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  let compressed = false;
  let size: number;
  try {
    const stat = await handle.stat();
    size = stat.size;
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    compressed = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
  const raw = (start: number, onRaw?: (bytes: number) => void): ReadStream => {
    const stream = createReadStream(path, { start, highWaterMark: 1024 * 1024 });
    if (onRaw !== undefined) stream.on('data', (chunk) => onRaw(chunk.length));
    return stream;
  };
  return {
    name: path,
    file: path,
    size,
    compressed,
    async head() {
      const chunks: Buffer[] = [];
      let length = 0;
      const source = compressed ? raw(0).pipe(createGunzip()) : raw(0);
      let ended = true;
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= HEAD_BYTES) {
            ended = false;
            break;
          }
        }
      } finally {
        source.destroy();
      }
      const head = Buffer.concat(chunks);
      return { head: head.subarray(0, HEAD_BYTES), ended: ended && head.length <= HEAD_BYTES };
    },
    stream(offset, onRaw) {
      if (!compressed) return raw(offset, onRaw);
      return skipBytes(raw(0, onRaw).pipe(createGunzip()), offset);
    },
  };
}

/** Wraps a one-shot readable (stdin): the head is buffered and replayed. */
export function openStreamSource(name: string, readable: Readable): ByteSource {
  const iterator = (readable as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const buffered: Buffer[] = [];
  let bufferedLength = 0;
  let done = false;
  let used = false;
  const fill = async (): Promise<void> => {
    while (!done && bufferedLength < HEAD_BYTES) {
      const next = await iterator.next();
      if (next.done) done = true;
      else {
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
        buffered.push(chunk);
        bufferedLength += chunk.length;
      }
    }
  };
  return {
    name,
    file: undefined,
    size: undefined,
    compressed: false,
    async head() {
      await fill();
      const head = Buffer.concat(buffered);
      return { head: head.subarray(0, HEAD_BYTES), ended: done && head.length <= HEAD_BYTES };
    },
    stream(offset, onRaw) {
      if (used) throw new Error(`${name} can be read only once`);
      used = true;
      async function* all(): AsyncGenerator<Buffer> {
        await fill();
        for (const chunk of buffered) yield chunk;
        buffered.length = 0;
        while (!done) {
          const next = await iterator.next();
          if (next.done) break;
          yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
        }
      }
      const counted = async function* (): AsyncGenerator<Buffer> {
        for await (const chunk of all()) {
          onRaw?.(chunk.length);
          yield chunk;
        }
      };
      return skipBytes(counted(), offset);
    },
  };
}

/** A source over bytes already in memory (an HTTP push body). */
export function openBufferSource(name: string, bytes: Buffer): ByteSource {
  return {
    name,
    file: undefined,
    size: bytes.length,
    compressed: false,
    async head() {
      return { head: bytes.subarray(0, HEAD_BYTES), ended: bytes.length <= HEAD_BYTES };
    },
    async *stream(offset, onRaw) {
      if (offset < bytes.length) {
        onRaw?.(bytes.length - offset);
        yield bytes.subarray(offset);
      }
    },
  };
}

async function* skipBytes(source: AsyncIterable<Buffer>, skip: number): AsyncGenerator<Buffer> {
  let remaining = skip;
  for await (const chunk of source) {
    if (remaining >= chunk.length) {
      remaining -= chunk.length;
      continue;
    }
    yield remaining > 0 ? chunk.subarray(remaining) : chunk;
    remaining = 0;
  }
}
