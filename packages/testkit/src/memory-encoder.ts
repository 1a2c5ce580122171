import { createLineEncoder, type EventEncoder } from '@palisade/core';

/** The memory store's encoder module: events as JSON lines (decoded again by `addEncoded`). */
export function createEventEncoder(): EventEncoder<string> {
  return createLineEncoder((event) => JSON.stringify(event));
}
