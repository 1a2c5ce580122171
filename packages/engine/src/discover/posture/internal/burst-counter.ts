/** Width of one bucket of the sliding window, ms. */
export const BURST_BUCKET_MS = 10_000;
/** Buckets in the window: the current one and the five before it, so a window spans 50 to 60 seconds. */
export const BURST_BUCKETS = 6;

interface ClientWindow {
  /** Index of the newest bucket (event time / bucket width). */
  newest: number;
  counts: number[];
  /** True once this client reached the threshold. */
  reached: boolean;
}

/** Counts requests per client in a sliding one-minute window, with a bounded number of clients. */
export interface BurstCounter {
  /** Counts one request of `client` at `time` (epoch ms); returns the requests of that client in its window (0 when not tracked). */
  add(client: string, time: number): number;
  /** The most requests one client made within one window. */
  readonly max: number;
  /** Clients that reached the threshold (a client forgotten and seen again may count twice). */
  readonly clientsAtThreshold: number;
  /** Requests not counted because the client table was full. */
  readonly untracked: number;
}

/**
 * Creates a counter that keeps at most `maxClients` clients. When the table is full, clients idle for a
 * whole window are forgotten first; if none is, the new client is not tracked (and counted in `untracked`).
 * Windows advance with event time only, so replayed logs give the same answer. A window never spans more
 * than 60 seconds, so counts never exceed what really happened in 60 seconds.
 */
export function createBurstCounter(maxClients: number, threshold: number): BurstCounter {
  const clients = new Map<string, ClientWindow>();
  let max = 0;
  let clientsAtThreshold = 0;
  let untracked = 0;
  let lastSweep = Number.NaN;

  const sweep = (bucket: number) => {
    if (bucket === lastSweep) return;
    lastSweep = bucket;
    for (const [client, window] of clients) if (window.newest <= bucket - BURST_BUCKETS) clients.delete(client);
  };

  return {
    add(client, time) {
      if (!Number.isFinite(time)) return 0;
      const bucket = Math.floor(time / BURST_BUCKET_MS);
      let window = clients.get(client);
      if (window === undefined) {
        if (clients.size >= maxClients) sweep(bucket);
        if (clients.size >= maxClients) {
          untracked++;
          return 0;
        }
        window = { newest: bucket, counts: new Array<number>(BURST_BUCKETS).fill(0), reached: false };
        clients.set(client, window);
      } else if (bucket > window.newest) {
        const steps = Math.min(BURST_BUCKETS, bucket - window.newest);
        for (let i = 1; i <= steps; i++) window.counts[slot(window.newest + i)] = 0;
        window.newest = bucket;
      } else if (bucket <= window.newest - BURST_BUCKETS) {
        return 0;
      }
      const index = slot(bucket);
      window.counts[index] = (window.counts[index] ?? 0) + 1;
      let inWindow = 0;
      for (const count of window.counts) inWindow += count;
      if (inWindow > max) max = inWindow;
      if (inWindow >= threshold && !window.reached) {
        window.reached = true;
        clientsAtThreshold++;
      }
      return inWindow;
    },
    get max() {
      return max;
    },
    get clientsAtThreshold() {
      return clientsAtThreshold;
    },
    get untracked() {
      return untracked;
    },
  };
}

function slot(bucket: number): number {
  return ((bucket % BURST_BUCKETS) + BURST_BUCKETS) % BURST_BUCKETS;
}
