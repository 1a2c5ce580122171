import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../internal/module-worker.js';
import type { DayWorkerSetup, RenderedDay } from './day-worker.js';
import type { SimWriter } from './exchange.js';
import { DayMerger, planSimulation, type SimulationLabels, type SimulationOptions } from './simulate.js';

const WORKER_URL = siblingModule('day-worker', import.meta.url);

/** A rendered log line and when its request started. */
export interface SimLine {
  time: number;
  text: string;
}

/**
 * The same simulation as `simulate`, rendered by `writer` with the days' normal traffic made and rendered in
 * `workers` worker threads: the lines are identical, in the same order, whatever the number of workers.
 * Line formats only (a record must not depend on its place in the file).
 */
export async function simulateLines(
  options: SimulationOptions,
  writer: SimWriter,
  workers: number,
  sink: (line: SimLine) => void,
): Promise<SimulationLabels> {
  if (writer.begin() !== '' || writer.end() !== '') throw new Error(`${writer.format} is not a line format`);
  const plan = planSimulation(options);
  const setup: DayWorkerSetup = { seed: plan.seed, scale: plan.scale, start: plan.start, outages: plan.outages, format: writer.format };
  const merger = new DayMerger<SimLine>(
    plan,
    (x) => ({ time: x.time, text: writer.write(x, false) }),
    (l) => l.time,
    sink,
  );
  const pool: Worker[] = [];
  const waiting = new Map<number, { resolve: (day: RenderedDay) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  const ready = new Map<number, Promise<RenderedDay>>();
  const request = (d: number): void => {
    if (d >= plan.days || ready.has(d)) return;
    ready.set(
      d,
      new Promise<RenderedDay>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        waiting.set(d, { resolve, reject });
        (pool[d % pool.length] as Worker).postMessage(d);
      }),
    );
  };
  try {
    for (let i = 0; i < workers; i++) {
      // a young generation as large as the main thread's: a day allocates many short-lived objects
      const worker = startModuleWorker(WORKER_URL, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
      worker.on('message', (day: RenderedDay) => waiting.get(day.d)?.resolve(day));
      worker.on('error', (error) => {
        failure = new Error(`a simulation worker failed: ${error.message}`);
        for (const pending of waiting.values()) pending.reject(failure);
      });
      pool.push(worker);
    }
    // keep every worker busy with the next days while the main thread merges and writes
    for (let d = 0; d < 2 * workers; d++) request(d);
    for (let d = 0; d < plan.days; d++) {
      const day = await (ready.get(d) as Promise<RenderedDay>);
      ready.delete(d);
      waiting.delete(d);
      request(d + 2 * workers);
      const records: SimLine[] = new Array(day.times.length);
      let from = 0;
      for (let i = 0; i < day.times.length; i++) {
        const to = day.ends[i] as number;
        records[i] = { time: day.times[i] as number, text: day.text.slice(from, to) };
        from = to;
      }
      merger.day(d, { records, users: day.users, apiKeys: day.apiKeys, ips: day.ips });
    }
    return merger.finish();
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
