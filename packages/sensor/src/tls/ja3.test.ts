import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientHello, parseClientHello } from './client-hello.js';
import { loadHelloFixtures } from './fixtures/hellos.js';
import { computeJa3, ja3Hash } from './ja3.js';

function parse(bytes: Uint8Array): ClientHello {
  const parsed = parseClientHello(bytes);
  assert.equal(parsed.kind, 'hello');
  return (parsed as { hello: ClientHello }).hello;
}

test('JA3 of recorded hellos matches what Wireshark computes for the same packets', () => {
  for (const fixture of loadHelloFixtures()) {
    const ja3 = computeJa3(parse(fixture.bytes));
    assert.equal(ja3.text, fixture.expected.ja3, fixture.name);
    assert.equal(ja3.hash, fixture.expected.ja3Hash, fixture.name);
  }
});

test("the JA3 README's worked examples hash to the published values", () => {
  assert.equal(ja3Hash('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0'), 'ada70206e40642a3e4461f35503241d5');
  assert.equal(ja3Hash('769,4-5-10-9-100-98-3-6-19-18-99,,,'), 'de350869b8c85de67a350c8d186f11e6');
});

test('a hello without an extensions block gives empty fields (README example built as bytes)', () => {
  const bytes = helloWithoutExtensions(0x0301, [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99]);
  const ja3 = computeJa3(parse(bytes));
  assert.equal(ja3.text, '769,4-5-10-9-100-98-3-6-19-18-99,,,');
  assert.equal(ja3.hash, 'de350869b8c85de67a350c8d186f11e6');
});

test('GREASE is dropped from every JA3 field, and order is kept', () => {
  const hello: ClientHello = {
    recordVersion: 0x0301,
    legacyVersion: 0x0301,
    supportedVersions: [],
    cipherSuites: [0x2a2a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
    extensions: [0xfafa, 0, 10, 0x0a0a, 11],
    serverName: 'example.com',
    alpn: [],
    supportedGroups: [0x3a3a, 23, 24, 25],
    ecPointFormats: [0],
    signatureAlgorithms: [],
    greaseValues: [0x2a2a, 0xfafa, 0x0a0a, 0x3a3a],
  };
  assert.deepEqual(computeJa3(hello), {
    text: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0',
    hash: 'ada70206e40642a3e4461f35503241d5',
  });
});

/** A minimal single-record ClientHello with no extensions block (legal up to TLS 1.2). */
function helloWithoutExtensions(version: number, suites: readonly number[]): Buffer {
  const body = Buffer.concat([
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    Buffer.from([0, suites.length * 2]),
    Buffer.from(suites.flatMap((s) => [s >> 8, s & 0xff])),
    Buffer.from([1, 0]),
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, handshake.length >> 8, handshake.length & 0xff]), handshake]);
}
