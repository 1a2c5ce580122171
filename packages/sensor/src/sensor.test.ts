import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type ApiEvent, loadConfig, type SensorConfig, SensorConfigSchema } from '@palisade/core';
import { compileSignatures, createEnricher, createTokenizer, parseSignatureRules } from '@palisade/engine';
import { type Sensor, startSensor } from './sensor.js';

const RULES = `
rules:
  - id: sqli/test-tautology
    title: quote-or tautology
    category: sqli
    paranoia: 1
    severity: critical
    regex: "'\\\\s*or\\\\s+'?1'?\\\\s*=\\\\s*'?1"
    flags: i
  - id: xss/test-script
    title: script tag
    category: xss
    paranoia: 1
    severity: critical
    phrases: ['<script']
  - id: scanner/test-ua
    title: attack tool
    category: scanner
    paranoia: 1
    severity: warning
    targets: [header:user-agent]
    phrases: [sqlmap]
  - id: protocol/test-body-on-head
    title: HEAD with a body
    category: protocol
    paranoia: 1
    severity: critical
    targets: [request:body]
    decode: false
    regex: '^HEAD '
  - id: protocol/test-part-charset
    title: multipart part in UTF-7
    category: protocol
    paranoia: 1
    severity: critical
    targets: [part-header]
    decode: false
    regex: 'charset=utf-7'
    flags: i
  - id: session-fixation/test-session-id
    title: session id as a parameter
    category: session-fixation
    paranoia: 1
    severity: critical
    targets: [query-name, form-name]
    unless: [same-site-referer]
    phrases: [jsessionid]
`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let upstream: Server;
let upstreamPort: number;
const seen: Seen[] = [];
let slowMs = 0;

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const reply = (): void => {
        res.writeHead(201, {
          'content-type': 'application/json',
          'x-upstream': 'yes',
          'set-cookie': ['a=1', 'b=2'],
          connection: 'keep-alive',
        });
        res.end(JSON.stringify({ ok: true, path: req.url }));
      };
      if (req.url?.startsWith('/slow')) setTimeout(reply, slowMs);
      else reply();
    });
  });
  // a WebSocket-like upgrade: 101, then every byte echoed back upper-cased
  upstream.on('upgrade', (req, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    if (head.length > 0) socket.write(head.toString().toUpperCase());
    socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function withSensor(settings: Record<string, unknown>, run: (sensor: Sensor, events: ApiEvent[]) => Promise<void>): Promise<void> {
  const config: SensorConfig = SensorConfigSchema.parse({
    listen: '127.0.0.1:0',
    upstream: `http://127.0.0.1:${upstreamPort}`,
    ...settings,
  });
  const ingest = loadConfig({ env: {} }).ingest;
  const detectors = {};
  const signatures = compileSignatures(parseSignatureRules(RULES, 'test.yaml', detectors), detectors);
  const events: ApiEvent[] = [];
  const sensor = await startSensor(config, {
    protections: { signatures },
    enrich: createEnricher(ingest, createTokenizer(randomBytes(32))),
    onEvent: (event) => events.push(event),
  });
  try {
    await run(sensor, events);
  } finally {
    await sensor.close(100);
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(sensor: Sensor, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: sensor.address().port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes in, raw bytes out (until the sensor closes the connection or `waitMs` passes). */
function raw(sensor: Sensor, bytes: string, waitMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(sensor.address().port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString());
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

test('a clean request is forwarded with the proxy chain recorded, and its answer comes back whole', { timeout: 10_000 }, async () => {
  await withSensor({}, async (sensor, events) => {
    seen.length = 0;
    const reply = await send(
      sensor,
      'POST',
      '/orders?x=1',
      { host: 'shop.example', 'x-forwarded-for': '203.0.113.9', 'content-type': 'application/json' },
      '{"item":"book"}',
    );
    assert.equal(reply.status, 201);
    assert.deepEqual(JSON.parse(reply.body), { ok: true, path: '/orders?x=1' });
    assert.equal(reply.headers['x-upstream'], 'yes');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    const at = seen[0] as Seen;
    assert.equal(at.body, '{"item":"book"}');
    assert.equal(at.headers.host, 'shop.example', 'the Host is kept');
    assert.equal(at.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(at.headers['x-forwarded-proto'], 'http');
    assert.equal(at.headers.forwarded, 'for=127.0.0.1;proto=http;host=shop.example');
    const event = events[0] as ApiEvent;
    assert.equal(event.protection?.action, 'allow');
    assert.equal(event.response?.status, 201);
    assert.equal(event.client.ip, '203.0.113.9', 'the client behind a trusted loopback hop');
    assert.equal(event.source.kind, 'sensor');
  });
});

test('the event keeps the JSON body as sent, its secrets tokenized, also in a member a repeated name hides', {
  timeout: 10_000,
}, async () => {
  await withSensor({}, async (sensor, events) => {
    const body = '{"user":"ann","note":"at 10:00","card":{"cvv":"987"},"card":{"last4":"4242"},"pin":1234}';
    const reply = await send(sensor, 'POST', '/orders', { 'content-type': 'application/json' }, body);
    assert.equal(reply.status, 201);
    const text = (events[0] as ApiEvent).request.body?.text ?? '';
    assert.match(
      text,
      /^\{"user":"ann","note":"at 10:00","card":\{"cvv":"tok_[\w-]{22}"\},"card":\{"last4":"4242"\},"pin":"tok_[\w-]{22}"\}$/,
    );
    const plain = '{"user":"ann","items":[{"sku":"a:1"}]}';
    assert.equal((await send(sensor, 'POST', '/orders', { 'content-type': 'application/json' }, plain)).status, 201);
    assert.equal((events[1] as ApiEvent).request.body?.text, plain);
  });
});

test('an attack is answered 403 problem+json with the event id, never reaches the upstream, and the event says why', {
  timeout: 10_000,
}, async () => {
  await withSensor({}, async (sensor, events) => {
    seen.length = 0;
    const reply = await send(sensor, 'GET', '/items?id=1%27%20or%20%271%27=%271&card=4111111111111111');
    assert.equal(reply.status, 403);
    assert.equal(reply.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(reply.body);
    assert.equal(problem.code, 'PAL_ERR_SENSOR_BLOCKED');
    assert.equal(problem.status, 403);
    assert.doesNotMatch(reply.body, /' or|4111/, 'the payload is not echoed');
    assert.equal(seen.length, 0, 'the upstream never saw it');
    const event = events[0] as ApiEvent;
    assert.equal(event.id, problem.eventId);
    assert.equal(event.protection?.action, 'block');
    assert.equal(event.protection?.score, 5);
    assert.deepEqual(
      event.protection?.findings.map((f) => [f.ruleId, f.location, f.mode]),
      [['sqli/test-tautology', 'query:id', 'block']],
    );
    assert.match(event.protection?.findings[0]?.snippet ?? '', /' or '1'='1/);
    assert.equal(event.response?.status, 403);
  });
});

test("a rule's exception is judged on the whole request: a session id passes on a link within the site, in the URL and in a form", {
  timeout: 10_000,
}, async () => {
  await withSensor({}, async (sensor) => {
    seen.length = 0;
    const host = `127.0.0.1:${sensor.address().port}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const replies = [
      await send(sensor, 'GET', '/account?jsessionid=A1B2C3', { referer: `http://${host}/catalogue` }),
      await send(sensor, 'POST', '/account', { ...form, referer: `http://${host}/login` }, 'jsessionid=A1B2C3&x=1'),
      await send(sensor, 'GET', '/account?jsessionid=A1B2C3', { referer: 'https://mail.example/inbox' }),
      await send(sensor, 'GET', '/account?jsessionid=A1B2C3'),
      await send(sensor, 'POST', '/account', { ...form, referer: 'https://mail.example/inbox' }, 'jsessionid=A1B2C3&x=1'),
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [201, 201, 403, 403, 403],
    );
    assert.equal(seen.length, 2, 'only the same-site requests reached the upstream');
  });
});

test('attacks in JSON, form and multipart bodies are found field by field', { timeout: 10_000 }, async () => {
  await withSensor({}, async (sensor, events) => {
    seen.length = 0;
    const json = await send(sensor, 'POST', '/c', { 'content-type': 'application/json' }, '{"a":{"b":["x","<script>alert(1)</script>"]}}');
    const form = await send(sensor, 'POST', '/c', { 'content-type': 'application/x-www-form-urlencoded' }, 'q=%3Cscript%3E');
    const multipart = await send(
      sensor,
      'POST',
      '/c',
      { 'content-type': 'multipart/form-data; boundary=zz' },
      '--zz\r\nContent-Disposition: form-data; name="note"\r\n\r\n\' or 1=1 --\r\n--zz--\r\n',
    );
    assert.deepEqual([json.status, form.status, multipart.status], [403, 403, 403]);
    assert.equal(seen.length, 0);
    assert.deepEqual(
      events.map((e) => e.protection?.findings[0]?.location),
      ['json:$.a.b[1]', 'form:q', 'form:note'],
    );
  });
});

test('protocol rules judge the request line and framing, and multipart part headers, like any signature', { timeout: 10_000 }, async () => {
  await withSensor({}, async (sensor, events) => {
    seen.length = 0;
    const head = await raw(sensor, 'HEAD /items HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ntest');
    assert.match(head, /^HTTP\/1\.1 403 /);
    const part = await send(
      sensor,
      'POST',
      '/c',
      { 'content-type': 'multipart/form-data; boundary=zz' },
      '--zz\r\nContent-Disposition: form-data; name="bio"\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+ADw-x\r\n--zz--\r\n',
    );
    assert.equal(part.status, 403);
    const clean = await send(sensor, 'HEAD', '/items');
    assert.ok(clean.status >= 200 && clean.status < 300, 'a HEAD without a body passes');
    assert.equal(seen.length, 1, 'only the clean HEAD reached the upstream');
    assert.deepEqual(
      events.slice(0, 2).map((e) => e.protection?.findings.map((f) => [f.ruleId, f.location, f.mode])),
      [[['protocol/test-body-on-head', 'request:body', 'block']], [['protocol/test-part-charset', 'part-header:bio', 'block']]],
    );
  });
});

test('monitor mode forwards everything and records what would have been blocked', { timeout: 10_000 }, async () => {
  await withSensor({ mode: 'monitor' }, async (sensor, events) => {
    seen.length = 0;
    const reply = await send(sensor, 'GET', '/items?q=%3Cscript%3E');
    assert.equal(reply.status, 201);
    assert.equal(seen.length, 1);
    assert.equal(events[0]?.protection?.action, 'monitor');
    assert.equal(events[0]?.protection?.findings[0]?.mode, 'monitor');
    assert.equal(sensor.stats().monitored, 1);
  });
});

test('routes switch protections per path and exclude rules at chosen places', { timeout: 10_000 }, async () => {
  const routes = [
    { match: { paths: ['/cms/**'] }, exclusions: [{ rules: ['xss/*'], locations: ['json:$.html'] }] },
    { match: { paths: ['/search'], methods: ['GET'] }, protections: { signatures: 'monitor' } },
  ];
  await withSensor({ routes }, async (sensor, events) => {
    seen.length = 0;
    const allowed = await send(
      sensor,
      'POST',
      '/cms/pages/1',
      { 'content-type': 'application/json' },
      '{"html":"<script src=/app.js></script>"}',
    );
    const other = await send(sensor, 'POST', '/cms/pages/1', { 'content-type': 'application/json' }, '{"title":"<script>x</script>"}');
    const monitored = await send(sensor, 'GET', '/search?q=%3Cscript%3E');
    assert.deepEqual([allowed.status, other.status, monitored.status], [201, 403, 201]);
    assert.deepEqual(
      events.map((e) => e.protection?.action),
      ['allow', 'block', 'monitor'],
    );
  });
});

test('a blocked request on a keep-alive connection leaves the connection usable', { timeout: 10_000 }, async () => {
  await withSensor({}, async (sensor) => {
    const text = await raw(
      sensor,
      'GET /a?q=%3Cscript%3E HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['403', '201']);
  });
});

test('oversized, malformed and over-long requests get a clear 4xx and the upstream is untouched', { timeout: 10_000 }, async () => {
  await withSensor({ limits: { maxBodyBytes: 1024, maxHeaderBytes: 2048 } }, async (sensor, events) => {
    seen.length = 0;
    const big = await send(sensor, 'POST', '/upload', { 'content-type': 'text/plain' }, 'x'.repeat(5000));
    assert.equal(big.status, 413);
    assert.equal(JSON.parse(big.body).code, 'PAL_ERR_HTTP_TOO_LARGE');
    const chunked = await raw(
      sensor,
      `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'y'.repeat(2048)}\r\n0\r\n\r\n`,
    );
    assert.match(chunked, /^HTTP\/1\.1 413/);
    const malformed = await raw(sensor, 'GARBAGE\r\n\r\n');
    assert.match(malformed, /^HTTP\/1\.1 400/);
    assert.match(malformed, /PAL_ERR_HTTP_MALFORMED/);
    const smuggled = await raw(sensor, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.match(smuggled, /^HTTP\/1\.1 400/, 'both Content-Length and Transfer-Encoding is refused');
    const longHead = await raw(sensor, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'z'.repeat(4000)}\r\n\r\n`);
    assert.match(longHead, /^HTTP\/1\.1 431/);
    assert.equal(seen.length, 0);
    assert.equal(sensor.stats().malformed, 3);
    assert.deepEqual(
      events.map((e) => [e.protection?.action, e.response?.status]),
      [
        ['reject', 413],
        ['reject', 413],
      ],
    );
  });
});

test('an upstream that is down gives 502, one that is slow gives 504, and neither leaks details', { timeout: 15_000 }, async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await withSensor({ upstream: `http://127.0.0.1:${deadPort}` }, async (sensor, events) => {
    const reply = await send(sensor, 'GET', '/x');
    assert.equal(reply.status, 502);
    assert.equal(JSON.parse(reply.body).code, 'PAL_ERR_SENSOR_UPSTREAM_UNAVAILABLE');
    assert.doesNotMatch(reply.body, /ECONNREFUSED|127\.0\.0\.1/);
    assert.equal(events[0]?.response?.status, 502);
  });
  slowMs = 1_500;
  await withSensor({ limits: { upstreamTimeoutMs: 200 } }, async (sensor) => {
    const reply = await send(sensor, 'GET', '/slow');
    assert.equal(reply.status, 504);
    assert.equal(JSON.parse(reply.body).code, 'PAL_ERR_SENSOR_UPSTREAM_TIMEOUT');
    assert.equal(sensor.stats().upstreamErrors, 1);
  });
});

test('a client that leaves before the answer still gets its transaction recorded, and the sensor goes on', {
  timeout: 15_000,
}, async () => {
  slowMs = 300;
  await withSensor({}, async (sensor, events) => {
    const recorded = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (events.length === 0) return;
        clearInterval(poll);
        resolve();
      }, 10);
    });
    // the client hangs up while the upstream is still thinking
    assert.equal(await raw(sensor, 'GET /slow/gone HTTP/1.1\r\nHost: shop.example\r\n\r\n', 50), '');
    await recorded;
    assert.equal(events[0]?.request.path, '/slow/gone');
    assert.equal((await send(sensor, 'GET', '/next')).status, 201);
  });
});

/** Sends an upgrade request, then `message` once the 101 arrived; resolves with everything read until `until` matches. */
function upgrade(sensor: Sensor, path: string, message: string, until: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(sensor.address().port, '127.0.0.1');
    let text = '';
    let sent = false;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, 3_000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!sent && text.includes('\r\n\r\n') && text.startsWith('HTTP/1.1 101')) {
        sent = true;
        socket.write(message);
      }
      if (until.test(text)) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: chat.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });
}

test('WebSocket upgrades pass through both ways after their head is inspected; an attack in the head is refused', {
  timeout: 10_000,
}, async () => {
  await withSensor({}, async (sensor, events) => {
    seen.length = 0;
    const text = await upgrade(sensor, '/chat?room=1', 'hello over the tunnel', /HELLO OVER THE TUNNEL/);
    assert.match(text, /^HTTP\/1\.1 101/);
    assert.match(text, /HELLO OVER THE TUNNEL/, 'bytes flow to the upstream and back');
    const at = seen[0] as Seen;
    assert.equal(at.headers.upgrade, 'websocket');
    assert.equal(at.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(events[0]?.response?.status, 101);
    assert.equal(events[0]?.protection?.action, 'allow');

    const refused = await upgrade(sensor, '/chat?room=%3Cscript%3E', 'x', /\}$/);
    assert.match(refused, /^HTTP\/1\.1 403/);
    assert.match(refused, /PAL_ERR_SENSOR_BLOCKED/);
    assert.equal(seen.length, 1, 'the refused upgrade never reached the upstream');
  });
});

test('a body with more values than the inspection bound is refused in block mode, unless its route allows more', {
  timeout: 10_000,
}, async () => {
  // an attack padded behind harmless fields sits past the bound: never inspected, so never forwarded
  const padded = JSON.stringify({ ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, `v${i}`])), q: "' or '1'='1" });
  const settings = {
    signatures: { maxInputs: 50 },
    routes: [{ name: 'bulk', match: { paths: ['/bulk'] }, maxInputs: 500 }],
  };
  await withSensor(settings, async (sensor, events) => {
    seen.length = 0;
    const refused = await send(sensor, 'POST', '/orders', { 'content-type': 'application/json' }, padded);
    assert.equal(refused.status, 403);
    assert.equal(seen.length, 0, 'the upstream never sees it');
    const finding = events[0]?.protection?.findings.find((f) => f.ruleId === 'limits/inspection-bounds');
    assert.deepEqual([finding?.location, finding?.mode], ['body', 'block']);
    const bulk = await send(sensor, 'POST', '/bulk', { 'content-type': 'application/json' }, padded);
    assert.equal(bulk.status, 403, 'with the bound raised the whole body is read and the attack at its end is found');
    assert.deepEqual(
      events[1]?.protection?.findings.map((f) => f.ruleId),
      ['sqli/test-tautology'],
    );
  });
  await withSensor({ ...settings, mode: 'monitor' }, async (sensor, events) => {
    const monitored = await send(sensor, 'POST', '/orders', { 'content-type': 'application/json' }, padded);
    assert.equal(monitored.status, 201);
    assert.equal(events[0]?.protection?.action, 'monitor');
  });
});
