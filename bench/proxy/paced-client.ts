/**
 * An open-loop load generator (what wrk2 does, which Debian does not ship): requests are scheduled at a
 * fixed rate whatever the server does, and each latency is measured from the request's scheduled start, so
 * a stalled server shows up in the percentiles instead of slowing the sender (no coordinated omission).
 */
import { Pool } from 'undici';

/** One request to repeat. */
export interface PacedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What to send, how fast and for how long. */
export interface PacedOptions {
  port: number;
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Requests cycle through this list. */
  requests: readonly PacedRequest[];
  /** Keep-alive connections to 127.0.0.1:`port`; default 64. */
  connections?: number;
  /** A request not answered within this many ms after its scheduled start counts as an error; default 5000. */
  timeoutMs?: number;
}

/** Latency percentiles of a paced run, in milliseconds, and what went wrong. */
export interface PacedResult {
  sent: number;
  completed: number;
  errors: number;
  /** Responses with a status other than 2xx/3xx. */
  non2xx: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The `q`-quantile (0–1) of sorted `values` (nearest rank); NaN when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Sends `rate` requests per second to 127.0.0.1:`port` for `durationMs`, then waits for the answers still
 * in flight (each bounded by `timeoutMs`), and resolves with the latency distribution. Never rejects for a
 * failed request: failures are counted in `errors`.
 */
export async function pacedRun(options: PacedOptions): Promise<PacedResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pool = new Pool(`http://127.0.0.1:${options.port}`, {
    connections: options.connections ?? 64,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const total = Math.max(1, Math.floor((options.rate * options.durationMs) / 1000));
  const interval = 1000 / options.rate;
  const latencies = new Float64Array(total);
  let completed = 0;
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const fire = (index: number, scheduled: number): void => {
    const request = options.requests[index % options.requests.length] as PacedRequest;
    const promise = pool
      .request({ method: request.method, path: request.path, headers: request.headers, body: request.body })
      .then(async (answer) => {
        await answer.body.dump();
        if (answer.statusCode >= 400) non2xx++;
        latencies[completed++] = performance.now() - scheduled;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        inFlight.delete(promise);
      });
    inFlight.add(promise);
  };
  const start = performance.now() + 10;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        fire(sent, start + sent * interval);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - now)));
    };
    setTimeout(tick, 10);
  });
  const elapsed = performance.now() - start;
  await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, timeoutMs + 1_000))]);
  await pool.destroy();
  const sorted = latencies.subarray(0, completed).sort();
  return {
    sent,
    completed,
    errors,
    non2xx,
    achievedRate: (sent * 1000) / elapsed,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: completed > 0 ? (sorted[completed - 1] as number) : Number.NaN,
  };
}
