import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfig, type Store, systemClock } from '@palisade/core';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { createEnricher } from '../enrich/enrich.js';
import { createTokenizer } from '../enrich/tokenize.js';
import { createDefaultParserRegistry } from '../parsers/index.js';
import { createDeadLetterFile, type DeadLetter } from './dead-letter.js';
import { type PushServer, type PushServerOptions, startPushServer } from './http-push.js';
import { Ingestor } from './ingestor.js';

// Response bodies are checked field by field; their shape differs per endpoint.
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of several shapes
type Json = any;

const parsers = new URL('../parsers/', import.meta.url).pathname;
const nginxLines = readFileSync(join(parsers, 'nginx-json/fixtures/basic.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
/** The three valid nginx-json lines of the fixture, as one NDJSON batch. */
const GOOD_NGINX = `${nginxLines.slice(0, 3).join('\n')}\n`;
/** The whole fixture: three valid lines, then three the parser rejects (the last one cut off). */
const MIXED_NGINX = nginxLines.join('\n');
const otlpLines = readFileSync(join(parsers, 'otlp/fixtures/current-conventions.ndjson'), 'utf8').split('\n');

const root = mkdtempSync(join(tmpdir(), 'palisade-http-push-'));
after(() => rmSync(root, { recursive: true, force: true }));
let harnesses = 0;

interface Harness {
  url: string;
  store: Store;
  server: PushServer;
  deadLetters(): DeadLetter[];
  close(): Promise<void>;
}

async function harness(
  options: Partial<Pick<PushServerOptions, 'token' | 'maxBodyBytes'>> & { wrapStore?: (store: Store) => Store; batchSize?: number } = {},
): Promise<Harness> {
  const store = await createDuckDbStore({ path: ':memory:' });
  const dir = join(root, `dl-${harnesses++}`);
  const deadLetter = createDeadLetterFile(dir, 'test');
  const registry = createDefaultParserRegistry();
  const ingestor = new Ingestor({
    store: options.wrapStore?.(store) ?? store,
    registry,
    enricher: createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 1))),
    clock: systemClock,
    deadLetter,
    batchSize: options.batchSize ?? 1000,
  });
  const server = await startPushServer({
    ingestor,
    registry,
    host: '127.0.0.1',
    port: 0,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes,
  });
  return {
    url: server.url,
    store,
    server,
    deadLetters() {
      if (deadLetter.path === undefined) return [];
      return readFileSync(deadLetter.path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as DeadLetter);
    },
    async close() {
      await server.close();
      deadLetter.close();
      await store.close();
    },
  };
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: Json }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function assertProblem(res: { status: number; headers: Headers; json: Json; text: string }, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual(Object.keys(res.json).sort(), ['code', 'detail', 'status', 'title', 'type']);
  assert.equal(res.json.status, status);
  assert.equal(res.json.code, code);
  assert.equal(typeof res.json.title, 'string');
  assert.equal(typeof res.json.detail, 'string');
  assert.ok(res.json.type.endsWith(code));
}

/** An ExportTraceServiceRequest made of fixture spans, pretty-printed over many lines. */
function otlpBody(spans: unknown[]): string {
  const request = JSON.parse(otlpLines[1] as string);
  request.resourceSpans = request.resourceSpans.slice(0, 1);
  request.resourceSpans[0].scopeSpans = [{ ...request.resourceSpans[0].scopeSpans[0], spans }];
  return JSON.stringify(request, null, 2);
}

function fixtureSpans(): { serverA: unknown; serverB: unknown; client: unknown } {
  const first = JSON.parse(otlpLines[0] as string).resourceSpans[0].scopeSpans[0].spans;
  const second = JSON.parse(otlpLines[1] as string).resourceSpans[0].scopeSpans[0].spans as Array<{ kind: number; name: string }>;
  return {
    serverA: first[0],
    serverB: second.find((s) => s.kind === 2 && s.name === 'POST /checkout'),
    client: second.find((s) => s.kind === 3),
  };
}

test('GET /healthz answers ok', async () => {
  const h = await harness();
  try {
    const res = await fetch(`${h.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    const head = await fetch(`${h.url}/healthz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  } finally {
    await h.close();
  }
});

test('an NDJSON nginx-json batch is stored, and the same batch sent again adds nothing', async () => {
  const h = await harness();
  try {
    const first = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX, { 'content-type': 'application/x-ndjson' });
    assert.equal(first.status, 200, first.text);
    assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(first.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);
    const events = await h.store.query();
    assert.ok(events.every((e) => e.source.name === 'http-push' && e.source.kind === 'nginx-json'));

    const retry = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX);
    assert.deepEqual(retry.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3, 'a retried batch is deduplicated');

    // Same content gzip-compressed: same records, same ids.
    const zipped = await post(`${h.url}/v1/events?format=nginx-json`, gzipSync(GOOD_NGINX), { 'content-encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(await h.store.count(), 3);

    // A different batch holding one of the same lines is a new record.
    const other = await post(`${h.url}/v1/events?format=nginx-json`, `${nginxLines[0]}\n`);
    assert.deepEqual(other.json, { accepted: 1, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 4);
  } finally {
    await h.close();
  }
});

test('mixed good and bad lines: counts per request, bad lines dead-lettered, blank lines ignored', async () => {
  const h = await harness();
  try {
    const body = MIXED_NGINX.replace('\n', '\n\n   \n');
    const res = await post(`${h.url}/v1/events?format=nginx-json`, body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { accepted: 3, rejected: 3, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);
    const letters = h.deadLetters();
    assert.equal(letters.length, 3);
    assert.deepEqual(
      letters.map((l) => l.record),
      nginxLines.slice(3),
    );
    assert.ok(letters.every((l) => l.source === 'http-push' && l.format === 'nginx-json' && typeof l.offset === 'number'));
    // Offsets are byte offsets in the body.
    const bytes = Buffer.from(body);
    for (const l of letters) assert.equal(bytes.toString('utf8', l.offset, l.offset! + Buffer.byteLength(l.record)), l.record);
  } finally {
    await h.close();
  }
});

test('the format comes from ?format=, else x-palisade-format, else detection', async () => {
  const h = await harness();
  try {
    const byHeader = await post(`${h.url}/v1/events`, GOOD_NGINX, { 'x-palisade-format': 'nginx-json' });
    assert.deepEqual(byHeader.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    const detected = await post(`${h.url}/v1/events`, MIXED_NGINX);
    assert.equal(detected.status, 200, detected.text);
    assert.deepEqual(detected.json, { accepted: 3, rejected: 3, format: 'nginx-json' });
    const otlpNdjson = await post(`${h.url}/v1/events?format=auto`, `${otlpLines[0]}\n${otlpLines[1]}\n`);
    assert.deepEqual(otlpNdjson.json, { accepted: 3, rejected: 0, format: 'otlp-json' });
    const alias = await post(`${h.url}/v1/events?format=otlp`, `${otlpLines[0]}\n`);
    assert.deepEqual(alias.json, { accepted: 1, rejected: 0, format: 'otlp-json' });
    const empty = await post(`${h.url}/v1/events`, '\n\n');
    assert.deepEqual(empty.json, { accepted: 0, rejected: 0, format: 'auto' });
  } finally {
    await h.close();
  }
});

test('an unknown format is 400 and an undetectable body 422, neither echoing the body', async () => {
  const h = await harness();
  try {
    const secret = 'password=hunter2-very-secret';
    const bad = await post(`${h.url}/v1/events?format=nope`, `${secret}\n`);
    assertProblem(bad, 400, 'PAL_ERR_FORMAT_UNKNOWN');
    assert.match(bad.json.detail, /"nope".*nginx-json/);
    assert.ok(!bad.text.includes('hunter2'));

    const weird = await post(`${h.url}/v1/events?format=${encodeURIComponent('<script>alert(1)</script>')}`, 'x');
    assertProblem(weird, 400, 'PAL_ERR_FORMAT_UNKNOWN');
    assert.ok(!weird.text.includes('script'));

    const unknown = await post(`${h.url}/v1/events`, `${secret}\nsomething else entirely ${secret}\n`);
    assertProblem(unknown, 422, 'PAL_ERR_FORMAT_UNDETECTED');
    assert.ok(!unknown.text.includes('hunter2'));
    assert.equal(await h.store.count(), 0);
  } finally {
    await h.close();
  }
});

test('OTLP/HTTP JSON: a pretty-printed request with 2 server spans and 1 client span gives 2 events', async () => {
  const h = await harness();
  try {
    const { serverA, serverB, client } = fixtureSpans();
    assert.ok(serverA !== undefined && serverB !== undefined && client !== undefined);
    const body = otlpBody([serverA, client, serverB]);
    assert.ok(body.split('\n').length > 50, 'the body is multi-line');
    const res = await post(`${h.url}/v1/traces`, body, { 'content-type': 'application/json' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.json, {});
    assert.equal(await h.store.count(), 2);
    const paths = (await h.store.query()).map((e) => e.request.path).sort();
    assert.deepEqual(paths, ['/checkout', '/v2/users/8812/orders']);

    const again = await post(`${h.url}/v1/traces`, body, { 'content-type': 'application/json; charset=utf-8' });
    assert.deepEqual(again.json, {});
    assert.equal(await h.store.count(), 2, 'a retried export is deduplicated');
  } finally {
    await h.close();
  }
});

test('OTLP/HTTP JSON: rejected spans are a partial success and dead-lettered', async () => {
  const h = await harness();
  try {
    // Fixture line 3: four server spans, one with a bad start time and one with a bad status.
    const res = await post(`${h.url}/v1/traces`, otlpLines[2] as string, { 'content-type': 'application/json' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.partialSuccess.rejectedSpans, 2);
    assert.match(res.json.partialSuccess.errorMessage, /bad_timestamp.*bad_status|bad_status.*bad_timestamp/);
    assert.equal(await h.store.count(), 2);
    assert.deepEqual(
      h
        .deadLetters()
        .map((l) => l.reason)
        .sort(),
      ['bad_status', 'bad_timestamp'],
    );

    // Only client spans: nothing to store, nothing rejected.
    const { client } = fixtureSpans();
    const none = await post(`${h.url}/v1/traces`, otlpBody([client]), { 'content-type': 'application/json' });
    assert.deepEqual(none.json, {});
  } finally {
    await h.close();
  }
});

test('OTLP/HTTP: a body that is not an export request is 400 and dead-lettered; protobuf is 415', async () => {
  const h = await harness();
  try {
    const broken = '{"resourceSpans": [ {"secret": "hunter2"';
    const res = await post(`${h.url}/v1/traces`, broken, { 'content-type': 'application/json' });
    assertProblem(res, 400, 'PAL_ERR_HTTP_BAD_REQUEST');
    assert.ok(!res.text.includes('hunter2'));
    assert.deepEqual(
      h.deadLetters().map((l) => [l.reason, l.record]),
      [['malformed_json', broken]],
    );

    const proto = await post(`${h.url}/v1/traces`, Buffer.from([0x0a, 0x02, 0x08, 0x01]), { 'content-type': 'application/x-protobuf' });
    assertProblem(proto, 415, 'PAL_ERR_HTTP_MEDIA_TYPE');
    assert.match(proto.json.detail, /JSON/);
    assert.match(proto.json.detail, /http\/json/);

    const empty = await post(`${h.url}/v1/traces`, '', { 'content-type': 'application/json' });
    assertProblem(empty, 400, 'PAL_ERR_HTTP_BAD_REQUEST');
  } finally {
    await h.close();
  }
});

test('gzip bodies are decompressed; the limit applies to raw and decompressed sizes (413)', async () => {
  const h = await harness({ maxBodyBytes: 4096 });
  try {
    const zipped = await post(`${h.url}/v1/events?format=nginx-json`, gzipSync(GOOD_NGINX), { 'content-encoding': 'gzip' });
    assert.deepEqual(zipped.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);

    const traces = await post(`${h.url}/v1/traces`, gzipSync(otlpLines[0] as string), {
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    assert.deepEqual(traces.json, {});
    assert.equal(await h.store.count(), 4);

    const bomb = gzipSync(Buffer.alloc(64 * 1024, 0x20));
    assert.ok(bomb.length < 4096);
    assertProblem(await post(`${h.url}/v1/events?format=nginx-json`, bomb, { 'content-encoding': 'gzip' }), 413, 'PAL_ERR_HTTP_TOO_LARGE');

    const big = `${nginxLines[0]}\n`.repeat(20);
    assert.ok(Buffer.byteLength(big) > 4096);
    const tooLarge = await post(`${h.url}/v1/events?format=nginx-json`, big);
    assertProblem(tooLarge, 413, 'PAL_ERR_HTTP_TOO_LARGE');
    assert.ok(!tooLarge.text.includes('198.51.100.7'));

    // Without content-length (chunked), the limit is enforced while reading.
    const chunked = await rawRequest(h.url, '/v1/events?format=nginx-json', [big.slice(0, 3000), big.slice(3000)]);
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).code, 'PAL_ERR_HTTP_TOO_LARGE');

    assertProblem(
      await post(`${h.url}/v1/events`, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }),
      400,
      'PAL_ERR_HTTP_BAD_REQUEST',
    );
    assertProblem(await post(`${h.url}/v1/events`, GOOD_NGINX, { 'content-encoding': 'br' }), 415, 'PAL_ERR_HTTP_MEDIA_TYPE');
    assert.equal(await h.store.count(), 4);
  } finally {
    await h.close();
  }
});

test('with a token, requests need Authorization: Bearer <token> (401 otherwise, never echoed)', async () => {
  const token = 's3cr3t-push-token';
  const h = await harness({ token });
  try {
    const none = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX);
    assertProblem(none, 401, 'PAL_ERR_HTTP_UNAUTHORIZED');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);

    const wrong = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX, { authorization: 'Bearer not-the-token' });
    assertProblem(wrong, 401, 'PAL_ERR_HTTP_UNAUTHORIZED');
    assert.ok(!wrong.text.includes('not-the-token') && !wrong.text.includes(token));

    const prefix = await post(`${h.url}/v1/traces`, '{}', {
      authorization: `Bearer ${token.slice(0, -1)}`,
      'content-type': 'application/json',
    });
    assertProblem(prefix, 401, 'PAL_ERR_HTTP_UNAUTHORIZED');
    const basic = await post(`${h.url}/v1/events`, GOOD_NGINX, { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` });
    assertProblem(basic, 401, 'PAL_ERR_HTTP_UNAUTHORIZED');
    assert.equal(await h.store.count(), 0);

    const ok = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX, { authorization: `Bearer ${token}` });
    assert.deepEqual(ok.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);
    const health = await fetch(`${h.url}/healthz`);
    assert.equal(health.status, 200, 'health checks need no token');
  } finally {
    await h.close();
  }
});

test('unknown routes are 404, wrong methods 405 with Allow', async () => {
  const h = await harness();
  try {
    const missing = await post(`${h.url}/v1/logs`, GOOD_NGINX);
    assertProblem(missing, 404, 'PAL_ERR_HTTP_NOT_FOUND');
    assert.ok(!missing.text.includes('198.51.100.7'));

    const get = await fetch(`${h.url}/v1/events`);
    assertProblem({ status: get.status, headers: get.headers, text: '', json: await get.json() }, 405, 'PAL_ERR_HTTP_METHOD');
    assert.equal(get.headers.get('allow'), 'POST');
    const postHealth = await post(`${h.url}/healthz`, 'x');
    assertProblem(postHealth, 405, 'PAL_ERR_HTTP_METHOD');
    assert.equal(postHealth.headers.get('allow'), 'GET, HEAD');
    const put = await fetch(`${h.url}/v1/traces`, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'POST');
  } finally {
    await h.close();
  }
});

test('a store failure is 503 with Retry-After; the retry is stored once', async () => {
  let failures = 1;
  const h = await harness({
    wrapStore: (store) => ({
      ...store,
      checkpoint: (key) => store.checkpoint(key),
      begin() {
        const writer = store.begin();
        return {
          add: (event) => writer.add(event),
          get size() {
            return writer.size;
          },
          commit: (checkpoints) => (failures-- > 0 ? Promise.reject(new Error('disk full at /secret/path')) : writer.commit(checkpoints)),
        };
      },
    }),
  });
  try {
    const failed = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX);
    assertProblem(failed, 503, 'PAL_ERR_STORE_WRITE');
    assert.ok(failed.headers.get('retry-after') !== null);
    assert.ok(!failed.text.includes('disk full') && !failed.text.includes('198.51.100.7'));
    assert.equal(await h.store.count(), 0);
    const retried = await post(`${h.url}/v1/events?format=nginx-json`, GOOD_NGINX);
    assert.deepEqual(retried.json, { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);
  } finally {
    await h.close();
  }
});

test('concurrent requests get their own counts; large batches are written in several commits', async () => {
  let commits = 0;
  const h = await harness({
    batchSize: 2,
    wrapStore: (store) => ({
      ...store,
      checkpoint: (key) => store.checkpoint(key),
      begin() {
        const writer = store.begin();
        return {
          add: (event) => writer.add(event),
          get size() {
            return writer.size;
          },
          commit: (checkpoints) => {
            commits++;
            return writer.commit(checkpoints);
          },
        };
      },
    }),
  });
  try {
    const bodies = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0 ? GOOD_NGINX.repeat(i + 1) : `${MIXED_NGINX}\n${nginxLines[0]}\n`.repeat(i),
    );
    const answers = await Promise.all(bodies.map((b) => post(`${h.url}/v1/events?format=nginx-json`, b)));
    let expected = 0;
    answers.forEach((res, i) => {
      const accepted = i % 2 === 0 ? 3 * (i + 1) : 4 * i;
      const rejected = i % 2 === 0 ? 0 : 3 * i;
      assert.deepEqual(res.json, { accepted, rejected, format: 'nginx-json' }, `request ${i}`);
      expected += accepted;
    });
    assert.equal(await h.store.count(), expected);
    assert.ok(commits >= expected / 2, `${commits} commits`);
  } finally {
    await h.close();
  }
});

test('close() resolves with keep-alive connections open, and the port is released', async () => {
  const h = await harness();
  const res = await fetch(`${h.url}/healthz`, { headers: { connection: 'keep-alive' } });
  await res.text();
  await h.close();
  await assert.rejects(fetch(`${h.url}/healthz`));
});

test('close() lets a request in progress finish and be stored', async () => {
  const h = await harness();
  try {
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(new URL('/v1/events?format=nginx-json', h.url), { method: 'POST' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(GOOD_NGINX.slice(0, 100));
      setTimeout(() => req.end(GOOD_NGINX.slice(100)), 200);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = h.server.close();
    const res = await answer;
    await closed;
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { accepted: 3, rejected: 0, format: 'nginx-json' });
    assert.equal(await h.store.count(), 3);
  } finally {
    await h.close();
  }
});

test('a port in use is PAL_ERR_LISTEN', async () => {
  const h = await harness();
  try {
    const port = Number(new URL(h.url).port);
    await assert.rejects(harnessOn(port), (e: unknown) => (e as { code?: string }).code === 'PAL_ERR_LISTEN');
  } finally {
    await h.close();
  }
});

async function harnessOn(port: number): Promise<PushServer> {
  const registry = createDefaultParserRegistry();
  const store = await createDuckDbStore({ path: ':memory:' });
  try {
    const ingestor = new Ingestor({
      store,
      registry,
      enricher: createEnricher(loadConfig({ env: {} }).ingest, createTokenizer(Buffer.alloc(32, 1))),
      clock: systemClock,
      deadLetter: createDeadLetterFile(join(root, 'unused'), 'test'),
      batchSize: 10,
    });
    return await startPushServer({ ingestor, registry, host: '127.0.0.1', port });
  } finally {
    await store.close();
  }
}

/** A chunked POST (no content-length), written piece by piece. */
function rawRequest(base: string, path: string, pieces: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}
