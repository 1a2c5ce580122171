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
  for (const workers of [1, 2]) {
    const parallel: string[] = [];
    const labels = await simulateLines(options, writer, workers, (line) => parallel.push(line.text));
    assert.equal(parallel.length, serial.length);
    assert.ok(
      parallel.every((line, i) => line === serial[i]),
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
