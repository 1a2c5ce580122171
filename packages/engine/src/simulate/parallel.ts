import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../internal/module-worker.js';
import type { DayWorkerSetup } from './day-worker.js';
import type { SimWriter } from './exchange.js';
import { DayRenderer, LineMerger, type LineSink, type RenderedDay } from './lines.js';
import { DEFAULT_START, planSimulation, type SimulationLabels, type SimulationOptions, simulationOutages } from './simulate.js';

const WORKER_URL = siblingModule('day-worker', import.meta.url);

/**
 * The simulation rendered by `writer` (a line format: a record must not depend on its place in the file),
 * handed to `sink` in time order as chunks of whole lines. Each day's normal traffic is made and rendered in
 * one of `workers` worker threads, or in this thread with 0: the bytes are identical, in the same order,
 * whatever the number of workers, and the same as rendering `simulate`'s exchanges one by one.
 */
export async function simulateLines(
  options: SimulationOptions,
  writer: SimWriter,
  workers: number,
  sink: LineSink,
): Promise<SimulationLabels> {
  if (writer.begin() !== '' || writer.end() !== '') throw new Error(`${writer.format} is not a line format`);
  if (workers > 0) return inWorkers(options, writer, workers, sink);
  const plan = planSimulation(options);
  const merger = new LineMerger(plan, writer, sink);
  const renderer = new DayRenderer(plan, writer);
  for (let d = 0; d < plan.days; d++) {
    const day = renderer.render(d);
    merger.day(day);
    renderer.recycle(day.bytes.buffer as ArrayBuffer);
  }
  return merger.finish();
}

/** `simulateLines` with days made in worker threads. */

async function inWorkers(options: SimulationOptions, writer: SimWriter, workers: number, sink: LineSink): Promise<SimulationLabels> {
  // the workers build the company while this thread plans the campaigns
  const setup: DayWorkerSetup = {
    seed: options.seed,
    scale: options.scale,
    start: options.start ?? DEFAULT_START,
    outages: simulationOutages(options),
    format: writer.format,
  };
  const days = options.days;
  const pool: Worker[] = [];
  const waiting = new Map<number, { resolve: (day: RenderedDay) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  const ready = new Map<number, Promise<RenderedDay>>();
  const request = (d: number): void => {
    if (d >= days || ready.has(d)) return;
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
    // one day ahead per worker while the main thread merges and writes (a large day is about 400 MiB)
    for (let d = 0; d < 2 * workers; d++) request(d);
    const merger = new LineMerger(planSimulation(options), writer, sink);
    for (let d = 0; d < days; d++) {
      const day = await (ready.get(d) as Promise<RenderedDay>);
      ready.delete(d);
      waiting.delete(d);
      merger.day(day);
      // the day's memory goes back to the worker that made it, for its next day
      const buffer = day.bytes.buffer as ArrayBuffer;
      (pool[d % pool.length] as Worker).postMessage(buffer, [buffer]);
      request(d + 2 * workers);
    }
    return merger.finish();
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
