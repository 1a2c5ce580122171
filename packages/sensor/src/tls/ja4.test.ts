import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientHello, parseClientHello } from './client-hello.js';
import { loadHelloFixtures, splitIntoRecords } from './fixtures/hellos.js';
import { computeJa4, computeJa4Raw } from './ja4.js';

function parse(bytes: Uint8Array): ClientHello {
  const parsed = parseClientHello(bytes);
  assert.equal(parsed.kind, 'hello');
  return (parsed as { hello: ClientHello }).hello;
}

/** The ClientHello of the JA4 specification's worked example (technical_details/JA4.md). */
const specHello: ClientHello = {
  recordVersion: 0x0301,
  legacyVersion: 0x0303,
  supportedVersions: [0x5a5a, 0x0304, 0x0303],
  cipherSuites: [
    0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
  ],
  extensions: [
    0x0a0a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
  ],
  serverName: 'example.com',
  alpn: ['h2', 'http/1.1'],
  supportedGroups: [0x8a8a, 0x001d, 0x0017, 0x0018],
  ecPointFormats: [0],
  signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  greaseValues: [0x5a5a, 0x1a1a, 0x0a0a, 0x8a8a],
};

test("the JA4 specification's worked example", () => {
  assert.equal(computeJa4(specHello), 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.equal(computeJa4(specHello, { original: true }), 't13d1516h2_acb858a92679_18f69afefd3d');
  assert.equal(
    computeJa4Raw(specHello),
    't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_' +
      '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
  );
  // Without signature algorithms the extension list is hashed alone, with no trailing underscore.
  assert.equal(computeJa4({ ...specHello, signatureAlgorithms: [] }).split('_')[2], '6d807ffa2a79');
});

test('JA4, JA4_r, JA4_o and JA4_ro of recorded hellos match the values FoxIO publishes for them', () => {
  for (const fixture of loadHelloFixtures()) {
    const hello = parse(fixture.bytes);
    assert.equal(computeJa4(hello), fixture.expected.ja4, fixture.name);
    assert.equal(computeJa4Raw(hello), fixture.expected.ja4r, fixture.name);
    assert.equal(computeJa4(hello, { original: true }), fixture.expected.ja4o, fixture.name);
    assert.equal(computeJa4Raw(hello, { original: true }), fixture.expected.ja4ro, fixture.name);
  }
});

test('JA4 does not change when Chrome shuffles its extensions or the hello is split into records', () => {
  const chrome = loadHelloFixtures().find((f) => f.name === 'chrome-accounts-google');
  assert.ok(chrome);
  const hello = parse(chrome.bytes);
  const shuffled = { ...hello, extensions: [...hello.extensions].reverse() };
  assert.equal(computeJa4(shuffled), computeJa4(hello));
  assert.notEqual(computeJa4(shuffled, { original: true }), computeJa4(hello, { original: true }));
  assert.equal(computeJa4(parse(splitIntoRecords(chrome.bytes, 64))), computeJa4(hello));
});

test('ALPN characters follow the specification, hex digits when an end byte is not alphanumeric', () => {
  const cases: [number[] | undefined, string][] = [
    [[0x68, 0x32], 'h2'],
    [[...Buffer.from('http/1.1')], 'h1'],
    [[0x68], 'hh'],
    [[], '00'],
    [undefined, '00'],
    [[0xab], 'ab'],
    [[0x20], '20'],
    [[0xab, 0xcd], 'ad'],
    [[0x20, 0x61], '21'],
    [[0x30, 0xab], '3b'],
    [[0x61, 0x20], '60'],
    [[0x30, 0x31, 0xab, 0xcd], '3d'],
    [[0x30, 0xab, 0xcd, 0x31], '01'],
  ];
  for (const [bytes, expected] of cases) {
    const alpn = bytes === undefined ? [] : [String.fromCharCode(...bytes)];
    assert.equal(computeJa4({ ...specHello, alpn }).slice(8, 10), expected, JSON.stringify(bytes));
  }
});

test('part a: versions, SNI, counts capped at 99, transport letter', () => {
  const noSni = { ...specHello, extensions: specHello.extensions.filter((v) => v !== 0) };
  assert.equal(computeJa4(noSni).slice(0, 10), 't13i1515h2');
  assert.equal(computeJa4({ ...specHello, supportedVersions: [] }).slice(0, 3), 't12');
  assert.equal(computeJa4({ ...specHello, supportedVersions: [0x7f17] }).slice(0, 3), 't00');
  assert.equal(computeJa4({ ...specHello, supportedVersions: [], legacyVersion: 0x0300 }).slice(0, 3), 'ts3');
  const many = { ...specHello, cipherSuites: Array.from({ length: 150 }, (_, i) => i + 1) };
  assert.equal(computeJa4(many).slice(4, 6), '99');
  assert.equal(computeJa4(specHello, { transport: 'q' })[0], 'q');
});

test('a hello whose only extension is SNI hashes its extensions to zeros, sorted or original', () => {
  const sniOnly = { ...specHello, extensions: [0x0000], signatureAlgorithms: [], alpn: [] };
  assert.equal(computeJa4(sniOnly).split('_')[2], '000000000000');
  assert.equal(computeJa4(sniOnly, { original: true }).split('_')[2], '000000000000');
  assert.equal(computeJa4Raw(sniOnly, { original: true }).split('_')[2], '0000');
});
