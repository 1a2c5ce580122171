import { Agent, request } from 'node:http';
import type { SimExchange } from './exchange.js';

/** How a live replay is bounded and paced. */
export interface LiveOptions {
  /** `http://127.0.0.1:8080`: where the requests go (the sensor, or the shop itself). */
  target: string;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Stop after this long, ms (default 60 s). */
  durationMs?: number;
}

/** What a live replay did. */
export interface LiveResult {
  sent: number;
  /** Answers by status code; transport failures under `error`. */
  statuses: Record<string, number>;
  seconds: number;
}

/**
 * Sends simulated exchanges as real HTTP requests, in order, to `target`: method, path and query, the
 * exchange's headers and body, its `Host`, its client in `X-Forwarded-For`, its `User-Agent`. As fast as
 * `concurrency` allows, bounded by the number of exchanges given and by `durationMs`. Keep-alive connections.
 */
export async function sendLive(exchanges: readonly SimExchange[], options: LiveOptions): Promise<LiveResult> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new Error('the live target must be an http:// URL');
  const concurrency = options.concurrency ?? 16;
  const deadline = performance.now() + (options.durationMs ?? 60_000);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<string, number> = {};
  const started = performance.now();
  let next = 0;
  let sent = 0;
  const one = (x: SimExchange): Promise<void> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = {
        ...x.request.headers,
        host: x.request.host,
        'user-agent': x.client.userAgent,
        'x-forwarded-for': x.client.ip,
        'x-request-id': x.id,
      };
      const body = x.request.body;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port === '' ? 80 : Number(target.port),
          method: x.request.method,
          path: x.request.query === '' ? x.request.path : `${x.request.path}?${x.request.query}`,
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const code = String(res.statusCode);
            statuses[code] = (statuses[code] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end(body);
      sent++;
    });
  const lane = async (): Promise<void> => {
    while (next < exchanges.length && performance.now() < deadline) await one(exchanges[next++] as SimExchange);
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return { sent, statuses, seconds: (performance.now() - started) / 1000 };
}
