import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '@palisade/testkit';
import { type ClientHello, type ClientHelloParse, isGrease, offeredVersion, parseClientHello } from './client-hello.js';
import { loadHelloFixtures, splitIntoRecords } from './fixtures/hellos.js';

const fixtures = loadHelloFixtures();
const byName = (name: string) => {
  const found = fixtures.find((f) => f.name === name);
  assert.ok(found, `fixture ${name}`);
  return found;
};

function helloOf(parsed: ClientHelloParse): ClientHello {
  assert.equal(parsed.kind, 'hello', JSON.stringify(parsed));
  return (parsed as { hello: ClientHello }).hello;
}

test('every recorded ClientHello parses whole, with the SNI the capture shows', () => {
  for (const fixture of fixtures) {
    const parsed = parseClientHello(fixture.bytes);
    assert.equal(parsed.kind, 'hello', fixture.name);
    assert.equal((parsed as { length: number }).length, fixture.bytes.length, fixture.name);
    assert.equal(helloOf(parsed).serverName, fixture.expected.sni, fixture.name);
  }
});

test("Chrome's hello: fields in the order sent, GREASE kept in lists and recognised", () => {
  const hello = helloOf(parseClientHello(byName('chrome-accounts-google').bytes));
  assert.equal(hello.recordVersion, 0x0301);
  assert.equal(hello.legacyVersion, 0x0303);
  assert.equal(offeredVersion(hello), 0x0304);
  assert.deepEqual(hello.alpn, ['h2', 'http/1.1']);
  assert.equal(hello.cipherSuites.length, 16, '15 suites plus one GREASE value');
  assert.ok(isGrease(hello.cipherSuites[0]!), 'Chrome puts GREASE first');
  assert.ok(isGrease(hello.extensions[0]!), 'and a GREASE extension first');
  assert.equal(hello.extensions.filter(isGrease).length, 2, 'and another one near the end');
  assert.deepEqual(
    hello.extensions.filter((v) => !isGrease(v)),
    [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
  );
  assert.deepEqual(
    hello.supportedGroups.filter((v) => !isGrease(v)),
    [29, 23, 24],
  );
  assert.deepEqual(hello.ecPointFormats, [0]);
  assert.deepEqual(hello.signatureAlgorithms, [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]);
  assert.ok(hello.greaseValues.length >= 2);
  assert.ok(hello.greaseValues.every(isGrease));
});

test('a TLS 1.0 hello without supported_versions offers its legacy version', () => {
  const hello = helloOf(parseClientHello(byName('tls10-github').bytes));
  assert.deepEqual(hello.supportedVersions, []);
  assert.equal(offeredVersion(hello), 0x0301);
  assert.deepEqual(hello.extensions, [0]);
  assert.deepEqual(hello.alpn, []);
});

test('GREASE values are exactly the sixteen of RFC 8701', () => {
  const grease: number[] = [];
  for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) grease.push(v);
  assert.deepEqual(
    grease,
    Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a),
  );
});

test('a hello split across records parses to the same fields', () => {
  const fixture = byName('firefox-mozilla');
  const whole = helloOf(parseClientHello(fixture.bytes));
  for (const size of [1, 3, 4, 5, 100, 511]) {
    const split = splitIntoRecords(fixture.bytes, size);
    const parsed = parseClientHello(split);
    assert.deepEqual(helloOf(parsed), whole, `records of ${size} bytes`);
    assert.equal((parsed as { length: number }).length, split.length);
  }
});

test('a hello arriving a few bytes at a time asks for more until complete, and the hints never overshoot', () => {
  const split = splitIntoRecords(byName('safari-macos').bytes, 7);
  const random = createRandom(7);
  let buffered = 0;
  let parses = 0;
  let result: ClientHelloParse = { kind: 'need-more', atLeast: 1 };
  while (result.kind === 'need-more') {
    assert.ok(result.atLeast <= split.length, `hint ${result.atLeast} beyond the ${split.length} bytes the hello takes`);
    buffered = Math.min(split.length, Math.max(buffered + 1 + Math.floor(random() * 40), result.atLeast));
    result = parseClientHello(split.subarray(0, buffered));
    parses++;
    assert.ok(parses < 1000, 'bounded');
  }
  assert.equal(result.kind, 'hello');
});

test('dripping one-byte records needs few parses thanks to the hints', () => {
  const split = splitIntoRecords(byName('chrome-accounts-google').bytes, 1);
  let parses = 0;
  let result: ClientHelloParse = { kind: 'need-more', atLeast: 1 };
  while (result.kind === 'need-more') {
    result = parseClientHello(split.subarray(0, result.atLeast));
    parses++;
  }
  assert.equal(result.kind, 'hello');
  assert.ok(parses < 60, `${parses} parses for a ${split.length}-byte hello`);
});

test('bytes after the hello are not part of it', () => {
  const fixture = byName('tls12-cloudflare');
  const withMore = Buffer.concat([fixture.bytes, Buffer.from('170303000501020304', 'hex')]);
  const parsed = parseClientHello(withMore);
  assert.equal(parsed.kind, 'hello');
  assert.equal((parsed as { length: number }).length, fixture.bytes.length);
});

test('every prefix of a hello is a valid prefix, never an error', () => {
  const bytes = byName('tls12-no-alpn').bytes;
  for (let n = 0; n < bytes.length; n++) {
    const parsed = parseClientHello(bytes.subarray(0, n));
    assert.equal(parsed.kind, 'need-more', `prefix of ${n} bytes`);
    assert.ok((parsed as { atLeast: number }).atLeast > n);
  }
});

test('non-TLS openings are rejected from the first bytes', () => {
  for (const text of ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'SSH-2.0-OpenSSH_9.6\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']) {
    assert.deepEqual(parseClientHello(Buffer.from(text)), { kind: 'invalid', reason: 'not-tls' }, text);
  }
  assert.deepEqual(parseClientHello(Buffer.from([0x80, 0x2e, 0x01, 0x00, 0x02])), { kind: 'invalid', reason: 'not-tls' }, 'SSLv2 hello');
  assert.deepEqual(parseClientHello(Buffer.from([0x16, 0x04])), { kind: 'invalid', reason: 'not-tls' });
});

test('a handshake record that is not a ClientHello is rejected', () => {
  const bytes = Buffer.from(byName('tls12-no-alpn').bytes);
  bytes[5] = 0x02; // ServerHello
  assert.deepEqual(parseClientHello(bytes), { kind: 'invalid', reason: 'not-client-hello' });
});

test('declared lengths past the bound are too large before the bytes arrive', () => {
  const hugeMessage = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0xff, 0xff, 0xff]);
  assert.deepEqual(parseClientHello(hugeMessage), { kind: 'invalid', reason: 'too-large' });
  const bytes = byName('firefox-mozilla').bytes;
  assert.deepEqual(parseClientHello(bytes, 400), { kind: 'invalid', reason: 'too-large' });
  assert.equal(parseClientHello(bytes, bytes.length).kind, 'hello');
});

test('broken record and hello syntax is malformed', () => {
  const base = byName('tls12-no-alpn').bytes;
  const cases: [string, (b: Buffer) => Buffer][] = [
    ['record length over 2^14', (b) => withU16(b, 3, 0x4001)],
    ['empty record', () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00])],
    [
      'second record of another content type',
      (b) => Buffer.concat([splitIntoRecords(b, 50).subarray(0, 55), Buffer.from([0x17, 3, 3, 0, 1, 0])]),
    ],
    ['session id longer than 32', (b) => withByte(b, SESSION_ID_LENGTH_AT, 33)],
    ['odd cipher suite length', (b) => withU16(b, suitesLengthAt(b), b.readUInt16BE(suitesLengthAt(b)) + 1)],
    ['extensions block longer than the hello', (b) => withU16(b, extensionsLengthAt(b), b.readUInt16BE(extensionsLengthAt(b)) + 1)],
    ['trailing byte inside the message', (b) => growMessage(b, Buffer.from([0]))],
  ];
  for (const [name, mutate] of cases) {
    assert.deepEqual(parseClientHello(mutate(Buffer.from(base))), { kind: 'invalid', reason: 'malformed' }, name);
  }
});

test('seeded random mutations never throw and always give one of the three outcomes', () => {
  const random = createRandom(0x7151);
  const samples = fixtures.map((f) => f.bytes);
  const counts = { hello: 0, 'need-more': 0, invalid: 0 };
  for (let i = 0; i < 20_000; i++) {
    const sample = Buffer.from(samples[i % samples.length]!);
    const mutated = mutateBytes(sample, random);
    const parsed = parseClientHello(mutated);
    counts[parsed.kind]++;
    if (parsed.kind === 'hello') assert.ok(parsed.length <= mutated.length);
    if (parsed.kind === 'need-more') assert.ok(parsed.atLeast > mutated.length);
  }
  assert.ok(counts.invalid > 1000 && counts['need-more'] > 1000 && counts.hello > 100, JSON.stringify(counts));
});

test('random garbage is rejected or asks for more, never throws', () => {
  const random = createRandom(99);
  for (let i = 0; i < 5_000; i++) {
    const bytes = Buffer.alloc(Math.floor(random() * 600));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
    if (i % 2 === 0 && bytes.length > 2) bytes.set([0x16, 0x03], 0);
    const parsed = parseClientHello(bytes);
    assert.ok(parsed.kind === 'invalid' || parsed.kind === 'need-more' || parsed.kind === 'hello');
  }
});

/** Offset of the session id length in a single-record hello: record header, handshake header, version, random. */
const SESSION_ID_LENGTH_AT = 5 + 4 + 2 + 32;

/** Offset of the cipher suites length of a single-record hello. */
function suitesLengthAt(b: Buffer): number {
  return SESSION_ID_LENGTH_AT + 1 + (b[SESSION_ID_LENGTH_AT] ?? 0);
}

/** Offset of the extensions block length of a single-record hello. */
function extensionsLengthAt(b: Buffer): number {
  const compressionAt = suitesLengthAt(b) + 2 + b.readUInt16BE(suitesLengthAt(b));
  return compressionAt + 1 + (b[compressionAt] ?? 0);
}

function withU16(b: Buffer, at: number, value: number): Buffer {
  b.writeUInt16BE(value, at);
  return b;
}

function withByte(b: Buffer, at: number, value: number): Buffer {
  b[at] = value;
  return b;
}

/** Appends bytes to the hello message, fixing the record and handshake lengths. */
function growMessage(b: Buffer, extra: Buffer): Buffer {
  const out = Buffer.concat([b, extra]);
  out.writeUInt16BE(out.readUInt16BE(3) + extra.length, 3);
  out.writeUIntBE(out.readUIntBE(6, 3) + extra.length, 6, 3);
  return out;
}

function mutateBytes(sample: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * sample.length);
  switch (Math.floor(random() * 5)) {
    case 0:
      return sample.subarray(0, at);
    case 1:
      sample[at] = Math.floor(random() * 256);
      return sample;
    case 2:
      sample[at] = 0xff;
      if (at + 1 < sample.length) sample[at + 1] = 0xff;
      return sample;
    case 3:
      return Buffer.concat([sample.subarray(0, at), sample.subarray(at + 1 + Math.floor(random() * 8))]);
    default:
      return Buffer.concat([sample.subarray(0, at), sample.subarray(Math.max(0, at - 16), at), sample.subarray(at)]);
  }
}
