import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPathRouter } from './match-path.js';

function router(templates: string[], trailingSlash: 'ignore' | 'strict' = 'ignore') {
  const r = createPathRouter<string>({ trailingSlash });
  for (const template of templates) r.add(template, template);
  return r;
}

test('literal segments win over segments with a fixed part, which win over whole parameters', () => {
  const r = router(['/pets/{id}', '/pets/mine', '/pets/{id}.json', '/files/v{major}.{minor}']);
  assert.equal(r.match('/pets/mine')?.value, '/pets/mine');
  assert.deepEqual(r.match('/pets/7.json'), { value: '/pets/{id}.json', template: '/pets/{id}.json', params: { id: '7' } });
  assert.deepEqual(r.match('/pets/7')?.params, { id: '7' });
  assert.deepEqual(r.match('/files/v1.2')?.params, { major: '1', minor: '2' });
  assert.equal(r.match('/files/1.2'), undefined);
});

test('a branch that cannot finish backs off to the next kind of child', () => {
  const r = router(['/a/literal/x', '/a/{p}/y']);
  assert.deepEqual(r.match('/a/literal/y'), { value: '/a/{p}/y', template: '/a/{p}/y', params: { p: 'literal' } });
});

test('parameters are percent-decoded and never empty; other paths do not match', () => {
  const r = router(['/users/{name}/posts']);
  assert.deepEqual(r.match('/users/J%C3%BCrgen%2Fx/posts')?.params, { name: 'Jürgen/x' });
  assert.equal(r.match('/users//posts'), undefined);
  assert.equal(r.match('/users/a/posts/extra'), undefined);
  assert.equal(r.match('/users/a'), undefined);
  assert.deepEqual(r.match('/users/%E0%A4%A/posts')?.params, { name: '%E0%A4%A' }, 'a malformed escape stays as sent');
});

test('trailing slashes are ignored by default and kept apart when strict', () => {
  assert.equal(router(['/pets']).match('/pets/')?.value, '/pets');
  const strict = router(['/pets'], 'strict');
  assert.equal(strict.match('/pets/'), undefined);
  assert.equal(strict.match('/pets')?.value, '/pets');
});

test('an equivalent template keeps the first value and returns it', () => {
  const r = createPathRouter<string>();
  assert.equal(r.add('/pets/{id}', 'first'), undefined);
  assert.equal(r.add('/pets/{petId}', 'second'), 'first');
  assert.deepEqual(r.match('/pets/1'), { value: 'first', template: '/pets/{id}', params: { id: '1' } });
});
