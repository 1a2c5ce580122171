/**
 * Runs `work` over `items` with at most `concurrency` calls in flight, in order of index. No item starts
 * after `deadline` (a `performance.now()` value); resolves with how many were started, once all of those
 * have settled. `work` must not reject (an error there rejects the whole run).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  deadline: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && performance.now() < deadline) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return next;
}
