import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { type AddressInfo, connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@palisade/testkit';
import { Agent, request as undiciRequest } from 'undici';
import { parseClientHello } from './client-hello.js';
import { loadHelloFixtures, splitIntoRecords } from './fixtures/hellos.js';
import {
  createTlsServer,
  fingerprintClientHello,
  type TlsFingerprint,
  type TlsRejection,
  type TlsServer,
  tlsFingerprintOf,
} from './tls-listener.js';

const certPath = fileURLToPath(new URL('./fixtures/test-only-cert.pem', import.meta.url));
const keyPath = fileURLToPath(new URL('./fixtures/test-only-key.pem', import.meta.url));
const ca = readFileSync(certPath);
/** The name in the test certificate's subjectAltName (it also holds the IP 127.0.0.1). */
const SERVER_NAME = 'api.example.test';
const HANG_GUARD = { timeout: 15_000 };

/** What the test handler answers: the fingerprint it found for its request, and the connection's peer port. */
interface Seen {
  readonly fingerprint: TlsFingerprint | null;
  readonly peerPort: number | undefined;
  readonly alpnProtocol: string | false;
}

let requestsHandled = 0;
/** Peer ports of the connections the handler saw a request on. */
const peerPorts = new Set<number | undefined>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  requestsHandled++;
  peerPorts.add(req.socket.remotePort);
  const socket = req.socket as Socket & { alpnProtocol?: string | false };
  const seen: Seen = {
    fingerprint: tlsFingerprintOf(req.socket) ?? null,
    peerPort: req.socket.remotePort,
    alpnProtocol: socket.alpnProtocol ?? false,
  };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(seen));
}

/**
 * A loopback TCP relay in front of the TLS server that records the first bytes each client sends (its
 * ClientHello), keyed by the relay's port towards the server, which is the peer port the server sees.
 * With `recordSize`, it re-frames the hello into TLS records of at most that many handshake bytes and
 * writes each record in two separate TCP writes, so the server receives the hello in many pieces.
 */
class HelloRecorder {
  readonly hellos = new Map<number, Buffer>();
  private readonly server: NetServer;

  private constructor(
    private readonly target: number,
    private readonly recordSize: number | undefined,
  ) {
    this.server = createNetServer((client) => this.relay(client));
  }

  static async start(target: number, recordSize?: number): Promise<HelloRecorder> {
    const recorder = new HelloRecorder(target, recordSize);
    recorder.server.listen(0, '127.0.0.1');
    await once(recorder.server, 'listening');
    return recorder;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = netConnect(this.target, '127.0.0.1');
    upstream.setNoDelay(true);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let first = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      first = Buffer.concat([first, chunk]);
      const parsed = parseClientHello(first);
      if (parsed.kind === 'need-more') return;
      client.removeListener('data', onData);
      client.pause();
      const hello = first.subarray(0, parsed.kind === 'hello' ? parsed.length : first.length);
      const rest = first.subarray(hello.length);
      const send = async (): Promise<void> => {
        if (upstream.connecting) await once(upstream, 'connect');
        this.hellos.set(upstream.localPort ?? -1, hello);
        if (this.recordSize === undefined) upstream.write(hello);
        else await writeInPieces(upstream, splitIntoRecords(hello, this.recordSize), this.recordSize + 5);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        client.resume();
      };
      send().catch(() => client.destroy());
    };
    client.on('data', onData);
  }
}

/** Writes `bytes` record by record, each record in two writes, yielding to the event loop in between. */
async function writeInPieces(socket: Socket, bytes: Buffer, recordLength: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += recordLength) {
    const record = bytes.subarray(at, at + recordLength);
    const cut = Math.ceil(record.length / 2);
    for (const piece of [record.subarray(0, cut), record.subarray(cut)]) {
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** The fingerprint the parser computes from the recorded hello of the connection with this peer port. */
function expectedFingerprint(recorder: HelloRecorder, peerPort: number | undefined): TlsFingerprint {
  const bytes = recorder.hellos.get(peerPort ?? -1);
  assert.ok(bytes, `a recorded hello for port ${peerPort}`);
  const parsed = parseClientHello(bytes);
  assert.equal(parsed.kind, 'hello');
  return fingerprintClientHello((parsed as Extract<typeof parsed, { kind: 'hello' }>).hello);
}

/** The bytes of the recorded ClientHello with this name. */
function fixtureBytes(name: string): Buffer {
  const fixture = loadHelloFixtures().find((f) => f.name === name);
  assert.ok(fixture, `fixture ${name}`);
  return fixture.bytes;
}

/** Reads everything a socket sends until it closes; rejects on a socket error. */
async function readUntilClosed(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  // Not events.once: it would reject on the reset that a server closing with unread data causes.
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}

async function openRaw(port: number): Promise<Socket> {
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** An https GET through node's own client; resolves with the parsed JSON body. */
function httpsGet(port: number, alpn?: string[]): Promise<Seen> {
  return new Promise((resolve, reject) => {
    // node:https hands ALPNProtocols on to tls.connect, though its option type does not list it.
    const options: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = {
      host: '127.0.0.1',
      port,
      path: '/',
      servername: SERVER_NAME,
      ca,
      agent: false,
      ALPNProtocols: alpn,
    };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A TLS server under test, its port, and the rejections its `onReject` saw. */
interface Running {
  readonly tls: TlsServer;
  readonly port: number;
  readonly rejections: { reason: TlsRejection; fingerprint: TlsFingerprint | undefined }[];
}

async function startTlsServer(handshakeTimeoutMs: number): Promise<Running> {
  const rejections: Running['rejections'] = [];
  const onReject = (reason: TlsRejection, _socket: Socket, fingerprint: TlsFingerprint | undefined): void => {
    rejections.push({ reason, fingerprint });
  };
  const tls = createTlsServer({ cert: certPath, key: keyPath, handshakeTimeoutMs, onReject }, handler);
  tls.server.listen(0, '127.0.0.1');
  await once(tls.server, 'listening');
  return { tls, port: (tls.server.address() as AddressInfo).port, rejections };
}

/** Closes the server; resolves only once every raw TCP connection is gone, so it also checks that none leaked. */
async function stopTlsServer(running: Running): Promise<void> {
  running.tls.server.closeAllConnections();
  await new Promise<void>((resolve) => running.tls.server.close(() => resolve()));
}

describe('TLS termination: clients see their own fingerprint', () => {
  let tls: TlsServer;
  let port: number;
  let running: Running;
  let recorder: HelloRecorder;

  before(async () => {
    running = await startTlsServer(10_000);
    ({ tls, port } = running);
    recorder = await HelloRecorder.start(port);
  });

  after(async () => {
    await recorder.close();
    await stopTlsServer(running);
  });

  test('node:https: the request sees the JA3/JA4 of the hello its client sent', HANG_GUARD, async () => {
    const seen = await httpsGet(recorder.port, ['http/1.1']);
    const expected = expectedFingerprint(recorder, seen.peerPort);
    assert.deepEqual(seen.fingerprint, expected);
    assert.equal(seen.fingerprint?.serverName, SERVER_NAME);
    assert.deepEqual(seen.fingerprint?.alpn, ['http/1.1']);
    assert.equal(seen.alpnProtocol, 'http/1.1');
    assert.match(seen.fingerprint?.ja4 ?? '', /^t13d\d{4}h1_[0-9a-f]{12}_[0-9a-f]{12}$/);
    assert.match(seen.fingerprint?.ja3Hash ?? '', /^[0-9a-f]{32}$/);
  });

  test('undici: every request of a kept-alive connection sees that connection fingerprint', HANG_GUARD, async () => {
    const agent = new Agent({ connections: 1, connect: { ca, servername: SERVER_NAME } });
    try {
      const seen: Seen[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await undiciRequest(`https://127.0.0.1:${recorder.port}/${i}`, { dispatcher: agent });
        assert.equal(res.statusCode, 200);
        seen.push((await res.body.json()) as Seen);
      }
      assert.equal(new Set(seen.map((s) => s.peerPort)).size, 1, 'one connection');
      for (const s of seen) assert.deepEqual(s.fingerprint, expectedFingerprint(recorder, s.peerPort));
      assert.equal(seen[0]?.fingerprint?.tlsVersion, 'TLSv1.3');
    } finally {
      await agent.close();
    }
  });

  test('a hello cut into 30-byte records and split TCP writes fingerprints like the whole hello', HANG_GUARD, async () => {
    const splitter = await HelloRecorder.start(port, 30);
    try {
      const seen = await httpsGet(splitter.port, ['http/1.1']);
      assert.deepEqual(seen.fingerprint, expectedFingerprint(splitter, seen.peerPort));
      assert.ok(seen.fingerprint?.ja4.startsWith('t13d'));
    } finally {
      await splitter.close();
    }
  });

  test('openssl s_client: the request sees the fingerprint of the hello OpenSSL sent', HANG_GUARD, async (t) => {
    const args = ['s_client', '-connect', `127.0.0.1:${recorder.port}`, '-servername', SERVER_NAME];
    args.push('-alpn', 'http/1.1', '-CAfile', certPath, '-verify_return_error', '-quiet', '-ign_eof');
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'ignore'] });
    const spawned = await Promise.race([once(child, 'spawn').then(() => true), once(child, 'error').then(() => false)]);
    if (!spawned) {
      t.skip('openssl is not installed');
      return;
    }
    child.stdin.end('GET / HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(child, 'close');
    const response = Buffer.concat(chunks).toString('utf8');
    assert.match(response, /^HTTP\/1\.1 200 /);
    const seen = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Seen;
    assert.deepEqual(seen.fingerprint, expectedFingerprint(recorder, seen.peerPort));
    assert.equal(seen.fingerprint?.serverName, SERVER_NAME);
  });

  test('every accepted connection was secured, one per connection the handler saw', HANG_GUARD, async () => {
    await waitFor(() => tls.counters().accepted === tls.counters().secured + sumOf(tls.counters().rejected));
    assert.equal(sumOf(tls.counters().rejected), 0);
    assert.equal(tls.counters().secured, peerPorts.size);
  });
});

describe('TLS termination: bad clients are closed at once and counted', () => {
  let tls: TlsServer;
  let port: number;
  let running: Running;
  let rejections: Running['rejections'];
  let requests: number;

  before(async () => {
    running = await startTlsServer(10_000);
    ({ tls, port, rejections } = running);
    requests = requestsHandled;
  });

  after(() => stopTlsServer(running));

  test('plain HTTP on the TLS port gets a 400 and is closed and counted', HANG_GUARD, async () => {
    const before = tls.counters().rejected['plain-http'];
    const socket = await openRaw(port);
    socket.write('GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n');
    const reply = (await readUntilClosed(socket)).toString('latin1');
    assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(tls.counters().rejected['plain-http'], before + 1);
  });

  test('garbage, a non-hello handshake and an oversized hello are closed and counted by reason', HANG_GUARD, async () => {
    const random = createRandom(0x715);
    const garbage = Buffer.alloc(64);
    for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
    garbage[0] = 0x42;
    const serverHello = Buffer.from(fixtureBytes('chrome-accounts-google'));
    serverHello[5] = 0x02;
    const oversized = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0xff, 0xff]);
    const cases: [string, Buffer][] = [
      ['not-tls', garbage],
      ['not-client-hello', serverHello],
      ['too-large', oversized],
    ];
    for (const [reason, bytes] of cases) {
      const counted = tls.counters().rejected[reason as 'not-tls'];
      const socket = await openRaw(port);
      socket.write(bytes);
      const reply = await readUntilClosed(socket);
      assert.equal(reply.length, 0, `${reason}: nothing is sent back`);
      assert.equal(tls.counters().rejected[reason as 'not-tls'], counted + 1, reason);
      assert.deepEqual(rejections.at(-1), { reason, fingerprint: undefined });
    }
  });

  test('a client that half-closes mid-hello is closed at once and counted', HANG_GUARD, async () => {
    const counted = tls.counters().rejected['closed-early'];
    const socket = netConnect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    socket.end(fixtureBytes('tls12-cloudflare').subarray(0, 100));
    await readUntilClosed(socket);
    assert.equal(tls.counters().rejected['closed-early'], counted + 1);
  });

  test('a client that resets the connection mid-hello or mid-handshake is counted, and nothing throws', HANG_GUARD, async () => {
    const counts = tls.counters();
    const hello = fixtureBytes('chrome-accounts-google');
    for (const bytes of [hello.subarray(0, 50), hello]) {
      const socket = await openRaw(port);
      socket.write(bytes);
      await waitFor(() => tls.counters().accepted > counts.accepted + (bytes === hello ? 1 : 0));
      socket.resetAndDestroy();
    }
    await waitFor(() => tls.counters().accepted === tls.counters().secured + sumOf(tls.counters().rejected));
    const after = tls.counters().rejected;
    const early = after['closed-early'] - counts.rejected['closed-early'];
    const failed = after['handshake-failed'] - counts.rejected['handshake-failed'];
    assert.equal(early + failed, 2);
    assert.equal(after['handshake-timeout'], counts.rejected['handshake-timeout']);
  });

  test('a client that rejects the certificate ends the connection before any request, and it is counted', HANG_GUARD, async () => {
    const requests = requestsHandled;
    const timeouts = tls.counters().rejected['handshake-timeout'];
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/', servername: SERVER_NAME, agent: false }, resolve);
        req.on('error', reject);
        req.end();
      }),
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    );
    await waitFor(() => tls.counters().accepted === tls.counters().secured + sumOf(tls.counters().rejected));
    assert.equal(requestsHandled, requests);
    assert.equal(tls.counters().rejected['handshake-timeout'], timeouts, 'closed when the client left, not by the timeout');
  });

  test('every accepted connection was rejected or secured, and none reached the request handler', HANG_GUARD, async () => {
    await waitFor(() => tls.counters().accepted === tls.counters().secured + sumOf(tls.counters().rejected));
    assert.equal(requestsHandled, requests);
  });
});

describe('TLS termination: slow clients are closed after the handshake timeout', () => {
  let tls: TlsServer;
  let port: number;
  let running: Running;
  let rejections: Running['rejections'];
  let requests: number;

  before(async () => {
    running = await startTlsServer(300);
    ({ tls, port, rejections } = running);
    requests = requestsHandled;
  });

  after(() => stopTlsServer(running));

  test('a silent connection and a stalled partial hello are closed after the handshake timeout', HANG_GUARD, async () => {
    const counted = tls.counters().rejected['hello-timeout'];
    const silent = await openRaw(port);
    const stalled = await openRaw(port);
    stalled.write(fixtureBytes('firefox-mozilla').subarray(0, 200));
    await Promise.all([readUntilClosed(silent), readUntilClosed(stalled)]);
    assert.equal(tls.counters().rejected['hello-timeout'], counted + 2);
  });

  test('a whole hello followed by silence is closed after the timeout, its fingerprint reported', HANG_GUARD, async () => {
    const counted = tls.counters().rejected['handshake-timeout'];
    const socket = await openRaw(port);
    socket.write(fixtureBytes('chrome-accounts-google'));
    await readUntilClosed(socket);
    assert.equal(tls.counters().rejected['handshake-timeout'], counted + 1);
    const last = rejections.at(-1);
    assert.equal(last?.reason, 'handshake-timeout');
    assert.equal(last?.fingerprint?.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1', "the JA4 specification's example hello");
    assert.equal(last?.fingerprint?.ja3Hash, 'c000e2caf3a25423f9de6c8a4b12a975');
  });

  test('every accepted connection was rejected or secured, and none reached the request handler', HANG_GUARD, async () => {
    await waitFor(() => tls.counters().accepted === tls.counters().secured + sumOf(tls.counters().rejected));
    assert.equal(requestsHandled, requests);
  });
});

function sumOf(counts: Readonly<Record<string, number>>): number {
  let sum = 0;
  for (const value of Object.values(counts)) sum += value;
  return sum;
}

/** Waits, a turn of the event loop at a time, until `condition` holds; gives up after 2 000 turns. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 2_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.fail('condition never held');
}
