import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonSchema } from '../types.js';
import { compareSchemas, createSchemaBuilder, type SchemaDifference } from './infer.js';

/** An observed object schema as the builder writes it, seen `samples` times. */
const seen = (samples: number, properties: JsonSchema, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  'x-palisade-samples': samples,
});
const observe = (values: readonly unknown[]): JsonSchema => {
  const builder = createSchemaBuilder();
  for (const value of values) builder.add(value);
  return builder.toSchema();
};
const diff = (declared: JsonSchema, observed: JsonSchema, expected: SchemaDifference[]) =>
  assert.deepEqual(compareSchemas(declared, observed), expected);

describe('types', () => {
  test('matching schemas have no differences', () => {
    const declared = {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['id'],
    };
    diff(
      declared,
      observe([
        { id: 1, email: 'ada@example.com', tags: ['a'] },
        { id: 2, email: 'alan@example.com', tags: [] },
      ]),
      [],
    );
  });

  test('number observed where integer is declared is a mismatch; integer where number is declared is not', () => {
    diff({ type: 'integer' }, { type: 'number' }, [{ path: '', kind: 'type-mismatch', declared: 'integer', observed: 'number' }]);
    diff({ type: 'number' }, { type: 'integer' }, []);
    diff({ type: 'string' }, { type: 'boolean' }, [{ path: '', kind: 'type-mismatch', declared: 'string', observed: 'boolean' }]);
  });

  test('null needs a type array, OpenAPI 3.0 nullable or Swagger x-nullable', () => {
    const observed = { type: ['string', 'null'] };
    diff({ type: 'string' }, observed, [{ path: '', kind: 'type-mismatch', declared: 'string', observed: 'string|null' }]);
    diff({ type: ['string', 'null'] }, observed, []);
    diff({ type: 'string', nullable: true }, observed, []);
    diff({ type: 'string', 'x-nullable': true }, observed, []);
    diff({ type: 'string', nullable: true }, { type: 'integer' }, [
      { path: '', kind: 'type-mismatch', declared: 'string|null', observed: 'integer' },
    ]);
  });

  test('an observed schema with no type (nothing seen, or cut at the depth limit) is not compared', () => {
    diff({ type: 'string' }, {}, []);
    diff({ type: 'string' }, { 'x-palisade-truncated': true }, []);
  });

  test('a declared schema with no type accepts any type', () => {
    diff({}, { type: ['object', 'array', 'string', 'null'] }, []);
    diff({ description: 'anything' }, { type: 'number' }, []);
  });
});

describe('formats', () => {
  test('a different observed format, or plain strings where a format we detect reliably is declared', () => {
    diff({ type: 'string', format: 'date-time' }, { type: 'string', format: 'date' }, [
      { path: '', kind: 'format-mismatch', declared: 'string/date-time', observed: 'string/date' },
    ]);
    diff({ type: 'string', format: 'uuid' }, { type: 'string' }, [
      { path: '', kind: 'format-mismatch', declared: 'string/uuid', observed: 'string' },
    ]);
    diff({ type: 'string', format: 'uuid' }, { type: 'string', format: 'uuid' }, []);
  });

  test('formats we do not detect, or detect conservatively, are not reported from plain strings', () => {
    diff({ type: 'string', format: 'byte' }, { type: 'string' }, []);
    diff({ type: 'string', format: 'password' }, { type: 'string', format: 'email' }, []);
    diff({ type: 'string', format: 'int64' }, { type: 'string' }, []);
    diff({ type: 'string', format: 'byte' }, { type: 'string', format: 'uuid' }, [
      { path: '', kind: 'format-mismatch', declared: 'string/byte', observed: 'string/uuid' },
    ]);
  });

  test('a declared format that is wider than the observed one matches', () => {
    diff({ type: 'string', format: 'uri-reference' }, { type: 'string', format: 'uri' }, []);
    diff({ type: 'string', format: 'idn-email' }, { type: 'string', format: 'email' }, []);
  });

  test('an observed format where none is declared is fine, and so is a JWT in a plain string field', () => {
    diff({ type: 'string' }, { type: 'string', format: 'date' }, []);
    diff({ type: 'string' }, { type: 'string', 'x-palisade-kind': 'jwt' }, []);
  });
});

describe('objects', () => {
  const user = {
    type: 'object',
    properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' }, nickname: { type: 'string' } },
    required: ['id', 'email'],
  };

  test('an observed property the description does not declare, at any depth', () => {
    diff(
      { type: 'object', properties: { user } },
      seen(3, { user: seen(3, { id: { type: 'integer' }, email: { type: 'string', format: 'email' }, admin: { type: 'boolean' } }) }),
      [{ path: '/user/admin', kind: 'undeclared-property', observed: 'boolean' }],
    );
  });

  test('additionalProperties: true or false does not stop undeclared-property; a schema does', () => {
    const observed = seen(1, { id: { type: 'integer' }, extra: { type: 'string' } });
    const expected: SchemaDifference[] = [{ path: '/extra', kind: 'undeclared-property', observed: 'string' }];
    diff({ type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: true }, observed, expected);
    diff({ type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: false }, observed, expected);
    diff({ type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: { type: 'string' } }, observed, []);
    diff({ type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: { type: 'integer' } }, observed, [
      { path: '/extra', kind: 'type-mismatch', declared: 'integer', observed: 'string' },
    ]);
  });

  test('a free-form object (no properties declared) has no undeclared properties', () => {
    diff({ type: 'object' }, seen(30, { anything: { type: 'string' } }), []);
  });

  test('declared maps are compared value by value, with observed maps at /{}', () => {
    const declared = { type: 'object', additionalProperties: { type: 'object', properties: { qty: { type: 'integer' } } } };
    diff(declared, observe([{ 1001: { qty: 1 }, 1002: { qty: 2.5 } }]), [
      { path: '/{}/qty', kind: 'type-mismatch', declared: 'integer', observed: 'number' },
    ]);
    diff({ type: 'object', properties: { total: { type: 'integer' } } }, observe([{ total: 1, 17: 'a' }]), [
      { path: '/{}', kind: 'undeclared-property', observed: 'string' },
    ]);
  });

  test('missing-required: a required property never observed, once the object was seen twice', () => {
    const observed = (samples: number) => seen(samples, { id: { type: 'integer' } }, samples >= 2 ? ['id'] : []);
    diff(user, observed(2), [{ path: '/email', kind: 'missing-required', declared: 'string/email' }]);
    diff(user, observed(1), []);
    // Without the builder's count, a `required` list shows at least two samples.
    diff(user, { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }, [
      { path: '/email', kind: 'missing-required', declared: 'string/email' },
    ]);
  });

  test('declared-never-seen: an optional property never observed in 20 objects', () => {
    const observed = (samples: number) =>
      seen(samples, { id: { type: 'integer' }, email: { type: 'string', format: 'email' } }, ['id', 'email']);
    diff(user, observed(20), [{ path: '/nickname', kind: 'declared-never-seen', declared: 'string' }]);
    diff(user, observed(19), []);
  });

  test('nothing is said about absent properties of maps and truncated records', () => {
    diff(user, { type: 'object', additionalProperties: { type: 'integer' }, 'x-palisade-samples': 50 }, [
      { path: '/{}', kind: 'undeclared-property', observed: 'integer' },
    ]);
    diff(user, { ...seen(50, { id: { type: 'integer' } }), 'x-palisade-truncated': true }, []);
  });

  test('the same object under a nullable field and the root object of an array', () => {
    const declared = {
      type: 'array',
      items: { type: 'object', properties: { price: { type: 'integer' }, buyer: { ...user, nullable: true } } },
    };
    const observed = observe([
      [
        { price: 10.5, buyer: null },
        { price: 3, buyer: { id: 1, email: 'ada@example.com' } },
      ],
    ]);
    diff(declared, observed, [{ path: '/[]/price', kind: 'type-mismatch', declared: 'integer', observed: 'number' }]);
  });

  test('property names are escaped like JSON pointers', () => {
    diff({ type: 'object', properties: {} }, seen(1, { 'a/b': { type: 'string' }, 'c~d': { type: 'string' } }), [
      { path: '/a~1b', kind: 'undeclared-property', observed: 'string' },
      { path: '/c~0d', kind: 'undeclared-property', observed: 'string' },
    ]);
  });
});

describe('allOf, oneOf, anyOf and $ref', () => {
  test('allOf parts are merged: properties, required and types', () => {
    const declared = {
      allOf: [
        { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        { properties: { name: { type: 'string' } }, required: ['name'] },
      ],
    };
    diff(declared, seen(5, { id: { type: 'integer' }, name: { type: 'string' } }, ['id', 'name']), []);
    diff(declared, seen(5, { id: { type: 'string' }, age: { type: 'integer' } }, ['id']), [
      { path: '/id', kind: 'type-mismatch', declared: 'integer', observed: 'string' },
      { path: '/age', kind: 'undeclared-property', observed: 'integer' },
      { path: '/name', kind: 'missing-required', declared: 'string' },
    ]);
  });

  test('OpenAPI 3.0 nullable beside an allOf of a resolved reference', () => {
    const pet = { type: 'object', properties: { name: { type: 'string' } } };
    diff({ type: 'object', properties: { pet: { nullable: true, allOf: [pet] } } }, observe([{ pet: null }, { pet: { name: 'Rex' } }]), []);
    diff({ type: 'object', properties: { pet: { allOf: [pet] } } }, observe([{ pet: null }, { pet: { name: 'Rex' } }]), [
      { path: '/pet', kind: 'type-mismatch', declared: 'object', observed: 'object|null' },
    ]);
  });

  test('oneOf / anyOf: each observed type must match a branch; nothing inside a branch is compared', () => {
    const declared = {
      type: 'object',
      properties: {
        owner: {
          oneOf: [
            { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
            { type: 'string', format: 'uuid' },
          ],
        },
      },
    };
    diff(declared, observe([{ owner: { id: 'x', extra: true } }, { owner: { other: 1 } }]), []);
    diff(declared, observe([{ owner: '123e4567-e89b-12d3-a456-426614174000' }]), []);
    diff(declared, observe([{ owner: 7 }]), [
      { path: '/owner', kind: 'type-mismatch', declared: 'object|string/uuid', observed: 'integer' },
    ]);
    diff(declared, observe([{ owner: 'ada@example.com' }]), [
      { path: '/owner', kind: 'format-mismatch', declared: 'string/uuid', observed: 'string/email' },
    ]);
    diff({ anyOf: [{ type: 'string' }, { type: 'null' }] }, { type: ['string', 'null'] }, []);
  });

  test('properties declared in branches are not undeclared; properties beside the branches are compared', () => {
    const declared = {
      type: 'object',
      properties: { kind: { type: 'string' } },
      required: ['kind'],
      anyOf: [{ properties: { card: { type: 'string' } } }, { properties: { iban: { type: 'string' } } }],
    };
    diff(
      declared,
      observe([
        { kind: 'card', card: 'x' },
        { kind: 2, iban: 1 },
        { kind: 'x', other: 1 },
      ]),
      [
        { path: '/kind', kind: 'type-mismatch', declared: 'string', observed: 'string|integer' },
        { path: '/other', kind: 'undeclared-property', observed: 'integer' },
      ],
    );
  });

  test('a $ref left in the declared schema makes that part unknown', () => {
    diff({ $ref: '#/components/schemas/Pet' }, { type: 'integer' }, []);
    diff({ type: 'object', properties: { pet: { $ref: '#/components/schemas/Pet' } } }, seen(30, { pet: { type: 'string' } }), []);
    diff(
      { allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', properties: { id: { type: 'integer' } } }] },
      seen(30, { id: { type: 'integer' }, x: { type: 'string' } }),
      [],
    );
    diff({ oneOf: [{ $ref: '#/components/schemas/A' }, { type: 'string' }] }, { type: 'integer' }, []);
  });

  test('a cyclic dereferenced schema is followed only as far as traffic goes', () => {
    const node: JsonSchema = { type: 'object', properties: { value: { type: 'integer' } } };
    (node.properties as JsonSchema).next = node;
    const cyclicAllOf: JsonSchema = { type: 'object' };
    cyclicAllOf.allOf = [cyclicAllOf];
    diff(node, observe([{ value: 1, next: { value: 2, next: { value: 'three' } } }]), [
      { path: '/next/next/value', kind: 'type-mismatch', declared: 'integer', observed: 'string' },
    ]);
    assert.doesNotThrow(() => compareSchemas(cyclicAllOf, seen(1, {})));
  });
});
