import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApiEvent, isReject, isSkip, loadConfig, type ParsedEvent } from '@palisade/core';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import { Random } from '../simulate/random.js';
import { simulate } from '../simulate/simulate.js';
import { SIM_WRITERS } from '../simulate/writers/index.js';
import { createEventEncoder, decodeEvents } from '../discover/inventory/event-encoder.js';
import { createAttackReader } from './attack-reader.js';
import { createEventDetection } from './event-detection.js';
import { createObserver } from './observation.js';
import { loadDetectionSetup } from './setup.js';
import { createStreamingDetection } from './streaming.js';

let week: ApiEvent[] | undefined;

/** A simulated week of the shop's traffic, written as nginx JSON logs and read back as `analyze` reads them (made once, shared by the tests, which never change it). */
function dataset(): ApiEvent[] {
  week ??= simulatedWeek();
  return week;
}

function simulatedWeek(): ApiEvent[] {
  const writer = SIM_WRITERS.get('nginx-json');
  assert.ok(writer !== undefined);
  const parser = createDefaultParserRegistry().get('nginx-json').open();
  const enrich = createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 7)));
  const events: ApiEvent[] = [];
  let n = 0;
  simulate({ days: 7, seed: 21, scale: 'small' }, (exchange) => {
    const line = writer.write(exchange, n === 0).trimEnd();
    for (const outcome of [parser.parse(line)].flat()) {
      if (isReject(outcome) || isSkip(outcome)) continue;
      events.push(enrich(outcome as ParsedEvent, { kind: 'nginx-json', name: 'sim' }, `ev${(n++).toString(16).padStart(30, '0')}`));
    }
  });
  return events;
}

test('one dataset replayed as a batch and as a stream (random batches, clock ticks between them) gives the same alerts', async () => {
  const events = dataset();
  assert.ok(events.length > 50_000, `${events.length} events`);
  const setup = await loadDetectionSetup();

  const batch = createEventDetection({ scenarios: setup.scenarios, detectors: setup.detectors() });
  for (const event of events) batch.add(event);
  const expected = batch.finish();
  assert.ok(expected.alerts.length >= 3, `the week should hold campaigns: ${expected.alerts.length} alerts`);

  const raised: string[] = [];
  const stream = createStreamingDetection({ scenarios: setup.scenarios, detectors: setup.detectors(), onAlert: (a) => raised.push(a.id) });
  const random = new Random(5);
  for (let i = 0; i < events.length; ) {
    const size = random.int(1, 2_000);
    const slice = events.slice(i, i + size);
    i += size;
    stream.push(slice);
    // a quiet moment: the clock moves past the last event before the next batch arrives
    const last = slice.at(-1) as ApiEvent;
    const next = events[i];
    stream.tick(next === undefined ? last.time + 60_000 : Math.max(last.time, next.time - random.int(0, 30_000)));
  }
  const streamed = stream.close();

  assert.deepEqual(JSON.parse(JSON.stringify(streamed.alerts)), JSON.parse(JSON.stringify(expected.alerts)));
  assert.deepEqual(JSON.parse(JSON.stringify(streamed.incidents)), JSON.parse(JSON.stringify(expected.incidents)));
  assert.deepEqual(raised.sort(), expected.alerts.map((a) => a.id).sort());
});

test('a run saved and taken back (at three cuts) goes on as if it had never stopped: the same alerts', async () => {
  const events = dataset();
  const setup = await loadDetectionSetup();
  const batch = createEventDetection({ scenarios: setup.scenarios, detectors: setup.detectors() });
  for (const event of events) batch.add(event);
  const expected = batch.finish();

  // each run reports what it raised or updated; a later run's version of an alert supersedes an earlier one's
  const latest = new Map<string, unknown>();
  const random = new Random(9);
  const cuts = [random.int(1, events.length / 3), random.int(events.length / 3, (2 * events.length) / 3), events.length - 500];
  let state: Uint8Array | undefined;
  let from = 0;
  for (const cut of [...cuts, events.length]) {
    const run = createEventDetection({ scenarios: setup.scenarios, detectors: setup.detectors() });
    if (state !== undefined) {
      const { fresh } = run.runner.restore(state);
      assert.deepEqual(fresh, []);
    }
    for (let i = from; i < cut; i++) run.add(events[i] as ApiEvent);
    from = cut;
    state = run.runner.save();
    for (const alert of run.finish().alerts) latest.set(alert.id, JSON.parse(JSON.stringify(alert)));
  }
  const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
  const got = ([...latest.values()] as Array<{ id: string }>).sort(byId);
  const want = (JSON.parse(JSON.stringify(expected.alerts)) as Array<{ id: string }>).sort(byId);
  assert.deepEqual(got, want);
});

test('a saved state of another layout is refused with a clear error', async () => {
  const setup = await loadDetectionSetup();
  const run = createEventDetection({ scenarios: setup.scenarios, detectors: setup.detectors() });
  assert.throws(() => run.runner.restore(new Uint8Array([1, 2, 3])), { code: 'PAL_ERR_STATE_INVALID' });
});

test('what parse workers hand over (the encoded events and their precomputed facts) is observed exactly as the events themselves', async () => {
  const events = dataset();
  const encoder = await createEventEncoder();
  for (const event of events) encoder.add(event);
  const decoded = decodeEvents(encoder.take());
  const attacks = await createAttackReader();
  const direct = createObserver({ attacks });
  const handed = createObserver({ attacks });
  let queries = 0;
  for (let i = 0; i < events.length; i++) {
    const want = direct(events[i] as ApiEvent);
    if (want.query !== undefined) queries++;
    assert.deepEqual(handed(decoded[i] as ApiEvent), want, `event ${i}`);
  }
  assert.ok(queries > 1000, `the week should hold query strings: ${queries}`);
});
