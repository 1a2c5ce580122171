/**
 * The upstream every benchmark proxies to: a node:http server on 127.0.0.1 answering 200 to everything
 * (even requests its own parser rejects, such as unknown methods), with a body of `OK` (text) or a small
 * JSON object. `POST /reflect` answers like the `albedo` backend the CRS tests use: a JSON request body
 * `{"status", "headers", "body" | "encodedBody"}` becomes the response; any other body is echoed.
 *
 * Run as a script (`node --import tsx bench/internal/upstream-server.ts --port N [--reply ok|json]`) it serves
 * until killed; `startUpstreamProcess` does that as a child process so the load generator and the upstream
 * do not share an event loop.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './loopback-port.js';
import { type ServerProcess, startServer } from './spawned-server.js';

/** The body every non-reflect request gets. */
export type UpstreamReply = 'ok' | 'json';

const REPLIES: Record<UpstreamReply, { type: string; body: Buffer }> = {
  ok: { type: 'text/plain', body: Buffer.from('OK') },
  json: { type: 'application/json', body: Buffer.from('{"ok":true,"id":123,"name":"bench"}') },
};

/** Largest `/reflect` body kept; the rest is read and dropped. */
const REFLECT_LIMIT = 1 << 20;

function reflect(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (size < REFLECT_LIMIT) chunks.push(chunk);
    size += chunk.length;
  });
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    let spec: { status?: unknown; headers?: unknown; body?: unknown; encodedBody?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) spec = parsed;
    } catch {
      spec = undefined;
    }
    if (spec === undefined) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': raw.length });
      res.end(raw);
      return;
    }
    const body =
      typeof spec.encodedBody === 'string'
        ? Buffer.from(spec.encodedBody, 'base64')
        : Buffer.from(typeof spec.body === 'string' ? spec.body : '');
    const headers: Record<string, string | number> = { 'content-type': 'text/html' };
    if (spec.headers !== null && typeof spec.headers === 'object') {
      for (const [name, value] of Object.entries(spec.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    headers['content-length'] = body.length;
    const status = typeof spec.status === 'number' && spec.status >= 200 && spec.status < 600 ? spec.status : 200;
    res.writeHead(status, headers);
    res.end(body);
  });
}

/** An upstream server (not listening yet). */
export function createUpstream(reply: UpstreamReply): Server {
  const { type, body } = REPLIES[reply];
  const server = createServer({ insecureHTTPParser: true, maxHeaderSize: 64 * 1024, keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/reflect')) {
      reflect(req, res);
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      res.end(body);
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });
  return server;
}

/** Starts the upstream as a child Node process on a free port; stop it with `stop()`. */
export async function startUpstreamProcess(reply: UpstreamReply): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'upstream',
    argv: [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), '--port', String(port), '--reply', reply],
    port,
    readyTimeoutMs: 15_000,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, reply: { type: 'string', default: 'ok' } } });
  const reply = values.reply === 'json' ? 'json' : 'ok';
  createUpstream(reply).listen(Number(values.port), '127.0.0.1');
}
