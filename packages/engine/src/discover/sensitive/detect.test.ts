import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isPalisadeError } from '@palisade/core';
import { createTokenizer } from '../../enrich/tokenize.js';
import { createSensitiveDetector, type SensitiveJsonMatch, type SensitiveMatch, SENSITIVE_TYPES } from './detect.js';

const detector = createSensitiveDetector();
const scan = (value: string, field?: string) => detector.scanValue(value, field);
const types = (value: string, field?: string) =>
  scan(value, field).map((m) => (m.subtype === undefined ? m.type : `${m.type}:${m.subtype}`));
const only = (value: string, field: string | undefined, expected: SensitiveMatch) =>
  assert.deepEqual(scan(value, field), [expected], `${field}=${value}`);
const none = (value: string, field?: string) => assert.deepEqual(scan(value, field), [], `${field}=${value}`);

// Test credentials are assembled at run time so that no full token literal sits in the source.
const githubToken = 'ghp_' + 'x'.repeat(36);
const githubPat = 'github_' + 'pat_' + 'A1'.repeat(11) + '_' + 'b2'.repeat(30);
const stripeLive = 'sk_' + 'live_' + 'a1'.repeat(12);
const stripeTest = 'sk_' + 'test_' + 'x'.repeat(24);
const stripeRestricted = 'rk_' + 'live_' + 'y'.repeat(30);
const slackToken = 'xoxb-' + '0'.repeat(11) + '-' + '1'.repeat(12) + '-' + 'x'.repeat(24);
const googleKey = 'AIza' + 'Sy' + 'x'.repeat(33);
// High-entropy, deterministic, and never written out in the source.
const generatedSecret = createHash('sha256').update('palisade sensitive test').digest('base64url');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'user-1', iat: 1700000000 })}.${'s'.repeat(43)}`;
const pemHeader = (kind: string) => `-----BEGIN ${kind}PRIVATE` + ' KEY-----';
const tokenizer = createTokenizer(Buffer.alloc(32, 7));

test('e-mail addresses: whole values and inside text', () => {
  only('alice@example.com', undefined, { type: 'email', confidence: 'high' });
  only('Contact: Bob.Smith+news@mail.example.co.uk, thanks.', 'note', { type: 'email', confidence: 'high' });
  only('mailto:carol@example.org', undefined, { type: 'email', confidence: 'high' });
  for (const value of [
    'user@localhost',
    'admin@10.0.0.1',
    '@scope/pkg@1.2.3',
    'icon@2x.png',
    'https://user@example.com/path',
    'a@b',
    '@example.com',
    'x@.com',
  ]) {
    none(value);
  }
});

test('phone numbers: E.164 anywhere, national formats only under a phone-like name', () => {
  for (const value of ['+14155550100', '+1 (415) 555-0100', '+44 20 7946 0958', '+33 1 23 45 67 89', '+49-151-2345-6789']) {
    only(value, undefined, { type: 'phone', confidence: 'high' });
  }
  only('Call +44 20 7946 0958 after 9', 'note', { type: 'phone', confidence: 'high' });
  for (const field of ['phone', 'mobileNumber', 'contact_phone', 'Fax', 'msisdn', 'cell', 'tel', 'phone_2', 'PhoneNo']) {
    only('(415) 555-0100', field, { type: 'phone', confidence: 'high' });
  }
  only('020 7946 0958', 'telephone', { type: 'phone', confidence: 'high' });
  // Without a phone-like name a national number is just a number.
  none('(415) 555-0100');
  none('020 7946 0958', 'reference');
});

test('phone near-misses: order ids, numeric ids, timestamps, version strings, offsets', () => {
  none('20240113123456', 'order_id');
  none('123456789012');
  none('123456789012', 'id');
  none('1704067200');
  none('1704067200123', 'created_at');
  none('2024-01-13T12:34:56+01:00');
  none('1e+21');
  none('1.0.0+20130313144700', 'build_info');
  none('+12345');
  none('+0 123 456 789');
  // A version string is not a phone, and under a version name not an IP address either.
  assert.ok(!types('1.2.3.4').includes('phone'));
  none('1.2.3.4', 'version');
  none('10.0.1.2', 'appVersion');
  // Phone-named fields still need a phone-shaped value.
  none('not available', 'phone');
  none('12345', 'phone');
  none('1.2.3.4', 'mobile_app_version');
});

test('payment cards: Luhn-valid numbers with a known issuer prefix', () => {
  const cards = [
    '4111 1111 1111 1111', // Visa
    '4111-1111-1111-1111',
    '4111111111111111',
    '4222222222222', // Visa, 13 digits
    '5555555555554444', // Mastercard
    '2223003122003222', // Mastercard 2-series
    '3782 822463 10005', // Amex, 4-6-5
    '6011111111111117', // Discover
    '3530111333300000', // JCB
    '30569309025904', // Diners
    '6200000000000005', // UnionPay
    '6759649826438453', // Maestro
  ];
  for (const card of cards) only(card, undefined, { type: 'payment_card', confidence: 'high' });
  only('paid with 5105 1051 0510 5100 yesterday', 'note', { type: 'payment_card', confidence: 'high' });
  // A card as a JSON number.
  assert.deepEqual(detector.scanJson({ card: 4111111111111111 }), [{ type: 'payment_card', confidence: 'high', path: '$.card' }]);
});

test('payment card near-misses: Luhn failures, unknown prefixes, timestamps, odd grouping, digits inside ids', () => {
  none('4111 1111 1111 1112'); // Luhn-invalid
  none('4111111111111112');
  none('9111111111111110'); // Luhn-valid, no issuer starts with 9
  none('1234567890123452'); // Luhn-valid, no issuer starts with 1
  none('8000000000000003');
  none('1704067200127'); // a Unix time in ms that passes Luhn
  none('1704067200000000'); // microseconds
  assert.deepEqual(types('378282246310005'), ['payment_card']); // Amex is 15 digits…
  none('37828224631000'); // …but not 14
  none('41 11 11 11 11 11 11 11'); // not a card grouping
  none('4111 1111-1111 1111'); // mixed separators
  none('4111 1111 1111 1111 1111'); // part of a longer run
  none('a4111111111111111b'); // inside a hex id
  none('ord_4111111111111111');
});

test('US social security numbers', () => {
  only('123-45-6789', undefined, { type: 'ssn', confidence: 'medium' });
  only('123-45-6789', 'ssn', { type: 'ssn', confidence: 'high' });
  only('123456789', 'SSN', { type: 'ssn', confidence: 'high' });
  only('123 45 6789', 'social_security_number', { type: 'ssn', confidence: 'high' });
  only('123456789', 'socialSecurityNo', { type: 'ssn', confidence: 'high' });
  none('123456789'); // nine digits without a name are anything
  for (const value of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '123-456-789']) none(value);
});

test('IBANs: country length table and mod-97', () => {
  for (const iban of [
    'GB82 WEST 1234 5698 7654 32',
    'GB82WEST12345698765432',
    'DE89 3704 0044 0532 0130 00',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91 ABNA 0417 1643 00',
    'NO93 8601 1117 947',
    'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
  ]) {
    only(iban, 'iban', { type: 'iban', confidence: 'high' });
  }
  none('GB82 WEST 1234 5698 7654 33'); // bad check digits
  none('GB82 WEST 1234 5698 7654 3'); // wrong length for GB
  none('XX82 WEST 1234 5698 7654 32'); // unknown country
  none('gb82 west 1234 5698 7654 32'); // lower case is not how IBANs travel
});

test('JWTs: three base64url parts with a JSON header carrying alg', () => {
  only(jwt, undefined, { type: 'jwt', confidence: 'high' });
  only(`Bearer ${jwt}`, 'Authorization', { type: 'jwt', confidence: 'high' });
  const noAlg = `${b64url({ typ: 'JWT' })}.${b64url({ sub: 'x' })}.sig`;
  none(noAlg);
  none(`${b64url({ alg: 'HS256' })}.${b64url({ sub: 'x' })}`); // two parts
  none(`${jwt}.extra.parts`); // not a compact JWS
  none('eyJhbGciOi.notbase64json.sig');
});

test('provider secrets are recognised by prefix, in any field and inside text', () => {
  only('AKIAIOSFODNN7EXAMPLE', undefined, { type: 'secret', subtype: 'aws_access_key', confidence: 'high' });
  only('ASIAIOSFODNN7EXAMPLE', 'aws_access_key_id', { type: 'secret', subtype: 'aws_access_key', confidence: 'high' });
  only(githubToken, undefined, { type: 'secret', subtype: 'github_token', confidence: 'high' });
  only(githubPat, undefined, { type: 'secret', subtype: 'github_token', confidence: 'high' });
  only(stripeLive, undefined, { type: 'secret', subtype: 'stripe_key', confidence: 'high' });
  only(stripeTest, undefined, { type: 'secret', subtype: 'stripe_key', confidence: 'high' });
  only(stripeRestricted, undefined, { type: 'secret', subtype: 'stripe_key', confidence: 'high' });
  only(slackToken, undefined, { type: 'secret', subtype: 'slack_token', confidence: 'high' });
  only(googleKey, undefined, { type: 'secret', subtype: 'google_api_key', confidence: 'high' });
  only(`export GITHUB_TOKEN=${githubToken}`, 'script', { type: 'secret', subtype: 'github_token', confidence: 'high' });
  assert.deepEqual(types(`${githubToken} and ${stripeLive}`), ['secret:github_token', 'secret:stripe_key']);
  // Cut or embedded prefixes are not tokens.
  none('AKIAIOSFODNN7EXAMPL');
  none('XAKIAIOSFODNN7EXAMPLE');
  none('ghp_' + 'x'.repeat(35));
  none('sk_' + 'live_' + 'short');
});

test('AWS secret keys need an AWS or secret-key name', () => {
  const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  only(awsSecret, 'aws_secret_access_key', { type: 'secret', subtype: 'aws_secret_key', confidence: 'high' });
  only(awsSecret, 'SecretAccessKey', { type: 'secret', subtype: 'aws_secret_key', confidence: 'medium' });
  none(awsSecret, 'description');
  none(awsSecret);
});

test('generic secrets: a credential-like name with a generated, high-entropy value', () => {
  for (const field of [
    'password',
    'client_secret',
    'api_key',
    'X-Api-Key',
    'accessToken',
    'refresh_token',
    'Authorization',
    'db_passwd',
    'auth',
  ]) {
    only(generatedSecret, field, { type: 'secret', subtype: 'generic_api_key', confidence: 'medium' });
  }
  only(`Bearer ${generatedSecret}`, 'authorization', { type: 'secret', subtype: 'generic_api_key', confidence: 'medium' });
  // Low-entropy, short or word-like values; metadata about a credential; pagination cursors.
  none('hunter2', 'password');
  none('aaaaaaaaaaaaaaaaaaaaaaaa1', 'password');
  none('PasswordResetRequired', 'password');
  none('What was the name of your first pet?', 'secret_question');
  none('Bearer', 'token_type');
  none(generatedSecret, 'token_type');
  none(generatedSecret, 'api_key_id');
  none(generatedSecret, 'nextPageToken');
  none(generatedSecret, 'page_token');
  none(generatedSecret, 'description');
  none(generatedSecret);
});

test('UUIDs, hex ids and base64 images are not secrets (or anything else)', () => {
  const uuid = '3f1e2d4c-5b6a-4789-9abc-def012345678';
  for (const field of [undefined, 'id', 'request_id', 'session_token', 'api_key', 'trace']) none(uuid, field);
  for (const hex of ['5f8d0d55b54764421b7156c3', 'e83c5163316f89bfbde7d9ab23ca2e25604af290', '0123456789abcdef0123456789abcdef']) {
    none(hex);
    none(hex, 'id');
    none(hex, 'commit_sha');
  }
  const bytes = Buffer.from(Array.from({ length: 1200 }, (_, i) => (i * 37 + 11) & 255));
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes]).toString('base64');
  none(`data:image/png;base64,${png}`, 'avatar');
  none(`data:image/png;base64,${png}`);
  none(png, 'image');
  none(png);
});

test('Palisade tokens are already redacted: nothing is reported for them', () => {
  const token = tokenizer.token('correct-horse-battery-staple');
  assert.match(token, /^tok_[A-Za-z0-9_-]{22}$/);
  for (const field of [undefined, 'password', 'client_secret', 'api_key', 'Authorization', 'email']) none(token, field);
  none(`Bearer ${token}`, 'Authorization');
  // A near-token (wrong length) in a credential field is judged on its own.
  assert.deepEqual(types(`tok_${generatedSecret}`, 'api_key'), ['secret:generic_api_key']);
});

test('private keys by their PEM header', () => {
  for (const kind of ['', 'RSA ', 'EC ', 'OPENSSH ', 'DSA ', 'ENCRYPTED ']) {
    only(`${pemHeader(kind)}\nMIIBOgIBAAJBAK...\n`, undefined, { type: 'private_key', confidence: 'high' });
  }
  none('-----BEGIN PUBLIC KEY-----\nMFww...\n-----END PUBLIC KEY-----');
  none('-----BEGIN CERTIFICATE-----\nMIIB...');
});

test('IP addresses: whole values only', () => {
  for (const ip of ['203.0.113.9', '198.51.100.255', '2001:db8::1', '2001:db8:0:0:0:0:0:7', '::ffff:203.0.113.4']) {
    only(ip, undefined, { type: 'ip_address', confidence: 'high' });
  }
  only('2001:db8::1', 'version', { type: 'ip_address', confidence: 'high' }); // IPv6 is never a version string
  for (const value of ['256.1.1.1', '203.0.113', '203.0.113.9:443', 'from 203.0.113.9', '::', '12:30', '00:1a:2b:3c:4d:5e', '1.2.3.4.5'])
    none(value);
});

test('dates of birth need a birth-like name', () => {
  for (const field of ['dob', 'DOB', 'dateOfBirth', 'date_of_birth', 'birthDate', 'birthday', 'BirthDate', 'user_dob']) {
    only('1990-01-13', field, { type: 'date_of_birth', confidence: 'high' });
  }
  for (const value of ['13/01/1990', '01/13/1990', '13.01.1990', '1990/01/13', '1990-01-13T00:00:00Z']) {
    only(value, 'birthdate', { type: 'date_of_birth', confidence: 'high' });
  }
  none('1990-01-13');
  none('1990-01-13', 'created_at');
  none('1990-02-30', 'dob');
  none('13/13/1990', 'dob');
  none('Paris', 'birth_place');
  none('1990', 'birth_year');
});

test('postal addresses: street-shaped values, address-named fields, postal codes', () => {
  for (const value of [
    '1600 Amphitheatre Parkway',
    '1600 Amphitheatre Parkway, Mountain View, CA 94043',
    '221B Baker Street',
    '10 Downing St.',
    '742 Evergreen Terrace Way',
    '350 Fifth Ave Suite 100',
  ]) {
    only(value, undefined, { type: 'postal_address', confidence: 'high' });
  }
  for (const field of ['address', 'street', 'address_line1', 'addressLine2', 'shippingAddress', 'billing_address']) {
    only('Flat 2, 7 Example Road', field, { type: 'postal_address', confidence: 'medium' });
  }
  only('Baker Street', 'street', { type: 'postal_address', confidence: 'medium' });
  for (const [field, value] of [
    ['zip', '94043'],
    ['zipCode', '94043-1351'],
    ['postal_code', 'SW1A 1AA'],
    ['postcode', '1012 AB'],
    ['billing_zip', 'K1A 0B1'],
  ] as const) {
    only(value, field, { type: 'postal_address', confidence: 'medium' });
  }
  // Prose, other "addresses", placeholders and non-codes.
  none('The 9 Supreme Court justices ruled');
  none('9 Supreme Court justices ruled on it');
  none('2 on the way');
  assert.deepEqual(types('203.0.113.9', 'ip_address'), ['ip_address']);
  none('0x52908400098527886E0F7030069857D2E4169EE7', 'wallet_address');
  none('Not provided', 'address');
  none('Berlin', 'address');
  none('none', 'zip');
  none('archive.tar', 'zip');
  assert.deepEqual(types('203.0.113.7', 'remote_addr'), ['ip_address']);
});

test('several types in one value are each reported once', () => {
  assert.deepEqual(types('alice@example.com, +1 415 555 0100, bob@example.com, +1 415 555 0101'), ['email', 'phone']);
});

test('field names are compared ignoring case and separators', () => {
  for (const field of ['dateOfBirth', 'date_of_birth', 'Date-Of-Birth', 'DATE_OF_BIRTH', 'dateofbirth', 'DOB']) {
    assert.deepEqual(types('1990-01-13', field), ['date_of_birth'], field);
  }
  for (const field of ['password', 'PASSWORD', 'userPassword', 'user-password', 'x_api_key', 'X-API-KEY']) {
    assert.deepEqual(types(generatedSecret, field), ['secret:generic_api_key'], field);
  }
});

test('scanJson reports paths with arrays collapsed, once per type and path', () => {
  const body = {
    user: { email: 'alice@example.com', profile: { dateOfBirth: '1990-01-13', phone: '(415) 555-0100' } },
    items: [{ card: '4111 1111 1111 1111' }, { card: '5555555555554444' }, { card: 'n/a' }],
    contacts: [['+44 20 7946 0958'], ['+1 415 555 0100']],
    'x-api-key': githubToken,
    'weird key': '203.0.113.9',
    tags: ['a', 'b'],
    count: 3,
    active: true,
    nothing: null,
  };
  const found = detector.scanJson(body);
  assert.deepEqual(sortByPath(found), [
    { type: 'phone', confidence: 'high', path: '$.contacts[][]' },
    { type: 'payment_card', confidence: 'high', path: '$.items[].card' },
    { type: 'email', confidence: 'high', path: '$.user.email' },
    { type: 'date_of_birth', confidence: 'high', path: '$.user.profile.dateOfBirth' },
    { type: 'phone', confidence: 'high', path: '$.user.profile.phone' },
    { type: 'ip_address', confidence: 'high', path: '$["weird key"]' },
    { type: 'secret', subtype: 'github_token', confidence: 'high', path: '$["x-api-key"]' },
  ]);
});

test('scanJson: a scalar body, no findings, and the confidence of a path is the highest seen', () => {
  assert.deepEqual(detector.scanJson('alice@example.com'), [{ type: 'email', confidence: 'high', path: '$' }]);
  assert.deepEqual(detector.scanJson({ a: 1, b: [true, null, 'x'] }), []);
  assert.deepEqual(detector.scanJson(undefined), []);
  const people = detector.scanJson([{ ssn: '123-45-6789' }, { id: '123-45-6789' }, { ssn: '987-65-4321' }]);
  assert.deepEqual(people, [
    { type: 'ssn', confidence: 'high', path: '$[].ssn' },
    { type: 'ssn', confidence: 'medium', path: '$[].id' },
  ]);
  // The first address is only address-like (medium), the second is street-shaped (high): one entry, high.
  const upgraded = detector.scanJson({ orders: [{ address: 'Flat 2, 7 Example Road' }, { address: '1600 Amphitheatre Parkway' }] });
  assert.deepEqual(upgraded, [{ type: 'postal_address', confidence: 'high', path: '$.orders[].address' }]);
});

test('scanJson visits at most maxValues scalars', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ n: i, email: i === 40 ? 'late@example.com' : 'none' }));
  assert.deepEqual(detector.scanJson({ items }, 10), []);
  assert.equal(detector.scanJson({ items }, 100).length, 1);
  assert.equal(detector.scanJson({ items }).length, 1);
  // The default budget is 2000 values.
  const many = Array.from({ length: 2500 }, (_, i) => (i === 2100 ? 'late@example.com' : 'x'));
  assert.deepEqual(detector.scanJson(many), []);
  assert.equal(detector.scanJson(many, 3000).length, 1);
  assert.deepEqual(detector.scanJson({ email: 'a@example.com' }, 0), []);
});

test('scanJson bounds containers with no scalars in them, and nesting depth', () => {
  const empties: unknown[] = Array.from({ length: 100_000 }, () => ({}));
  empties.push('late@example.com');
  assert.deepEqual(detector.scanJson(empties, 10), []);
  const nest = (levels: number): unknown => {
    let node: unknown = { email: 'deep@example.com' };
    for (let i = 1; i < levels; i++) node = { a: node };
    return node;
  };
  assert.deepEqual(
    detector.scanJson(nest(32)).map((m) => m.type),
    ['email'],
  );
  assert.deepEqual(detector.scanJson(nest(33)), []);
  // A deep document does not overflow the stack.
  assert.deepEqual(detector.scanJson(nest(100_000)), []);
});

test('custom rules: pattern, optional field names, 4 KiB cap', () => {
  const custom = createSensitiveDetector({
    custom: [
      { name: 'employee_id', pattern: '^EMP-\\d{6}$' },
      { name: 'member_no', pattern: '^\\d{8}$', fieldNames: ['memberNumber', 'member_no'] },
      { name: 'internal_host', pattern: '\\.corp\\.example\\.com\\b' },
    ],
  });
  assert.deepEqual(custom.scanValue('EMP-123456'), [{ type: 'employee_id', confidence: 'high' }]);
  assert.deepEqual(custom.scanValue('EMP-12345'), []);
  assert.deepEqual(custom.scanValue('12345678', 'MEMBER_NUMBER'), [{ type: 'member_no', confidence: 'high' }]);
  assert.deepEqual(custom.scanValue('12345678', 'member-no'), [{ type: 'member_no', confidence: 'high' }]);
  assert.deepEqual(custom.scanValue('12345678', 'order'), []);
  assert.deepEqual(custom.scanValue('12345678'), []);
  assert.deepEqual(custom.scanValue('db1.corp.example.com', 'host'), [{ type: 'internal_host', confidence: 'high' }]);
  // Built-in and custom types together.
  assert.deepEqual(
    custom.scanValue('mail alice@example.com at db1.corp.example.com').map((m) => m.type),
    ['email', 'internal_host'],
  );
  // Values over 4 KiB are not given to custom patterns.
  assert.deepEqual(custom.scanValue(`${'a'.repeat(4096)}.corp.example.com`), []);
  assert.deepEqual(custom.scanValue(`${'a'.repeat(4000)}.corp.example.com`), [{ type: 'internal_host', confidence: 'high' }]);
  // In JSON, field names come from member names.
  assert.deepEqual(custom.scanJson({ members: [{ memberNumber: 12345678 }] }), [
    { type: 'member_no', confidence: 'high', path: '$.members[].memberNumber' },
  ]);
  // The default detector knows none of them.
  assert.deepEqual(detector.scanValue('EMP-123456'), []);
});

test('invalid custom rules are all rejected at once, naming each rule', () => {
  assert.throws(
    () =>
      createSensitiveDetector({
        custom: [
          { name: 'ok', pattern: '^ok$' },
          { name: 'broken', pattern: '([a-z' },
          { name: 'bad_escape', pattern: '\\p{NoSuchProperty}' },
          { name: '', pattern: 'x' },
        ],
      }),
    (error: unknown) => {
      assert.ok(isPalisadeError(error));
      assert.equal(error.code, 'PAL_ERR_CONFIG_INVALID');
      assert.match(error.message, /"broken": invalid pattern/);
      assert.match(error.message, /"bad_escape": invalid pattern/);
      assert.match(error.message, /#4: the name is empty/);
      assert.doesNotMatch(error.message, /"ok"/);
      return true;
    },
  );
});

test('a slow custom pattern stays bounded by the value cap', () => {
  const slow = createSensitiveDetector({ custom: [{ name: 'slow', pattern: '^(a+)+$' }] });
  const started = process.hrtime.bigint();
  assert.deepEqual(slow.scanValue(`${'a'.repeat(5000)}!`), []);
  assert.ok(process.hrtime.bigint() - started < 1_000_000_000n);
});

test('built-in rules stay fast on large and hostile values', () => {
  const hostile = [
    '+1'.repeat(5000),
    '@'.repeat(10_000),
    'a@'.repeat(5000),
    '4'.repeat(20_000),
    '4111 '.repeat(4000),
    `eyJ${'a'.repeat(10_000)}.${'b'.repeat(10_000)}.`.repeat(2),
    `1 ${'Aa '.repeat(5000)}`,
    'x'.repeat(100_000),
  ];
  const started = process.hrtime.bigint();
  for (const value of hostile) for (const field of [undefined, 'phone', 'password', 'address']) scan(value, field);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 2000, `${ms} ms`);
});

test('the README describes every built-in type', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  for (const type of SENSITIVE_TYPES) assert.ok(readme.includes(`\`${type}\``), type);
});

function sortByPath(found: SensitiveJsonMatch[]): SensitiveJsonMatch[] {
  return [...found].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
