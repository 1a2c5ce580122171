import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from './bounded-map.js';

test('never holds more than maxKeys; keys in use survive, idle ones go and are counted', () => {
  const map = new BoundedMap<number>(10);
  map.set('hot', 0);
  for (let i = 0; i < 1000; i++) {
    map.set(`k${i}`, i);
    assert.equal(map.get('hot'), 0, `lost the hot key at ${i}`);
    assert.ok(map.size <= 10);
  }
  assert.equal(map.get('k0'), undefined);
  assert.equal(map.get('k999'), 999);
  assert.equal(map.evicted + map.size, 1001);
});

test('delete and clear forget without counting', () => {
  const map = new BoundedMap<string>(4);
  map.set('a', 'x');
  map.set('b', 'y');
  map.delete('a');
  assert.equal(map.get('a'), undefined);
  map.clear();
  assert.equal(map.size, 0);
  assert.equal(map.evicted, 0);
});
