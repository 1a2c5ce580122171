import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer, type RequestListener, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import {
  type ClientHello,
  type ClientHelloRejection,
  DEFAULT_MAX_CLIENT_HELLO_BYTES,
  offeredVersion,
  parseClientHello,
} from './client-hello.js';
import { computeJa3 } from './ja3.js';
import { computeJa4 } from './ja4.js';

/** What the sensor keeps of a client's ClientHello: fingerprints and a few plain fields, never the raw bytes. */
export interface TlsFingerprint {
  /** JA3 text (`SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`). */
  readonly ja3: string;
  /** MD5 of `ja3`, 32 hex characters. */
  readonly ja3Hash: string;
  /** JA4 fingerprint, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`; prefer it to JA3 to recognise a client. */
  readonly ja4: string;
  /** Server name the client asked for (SNI), untrusted text; undefined when it sent none. */
  readonly serverName: string | undefined;
  /** Highest version the client offered (`TLSv1.3`, `TLSv1.2`, `TLSv1.1`, `TLSv1`, `SSLv3`, else `unknown`). */
  readonly tlsVersion: string;
  /** ALPN protocols the client offered, in its order (the negotiated one is `socket.alpnProtocol`). */
  readonly alpn: readonly string[];
}

/** Why a connection was closed before reaching HTTP. Stable codes for counters and logs. */
export type TlsRejection =
  | ClientHelloRejection
  /** Plain HTTP sent to the TLS port; answered with a 400 before closing. */
  | 'plain-http'
  /** No complete ClientHello within the handshake timeout. */
  | 'hello-timeout'
  /** ClientHello read but the handshake did not finish within the timeout. */
  | 'handshake-timeout'
  /** The TLS library rejected the handshake (no shared version or cipher, bad record, client alert). */
  | 'handshake-failed'
  /** The client closed or reset the connection before the handshake finished. */
  | 'closed-early';

const REJECTIONS: readonly TlsRejection[] = [
  'not-tls',
  'not-client-hello',
  'too-large',
  'malformed',
  'plain-http',
  'hello-timeout',
  'handshake-timeout',
  'handshake-failed',
  'closed-early',
];

/** A snapshot of what TLS termination has done since it was attached. */
export interface TlsTerminationCounters {
  /** TCP connections accepted. */
  readonly accepted: number;
  /** Connections whose handshake finished and that were handed to HTTP. */
  readonly secured: number;
  /** Connections closed before HTTP, by reason. */
  readonly rejected: Readonly<Record<TlsRejection, number>>;
}

/** Certificate, limits and hooks for {@link attachTlsTermination}. */
export interface TlsTerminationOptions {
  /** Certificate chain in PEM: a Buffer holds the PEM itself, a string is the path of a PEM file. */
  readonly cert: Buffer | string;
  /** Private key in PEM: a Buffer holds the PEM itself, a string is the path of a PEM file. */
  readonly key: Buffer | string;
  /**
   * ALPN protocols the server accepts, in preference order. Default `['http/1.1']` (node:http speaks only HTTP/1).
   * A client that offers ALPN without any of these (an h2-only gRPC client) fails the handshake with alert 120,
   * counted as `handshake-failed`; a client that offers no ALPN is served.
   */
  readonly alpnProtocols?: readonly string[];
  /** Time from accepting a connection to a finished handshake, in ms; slower clients are dropped. Default 10 000. */
  readonly handshakeTimeoutMs?: number;
  /**
   * Bound on the ClientHello with its record headers, in bytes. Default 16 KiB. A connection never has more
   * than this plus one socket read (at most 64 KiB) buffered before it is fingerprinted or closed as `too-large`.
   */
  readonly maxHelloBytes?: number;
  /**
   * Called once per connection closed before HTTP, after it is counted; for logging a sample. `socket` is the
   * raw TCP socket (for its address); `fingerprint` is there when a whole ClientHello was read, so clients
   * that fail or abandon the handshake (scanners, old TLS stacks) can be recognised too. Must not throw.
   */
  readonly onReject?: (reason: TlsRejection, socket: Socket, fingerprint: TlsFingerprint | undefined) => void;
}

/** Handle on TLS termination attached to an HTTP server. */
export interface TlsTermination {
  /** Counters so far (a copy). */
  counters(): TlsTerminationCounters;
}

const fingerprints = new WeakMap<Socket, TlsFingerprint>();

/**
 * The TLS fingerprint of the connection a request came on (`tlsFingerprintOf(req.socket)`), or undefined
 * when the socket did not come through {@link attachTlsTermination}. Computed once per connection.
 */
export function tlsFingerprintOf(socket: Socket | null | undefined): TlsFingerprint | undefined {
  return socket ? fingerprints.get(socket) : undefined;
}

const VERSION_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0304, 'TLSv1.3'],
  [0x0303, 'TLSv1.2'],
  [0x0302, 'TLSv1.1'],
  [0x0301, 'TLSv1'],
  [0x0300, 'SSLv3'],
]);

/** Computes the fingerprint record of a parsed ClientHello (what {@link tlsFingerprintOf} returns). */
export function fingerprintClientHello(hello: ClientHello): TlsFingerprint {
  const ja3 = computeJa3(hello);
  return {
    ja3: ja3.text,
    ja3Hash: ja3.hash,
    ja4: computeJa4(hello),
    serverName: hello.serverName,
    tlsVersion: VERSION_NAMES.get(offeredVersion(hello)) ?? 'unknown',
    alpn: hello.alpn,
  };
}

const PLAIN_HTTP_REPLY =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 32\r\nConnection: close\r\n\r\nThis port only speaks HTTPS/TLS\n';

/**
 * Makes a plain `node:http` server terminate TLS itself, reading each client's ClientHello first so its
 * JA3/JA4 fingerprints are known before the first request ({@link tlsFingerprintOf}).
 *
 * How: the server's own `'connection'` listeners (node's HTTP parser among them) are taken off and called
 * later with the decrypted socket. Each raw TCP connection is read until a whole ClientHello is buffered
 * (bounded by `maxHelloBytes` and the handshake timeout), fingerprinted, pushed back with `socket.unshift`,
 * and wrapped in a server-side `tls.TLSSocket`, which replays the buffered bytes into OpenSSL. Once the
 * handshake is done the TLS socket goes to HTTP, so `server.listen()`, `close()`, `closeAllConnections()`,
 * `headersTimeout` and `requestTimeout` work as on any HTTP server. Attach before adding other
 * `'connection'` listeners: listeners added later see raw TCP sockets. Do not use on an `https.Server`.
 *
 * Connections that are not TLS, carry a bad or oversized ClientHello, fail or stall the handshake are closed
 * and counted; plain HTTP gets a 400 first. Nothing is thrown for client behaviour. The raw hello is dropped
 * once fingerprinted; only the {@link TlsFingerprint} lives on, as long as the socket does.
 *
 * @example
 * const server = http.createServer(handler);
 * const tls = attachTlsTermination(server, { cert: 'cert.pem', key: 'key.pem' });
 * server.listen(8443);
 * // in handler: tlsFingerprintOf(req.socket)?.ja4
 */
export function attachTlsTermination(server: HttpServer, options: TlsTerminationOptions): TlsTermination {
  const secureContext = createSecureContext({ cert: readPem(options.cert), key: readPem(options.key) });
  const alpnProtocols = [...(options.alpnProtocols ?? ['http/1.1'])];
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const maxHelloBytes = options.maxHelloBytes ?? DEFAULT_MAX_CLIENT_HELLO_BYTES;
  const counts = { accepted: 0, secured: 0, rejected: Object.fromEntries(REJECTIONS.map((r) => [r, 0])) as Record<TlsRejection, number> };

  const downstream = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');

  const reject = (socket: Socket, reason: TlsRejection, fingerprint: TlsFingerprint | undefined): void => {
    counts.rejected[reason]++;
    options.onReject?.(reason, socket, fingerprint);
  };

  server.on('connection', (raw: Socket) => {
    counts.accepted++;
    handleConnection(raw, {
      secureContext,
      alpnProtocols,
      timeoutMs,
      maxHelloBytes,
      reject,
      secured: (socket) => {
        counts.secured++;
        for (const listener of downstream) listener.call(server, socket);
      },
    });
  });

  return {
    counters: () => ({ accepted: counts.accepted, secured: counts.secured, rejected: { ...counts.rejected } }),
  };
}

/** Options of {@link createTlsServer}: TLS termination plus the options of the underlying `node:http` server. */
export interface TlsServerOptions extends TlsTerminationOptions {
  /** Passed to `http.createServer` as is (timeouts, `maxHeaderSize`, `keepAliveTimeout`…). */
  readonly http?: ServerOptions;
}

/** A `node:http` server that terminates TLS itself, and its counters. */
export interface TlsServer extends TlsTermination {
  /** The HTTP server to `listen()` on and `close()`; its requests' sockets are `tls.TLSSocket`s. */
  readonly server: HttpServer;
}

/**
 * Creates a `node:http` server with {@link attachTlsTermination} already attached: HTTPS whose requests
 * carry their connection's JA3/JA4 ({@link tlsFingerprintOf}). Throws only when the certificate or key
 * cannot be read or do not form a valid pair; the server is not listening yet.
 *
 * @example
 * const { server } = createTlsServer({ cert: certPem, key: keyPem }, (req, res) => {
 *   res.end(tlsFingerprintOf(req.socket)?.ja4);
 * });
 * server.listen(8443, '127.0.0.1');
 */
export function createTlsServer(options: TlsServerOptions, listener?: RequestListener): TlsServer {
  const server = createServer(options.http ?? {}, listener);
  return { server, ...attachTlsTermination(server, options) };
}

interface ConnectionSetup {
  readonly secureContext: SecureContext;
  readonly alpnProtocols: string[];
  readonly timeoutMs: number;
  readonly maxHelloBytes: number;
  readonly reject: (socket: Socket, reason: TlsRejection, fingerprint: TlsFingerprint | undefined) => void;
  readonly secured: (socket: TLSSocket) => void;
}

/** Reads one connection's ClientHello, then runs the TLS handshake; exactly one of reject/secured is called. */
function handleConnection(raw: Socket, setup: ConnectionSetup): void {
  const chunks: Buffer[] = [];
  let buffered = 0;
  let needed = 1;
  let done = false;
  let tlsSocket: TLSSocket | undefined;
  let fingerprint: TlsFingerprint | undefined;

  const finish = (reason: TlsRejection | undefined): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    raw.removeListener('data', onData);
    if (reason !== undefined) setup.reject(raw, reason, fingerprint);
  };

  const timer = setTimeout(() => {
    finish(tlsSocket === undefined ? 'hello-timeout' : 'handshake-timeout');
    (tlsSocket ?? raw).destroy();
  }, setup.timeoutMs);

  const onRawEnd = (): void => {
    if (tlsSocket === undefined) finish('closed-early');
  };
  // node:http servers allow half-open sockets, so a client that sends FIN mid-hello would otherwise linger.
  const onRawFin = (): void => {
    if (tlsSocket !== undefined) return;
    finish('closed-early');
    raw.destroy();
  };

  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    buffered += chunk.length;
    if (buffered < needed) return;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
    chunks.length = 0;
    chunks.push(bytes);
    const parsed = parseClientHello(bytes, setup.maxHelloBytes);
    if (parsed.kind === 'need-more') {
      needed = parsed.atLeast;
      return;
    }
    raw.pause();
    raw.removeListener('data', onData);
    if (parsed.kind === 'invalid') {
      const plainHttp = parsed.reason === 'not-tls' && looksLikeHttp(bytes);
      finish(plainHttp ? 'plain-http' : parsed.reason);
      if (plainHttp) raw.end(PLAIN_HTTP_REPLY, () => raw.destroy());
      else raw.destroy();
      return;
    }
    startTls(bytes, parsed.hello);
  };

  const startTls = (bytes: Buffer, hello: ClientHello): void => {
    raw.removeListener('error', onRawEnd);
    raw.removeListener('close', onRawEnd);
    raw.removeListener('end', onRawFin);
    raw.unshift(bytes);
    const socket = new TLSSocket(raw, { isServer: true, secureContext: setup.secureContext, ALPNProtocols: setup.alpnProtocols });
    tlsSocket = socket;
    fingerprint = fingerprintClientHello(hello);
    fingerprints.set(socket, fingerprint);
    let failed = false;
    const onError = (): void => {
      failed = true;
      socket.destroy();
    };
    const onClose = (): void => finish(failed ? 'handshake-failed' : 'closed-early');
    // The TLS socket inherits the server's allowHalfOpen, so a client's FIN mid-handshake must close it here.
    const onEnd = (): void => {
      socket.destroy();
    };
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.once('end', onEnd);
    socket.once('secure', () => {
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('end', onEnd);
      finish(undefined);
      setup.secured(socket);
    });
  };

  raw.on('data', onData);
  raw.on('error', onRawEnd);
  raw.on('close', onRawEnd);
  raw.on('end', onRawFin);
}

/** Whether the bytes open like an HTTP/1 request line (`GET /`, `POST /`, `OPTIONS *`…). */
function looksLikeHttp(bytes: Buffer): boolean {
  let i = 0;
  while (i < bytes.length && i < 16 && bytes[i]! >= 0x41 && bytes[i]! <= 0x5a) i++;
  return i >= 3 && i < bytes.length && bytes[i] === 0x20;
}

function readPem(source: Buffer | string): Buffer {
  return typeof source === 'string' ? readFileSync(source) : source;
}
