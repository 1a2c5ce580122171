import { createHash } from 'node:crypto';

/** Bytes of a stream's start that the fingerprint may look at. */
export const FINGERPRINT_MAX_BYTES = 1024;

/**
 * The identity of a stream read as one format, from its content: a hash of the format name and the
 * stream's first line (when that line is at least 64 bytes) or its first 1 KiB. The same log read again as
 * the same format — renamed by rotation, gzipped, piped on stdin — has the same identity, so its checkpoint
 * and event ids carry over; read as another format (after a wrong `--format`) it starts afresh. Returns
 * `undefined` while the head is too short to decide (a first line still being written) unless `final` is set.
 */
export function fingerprintStream(head: Buffer, final: boolean, format: string): string | undefined {
  const nl = head.indexOf(10);
  let region: Buffer | undefined;
  if (nl >= 64) region = head.subarray(0, nl);
  else if (head.length >= FINGERPRINT_MAX_BYTES) region = head.subarray(0, FINGERPRINT_MAX_BYTES);
  else if (final && head.length > 0) region = head;
  if (region === undefined) return undefined;
  return createHash('sha256').update(format).update('\0').update(region).digest('hex').slice(0, 32);
}

/**
 * The stable id of one event: derived from the stream identity, the record's byte offset and the entry's
 * index inside the record. 32 hex characters: for the first entry of a record, the first 80 bits of the
 * stream key and the offset in 48 bits (no hashing on the hot path); later entries of multi-entry records
 * (HAR, batches) hash all three.
 */
export function createEventId(streamKey: string, offset: number, index: number): string {
  if (index === 0 && offset < 0x1000000000000) return streamKey.slice(0, 20) + offset.toString(16).padStart(12, '0');
  return createHash('sha256').update(`${streamKey}:${offset}:${index}`).digest('hex').slice(0, 32);
}
