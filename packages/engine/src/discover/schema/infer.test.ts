import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPalisadeError } from '@palisade/core';
import { createSchemaBuilder, type SchemaBuilder, type SchemaBuilderOptions } from './infer.js';

const schemaOf = (values: readonly unknown[], options?: SchemaBuilderOptions) => {
  const builder = createSchemaBuilder(options);
  for (const value of values) builder.add(value);
  return builder.toSchema();
};
const textSchemaOf = (values: readonly string[]) => {
  const builder = createSchemaBuilder();
  for (const value of values) builder.addText(value);
  return builder.toSchema();
};
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'user-1' })}.${'s'.repeat(43)}`;
const token = (i: number) => `tok_${String(i).padStart(22, 'A')}`;

describe('types', () => {
  test('each JSON type on its own', () => {
    assert.deepEqual(schemaOf([null]), { type: 'null' });
    assert.deepEqual(schemaOf([true, false]), { type: 'boolean' });
    assert.deepEqual(schemaOf([1, -2, 0, 1e21]), { type: 'integer' });
    assert.deepEqual(schemaOf([1.5]), { type: 'number' });
    assert.deepEqual(schemaOf(['hello']), { type: 'string' });
    assert.deepEqual(schemaOf([{}]), { type: 'object', 'x-palisade-samples': 1 });
    assert.deepEqual(schemaOf([[]]), { type: 'array' });
  });

  test('integer and number merge to number', () => {
    assert.deepEqual(schemaOf([1, 2.5, 3]), { type: 'number' });
  });

  test('several types become a type array; nullable fields end in null', () => {
    assert.deepEqual(schemaOf(['a', null]), { type: ['string', 'null'] });
    assert.deepEqual(schemaOf([null, 4]), { type: ['integer', 'null'] });
    assert.deepEqual(schemaOf([{ a: 1 }, [1], 'x', 2.5, true, null]), {
      type: ['object', 'array', 'string', 'number', 'boolean', 'null'],
      properties: { a: { type: 'integer' } },
      items: { type: 'integer' },
      'x-palisade-samples': 1,
    });
  });

  test('nothing added: the empty schema; undefined at the root is not a sample', () => {
    const builder = createSchemaBuilder();
    builder.add(undefined);
    assert.equal(builder.samples, 0);
    assert.deepEqual(builder.toSchema(), {});
  });

  test('members that JSON would leave out are left out; in arrays they are null', () => {
    assert.deepEqual(schemaOf([{ a: undefined, b: () => 1 }]), { type: 'object', 'x-palisade-samples': 1 });
    assert.deepEqual(schemaOf([[undefined]]), { type: 'array', items: { type: 'null' } });
  });
});

describe('string formats', () => {
  const cases: [string, string[], string[]][] = [
    [
      'date-time',
      ['2026-11-30T10:15:00Z', '2024-02-29T23:59:60.123+01:00', '2026-01-01t00:00:00z'],
      ['2026-11-30T10:15:00', '2026-11-30 10:15:00Z', '2026-13-01T00:00:00Z', '2026-11-30T24:00:00Z'],
    ],
    ['date', ['2026-11-30', '2024-02-29'], ['2023-02-29', '2026-04-31', '26-11-30', '2026/11/30']],
    ['time', ['10:15:00Z', '23:59:59.5-05:00'], ['10:15', '10:15:00', '25:00:00Z']],
    ['email', ['ada@example.com', 'first.last+tag@mail.example.co.uk'], ['user@localhost', 'a@b', '@example.com', 'a b@example.com']],
    [
      'uuid',
      ['123e4567-e89b-12d3-a456-426614174000', 'AC3F1A52-9A4C-4E1B-8D2A-0F4B1C2D3E4F'],
      ['123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456'],
    ],
    [
      'uri',
      ['https://api.example.com/v1/pets?limit=5#x', 'ftp://files.example.org/a.txt', 'urn:isbn:0451450523', 'mailto:ada@example.com'],
      ['/v1/pets', 'example.com/path', 'key:value', 'https://exa mple.com', 'https://example.com/<script>', 'https:///path'],
    ],
    ['ipv4', ['10.0.0.1', '203.0.113.7', '255.255.255.255'], ['256.1.1.1', '10.0.0', '01.2.3.4', '1.2.3.4:80']],
    ['ipv6', ['2001:db8::1', '::1', '::ffff:10.0.0.1'], ['fe80::1%eth0', '2001:db8:::1', '12:30']],
    [
      'byte',
      ['SGVsbG8gV29ybGQ=', 'q83vEjRWeJA=', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='],
      ['SGVsbG8gV29ybGQ', 'abc=', 'dGVzdA', 'SGVsbG8gV29ybGR=', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ],
  ];
  for (const [format, matching, missing] of cases) {
    test(`${format}: matching values get the format, near misses do not`, () => {
      assert.deepEqual(schemaOf(matching), { type: 'string', format });
      for (const value of missing) assert.deepEqual(schemaOf([value]), { type: 'string' }, value);
    });
  }

  test('JWTs are marked with x-palisade-kind, not a format', () => {
    assert.deepEqual(schemaOf([jwt]), { type: 'string', 'x-palisade-kind': 'jwt' });
    assert.deepEqual(schemaOf([`${b64url({ typ: 'JWT' })}.${b64url({ sub: 1 })}.sig`]), { type: 'string' });
    assert.deepEqual(schemaOf([`Bearer ${jwt}`]), { type: 'string' });
  });

  test('a format needs every non-empty string to have it; empty strings do not count', () => {
    assert.deepEqual(schemaOf(['2026-11-30', '', '2026-12-01']), { type: 'string', format: 'date' });
    assert.deepEqual(schemaOf(['2026-11-30', 'soon']), { type: 'string' });
    assert.deepEqual(schemaOf(['2026-11-30', '2026-11-30T10:15:00Z']), { type: 'string' });
    assert.deepEqual(schemaOf(['', '']), { type: 'string' });
    assert.deepEqual(schemaOf(['ada@example.com', null]), { type: ['string', 'null'], format: 'email' });
  });

  test('tokenized secrets are plain strings and take the format away from a field', () => {
    assert.deepEqual(schemaOf([token(1), token(2)]), { type: 'string' });
    assert.deepEqual(schemaOf([{ apiKey: token(1) }, { apiKey: 'ada@example.com' }]).properties, { apiKey: { type: 'string' } });
    // A token that happens to be canonical padded base64 is still a token.
    assert.deepEqual(schemaOf(['tok_AAAAAAAAAAAAAAAAAAAAA=']), { type: 'string' });
  });
});

describe('objects and arrays', () => {
  test('nested objects and arrays, with items merged', () => {
    const schema = schemaOf([
      {
        user: { id: 7, email: 'ada@example.com' },
        items: [
          { sku: 'A-1', price: 10 },
          { sku: 'B-2', price: 9.5, tags: [] },
        ],
      },
      { user: { id: 8, email: 'alan@example.com', phone: null }, items: [] },
    ]);
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        user: {
          type: 'object',
          properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' }, phone: { type: 'null' } },
          required: ['id', 'email'],
          'x-palisade-samples': 2,
        },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { sku: { type: 'string' }, price: { type: 'number' }, tags: { type: 'array' } },
            required: ['sku', 'price'],
            'x-palisade-samples': 2,
          },
        },
      },
      required: ['user', 'items'],
      'x-palisade-samples': 2,
    });
  });

  test('required only from two objects on; a property missing once is optional', () => {
    assert.equal(schemaOf([{ a: 1, b: 2 }]).required, undefined);
    assert.deepEqual(schemaOf([{ a: 1, b: 2 }, { a: 3 }]).required, ['a']);
    assert.equal(schemaOf([{ a: 1 }, { b: 2 }]).required, undefined);
    // Objects under a nullable field: required counts the objects, not the nulls.
    assert.deepEqual(schemaOf([{ o: { a: 1 } }, { o: null }, { o: { a: 2 } }]).properties, {
      o: { type: ['object', 'null'], properties: { a: { type: 'integer' } }, required: ['a'], 'x-palisade-samples': 2 },
    });
  });

  test('objects keyed by ids become maps; their keys never appear in the schema', () => {
    const uuid = (i: number) => `123e4567-e89b-12d3-a456-${String(i).padStart(12, '0')}`;
    const byNumber = schemaOf([{ 1001: { qty: 1 }, 1002: { qty: 2, note: 'x' } }, { 1003: { qty: 3 } }]);
    assert.deepEqual(byNumber, {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { qty: { type: 'integer' }, note: { type: 'string' } },
        required: ['qty'],
        'x-palisade-samples': 3,
      },
      'x-palisade-samples': 2,
    });
    const byUuid = schemaOf([{ [uuid(1)]: 'on', [uuid(2)]: 'off' }]);
    assert.deepEqual(byUuid, { type: 'object', additionalProperties: { type: 'string' }, 'x-palisade-samples': 1 });
    const byOther = schemaOf([{ '2026-11-30': 3, 'ada@example.com': 1, [token(1)]: 2, '5f8d0d55b54764421b7156c9': 4 }]);
    assert.deepEqual(byOther, { type: 'object', additionalProperties: { type: 'integer' }, 'x-palisade-samples': 1 });
    assert.ok(!JSON.stringify([byNumber, byUuid, byOther]).match(/1001|123e4567|2026-11-30|ada@|tok_|5f8d/));
  });

  test('named fields beside id keys stay properties; the id keys form additionalProperties', () => {
    assert.deepEqual(schemaOf([{ total: 2, 17: 'a', 18: 'b' }]), {
      type: 'object',
      properties: { total: { type: 'integer' } },
      additionalProperties: { type: 'string' },
      'x-palisade-samples': 1,
    });
  });

  test('many names that do not recur from object to object make a map', () => {
    const users = Array.from({ length: 12 }, (_, i) => ({ [`user${String.fromCharCode(97 + i)}x`]: { score: i } }));
    assert.deepEqual(schemaOf(users, { maxProperties: 5 }), {
      type: 'object',
      additionalProperties: { type: 'object', properties: { score: { type: 'integer' } }, required: ['score'], 'x-palisade-samples': 12 },
      'x-palisade-samples': 12,
    });
    // One object with more names than tracked: a dictionary, not a record.
    const one = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`name${String.fromCharCode(97 + i)}`, i]));
    assert.deepEqual(schemaOf([one], { maxProperties: 5 }), {
      type: 'object',
      additionalProperties: { type: 'integer' },
      'x-palisade-samples': 1,
    });
  });

  test('a record with more fields than maxProperties keeps the first ones and is marked truncated', () => {
    const record = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`field${String.fromCharCode(97 + i)}`, i]));
    const schema = schemaOf([record, record, record], { maxProperties: 5 });
    assert.deepEqual(Object.keys(schema.properties as object), ['fielda', 'fieldb', 'fieldc', 'fieldd', 'fielde']);
    assert.deepEqual(schema.required, ['fielda', 'fieldb', 'fieldc', 'fieldd', 'fielde']);
    assert.equal(schema['x-palisade-truncated'], true);
    assert.equal(schema.additionalProperties, undefined);
  });

  test('values deeper than maxDepth become {} marked truncated', () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    assert.deepEqual(schemaOf([deep], { maxDepth: 2 }), {
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: 'object', properties: { c: { 'x-palisade-truncated': true } }, 'x-palisade-samples': 1 } },
          'x-palisade-samples': 1,
        },
      },
      'x-palisade-samples': 1,
    });
    assert.deepEqual(schemaOf([[[[1]]]], { maxDepth: 1 }), {
      type: 'array',
      items: { type: 'array', items: { 'x-palisade-truncated': true } },
    });
    assert.deepEqual(schemaOf([{ a: 1 }], { maxDepth: 0 }), {
      type: 'object',
      properties: { a: { 'x-palisade-truncated': true } },
      'x-palisade-samples': 1,
    });
  });

  test('only the first maxArrayItems elements of an array are examined', () => {
    assert.deepEqual(schemaOf([[1, 2, 'three']], { maxArrayItems: 2 }), { type: 'array', items: { type: 'integer' } });
    assert.deepEqual(schemaOf([[1, 2, 'three']]), { type: 'array', items: { type: ['string', 'integer'] } });
  });
});

describe('addText', () => {
  test('text is typed the way it reads', () => {
    assert.deepEqual(textSchemaOf(['42', '-7', '0']), { type: 'integer' });
    assert.deepEqual(textSchemaOf(['42', '3.14']), { type: 'number' });
    assert.deepEqual(textSchemaOf(['1e3', '2.0']), { type: 'integer' });
    assert.deepEqual(textSchemaOf(['true', 'false']), { type: 'boolean' });
    assert.deepEqual(textSchemaOf(['']), { type: 'string' });
    assert.deepEqual(textSchemaOf(['2026-11-30']), { type: 'string', format: 'date' });
    assert.deepEqual(textSchemaOf(['10.0.0.1']), { type: 'string', format: 'ipv4' });
    assert.deepEqual(textSchemaOf(['asc', '12']), { type: ['string', 'integer'] });
  });

  test('what only looks like a number or a boolean stays text', () => {
    for (const value of ['007', '+5', ' 5', '1.', '.5', '0x1F', 'NaN', 'Infinity', '1e999', 'True', 'null', '9007199254740993']) {
      assert.deepEqual(textSchemaOf([value]), { type: 'string' }, value);
    }
  });
});

describe('bounded memory and no values', () => {
  test('no value from traffic appears in the schema', () => {
    const secrets = [
      'hunter2-correct-horse',
      'Ada Lovelace',
      'ada@example.com',
      '2026-11-30',
      '10.1.2.3',
      'https://example.com/x',
      '31337',
    ];
    const schema = schemaOf([
      { name: secrets[1], email: secrets[2], born: secrets[3], ip: secrets[4], site: secrets[5], password: secrets[0], pin: 31337 },
      {
        name: 'Alan Turing',
        email: 'alan@example.com',
        born: '1912-06-23',
        ip: '10.9.8.7',
        site: 'https://example.org',
        password: token(3),
        pin: 1,
      },
    ]);
    const text = JSON.stringify(schema);
    for (const secret of [...secrets, 'Alan', 'tok_']) assert.ok(!text.includes(secret), secret);
    for (const keyword of ['enum', 'const', 'example', 'examples', 'default']) assert.ok(!text.includes(`"${keyword}"`), keyword);
  });

  test('samples counts the values added, text or parsed', () => {
    const builder = createSchemaBuilder();
    builder.add({ a: 1 });
    builder.add([1, 2, 3]);
    builder.addText('x');
    assert.equal(builder.samples, 3);
  });
});

describe('merge', () => {
  /** A deterministic mix of shapes, formats, nulls, maps and nesting. */
  function traffic(): unknown[] {
    const values: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      values.push({
        id: i,
        ...(i % 3 === 0 ? { note: i % 2 === 0 ? null : `note ${i}` } : {}),
        price: i % 7 === 0 ? i + 0.5 : i,
        at: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
        owner: { email: `user${i}@example.com`, key: token(i), tags: i % 4 === 0 ? [] : ['a', i] },
        byId: { [1000 + i]: { qty: i }, ...(i % 5 === 0 ? { [2000 + i]: { qty: null, deep: { x: [i] } } } : {}) },
        [`extra${i % 9}`]: i % 2 === 0,
      });
      if (i % 10 === 0) values.push(null, 'plain', [i, `${i}`]);
    }
    return values;
  }

  const build = (values: readonly unknown[], options?: SchemaBuilderOptions): SchemaBuilder => {
    const builder = createSchemaBuilder(options);
    for (const value of values) builder.add(value);
    return builder;
  };

  for (const options of [undefined, { maxProperties: 6, maxDepth: 3, maxArrayItems: 1 }]) {
    test(`builders over parts merge into the schema of one builder over all (${options === undefined ? 'defaults' : 'tight limits'})`, () => {
      const all = traffic();
      const whole = build(all, options);
      const parts = [all.filter((_, i) => i % 3 === 0), all.filter((_, i) => i % 3 === 1), all.filter((_, i) => i % 3 === 2)];
      const merged = createSchemaBuilder(options);
      for (const part of parts) merged.merge(build(part, options));
      assert.equal(merged.samples, whole.samples);
      // Samples are interleaved, so compare with a whole builder fed part by part.
      assert.deepEqual(merged.toSchema(), build(parts.flat(), options).toSchema());
      assert.deepEqual(normalizeOrder(merged.toSchema()), normalizeOrder(whole.toSchema()));
    });
  }

  test('text values merge too', () => {
    const a = createSchemaBuilder();
    const b = createSchemaBuilder();
    a.addText('12');
    b.addText('2026-11-30');
    a.merge(b);
    assert.deepEqual(a.toSchema(), { type: ['string', 'integer'], format: 'date' });
  });

  test('merging a builder into itself counts its values twice', () => {
    const builder = build([{ a: 1 }, { a: 2, b: 'x' }]);
    builder.merge(builder);
    assert.equal(builder.samples, 4);
    assert.deepEqual(builder.toSchema().required, ['a']);
    assert.equal(builder.toSchema()['x-palisade-samples'], 4);
  });

  test('merging applies the limits of the builder merged into', () => {
    const loose = build([{ a: { b: { c: 1 } } }]);
    const tight = createSchemaBuilder({ maxDepth: 1 });
    tight.merge(loose);
    assert.deepEqual(tight.toSchema(), {
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { 'x-palisade-truncated': true } }, 'x-palisade-samples': 1 } },
      'x-palisade-samples': 1,
    });
  });

  test('only builders from createSchemaBuilder can be merged', () => {
    const fake: SchemaBuilder = { add() {}, addText() {}, merge() {}, samples: 0, toSchema: () => ({}) };
    assert.throws(() => createSchemaBuilder().merge(fake), TypeError);
  });
});

test('invalid options are reported together as PAL_ERR_CONFIG_INVALID', () => {
  assert.throws(
    () => createSchemaBuilder({ maxProperties: 0, maxDepth: -1, maxArrayItems: 1.5 }),
    (error: unknown) =>
      isPalisadeError(error) &&
      error.code === 'PAL_ERR_CONFIG_INVALID' &&
      ['maxProperties', 'maxDepth', 'maxArrayItems'].every((name) => error.message.includes(name)),
  );
  assert.doesNotThrow(() => createSchemaBuilder({ maxDepth: 0 }));
});

/** The schema with properties and `required` sorted: what does not depend on the order samples came in. */
function normalizeOrder(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizeOrder);
  if (typeof schema !== 'object' || schema === null) return schema;
  const entries = Object.entries(schema).map(([key, value]): [string, unknown] => {
    if (key === 'required') return [key, [...(value as string[])].sort()];
    if (key === 'properties')
      return [key, normalizeOrder(Object.fromEntries(Object.entries(value as object).sort(([a], [b]) => a.localeCompare(b))))];
    return [key, normalizeOrder(value)];
  });
  return Object.fromEntries(entries);
}
