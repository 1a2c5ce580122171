import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePathPattern, compileRequestMatch, pathPatternProblem } from './request-match.js';

test('path patterns: literals, {name}, * within a segment, ** across segments', () => {
  const cases: [string, string[], string[]][] = [
    ['/login', ['/login', '//login/', '/login/'], ['/login/x', '/Login', '/logins']],
    ['/orders/{id}/pay', ['/orders/7/pay', '/orders/abc/pay'], ['/orders/pay', '/orders/7/8/pay']],
    ['/files/*.php', ['/files/a.php', '/files/.php'], ['/files/a.php/x', '/files/a.phps', '/files/d/a.php']],
    ['/{id}.json', ['/7.json'], ['/7.xml']],
    ['/**/.env', ['/.env', '/a/.env', '/a/b/c/.env'], ['/.envrc', '/a/.env/b']],
    ['/api/**', ['/api', '/api/x', '/api/x/y'], ['/apix', '/']],
    ['/a/**/b/**/c', ['/a/b/c', '/a/x/b/y/z/c', '/a/b/b/c'], ['/a/c', '/a/b/c/d']],
    ['/', ['/', '//'], ['/a']],
  ];
  for (const [source, good, bad] of cases) {
    const pattern = compilePathPattern(source);
    for (const path of good) assert.ok(pattern.matches(path), `${source} should match ${path}`);
    for (const path of bad) assert.ok(!pattern.matches(path), `${source} should not match ${path}`);
  }
});

test('matching never backtracks exponentially', () => {
  const pattern = compilePathPattern(`/${'**/a/'.repeat(20)}b`);
  assert.equal(pattern.matches(`/${'a/'.repeat(5000)}c`), false);
});

test('invalid patterns are explained', () => {
  assert.match(pathPatternProblem('login') ?? '', /starting with \//);
  assert.match(pathPatternProblem('/a**') ?? '', /whole segment/);
  assert.match(pathPatternProblem('/{id') ?? '', /unbalanced/);
  assert.equal(pathPatternProblem('/a/{id}/**'), undefined);
});

test('request conditions: methods in any case, paths or endpoints', () => {
  const m = compileRequestMatch({ methods: ['post'], paths: ['/login'], endpoints: ['POST /sessions'] });
  assert.ok(m.test('POST', '/login', undefined));
  assert.ok(m.test('post', '/login', undefined));
  assert.ok(m.test('POST', '/sessions/', 'POST /sessions'));
  assert.ok(!m.test('GET', '/login', undefined));
  assert.ok(!m.test('POST', '/other', 'POST /other'));
  assert.ok(compileRequestMatch(undefined).test('GET', '/anything', undefined));
});
