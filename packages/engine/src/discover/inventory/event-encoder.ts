import type { ApiEvent, EncodedEvents, EventEncoder } from '@palisade/core';

/**
 * The encoder module of the inventory store (`createInventoryStore`): events as JSON lines, so parse workers
 * can hand whole events to the thread that owns the inventory.
 */
export function createEventEncoder(): EventEncoder {
  let lines: string[] = [];
  let ids: string[] = [];
  let kinds: Record<string, number> = {};
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  return {
    add(event: ApiEvent): void {
      lines.push(JSON.stringify(event));
      ids.push(event.id);
      kinds[event.source.kind] = (kinds[event.source.kind] ?? 0) + 1;
      if (event.time < minTime) minTime = event.time;
      if (event.time > maxTime) maxTime = event.time;
    },
    take(): EncodedEvents {
      const taken = { data: lines.join('\n'), count: lines.length, ids, kinds, minTime, maxTime };
      lines = [];
      ids = [];
      kinds = {};
      minTime = Number.POSITIVE_INFINITY;
      maxTime = Number.NEGATIVE_INFINITY;
      return taken;
    },
  };
}

/** Decodes what {@link createEventEncoder} encoded. */
export function decodeEvents(encoded: EncodedEvents): ApiEvent[] {
  if (encoded.count === 0) return [];
  return encoded.data.split('\n').map((line) => JSON.parse(line) as ApiEvent);
}
