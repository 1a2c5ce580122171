import type { ApiEvent, EncodedEvents, EventEncoder } from '@palisade/core';
import { toStageRow } from './stage-csv.js';

/**
 * The DuckDB store's encoder (its `encoderModule`): stages events as CSV rows in a worker thread, so
 * the main thread only writes the text to the batch's staging file.
 */
export function createEventEncoder(): EventEncoder {
  let rows: string[] = [];
  let ids: string[] = [];
  let kinds: Record<string, number> = {};
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  return {
    add(event: ApiEvent): void {
      rows.push(toStageRow(event));
      ids.push(event.id);
      kinds[event.source.kind] = (kinds[event.source.kind] ?? 0) + 1;
      if (event.time < minTime) minTime = event.time;
      if (event.time > maxTime) maxTime = event.time;
    },
    take(): EncodedEvents {
      const taken: EncodedEvents = {
        data: rows.length === 0 ? '' : `${rows.join('\n')}\n`,
        count: rows.length,
        ids,
        kinds,
        minTime,
        maxTime,
      };
      rows = [];
      ids = [];
      kinds = {};
      minTime = Number.POSITIVE_INFINITY;
      maxTime = Number.NEGATIVE_INFINITY;
      return taken;
    },
  };
}
