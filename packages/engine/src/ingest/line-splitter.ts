/** One line of a stream, with where it is. */
export interface LineRecord {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just after the line's newline (where the next record starts). */
  end: number;
  /** 1-based line number. */
  line: number;
}

/** A line longer than the limit: its bytes were skipped, not decoded. */
export interface OversizedLine {
  oversized: true;
  offset: number;
  end: number;
  line: number;
}

/**
 * Splits a byte stream into lines, tracking exact byte offsets (UTF-8 safe: lines are cut on `\n` bytes
 * and decoded one by one). `\r\n` endings lose their `\r`. Lines longer than `maxLineBytes` are reported
 * as `OversizedLine` without being held in memory.
 */
export class LineSplitter {
  #rest: Buffer | undefined;
  #offset: number;
  #line: number;
  #skipping = false;
  #skipStart = 0;
  readonly #maxLineBytes: number;

  constructor(startOffset: number, startLine: number, maxLineBytes = 16 * 1024 * 1024) {
    this.#offset = startOffset;
    this.#line = startLine;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Offset just after the last complete line returned. */
  get offset(): number {
    return this.#offset;
  }

  /** Number of the last complete line returned. */
  get line(): number {
    return this.#line;
  }

  /** Bytes held back waiting for their newline. */
  get pendingBytes(): number {
    return this.#rest?.length ?? 0;
  }

  /** Splits one chunk; returns the complete lines in it (the tail waits for the next chunk). */
  push(chunk: Buffer, out: Array<LineRecord | OversizedLine> = []): Array<LineRecord | OversizedLine> {
    let buf = chunk;
    let start = 0;
    if (this.#skipping) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.#skipStart += buf.length;
        return out;
      }
      this.#line++;
      const end = this.#offset + this.#skipStart + nl + 1;
      out.push({ oversized: true, offset: this.#offset, end, line: this.#line });
      this.#offset = end;
      this.#skipping = false;
      start = nl + 1;
    } else if (this.#rest !== undefined) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = undefined;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const lineEnd = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      this.#line++;
      const end = this.#offset + (nl + 1 - start);
      if (nl - start > this.#maxLineBytes) out.push({ oversized: true, offset: this.#offset, end, line: this.#line });
      else out.push({ text: buf.toString('utf8', start, lineEnd), offset: this.#offset, end, line: this.#line });
      this.#offset = end;
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > this.#maxLineBytes) {
        this.#skipping = true;
        this.#skipStart = buf.length - start;
      } else this.#rest = buf.subarray(start);
    }
    return out;
  }

  /** Ends the stream: a last line without a newline is returned as a line. */
  finish(out: Array<LineRecord | OversizedLine> = []): Array<LineRecord | OversizedLine> {
    if (this.#skipping) {
      this.#line++;
      const end = this.#offset + this.#skipStart;
      out.push({ oversized: true, offset: this.#offset, end, line: this.#line });
      this.#offset = end;
      this.#skipping = false;
    } else if (this.#rest !== undefined && this.#rest.length > 0) {
      const rest = this.#rest;
      this.#rest = undefined;
      this.#line++;
      const lineEnd = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
      const end = this.#offset + rest.length;
      out.push({ text: rest.toString('utf8', 0, lineEnd), offset: this.#offset, end, line: this.#line });
      this.#offset = end;
    }
    return out;
  }
}
