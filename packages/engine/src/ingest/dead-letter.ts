import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RejectReason } from '@palisade/core';

/** One rejected record, as written to the dead-letter file. */
export interface DeadLetter {
  /** When it was rejected, ISO 8601. */
  at: string;
  source: string;
  format: string;
  line?: number;
  offset?: number;
  reason: RejectReason;
  detail?: string;
  /** The raw record (capped at 64 KiB). The file is mode 0600 inside the data directory. */
  record: string;
}

/** Where rejected records go. Nothing rejected is ever silently dropped. */
export interface DeadLetterSink {
  /** Queues one rejected record. */
  add(letter: DeadLetter): void;
  /** Writes queued records durably (called before the batch that passed them is committed). */
  flush(): void;
  /** The file path, once something was written. */
  readonly path: string | undefined;
  /** Records written so far. */
  readonly count: number;
  close(): void;
}

/** Dead letters as NDJSON in `<dir>/ingest-<stamp>.ndjson`, created on the first rejection. */
export function createDeadLetterFile(dir: string, stamp: string): DeadLetterSink {
  let fd: number | undefined;
  let path: string | undefined;
  let queue: string[] = [];
  let count = 0;
  return {
    add(letter) {
      const record = letter.record.length > 65_536 ? `${letter.record.slice(0, 65_536)}…` : letter.record;
      queue.push(JSON.stringify({ ...letter, record }));
    },
    flush() {
      if (queue.length === 0) return;
      if (fd === undefined) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        path = join(dir, `ingest-${stamp}.ndjson`);
        fd = openSync(path, 'a', 0o600);
      }
      writeSync(fd, `${queue.join('\n')}\n`);
      fsyncSync(fd);
      count += queue.length;
      queue = [];
    },
    get path() {
      return path;
    },
    get count() {
      return count;
    },
    close() {
      this.flush();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
