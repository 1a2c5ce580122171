/**
 * A map with a bound on its keys that forgets the least recently used ones, in O(1) per operation: keys live
 * in a young and an old generation; a key read from the old one moves to the young one; when the young one
 * is full, the old generation (the keys nobody touched during a whole generation) is dropped and counted.
 */
export class BoundedMap<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #generation: number;
  #evicted = 0;

  /** `maxKeys` ≥ 2: the map never holds more keys than that. */
  constructor(maxKeys: number) {
    this.#generation = Math.max(1, Math.floor(maxKeys / 2));
  }

  /** The value of `key`, marking it as recently used. */
  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#insert(key, old);
    }
    return old;
  }

  /** Stores `value` for `key`, marking it as recently used; may evict idle keys. */
  set(key: string, value: V): void {
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#insert(key, value);
  }

  /** Forgets `key` (not counted as an eviction). */
  delete(key: string): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  /** Forgets every key (not counted). */
  clear(): void {
    this.#young = new Map();
    this.#old = new Map();
  }

  /** Keys held now. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Keys dropped so far to keep the bound. */
  get evicted(): number {
    return this.#evicted;
  }

  /** Every entry, young generation first (for listings and sweeps, not for the hot path). */
  *entries(): IterableIterator<[string, V]> {
    yield* this.#young;
    yield* this.#old;
  }

  #insert(key: string, value: V): void {
    if (this.#young.size >= this.#generation) {
      this.#evicted += this.#old.size;
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
