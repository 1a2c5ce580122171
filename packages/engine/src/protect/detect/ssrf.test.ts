import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectRemoteFileInclusion, detectSsrf, detectSsrfPrivate } from './ssrf.js';

const inUrl = { location: 'query:url' };

describe('ssrf', () => {
  it('exports its detectors by rule name', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['rfi', 'ssrf', 'ssrf-private']);
  });

  for (const [attack, detail] of [
    ['http://169.254.169.254/latest/meta-data/', 'metadata-address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata-address'],
    ['http://[fd00:ec2::254]/latest/', 'metadata-address'],
    ['http://127.0.0.1:8080/admin', 'loopback-address'],
    ['http://localhost/server-status', 'loopback-address'],
    ['http://[::1]/', 'loopback-address'],
    ['http://[::ffff:127.0.0.1]/', 'loopback-address'],
    ['http://2130706433/', 'loopback-address'],
    ['http://0x7f000001/', 'loopback-address'],
    ['http://0177.0.0.1/', 'loopback-address'],
    ['http://127.1/', 'loopback-address'],
    ['http://0/', 'unspecified-address'],
    ['http://trusted.example@127.0.0.1/', 'loopback-address'],
    ['http://127.0.0.1.nip.io/', 'loopback-address'],
    ['http://0xcb.0x0.0x71.0x5/', 'encoded-address'],
    ['gopher://203.0.113.5:6379/_INFO', 'gopher-scheme'],
    ['dict://203.0.113.5:11211/stats', 'dict-scheme'],
    ['localhost:8080/admin', 'loopback-address'],
  ] as const) {
    it(`reports ${attack}`, () => {
      assert.equal(detectSsrf(attack, inUrl)?.detail, detail);
    });
  }

  for (const benign of [
    'https://example.com/a?b=1',
    'http://203.0.113.9/x',
    'https://www.example.com:443/',
    '12:30',
    'file:38b50ca6',
    'dict:en',
    '127.0.0.1:8081',
    'see http://localhost in the docs',
    'http://10.0.0.1/',
  ]) {
    it(`passes ${JSON.stringify(benign)} at paranoia 1`, () => {
      assert.equal(detectSsrf(benign, inUrl), undefined);
    });
  }

  it('reports private ranges and embedded internal URLs at paranoia 2', () => {
    assert.equal(detectSsrfPrivate('http://10.0.0.1/', inUrl)?.detail, 'private-address');
    assert.equal(detectSsrfPrivate('http://192.168.1.1/', inUrl)?.detail, 'private-address');
    assert.equal(detectSsrfPrivate('http://[fd12::1]/', inUrl)?.detail, 'private-address');
    assert.equal(detectSsrfPrivate('fetch http://172.16.0.5/x now', inUrl)?.detail, 'private-address');
    assert.equal(detectSsrfPrivate('http://172.32.0.5/', inUrl), undefined);
  });
});

describe('rfi', () => {
  it('reports a remote URL cut short', () => {
    assert.equal(detectRemoteFileInclusion('http://evil.example/shell.txt?', inUrl)?.detail, 'url-cut-short');
    assert.equal(detectRemoteFileInclusion('https://evil.example/c99.php??', inUrl)?.detail, 'url-cut-short');
    assert.equal(detectRemoteFileInclusion('https://evil.example/c99.txt#', inUrl)?.detail, 'url-cut-short');
    assert.equal(detectRemoteFileInclusion('https://example.com/index.php#top', inUrl), undefined);
  });

  it('reports a remote script in an include-like parameter only', () => {
    const page = { location: 'query:page' };
    assert.equal(detectRemoteFileInclusion('http://evil.example/shell.txt', page)?.detail, 'remote-script');
    assert.equal(detectRemoteFileInclusion('http://evil.example/shell.txt', { location: 'query:q' }), undefined);
  });

  it('reports a script or FTP resource on a bare public IP address', () => {
    for (const attack of [
      'http://66.240.183.75/crash.php',
      'https://[2001:41d0:701:1100::29c8]/gecko.php',
      'https://2001:41d0:701:1100::29c8/gecko.php',
      'ftp://1.1.1.1',
      'http://user@203.0.113.9:8080/shell.txt',
    ]) {
      assert.equal(detectRemoteFileInclusion(attack, inUrl)?.detail, 'ip-host-script', attack);
    }
  });

  it('reports any remote URL in a PHP include-root parameter', () => {
    for (const name of ['mosConfig_absolute_path', '_CONF[path]', 'phpbb_root_path', 'GLOBALS[include_dir]']) {
      assert.equal(detectRemoteFileInclusion('https://foo.example', { location: `query:${name}` })?.detail, 'remote-include-root', name);
    }
    assert.equal(detectRemoteFileInclusion('https://foo.example', { location: 'query:redirect_path' }), undefined);
  });

  for (const benign of [
    'http://10.0.0.5/hook',
    'http://10.0.0.5/hook.php',
    'http://203.0.113.9/api/v1/events',
    'http://203.0.113.9:8080/',
    'https://8.8.8.8/resolve?name=example.com',
    'https://cdn.example/b.php',
    'https://modao.cc/?',
    'https://img.example/a~tplv-watermark.image?',
    'https://example.com/index.php',
    'https://example.com/app.js?',
  ]) {
    it(`passes ${benign}`, () => {
      assert.equal(detectRemoteFileInclusion(benign, { location: 'query:page' }), undefined);
    });
  }
});
