import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateLines } from './parallel.js';
import { simulate } from './simulate.js';
import { SIM_WRITERS } from './writers/index.js';

test('days made in worker threads give the same lines, in the same order, as the main thread alone', async () => {
  const writer = SIM_WRITERS.get('nginx-json');
  assert.ok(writer !== undefined);
  const options = { days: 3, seed: 9, scale: 'small' as const };
  const serial: string[] = [];
  const serialLabels = simulate(options, (x) => serial.push(writer.write(x, false)));
  for (const workers of [0, 1, 2]) {
    const chunks: string[] = [];
    const labels = await simulateLines(options, writer, workers, (time, chunk) => {
      assert.equal(Math.floor(time / 86_400_000), Math.floor(firstTime(chunk) / 86_400_000), 'a chunk belongs to the day of its time');
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    });
    const lines = chunks
      .join('')
      .split('\n')
      .slice(0, -1)
      .map((line) => `${line}\n`);
    assert.equal(lines.length, serial.length);
    assert.ok(
      lines.every((line, i) => line === serial[i]),
      `${workers} workers: the same lines in the same order`,
    );
    assert.deepEqual(labels, serialLabels);
  }
});

test('a format whose records depend on their place in the file is refused', async () => {
  const har = SIM_WRITERS.get('har');
  assert.ok(har !== undefined);
  await assert.rejects(
    simulateLines({ days: 1, seed: 1, scale: 'small' }, har, 1, () => {}),
    /not a line format/,
  );
});

/** The time of the first line of a chunk of nginx JSON lines. */
function firstTime(chunk: Uint8Array | string): number {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk.subarray(0, 200)).toString();
  return Date.parse((/"time_iso8601":"([^"]+)"/.exec(text) as RegExpExecArray)[1] as string);
}
