import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DETECTORS,
  detectAnyPathTraversal,
  detectAnySensitiveFile,
  detectPathTraversal,
  detectRestrictedPath,
  detectSensitiveFile,
} from './path-traversal.js';

const inQuery = { location: 'query:file' };

describe('path-traversal', () => {
  it('exports its detectors by rule name', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), [
      'path-traversal',
      'path-traversal-any',
      'restricted-path',
      'sensitive-file',
      'sensitive-file-any',
    ]);
  });

  for (const attack of [
    '../../../../etc/passwd',
    '..\\..\\..\\windows\\win.ini',
    'images/../../../etc/shadow',
    '....//....//....//etc/passwd',
    '..;/..;/admin',
    '..%c0%af..%c0%afetc%c0%afpasswd',
    '%2e%2e%2fsecret',
    '../config.yml',
    '/var/www/../../etc/hosts',
    '/a/../../outside',
    'x/../../../y',
    '/......{x}',
    '/./././upload',
    '..;.\\.;\\.',
    '..;/x',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      assert.ok(detectPathTraversal(attack, inQuery), attack);
    });
  }

  it('reports a `..` segment of the request path', () => {
    assert.equal(detectPathTraversal('..', { location: 'path:0' })?.detail, 'dot-segment');
    assert.equal(detectPathTraversal('/public/../admin', { location: 'path' })?.detail, 'dot-segment');
    assert.equal(detectPathTraversal('/public/..;x/admin', { location: 'path' })?.detail, 'dot-segment');
    assert.equal(detectPathTraversal('/get/..', { location: 'path' }), undefined);
    assert.equal(detectPathTraversal('..', { location: 'path:1' }), undefined);
    assert.equal(detectPathTraversal('..x', { location: 'path:1' }), undefined);
  });

  for (const benign of [
    'see the docs in ../guide for details',
    'Loading...',
    'wait... what?',
    '1.2..3',
    'https://example.com/a/b/../c',
    'v1.0..v2.0',
    '50% off',
    '..; then more',
    'wait..;)',
  ]) {
    it(`passes ${JSON.stringify(benign)} at paranoia 1`, () => {
      assert.equal(detectPathTraversal(benign, inQuery), undefined);
    });
  }

  it('reports relative links in prose only at paranoia 2', () => {
    const prose = 'see the docs in ../guide for details';
    assert.equal(detectPathTraversal(prose, inQuery), undefined);
    assert.ok(detectAnyPathTraversal(prose, inQuery));
  });
});

describe('sensitive-file', () => {
  for (const attack of [
    '/etc/passwd',
    '/proc/self/environ',
    'c:/windows/win.ini',
    'C:\\boot.ini',
    'file:///etc/passwd',
    'file:////etc/passwd',
    '/home/alice/.ssh/id_rsa',
    'WEB-INF/web.xml',
    'etcpasswd',
    'c:windowswin.ini',
    '/etc/passwd%00.jpg',
    '/sys/class',
    '/sys/kernel/debug',
    '/proc/interrupts',
    '/path/to/.docker/secrets',
    '/run/secrets/db_password',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      assert.ok(detectSensitiveFile(attack, inQuery), attack);
    });
  }

  for (const benign of [
    'what is /etc/passwd used for',
    'passwords',
    'windows 11 settings',
    '/api/users/42',
    'config',
    'homepage',
    '/sys/classes/2024',
    'system/class',
    'docker secrets',
  ]) {
    it(`passes ${JSON.stringify(benign)} at paranoia 1`, () => {
      assert.equal(detectSensitiveFile(benign, inQuery), undefined);
    });
  }

  it('reports a path inside prose only at paranoia 2', () => {
    assert.ok(detectAnySensitiveFile('what is /etc/passwd used for', inQuery));
  });

  it('is linear on pathological input', { timeout: 5000 }, () => {
    for (const unit of ['../', '..', '/.', '%c0%af', '....//', 'etc/']) {
      assert.doesNotThrow(() => detectPathTraversal(unit.repeat(20_000), inQuery));
      assert.doesNotThrow(() => detectSensitiveFile(unit.repeat(20_000), inQuery));
    }
  });
});

describe('restricted-path', () => {
  const whole = { location: 'path' };
  for (const attack of [
    '/.claude/settings.json',
    '/app/.cursor/mcp.json',
    '/.windsurf/rules/global.md',
    '/.kiro/hooks/pre.sh',
    '/.cursorrules',
    '/.aiignore',
    '/.mcp.json',
    '/wp-content/debug.log',
    '/error.log',
    '/backup/site.sql.gz',
    '/files/dump.sql.zip',
    '/get/proc/interrupts',
    '/x/sys/class/net',
    '/@fs/etc/passwd',
    '/@id/__x00__virtual',
    '/.svn/entries',
    '/.idea/workspace.xml',
    '/.aws/credentials',
    '/.DS_Store',
    '/home/.npmrc',
    '/id_rsa',
    '/config/database.yml',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      assert.ok(detectRestrictedPath(attack, whole), attack);
    });
  }

  it('reads a one-segment path from its segment', () => {
    assert.equal(detectRestrictedPath('.aiignore', { location: 'path:0' })?.detail, 'restricted-file');
    assert.equal(detectRestrictedPath('.aiignore', { location: 'path:3' }), undefined);
  });

  it('looks at request paths only', () => {
    assert.equal(detectRestrictedPath('/.claude/settings.json', { location: 'query:file' }), undefined);
  });

  for (const benign of [
    '/api/claude/messages',
    '/docs/cursor/settings.json',
    '/users/@alice/posts',
    '/api/logs/42',
    '/schema.sql',
    '/catalog/processors/12',
    '/api/system/classes',
    '/api/sys/devices/42',
    '/db/proc/version',
    '/blog/2024/debug-logging.html',
    '/static/app.continue.js',
    '/.well-known/security.txt',
    '/api/keys/id_rsa_fingerprint',
    '/database.yml',
    '/.git',
    '/api/mcp.json',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => {
      assert.equal(detectRestrictedPath(benign, whole), undefined);
    });
  }
});
