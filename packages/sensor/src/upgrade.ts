/**
 * Protocol upgrades (WebSocket) passed through: once the request head has been inspected, the sensor opens
 * its own connection to the upstream, replays the head there, and then copies bytes both ways untouched.
 * The upstream's answer (`101 Switching Protocols`, or a refusal) reaches the client as the upstream sent it.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** How long a tunnel stays half-open after one side ended before both are closed. */
const HALF_CLOSE_GRACE_MS = 1_000;

/** How an upgrade ended, for the transaction's event. */
export type UpgradeOutcome =
  | { kind: 'answered'; status: number }
  | { kind: 'failed'; reason: 'unavailable' | 'timeout' }
  | { kind: 'client-gone' };

/** What the tunnel needs. */
export interface UpgradeRequest {
  upstream: URL;
  connectTimeoutMs: number;
  method: string;
  /** The request target, as the client sent it. */
  target: string;
  /** Flat `[name, value, …]` headers for the upstream, upgrade headers included. */
  headers: readonly string[];
  /** The client's socket, already detached from the HTTP parser. */
  client: Socket;
  /** Bytes the client sent after the head (the start of the new protocol). */
  head: Buffer;
}

/**
 * Opens the tunnel. `onOutcome` is called exactly once: with the upstream's status as soon as its status line
 * arrives, or with why the upstream could not be reached (the caller answers 502/504 on the client socket,
 * which is still open then), or when the client left first.
 */
export function openUpgradeTunnel(request: UpgradeRequest, onOutcome: (outcome: UpgradeOutcome) => void): void {
  const { upstream, client } = request;
  const port = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));
  const host = upstream.hostname.replace(/^\[|\]$/g, '');
  const server: Socket = upstream.protocol === 'https:' ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
  let reported = false;
  const report = (outcome: UpgradeOutcome): void => {
    if (reported) return;
    reported = true;
    onOutcome(outcome);
  };
  const timer = setTimeout(() => {
    server.destroy();
    report({ kind: 'failed', reason: 'timeout' });
  }, request.connectTimeoutMs);
  timer.unref();

  let connected = false;
  server.once(upstream.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    clearTimeout(timer);
    connected = true;
    let head = `${request.method} ${request.target} HTTP/1.1\r\n`;
    for (let i = 0; i + 1 < request.headers.length; i += 2) head += `${request.headers[i]}: ${request.headers[i + 1]}\r\n`;
    server.write(`${head}\r\n`);
    if (request.head.length > 0) server.write(request.head);
    let statusRead = false;
    server.on('data', (chunk: Buffer) => {
      if (statusRead) return;
      statusRead = true;
      const line = chunk.subarray(0, Math.min(chunk.length, 64)).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(line)?.[1] ?? 0);
      report({ kind: 'answered', status });
    });
    server.pipe(client);
    client.pipe(server);
    // one side finished: pass the end on, and do not wait forever for the other side to finish too
    const linger = (): void => {
      setTimeout(() => {
        client.destroy();
        server.destroy();
      }, HALF_CLOSE_GRACE_MS).unref();
    };
    server.once('end', linger);
    client.once('end', linger);
  });
  server.on('error', () => {
    clearTimeout(timer);
    // before the tunnel exists the caller answers the client; after, the tunnel is simply cut
    if (!connected) report({ kind: 'failed', reason: 'unavailable' });
    else client.destroy();
  });
  server.on('close', () => {
    if (connected) client.destroy();
  });
  client.on('error', () => server.destroy());
  client.on('close', () => {
    server.destroy();
    report({ kind: 'client-gone' });
  });
}
