import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPrototypePollution, detectPrototypePollutionText } from './prototype-pollution.js';

describe('detectPrototypePollution', () => {
  it('finds __proto__ as a JSON key, and prototype under a constructor key', () => {
    assert.equal(detectPrototypePollution('__proto__', { location: 'json-key:$' })?.detail, 'proto-key');
    assert.equal(detectPrototypePollution('prototype', { location: 'json-key:$.user.constructor' })?.detail, 'constructor-prototype-key');
    assert.equal(detectPrototypePollution('prototype', { location: 'json-key:$.book' }), undefined);
    assert.equal(detectPrototypePollution('constructor', { location: 'json-key:$' }), undefined);
  });

  it('finds the pieces in parameter names, even with spaces', () => {
    for (const name of [
      'a[__proto__][isAdmin]',
      '__proto__.x',
      'constructor[prototype][x]',
      'constructor.prototype. test',
      'a[constructor][prototype]',
    ]) {
      assert.ok(detectPrototypePollution(name, { location: `query-name:${name}` }), name);
    }
  });

  it('finds property paths, whole segments and JSON keys inside values', () => {
    const at = { location: 'json:$.path' };
    assert.equal(detectPrototypePollution('user.__proto__.isAdmin', at)?.detail, 'proto-path');
    assert.equal(detectPrototypePollution('["constructor"]["prototype"]["polluted"]', at)?.detail, 'proto-path');
    assert.equal(detectPrototypePollution('__proto__', { location: 'path:2' })?.detail, 'proto-piece');
    assert.equal(
      detectPrototypePollution('{"a": 1, "__proto__": {"admin": true}}', { location: 'query:data' })?.detail,
      'proto-object-key',
    );
  });

  it('passes the words in ordinary text and code that merely mentions them', () => {
    const at = { location: 'form:comment' };
    for (const value of [
      'prototype',
      'constructor',
      'the prototype of the constructor',
      'proto_type',
      '_proto_',
      'obj.__proto__ is deprecated, use getPrototypeOf',
    ]) {
      assert.equal(detectPrototypePollution(value, at), undefined, value);
    }
  });
});

describe('detectPrototypePollutionText', () => {
  it('finds __proto__ anywhere, prose included', () => {
    assert.equal(detectPrototypePollutionText('obj.__proto__ is deprecated', { location: 'form:comment' })?.detail, 'proto-text');
    assert.equal(detectPrototypePollutionText('the prototype', { location: 'form:comment' }), undefined);
  });
});
