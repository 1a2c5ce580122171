import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FieldHints, readFieldHints, splitFieldName } from './field-hints.js';

const hinted = (hint: keyof FieldHints, names: string[], expected: boolean) => {
  for (const name of names) assert.equal(readFieldHints(name)[hint], expected, `${hint}: ${name}`);
};

test('names are split into words on case changes and separators', () => {
  assert.deepEqual(splitFieldName('shippingAddressLine1'), ['shipping', 'address', 'line1']);
  assert.deepEqual(splitFieldName('userSSN'), ['user', 'ssn']);
  assert.deepEqual(splitFieldName('X-API-Key'), ['x', 'api', 'key']);
  assert.deepEqual(splitFieldName('DATE_OF_BIRTH'), ['date', 'of', 'birth']);
  assert.deepEqual(splitFieldName('--'), []);
});

test('phone names: the name is about a phone, not about an app on one', () => {
  hinted(
    'phone',
    [
      'phone',
      'Phone',
      'phoneNumber',
      'phone_number',
      'mobile',
      'MobileNo',
      'fax',
      'tel',
      'cell',
      'msisdn',
      'home_phone',
      'phone2',
      'phone_2',
    ],
    true,
  );
  hinted('phone', ['mobile_app_version', 'telemetry', 'hotel', 'cellId', 'phone_verified', 'intel', ''], false);
});

test('address names exclude network and e-mail addresses', () => {
  hinted('address', ['address', 'street', 'address_line1', 'addressLine2', 'streetAddress', 'billing_address', 'addr'], true);
  hinted(
    'address',
    ['ip_address', 'ipAddress', 'email_address', 'emailaddress', 'remote_addr', 'macAddress', 'wallet_address', 'server_address'],
    false,
  );
  hinted('postalCode', ['zip', 'zipCode', 'zip_code', 'postal_code', 'postcode', 'billing_zip'], true);
  hinted('postalCode', ['zipFile', 'gzip', 'postal_address'], false);
});

test('credential names exclude metadata and cursors', () => {
  hinted(
    'credential',
    ['password', 'client_secret', 'api_key', 'X-Api-Key', 'accessToken', 'Authorization', 'pwd', 'auth', 'csrf_token', 'password_hash'],
    true,
  );
  hinted(
    'credential',
    [
      'token_type',
      'api_key_id',
      'tokenExpiresAt',
      'expires_in',
      'nextPageToken',
      'page_token',
      'max_tokens',
      'passenger',
      'compass',
      'bypass',
      'author',
    ],
    false,
  );
});

test('birth, ssn and version names', () => {
  hinted('birth', ['dob', 'DOB', 'dateOfBirth', 'birthday', 'birth_date', 'user_dob'], true);
  hinted('birth', ['adobe', 'doberman_count'], false);
  hinted('ssn', ['ssn', 'SSN', 'social_security_number', 'customerSsn'], true);
  hinted('ssn', ['lessons', 'session'], false);
  hinted('version', ['version', 'appVersion', 'os_ver', 'build', 'firmware'], true);
});
