import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSchemaType, summarizeSchema } from './schema-summary.js';

test('leaves of objects and arrays of objects become dotted paths with their types', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      owner: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
      items: {
        type: 'array',
        items: { type: 'object', properties: { sku: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } },
      },
      meta: { type: 'object' },
    },
  };
  assert.deepEqual(summarizeSchema(schema, 10), {
    fields: [
      { path: 'id', type: 'integer' },
      { path: 'owner.email', type: 'string (email)' },
      { path: 'items[].sku', type: 'string' },
      { path: 'items[].tags', type: 'string[]' },
      { path: 'meta', type: 'object' },
    ],
    omitted: 0,
  });
});

test('a scalar or array-of-objects root is named (body) or starts with []', () => {
  assert.deepEqual(summarizeSchema({ type: 'string' }, 5).fields, [{ path: '(body)', type: 'string' }]);
  assert.deepEqual(summarizeSchema({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } }, 5).fields, [
    { path: '[].id', type: 'string' },
  ]);
});

test('fields beyond the limit are counted, not listed', () => {
  const properties = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, { type: 'string' }]));
  const summary = summarizeSchema({ type: 'object', properties }, 5);
  assert.equal(summary.fields.length, 5);
  assert.equal(summary.omitted, 7);
});

test('type labels cover nullable, type lists, unions and unknown schemas', () => {
  assert.equal(describeSchemaType({ type: ['integer', 'null'] }), 'integer | null');
  assert.equal(describeSchemaType({ type: 'string', nullable: true }), 'string | null');
  assert.equal(describeSchemaType({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), 'string | integer');
  assert.equal(describeSchemaType({ type: 'array', items: { type: ['string', 'null'] } }), '(string | null)[]');
  assert.equal(describeSchemaType({}), 'any');
});
