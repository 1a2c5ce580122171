import { parentPort, workerData } from 'node:worker_threads';
import { createCompany, type Scale } from './company.js';
import { Random } from './random.js';
import { eachNormalRequest } from './simulate.js';
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

/** One rendered day: line `i` is `text.slice(ends[i - 1] ?? 0, ends[i])`, at `times[i]`. */
export interface RenderedDay {
  d: number;
  times: Float64Array;
  ends: Uint32Array;
  text: string;
  users: number;
  apiKeys: number;
  ips: number;
}

const setup = workerData as DayWorkerSetup;
const company = createCompany(new Random(setup.seed, 1), setup.scale);
const writer = SIM_WRITERS.get(setup.format);
if (writer === undefined) throw new Error(`unknown format ${setup.format}`);

parentPort?.on('message', (d: number) => {
  // each request is rendered as it is made and dropped: objects die young
  const times: number[] = [];
  const ends: number[] = [];
  const parts: string[] = [];
  let length = 0;
  const counts = eachNormalRequest({ seed: setup.seed, company, outages: setup.outages, start: setup.start }, d, (exchange) => {
    const line = writer.write(exchange, false);
    parts.push(line);
    length += line.length;
    times.push(exchange.time);
    ends.push(length);
  });
  const rendered: RenderedDay = { d, times: Float64Array.from(times), ends: Uint32Array.from(ends), text: parts.join(''), ...counts };
  parentPort?.postMessage(rendered, [rendered.times.buffer as ArrayBuffer, rendered.ends.buffer as ArrayBuffer]);
});
