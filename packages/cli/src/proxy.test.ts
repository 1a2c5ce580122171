import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { ApiEvent } from '@palisade/core';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { createLineBatcher } from './commands/proxy.js';

// End-to-end: the real `palisade proxy` bin (compiled by `npm run build`, which `npm test` runs first) in front
// of a real upstream, stopped with SIGTERM as a service manager would.
const BIN = new URL('../bin/palisade.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'palisade-proxy-'));
let upstream: Server;
let upstreamPort: number;
let reached = 0;
/** Proxies still running: killed when the file ends, so that a failed test cannot leave one holding the run open. */
const running = new Set<ReturnType<typeof spawn>>();

before(async () => {
  upstream = createServer((req, res) => {
    reached++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":7,"total":12.5}');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

after(async () => {
  for (const child of running) child.kill('SIGKILL');
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

test('palisade proxy blocks attacks from the shipped rules, enforces a spec, and writes every transaction to NDJSON and DuckDB', {
  timeout: 90_000,
}, async () => {
  const spec = join(dir, 'shop.yaml');
  writeFileSync(
    spec,
    [
      'openapi: 3.0.3',
      "info: { title: shop, version: '1' }",
      'paths:',
      '  /orders/{id}:',
      '    get:',
      '      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]',
      "      responses: { '200': { description: ok } }",
      '  /search:',
      '    get:',
      '      parameters: [{ name: q, in: query, schema: { type: string } }]',
      "      responses: { '200': { description: ok } }",
    ].join('\n'),
  );
  const events = join(dir, 'events.ndjson');
  const data = join(dir, 'data');
  const first = await startProxy(['--spec', spec, '--events', events, '--data-dir', data]);
  assert.match(first.stderr(), /signature rules at paranoia 1/);
  assert.match(first.stderr(), /2 endpoints from 1 API description/);

  const base = `http://127.0.0.1:${first.port}`;
  reached = 0;
  const clean = await fetch(`${base}/search?q=running+shoes`);
  assert.equal(clean.status, 200);
  assert.deepEqual(await clean.json(), { id: 7, total: 12.5 });
  const injected = await fetch(`${base}/search?q=${encodeURIComponent("shoes' UNION SELECT username, password FROM users--")}`);
  assert.equal(injected.status, 403);
  const problem = (await injected.json()) as { code: string; eventId: string };
  assert.equal(problem.code, 'PAL_ERR_SENSOR_BLOCKED');
  const offSpec = await fetch(`${base}/orders/latest`);
  assert.equal(offSpec.status, 403);
  assert.equal(reached, 1, 'only the clean request reached the upstream');

  assert.equal(await first.stop(), 0, first.stderr());
  assert.match(first.stderr(), /3 requests, 1 forwarded, 2 blocked/);
  const written = readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ApiEvent);
  assert.deepEqual(
    written.map((e) => [e.protection?.action, e.protection?.findings[0]?.ruleId]),
    [
      ['allow', undefined],
      ['block', 'sqli/tokens'],
      ['block', 'openapi/invalid-parameter'],
    ],
  );
  const blocked = written.find((e) => e.id === problem.eventId);
  assert.equal(blocked?.protection?.findings[0]?.location, 'query:q');
  assert.match(blocked?.protection?.findings[0]?.snippet ?? '', /UNION SELECT/, 'the event shows the decoded payload as evidence');

  // the same run, into the DuckDB store
  const second = await startProxy(['--store', '--data-dir', data]);
  assert.equal((await fetch(`http://127.0.0.1:${second.port}/items?id=${encodeURIComponent('<script>alert(1)</script>')}`)).status, 403);
  assert.equal(await second.stop(), 0, second.stderr());
  const store = await createDuckDbStore({ path: join(data, 'palisade.duckdb') });
  try {
    const stored = await store.query({ limit: 10 });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.protection?.action, 'block');
    assert.equal(stored[0]?.protection?.findings[0]?.category, 'xss');
  } finally {
    await store.close();
  }
});

/** Starts `palisade proxy` in front of the upstream on a free port; resolves once it listens. */
async function startProxy(args: string[]): Promise<{ port: number; stderr: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [BIN, 'proxy', '--upstream', `http://127.0.0.1:${upstreamPort}`, '--listen', '127.0.0.1:0', ...args],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`the proxy did not start: ${stderr}`));
    }, 60_000);
    const poll = setInterval(() => {
      const found = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (found === null) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(Number(found[1]));
    }, 50);
  });
  return {
    port,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A stream that keeps what it is given, read when it is written (after `delayMs`: a slow disk or pipe). */
function collector(delayMs: number): { stream: Writable; bytes: () => Buffer; wrote: Promise<void> } {
  const parts: Buffer[] = [];
  let first: () => void = () => undefined;
  const wrote = new Promise<void>((resolve) => {
    first = resolve;
  });
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      const keep = (): void => {
        parts.push(Buffer.from(chunk));
        first();
        callback();
      };
      if (delayMs > 0) setTimeout(keep, delayMs);
      else keep();
    },
  });
  return { stream, bytes: () => Buffer.concat(parts), wrote };
}

test('event lines are written in batches as their UTF-8, in order, to every stream, a slow one included', async () => {
  const fast = collector(0);
  const slow = collector(2);
  const batcher = createLineBatcher([fast.stream, slow.stream], 64, 60_000);
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const line =
      i % 50 === 7
        ? `{"long":"${'x'.repeat(100)}${i}"}` // longer than a batch: written alone, in its place
        : JSON.stringify({ i, text: ['plain', 'café', 'emoji 😀', 'quote " and \\ slash'][i % 4] });
    lines.push(line);
    batcher.write(line);
  }
  batcher.flush();
  await Promise.all([fast, slow].map(({ stream }) => new Promise<void>((resolve) => stream.end(resolve))));
  const expected = Buffer.from(lines.map((line) => `${line}\n`).join(''));
  assert.ok(fast.bytes().equals(expected), 'the fast stream got every line once, in order');
  assert.ok(slow.bytes().equals(expected), 'a buffer is not used again before the slow stream wrote it');
});

test('a batch that does not fill up is written after its time', async () => {
  const out = collector(0);
  const batcher = createLineBatcher([out.stream], 1024, 5);
  batcher.write('{"a":1}');
  await out.wrote;
  assert.equal(out.bytes().toString(), '{"a":1}\n');
});
