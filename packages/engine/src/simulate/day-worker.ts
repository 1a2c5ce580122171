import { parentPort, workerData } from 'node:worker_threads';
import { createCompany, type Scale } from './company.js';
import { DayRenderer } from './lines.js';
import { Random } from './random.js';
import type { Outage } from './traffic.js';
import { SIM_WRITERS } from './writers/index.js';

/** What the main thread gives a day worker once. */
export interface DayWorkerSetup {
  seed: number;
  scale: Scale;
  start: number;
  outages: Outage[];
  format: string;
}

const setup = workerData as DayWorkerSetup;
const company = createCompany(new Random(setup.seed, 1), setup.scale);
const writer = SIM_WRITERS.get(setup.format);
if (writer === undefined) throw new Error(`unknown format ${setup.format}`);
const renderer = new DayRenderer({ seed: setup.seed, company, outages: setup.outages, start: setup.start }, writer);

/** A day number to render, or the memory of a day the main thread has written. */
parentPort?.on('message', (message: number | ArrayBuffer) => {
  if (typeof message !== 'number') return renderer.recycle(message);
  const day = renderer.render(message);
  parentPort?.postMessage(day, [
    day.bytes.buffer as ArrayBuffer,
    day.times.buffer as ArrayBuffer,
    day.starts.buffer as ArrayBuffer,
    day.ends.buffer as ArrayBuffer,
  ]);
});
