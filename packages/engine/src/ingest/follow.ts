import { type FileHandle, open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@palisade/core';
import { fingerprintStream } from './fingerprint.js';
import { HEAD_BYTES } from './byte-source.js';
import type { Ingestor, StreamReport } from './ingestor.js';
import { LineSplitter } from './line-splitter.js';

/** Settings of follow mode. */
export interface FollowOptions {
  format: string;
  signal: AbortSignal;
  /** How often the file is checked for new data and rotation, ms. */
  pollMs?: number;
  /** Longest time read events wait before they are stored, ms. */
  flushIntervalMs: number;
  clock: Clock;
  /** Told when a new file (first or after rotation) starts being read. */
  onFile?: (report: Pick<StreamReport, 'name' | 'format' | 'chosenBy' | 'score' | 'fromOffset'>) => void;
}

/**
 * Follows a growing log file like `tail -F`: reads what is there from the checkpoint on, then new lines
 * as they are written, until `signal` aborts. Survives rotation by rename (the old file is read to its
 * end, then the new one from its start) and by truncation (copytruncate). Each file generation has its
 * own checkpoint, keyed by its content fingerprint, so a restart resumes exactly where it stopped.
 * Plain files only (gzip archives are finished files: ingest them without `--follow`).
 */
export async function followFile(path: string, ingestor: Ingestor, options: FollowOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const buffer = Buffer.alloc(1024 * 1024);
  let lastFlush = options.clock.now();
  const idle = async (): Promise<boolean> => {
    if (ingestor.dirty && options.clock.now() - lastFlush >= options.flushIntervalMs) {
      await ingestor.drain();
      lastFlush = options.clock.now();
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
      return true;
    } catch {
      return false;
    }
  };

  while (!options.signal.aborted) {
    const opened = await openWhenReady(path, buffer, (head) => ingestor.chooseParser(path, head, false, options.format));
    if (opened === undefined) {
      if (!(await idle())) break;
      continue;
    }
    const { handle, ino, key, choice } = opened;
    const format = choice.parser.format;
    try {
      const checkpoint = await ingestor.checkpointOf(key);
      let position = checkpoint?.offset ?? 0;
      options.onFile?.({ name: path, format: choice.parser.format, chosenBy: choice.chosenBy, score: choice.score, fromOffset: position });
      const state = ingestor.openStream(path, path, choice.parser, key, position, checkpoint?.line ?? 0);
      const splitter = new LineSplitter(position, checkpoint?.line ?? 0);
      const readAvailable = async (): Promise<void> => {
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) return;
          position += bytesRead;
          ingestor.countRaw(bytesRead);
          ingestor.takeLines(state, splitter.push(Buffer.from(buffer.subarray(0, bytesRead))));
          if (ingestor.pending >= ingestor.batchSize) {
            await ingestor.flush();
            lastFlush = options.clock.now();
          }
        }
      };
      await readAvailable();
      for (;;) {
        if (!(await idle())) {
          await readAvailable();
          await ingestor.drain();
          return;
        }
        // Check for a new file generation before reading: bytes past our position in a file rewritten in
        // place belong to the new generation, which is read from its start.
        const now = await statOrUndefined(path);
        if (now !== undefined && now.ino !== ino) {
          await readAvailable();
          ingestor.takeLines(state, splitter.finish());
          break;
        }
        if (now !== undefined && (now.size < position || (await headChanged(handle, key, format)))) {
          ingestor.takeLines(state, splitter.finish());
          break;
        }
        await readAvailable();
      }
    } finally {
      await handle.close();
    }
  }
  await ingestor.drain();
}

interface OpenedFile {
  handle: FileHandle;
  ino: number;
  head: Buffer;
  key: string;
  /** The parser chosen for this file generation. */
  choice: ParserChoice;
}

type ParserChoice = ReturnType<Ingestor['chooseParser']>;

async function openWhenReady(path: string, buffer: Buffer, choose: (head: Buffer) => ParserChoice): Promise<OpenedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  const { ino } = await handle.stat();
  const { bytesRead } = await handle.read(buffer, 0, Math.min(HEAD_BYTES, buffer.length), 0);
  const head = Buffer.from(buffer.subarray(0, bytesRead));
  if (fingerprintStream(head, false, '') === undefined || head.indexOf(10) < 0) {
    await handle.close();
    return undefined;
  }
  let choice: ParserChoice;
  try {
    choice = choose(head);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { handle, ino, head, key: fingerprintStream(head, false, choice.parser.format) as string, choice };
}

/** True when the file was rewritten in place (truncated and refilled between two polls). */
async function headChanged(handle: FileHandle, key: string, format: string): Promise<boolean> {
  const probe = Buffer.alloc(Math.min(HEAD_BYTES, 4096));
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  const now = fingerprintStream(probe.subarray(0, bytesRead), false, format);
  return now !== undefined && now !== key;
}

async function statOrUndefined(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}
