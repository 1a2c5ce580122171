/**
 * The TLS ClientHello as a client sends it first on a connection, parsed from raw bytes.
 *
 * Only what fingerprints and logs need is extracted. Lists keep the values exactly as sent, in order,
 * GREASE values included (RFC 8701); fingerprint functions drop GREASE themselves with {@link isGrease}.
 */

/** Extension type numbers this parser reads the bodies of (IANA "TLS ExtensionType Values"). */
export const TLS_EXTENSION = {
  serverName: 0x0000,
  supportedGroups: 0x000a,
  ecPointFormats: 0x000b,
  signatureAlgorithms: 0x000d,
  alpn: 0x0010,
  supportedVersions: 0x002b,
} as const;

/** The fields of one ClientHello that fingerprints and logs use; every list is in the order the client sent it. */
export interface ClientHello {
  /** Version field of the first record header (usually 0x0301); JA3 and JA4 ignore it. */
  readonly recordVersion: number;
  /** `legacy_version` of the hello body (0x0303 for TLS 1.2 and 1.3 clients). */
  readonly legacyVersion: number;
  /** Versions from the supported_versions extension, GREASE included; empty when the extension is absent. */
  readonly supportedVersions: readonly number[];
  /** Cipher suite codes, GREASE and signalling values (0x00ff, 0x5600) included. */
  readonly cipherSuites: readonly number[];
  /** Extension types in the order sent, GREASE included; duplicates are kept as sent. */
  readonly extensions: readonly number[];
  /** First host_name of the server_name extension, one character per byte (latin1); untrusted text. */
  readonly serverName: string | undefined;
  /** ALPN protocol names in order, one character per byte (latin1) so no byte is lost. */
  readonly alpn: readonly string[];
  /** Named groups of the supported_groups extension (JA3's "elliptic curves"), GREASE included. */
  readonly supportedGroups: readonly number[];
  /** EC point format codes of the ec_point_formats extension. */
  readonly ecPointFormats: readonly number[];
  /** Signature scheme codes of the signature_algorithms extension, in order. */
  readonly signatureAlgorithms: readonly number[];
  /** Distinct GREASE values seen anywhere above, in order of first appearance. */
  readonly greaseValues: readonly number[];
}

/** Why bytes were not accepted as a ClientHello. Stable codes: match on these, never on text. */
export type ClientHelloRejection =
  /** The first bytes are not a TLS handshake record (plain HTTP, SSH, SSLv2 hello, random bytes). */
  | 'not-tls'
  /** A TLS handshake record whose first message is not a ClientHello. */
  | 'not-client-hello'
  /** The ClientHello (with its record headers) would exceed the byte bound. */
  | 'too-large'
  /** The bytes break the record or ClientHello syntax of RFC 8446 / RFC 5246. */
  | 'malformed';

/** Outcome of {@link parseClientHello}: a hello, a request for more bytes, or a rejection. */
export type ClientHelloParse =
  /** `length` is how many leading bytes the records carrying the hello take (anything after belongs to later records). */
  | { readonly kind: 'hello'; readonly hello: ClientHello; readonly length: number }
  /** The bytes so far are a valid prefix; do not parse again before at least `atLeast` bytes are buffered. */
  | { readonly kind: 'need-more'; readonly atLeast: number }
  | { readonly kind: 'invalid'; readonly reason: ClientHelloRejection };

/** Default bound on the bytes a ClientHello may take, record headers included (real hellos are 0.2–2 KB). */
export const DEFAULT_MAX_CLIENT_HELLO_BYTES = 16 * 1024;

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;
const CONTENT_TYPE_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const MAX_RECORD_PAYLOAD = 1 << 14;

/** Whether a 16-bit value is one of the sixteen GREASE values of RFC 8701 (0x0a0a, 0x1a1a, … 0xfafa). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/**
 * The highest TLS version the client offers: the largest non-GREASE value of supported_versions, or
 * `legacyVersion` when that extension is absent or holds only GREASE.
 */
export function offeredVersion(hello: ClientHello): number {
  let best = -1;
  for (const v of hello.supportedVersions) if (!isGrease(v) && v > best) best = v;
  return best < 0 ? hello.legacyVersion : best;
}

/**
 * Parses the ClientHello at the start of `bytes`, the data a client sent first on a connection.
 *
 * The hello may be split across TLS records and across reads: call again with all bytes buffered so far
 * (from the first byte) once `atLeast` bytes are there. Each call is linear in `bytes.length` and the wait
 * hints keep a client that drips tiny records from causing quadratic work. Never throws on bad input:
 * garbage, truncation and absurd lengths come back as `invalid` or `need-more`. Never reads past
 * `maxBytes` (default {@link DEFAULT_MAX_CLIENT_HELLO_BYTES}); a hello that would not fit is `too-large`
 * as soon as its declared length shows it.
 *
 * @example
 * const parsed = parseClientHello(buffered);
 * if (parsed.kind === 'hello') console.log(parsed.hello.serverName);
 */
export function parseClientHello(bytes: Uint8Array, maxBytes = DEFAULT_MAX_CLIENT_HELLO_BYTES): ClientHelloParse {
  const first = checkFirstRecordHeader(bytes);
  if (first !== undefined) return first;

  // Reassemble the handshake message from as many records as it spans.
  const fragments: Uint8Array[] = [];
  let message = 0;
  let offset = 0;
  let messageLength = -1;
  for (;;) {
    if (offset + RECORD_HEADER > bytes.length) return needMore(offset + RECORD_HEADER, maxBytes);
    if (bytes[offset] !== CONTENT_TYPE_HANDSHAKE || bytes[offset + 1] !== 0x03) return invalid('malformed');
    const recordLength = readU16(bytes, offset + 3);
    if (recordLength === 0 || recordLength > MAX_RECORD_PAYLOAD) return invalid('malformed');
    const end = offset + RECORD_HEADER + recordLength;
    if (end > maxBytes) return invalid('too-large');
    const available = Math.min(end, bytes.length);
    fragments.push(bytes.subarray(offset + RECORD_HEADER, available));
    message += available - offset - RECORD_HEADER;
    if (messageLength < 0 && message >= HANDSHAKE_HEADER) {
      const head = concat(fragments, HANDSHAKE_HEADER);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('not-client-hello');
      messageLength = HANDSHAKE_HEADER + ((head[1]! << 16) | (head[2]! << 8) | head[3]!);
      // Every byte of the message needs a place in some record; that alone can exceed the bound.
      if (offset + RECORD_HEADER + messageLength > maxBytes) return invalid('too-large');
    }
    if (messageLength >= 0 && message >= messageLength) {
      if (available < end) return needMore(end, maxBytes);
      const hello = parseBody(concat(fragments, messageLength).subarray(HANDSHAKE_HEADER), readU16(bytes, 1));
      return hello === undefined ? invalid('malformed') : { kind: 'hello', hello, length: end };
    }
    if (available < end) {
      // Wait for this record and, when the message length is known, for the rest of the message too.
      const rest = messageLength < 0 ? 0 : messageLength - message - (end - available);
      return needMore(rest > 0 ? end + RECORD_HEADER + rest : end, maxBytes);
    }
    offset = end;
  }
}

function checkFirstRecordHeader(bytes: Uint8Array): ClientHelloParse | undefined {
  if (bytes.length === 0) return { kind: 'need-more', atLeast: 1 };
  if (bytes[0] !== CONTENT_TYPE_HANDSHAKE) return invalid('not-tls');
  if (bytes.length >= 2 && bytes[1] !== 0x03) return invalid('not-tls');
  return undefined;
}

function needMore(atLeast: number, maxBytes: number): ClientHelloParse {
  return atLeast > maxBytes ? invalid('too-large') : { kind: 'need-more', atLeast };
}

function invalid(reason: ClientHelloRejection): ClientHelloParse {
  return { kind: 'invalid', reason };
}

function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** The first `length` bytes of the fragments joined (the caller knows they hold that many). */
function concat(fragments: readonly Uint8Array[], length: number): Uint8Array {
  if (fragments.length === 1) return (fragments[0] as Uint8Array).subarray(0, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const fragment of fragments) {
    if (at >= length) break;
    const take = Math.min(fragment.length, length - at);
    out.set(fragment.subarray(0, take), at);
    at += take;
  }
  return out;
}

/** A bounds-checked reader: every read past the end sets `failed` and yields zeros/empty. */
class Cursor {
  failed = false;
  constructor(
    private readonly bytes: Uint8Array,
    private at = 0,
    private readonly end = bytes.length,
  ) {}

  get remaining(): number {
    return this.end - this.at;
  }

  u8(): number {
    if (this.at + 1 > this.end) return this.invalidate(0);
    return this.bytes[this.at++]!;
  }

  u16(): number {
    if (this.at + 2 > this.end) return this.invalidate(0);
    const v = readU16(this.bytes, this.at);
    this.at += 2;
    return v;
  }

  /** A sub-cursor over the next `length` bytes; this cursor moves past them. */
  take(length: number): Cursor {
    if (this.at + length > this.end) return new Cursor(this.bytes, this.end, this.invalidate(this.end));
    const sub = new Cursor(this.bytes, this.at, this.at + length);
    this.at += length;
    return sub;
  }

  text(length: number): string {
    if (this.at + length > this.end) return this.invalidate('');
    let s = '';
    for (let i = this.at; i < this.at + length; i++) s += String.fromCharCode(this.bytes[i]!);
    this.at += length;
    return s;
  }

  u16List(): number[] {
    const out: number[] = [];
    if (this.remaining % 2 !== 0) return this.invalidate(out);
    while (this.remaining > 0) out.push(this.u16());
    return out;
  }

  /** Marks this cursor failed, moves it to its end and returns `value`. */
  invalidate<T>(value: T): T {
    this.failed = true;
    this.at = this.end;
    return value;
  }
}

/** Parses a ClientHello body (after the 4-byte handshake header); undefined when it breaks the syntax. */
function parseBody(body: Uint8Array, recordVersion: number): ClientHello | undefined {
  const c = new Cursor(body);
  const legacyVersion = c.u16();
  c.take(32);
  const sessionIdLength = c.u8();
  if (sessionIdLength > 32) return undefined;
  c.take(sessionIdLength);
  const suites = c.take(c.u16());
  const cipherSuites = suites.u16List();
  if (cipherSuites.length === 0) return undefined;
  const compressionLength = c.u8();
  if (compressionLength === 0) return undefined;
  c.take(compressionLength);
  if (c.failed || suites.failed) return undefined;

  const hello: Mutable<ClientHello> = {
    recordVersion,
    legacyVersion,
    supportedVersions: [],
    cipherSuites,
    extensions: [],
    serverName: undefined,
    alpn: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    greaseValues: [],
  };
  // TLS 1.0-1.2 allow a hello that ends after compression_methods (no extensions block).
  if (c.remaining > 0) {
    const block = c.take(c.u16());
    if (c.failed || c.remaining !== 0) return undefined;
    const seen = new Set<number>();
    while (block.remaining > 0) {
      const type = block.u16();
      const data = block.take(block.u16());
      if (block.failed) return undefined;
      (hello.extensions as number[]).push(type);
      if (seen.has(type)) continue;
      seen.add(type);
      if (!readExtension(hello, type, data)) return undefined;
    }
  }
  hello.greaseValues = collectGrease(hello);
  return hello;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads the body of one extension this parser knows into `hello`; false when the body breaks its syntax. */
function readExtension(hello: Mutable<ClientHello>, type: number, data: Cursor): boolean {
  switch (type) {
    case TLS_EXTENSION.serverName: {
      if (data.remaining === 0) return true;
      const list = data.take(data.u16());
      while (list.remaining > 0 && !list.failed) {
        const nameType = list.u8();
        const name = list.text(list.u16());
        if (nameType === 0 && hello.serverName === undefined) hello.serverName = name;
      }
      return !list.failed && !data.failed && data.remaining === 0;
    }
    case TLS_EXTENSION.alpn: {
      const list = data.take(data.u16());
      const names: string[] = [];
      while (list.remaining > 0 && !list.failed) names.push(list.text(list.u8()));
      hello.alpn = names;
      return !list.failed && !data.failed && data.remaining === 0;
    }
    case TLS_EXTENSION.supportedGroups:
      hello.supportedGroups = u16Vector(data);
      return !data.failed;
    case TLS_EXTENSION.signatureAlgorithms:
      hello.signatureAlgorithms = u16Vector(data);
      return !data.failed;
    case TLS_EXTENSION.ecPointFormats: {
      const list = data.take(data.u8());
      const formats: number[] = [];
      while (list.remaining > 0) formats.push(list.u8());
      hello.ecPointFormats = formats;
      return !data.failed && data.remaining === 0;
    }
    case TLS_EXTENSION.supportedVersions: {
      const list = data.take(data.u8());
      hello.supportedVersions = list.u16List();
      return !data.failed && !list.failed && data.remaining === 0;
    }
    default:
      return true;
  }
}

/** A vector of u16 values behind a u16 byte length that must fill `data` exactly. */
function u16Vector(data: Cursor): number[] {
  const list = data.take(data.u16());
  const values = list.u16List();
  if (list.failed || data.remaining !== 0) data.invalidate(undefined);
  return values;
}

function collectGrease(hello: ClientHello): number[] {
  const found: number[] = [];
  const lists = [hello.cipherSuites, hello.extensions, hello.supportedGroups, hello.supportedVersions, hello.signatureAlgorithms];
  for (const list of lists) for (const v of list) if (isGrease(v) && !found.includes(v)) found.push(v);
  return found;
}
