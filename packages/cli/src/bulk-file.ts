import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';

/** Bytes gathered before one write: a multiple of every block size direct I/O asks for. */
const STAGE = 8 << 20;
/** Direct I/O wants memory, offsets and lengths aligned to the device's block size: 4 KiB covers them all. */
const BLOCK = 4096;

/**
 * A new file written from start to end in large pieces, for output of many GiB that nobody reads at once
 * (simulated logs). Where the system allows it (Linux `O_DIRECT`), the bytes go to the disk without passing
 * through the page cache: taking 12 GiB into the page cache costs the kernel about 40 s of CPU on a small
 * VM — more than making the data — and evicts what other programs had cached. Elsewhere (tmpfs, other
 * systems), or if the disk refuses a direct write, it is an ordinary buffered file; the bytes are the same.
 */
export class BulkFile {
  readonly #path: string;
  #fd: number;
  #direct: boolean;
  /** Where the file's next bytes are gathered: `#stage` is aligned for direct I/O. */
  readonly #stage: Buffer;
  #used = 0;
  /** Bytes of the file written so far. */
  #position = 0;

  /** `direct: false` writes through the page cache even where direct I/O is possible. */
  constructor(path: string, options: { direct?: boolean } = {}) {
    this.#path = path;
    const direct = constants.O_DIRECT;
    if (direct !== undefined && options.direct !== false) {
      try {
        this.#fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | direct, 0o644);
        const stage = alignedStage(this.#fd);
        if (stage !== undefined) {
          this.#direct = true;
          this.#stage = stage;
          return;
        }
        closeSync(this.#fd);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      }
    }
    this.#fd = openSync(path, 'w');
    this.#direct = false;
    this.#stage = Buffer.allocUnsafeSlow(STAGE);
  }

  /** Whether the bytes bypass the page cache. */
  get direct(): boolean {
    return this.#direct;
  }

  /** Bytes written (or gathered to be written) so far. */
  get size(): number {
    return this.#position + this.#used;
  }

  write(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') {
      // a UTF-16 code unit takes at most three bytes
      if (STAGE - this.#used < 3 * chunk.length) {
        if (3 * chunk.length > STAGE) {
          this.write(Buffer.from(chunk));
          return;
        }
        this.#flush();
      }
      this.#used += this.#stage.write(chunk, this.#used);
      if (this.#used === STAGE) this.#flush();
      return;
    }
    if (chunk.length < STAGE - this.#used) {
      this.#stage.set(chunk, this.#used);
      this.#used += chunk.length;
      return;
    }
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(STAGE - this.#used, chunk.length - at);
      this.#stage.set(chunk.subarray(at, at + n), this.#used);
      this.#used += n;
      at += n;
      if (this.#used === STAGE) this.#flush();
    }
  }

  close(): void {
    // direct I/O writes whole blocks: the last partial block goes through an ordinary descriptor
    const whole = this.#direct ? this.#used - (this.#used % BLOCK) : this.#used;
    this.#writeOut(0, whole);
    const rest = this.#used - whole;
    if (rest > 0) {
      closeSync(this.#fd);
      this.#fd = openSync(this.#path, 'r+');
      this.#direct = false;
      this.#writeOut(whole, rest);
    }
    this.#used = 0;
    // a file shorter than the probed block keeps only its own bytes
    ftruncateSync(this.#fd, this.#position);
    closeSync(this.#fd);
  }

  /** Writes out the stage: for direct I/O its whole blocks, keeping the rest at its start. */
  #flush(): void {
    const whole = this.#direct ? this.#used - (this.#used % BLOCK) : this.#used;
    this.#writeOut(0, whole);
    this.#stage.copyWithin(0, whole, this.#used);
    this.#used -= whole;
  }

  #writeOut(from: number, length: number): void {
    for (let at = from; at < from + length; ) {
      let n: number;
      try {
        n = writeSync(this.#fd, this.#stage, at, from + length - at, this.#position);
      } catch (error) {
        // a file system that opens with O_DIRECT yet refuses the write: carry on buffered
        if (!this.#direct || (error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        closeSync(this.#fd);
        this.#fd = openSync(this.#path, 'r+');
        this.#direct = false;
        continue;
      }
      at += n;
      this.#position += n;
    }
  }
}

/**
 * A staging buffer whose memory direct I/O accepts on `fd`, or undefined. JavaScript cannot ask where a
 * buffer lies in memory, so the first block of a larger allocation is probed: the kernel refuses a
 * misaligned direct write with EINVAL, and the first offset it takes is aligned. The probe writes the
 * file's first block, which the real bytes overwrite (or the final size cuts off).
 */
function alignedStage(fd: number): Buffer | undefined {
  const raw = Buffer.allocUnsafeSlow(STAGE + BLOCK);
  raw.fill(0, 0, 2 * BLOCK);
  for (let shift = 0; shift < BLOCK; shift += 16) {
    try {
      writeSync(fd, raw, shift, BLOCK, 0);
      return raw.subarray(shift, shift + STAGE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    }
  }
  return undefined;
}
