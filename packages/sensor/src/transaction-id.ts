/**
 * Transaction ids: a random (version 4) UUID as 32 lower-case hex digits, the form events and problem
 * answers carry. Drawn from a pool of random bytes filled 256 ids at a time, and encoded by one call,
 * where `randomUUID().replaceAll('-', '')` builds the dashed form first and then a copy without dashes.
 */
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 16;
const POOL_BYTES = ID_BYTES * 256;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let next = POOL_BYTES;

/** A new transaction id (`xxxxxxxxxxxx4xxxyxxxxxxxxxxxxxxx`, y one of 8, 9, a, b). Not for secrets: ids are shown to clients. */
export function newTransactionId(): string {
  if (next === POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next;
  next += ID_BYTES;
  // the version (4) and variant (10xx) bits of RFC 9562
  pool[at + 6] = ((pool[at + 6] as number) & 0x0f) | 0x40;
  pool[at + 8] = ((pool[at + 8] as number) & 0x3f) | 0x80;
  return pool.toString('hex', at, at + ID_BYTES);
}
