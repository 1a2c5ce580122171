import { type ApiEvent, createLineEncoder, type EncodedEvents, type EventEncoder } from '@palisade/core';

/**
 * The encoder module of the inventory store (`createInventoryStore`): events as JSON lines, so parse workers
 * can hand whole events to the thread that owns the inventory.
 */
export function createEventEncoder(): EventEncoder {
  return createLineEncoder((event) => JSON.stringify(event));
}

/** Decodes what {@link createEventEncoder} encoded. */
export function decodeEvents(encoded: EncodedEvents): ApiEvent[] {
  if (encoded.count === 0) return [];
  return encoded.data.split('\n').map((line) => JSON.parse(line) as ApiEvent);
}
