import type { AppendResult, ApiEvent, BatchWriter, EncodedEvents, EventBatch, Store } from '@palisade/core';
import { createEventDecoder } from './event-encoder.js';
import type { Inventory } from './inventory.js';

const ENCODER_MODULE = new URL(`./event-encoder${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * A `Store` that feeds every event to an inventory, and to an inner store when one is given
 * (`palisade analyze --db`). It reports no checkpoints, so inputs are always read in full: the inventory
 * must see every event, and the inner store skips the ones it already has by id.
 *
 * Events reach the inventory as they are added to a batch, in stream order, once: holding a batch's events
 * until its commit would keep them alive past the young generation and cost a major collection per batch.
 * A failed commit ends the run (the Ingestor does not retry), so the inventory never reports events that a
 * completed run did not store. Without an inner store, parse workers can encode events for it
 * (`encoderModule`: a string table and typed arrays, `event-encoder.ts`).
 */
export function createInventoryStore(inventory: Inventory, inner?: Store): Store {
  const decodeEvents = createEventDecoder();
  const begin = (): BatchWriter => {
    const innerWriter = inner?.begin();
    const insertedByKind: Record<string, number> = {};
    let size = 0;
    let done = false;
    const take = (event: ApiEvent): void => {
      inventory.add(event);
      size++;
      insertedByKind[event.source.kind] = (insertedByKind[event.source.kind] ?? 0) + 1;
    };
    return {
      add(event) {
        if (done) throw new Error('this batch was already committed');
        take(event);
        innerWriter?.add(event);
      },
      addEncoded(encoded: EncodedEvents) {
        if (done) throw new Error('this batch was already committed');
        if (innerWriter !== undefined) throw new Error('encoded events cannot reach the inner store');
        for (const event of decodeEvents(encoded)) take(event);
      },
      get size() {
        return size;
      },
      async commit(checkpoints) {
        if (done) throw new Error('this batch was already committed');
        done = true;
        if (innerWriter !== undefined) return innerWriter.commit(checkpoints);
        return { inserted: size, duplicates: 0, insertedByKind } satisfies AppendResult;
      },
    };
  };
  const store: Store = {
    begin,
    async append(batch: EventBatch) {
      const writer = begin();
      for (const event of batch.events) writer.add(event);
      return writer.commit(batch.checkpoints);
    },
    checkpoint: async () => undefined,
    query: async (q) => (inner === undefined ? [] : inner.query(q)),
    count: async (q) => (inner === undefined ? inventory.events : inner.count(q)),
    applyRetention: async (now, days) => (inner === undefined ? 0 : inner.applyRetention(now, days)),
    close: async () => inner?.close(),
  };
  return inner === undefined ? { ...store, encoderModule: ENCODER_MODULE } : store;
}
