/** Items per sort key: the index takes the low 22 bits of a key whose high bits are the time. */
const INDEX_BITS = 2 ** 22;

/**
 * The indexes of `times` in time order (ties in the order generated), by a numeric sort of keys that pack
 * each item's time since `from` with its index — much cheaper than sorting objects with a comparator.
 * Times must lie within about 24 days of `from` (a day and its spill-over here).
 */
export function timeOrder(times: Float64Array, from: number): Uint32Array {
  if (times.length >= INDEX_BITS) throw new Error('too many requests in one simulated day');
  const keys = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) keys[i] = ((times[i] as number) - from) * INDEX_BITS + i;
  keys.sort();
  const order = new Uint32Array(times.length);
  for (let i = 0; i < keys.length; i++) order[i] = (keys[i] as number) % INDEX_BITS;
  return order;
}
