import { createLineEncoder, type EventEncoder } from '@palisade/core';
import { toStageRow } from './stage-csv.js';

/**
 * The DuckDB store's encoder (its `encoderModule`): stages events as CSV rows in a worker thread, so
 * the main thread only writes the text to the batch's staging file.
 */
export function createEventEncoder(): EventEncoder<string> {
  return createLineEncoder(toStageRow, true);
}
