import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectAnyPathTraversal, detectAnySensitiveFile, detectPathTraversal, detectSensitiveFile } from './path-traversal.js';

const inQuery = { location: 'query:file' };

describe('path-traversal', () => {
  it('exports its detectors by rule name', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['path-traversal', 'path-traversal-any', 'sensitive-file', 'sensitive-file-any']);
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
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      assert.ok(detectPathTraversal(attack, inQuery), attack);
    });
  }

  it('reports a `..` segment of the request path', () => {
    assert.equal(detectPathTraversal('..', { location: 'path:1' })?.detail, 'dot-segment');
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
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      assert.ok(detectSensitiveFile(attack, inQuery), attack);
    });
  }

  for (const benign of ['what is /etc/passwd used for', 'passwords', 'windows 11 settings', '/api/users/42', 'config', 'homepage']) {
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
