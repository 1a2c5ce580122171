import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJsonPath, walkJson } from './json-body.js';
import { compareBodyWithSchema, isPathDeclared } from './json-schema.js';

const declared = (schema: unknown, path: string) => {
  const steps = readJsonPath(path);
  assert.ok(steps !== undefined, path);
  return isPathDeclared([schema], steps);
};

test('JSON paths as the sensitive-data detector writes them', () => {
  assert.deepEqual(readJsonPath('$.user.email'), [{ member: 'user' }, { member: 'email' }]);
  assert.deepEqual(readJsonPath('$.items[].card'), [{ member: 'items' }, { item: true }, { member: 'card' }]);
  assert.deepEqual(readJsonPath('$["x-id"].v'), [{ member: 'x-id' }, { member: 'v' }]);
  assert.deepEqual(readJsonPath('$[][]'), [{ item: true }, { item: true }]);
  assert.deepEqual(readJsonPath('$["a\\"]b"]'), [{ member: 'a"]b' }]);
  for (const bad of ['user.email', '$.', '$.1a', '$["open', '$[0]']) assert.equal(readJsonPath(bad), undefined, bad);
  const paths: string[] = [];
  walkJson({ user: { 'x-id': 1, tags: [{ a: 1 }, { b: 2 }] } }, (path) => paths.push(path));
  assert.deepEqual(paths, [
    '$.user',
    '$.user["x-id"]',
    '$.user.tags',
    '$.user.tags[]',
    '$.user.tags[].a',
    '$.user.tags[]',
    '$.user.tags[].b',
  ]);
});

test('declared, open and undeclared places', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      items: { type: 'array', items: { type: 'object', properties: { sku: {} }, additionalProperties: false } },
      meta: { type: 'object' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      extra: { type: 'object', properties: { a: {} }, additionalProperties: true },
      name: { type: 'string' },
    },
  };
  assert.ok(declared(schema, '$.id'));
  assert.ok(declared(schema, '$.items[].sku'));
  assert.ok(declared(schema, '$.meta.anything.below'));
  assert.ok(declared(schema, '$.labels.owner'));
  assert.ok(declared(schema, '$.extra.b'));
  assert.ok(!declared(schema, '$.ssn'));
  assert.ok(!declared(schema, '$.items[].card'));
  assert.ok(!declared(schema, '$.name.first'));
  assert.ok(!declared(schema, '$.id[]'));
  assert.ok(declared({}, '$.whatever'));
  assert.ok(declared({ type: 'array' }, '$[].x'));
});

test('compositions: a member declared by any alternative is declared', () => {
  const schema = {
    oneOf: [
      { type: 'object', properties: { card: {} } },
      {
        allOf: [
          { type: 'object', properties: { iban: {} } },
          { type: 'object', properties: { bic: {} } },
        ],
      },
    ],
  };
  assert.ok(declared(schema, '$.card'));
  assert.ok(declared(schema, '$.bic'));
  assert.ok(!declared(schema, '$.ssn'));
});

test('cyclic schemas (dereferenced $ref loops) are walked in bounded time', () => {
  const node: Record<string, unknown> = { type: 'object', properties: {} };
  (node.properties as Record<string, unknown>).child = node;
  node.allOf = [node];
  assert.ok(declared(node, `$${'.child'.repeat(500)}`));
  assert.ok(!declared(node, `$${'.child'.repeat(50)}.ssn`));
  let body: unknown = { ssn: 1 };
  for (let i = 0; i < 100; i++) body = { child: body };
  assert.deepEqual(compareBodyWithSchema(body, node), { undeclared: [], readOnly: [] });
});

test('request bodies compared with their schema', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      id: { readOnly: true },
      lines: { type: 'array', items: { type: 'object', properties: { qty: {}, createdAt: { type: 'string', readOnly: true } } } },
      settings: { type: 'object' },
    },
  };
  const body = {
    name: 'a',
    id: 'x',
    role: 'admin',
    lines: [
      { qty: 1, price: 0 },
      { qty: 2, price: 0, createdAt: 'now' },
    ],
    settings: { anything: true },
  };
  assert.deepEqual(compareBodyWithSchema(body, schema), {
    undeclared: ['$.role', '$.lines[].price'],
    readOnly: ['$.id', '$.lines[].createdAt'],
  });
  assert.deepEqual(compareBodyWithSchema([{ name: 'a', isAdmin: true }], { type: 'array', items: schema }), {
    undeclared: ['$[].isAdmin'],
    readOnly: [],
  });
  assert.deepEqual(compareBodyWithSchema({ a: 1 }, {}), { undeclared: [], readOnly: [] });
  const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, i]));
  assert.equal(compareBodyWithSchema(many, { type: 'object', properties: { q: {} } }).undeclared.length, 32);
});
