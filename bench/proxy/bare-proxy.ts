/**
 * The baseline the sensor's overhead is measured against: the smallest correct Node reverse proxy, built
 * from the same parts as Palisade (node:http in front, an undici `Pool` behind) and doing nothing else —
 * hop-by-hop headers dropped, the request body streamed through, the response streamed back by undici's
 * `Pool.stream` as the sensor does, 502 when the upstream fails. Run as a script: `node --import tsx bench/proxy/bare-proxy.ts --port N --upstream URL`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { freePort } from '../internal/loopback-port.js';
import { type ServerProcess, startServer } from '../internal/spawned-server.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
]);

/** A bare proxy to `upstream` (an origin such as `http://127.0.0.1:9000`), not listening yet. */
export function createBareProxy(upstream: string, connections = 128): Server {
  const pool = new Pool(upstream, { connections, keepAliveTimeout: 4_000 });
  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1] as string);
    }
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) req.resume();
    pool.stream(
      { method: (req.method ?? 'GET') as 'GET', path: req.url ?? '/', headers, body: hasBody ? req : undefined },
      ({ statusCode, headers: answer }) => {
        const out: IncomingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer)) if (!HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(statusCode, out as Record<string, string | string[]>);
        return res;
      },
      (error) => {
        if (error === null) return;
        if (res.headersSent) res.destroy();
        else res.writeHead(502, { 'content-length': 0 }).end();
      },
    );
  });
  server.on('close', () => {
    void pool.close();
  });
  return server;
}

/** Starts the bare proxy as a child Node process (the V8 flags of the palisade binary) on a free port in front of 127.0.0.1:`upstreamPort`. */
export async function startBareProxy(upstreamPort: number): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'bare-proxy',
    argv: [
      process.execPath,
      '--max-semi-space-size=64',
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--port',
      String(port),
      '--upstream',
      `http://127.0.0.1:${upstreamPort}`,
    ],
    port,
    readyTimeoutMs: 15_000,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
  if (values.upstream === undefined || values.port === undefined) throw new Error('usage: bare-proxy.ts --port N --upstream URL');
  createBareProxy(values.upstream).listen(Number(values.port), '127.0.0.1');
}
