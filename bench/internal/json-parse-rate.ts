import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The rate of a bare `JSON.parse` of each non-empty line of a file, lines/s (read with `readline`): the ceiling benchmarks compare with. */
export async function jsonParseRate(file: string): Promise<number> {
  const started = performance.now();
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line !== '') {
      JSON.parse(line);
      lines++;
    }
  }
  return lines / ((performance.now() - started) / 1000);
}
