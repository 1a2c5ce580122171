import type { ApiEvent, EncodedEvents, EventEncoder } from '@palisade/core';

/** The memory store's encoder module: events as JSON lines (decoded again by `addEncoded`). */
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
      minTime = Math.min(minTime, event.time);
      maxTime = Math.max(maxTime, event.time);
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
