import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectNoSqlInjection, detectNoSqlOperator } from './nosql.js';

describe('detectNoSqlOperator', () => {
  it('finds operators as JSON keys and in bracketed parameter names', () => {
    assert.equal(detectNoSqlOperator('$ne', { location: 'json-key:$.password' })?.detail, 'operator-key');
    assert.equal(detectNoSqlOperator('$where', { location: 'json-key:$' })?.detail, 'operator-key');
    assert.equal(detectNoSqlOperator('password[$ne]', { location: 'query-name:password[$ne]' })?.detail, 'operator-name');
    assert.equal(detectNoSqlOperator('a[b][$regex]', { location: 'form-name:a[b][$regex]' })?.detail, 'operator-name');
  });

  it('passes other dollar keys and names, and values', () => {
    for (const key of ['$schema', '$ref', '$id', '$type', '$filter', '$top', 'price$']) {
      assert.equal(detectNoSqlOperator(key, { location: 'json-key:$' }), undefined, key);
    }
    assert.equal(detectNoSqlOperator('$ne', { location: 'json:$.a' }), undefined);
  });
});

describe('detectNoSqlInjection', () => {
  const at = { location: 'query:q' };

  it('finds operators spliced into values', () => {
    for (const value of [
      "true, $where: '99 == 88'",
      "', $or: [ {}, { 'order':'order",
      '{"username": {"$gt": ""}}',
      '[$lte]asdfsd',
      '{\\"token\\":{\\"$regex\\":\\"^7\\"}}',
    ]) {
      assert.equal(detectNoSqlInjection(value, at)?.detail, 'operator-injection', value);
    }
  });

  it('finds mongo shell calls and $where JavaScript', () => {
    assert.equal(detectNoSqlInjection('db.injection.insert({success:1});', at)?.detail, 'mongo-shell');
    assert.equal(detectNoSqlInjection("'; return true; var x='", at)?.detail, 'where-javascript');
    assert.equal(detectNoSqlInjection("' || this.password.match(/^a/) || '", at)?.detail, 'where-javascript');
    assert.equal(
      detectNoSqlInjection('0;var date=new Date(); do{curDate = new Date();}while(curDate-date<10000)', at)?.detail,
      'javascript-busy-loop',
    );
  });

  it('passes prices, currency fields and source code posted to an editor', () => {
    for (const value of [
      '$10',
      'Total: $ 25.00 (was $30)',
      'US$',
      "import { Menu } from 'antd';\r\n\r\nconst items = [];",
      'function f() {\n  let s = "a";\n  for (let i = 0; i < 3; i++) s += "b";\n}',
      'do { x++; } while (x < 10);',
      "this is the feedback: don't do that",
    ]) {
      assert.equal(detectNoSqlInjection(value, at), undefined, value);
    }
  });

  it('leaves keys and names to the operator detector', () => {
    assert.equal(detectNoSqlInjection('$ne', { location: 'json-key:$.a' }), undefined);
  });
});
