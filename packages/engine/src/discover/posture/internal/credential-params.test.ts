import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialValueKind, evidenceName, isCredentialParamName, isNonTrivialValue } from './credential-params.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = `${b64url({ alg: 'RS256' })}.${b64url({ sub: 'u' })}.${'x'.repeat(40)}`;
const stripeKey = 'sk_' + 'live_' + 'a1'.repeat(12);

test('credential parameter names, whatever the case and separators', () => {
  for (const name of [
    'api_key',
    'apiKey',
    'X-API-KEY',
    'apikey',
    'token',
    'access_token',
    'accessToken',
    'id_token',
    'refresh-token',
    'password',
    'user_password',
    'passwd',
    'client_secret',
    'secret',
    'auth',
    'authorization',
    'jwt',
    'session',
    'session_id',
    'sessionId',
    'PHPSESSID',
    'sig',
    'signature',
    'X-Amz-Signature',
    'oauth_signature',
    'credentials',
    'secret_2',
  ]) {
    assert.ok(isCredentialParamName(name), name);
  }
});

test('names about credentials, cursors and generic keys are not credentials', () => {
  for (const name of [
    'key',
    'sort_key',
    'idempotency_key',
    'keyword',
    'token_type',
    'api_key_id',
    'password_policy',
    'page_token',
    'pageToken',
    'nextPageToken',
    'continuation_token',
    'sync_token',
    'author',
    'authority',
    'session_count',
    'signal',
    'design',
    '',
    '___',
  ]) {
    assert.ok(!isCredentialParamName(name), name);
  }
});

test('values that are credentials by themselves', () => {
  assert.equal(credentialValueKind(`tok_${'A'.repeat(22)}`), 'token');
  assert.equal(credentialValueKind(jwt), 'jwt');
  assert.equal(credentialValueKind(stripeKey), 'provider-secret');
  for (const value of ['', 'date', 'tok_visa', `tok_${'A'.repeat(24)}`, 'eyJ.not.a.jwt', '12345'])
    assert.equal(credentialValueKind(value), undefined, value);
});

test('trivial values next to credential names', () => {
  for (const value of ['', ' ', 'true', 'FALSE', '0', '1', 'null', 'none']) assert.ok(!isNonTrivialValue(value), value);
  for (const value of ['hunter2', 'abc', '42']) assert.ok(isNonTrivialValue(value), value);
});

test('names shown in evidence: secret-looking or very long names are redacted', () => {
  assert.equal(evidenceName('api_key'), 'api_key');
  assert.equal(evidenceName('X-Amz-Signature'), 'X-Amz-Signature');
  assert.equal(evidenceName('notificationPreferences'), 'notificationPreferences');
  for (const name of [jwt, stripeKey, `tok_${'B'.repeat(22)}`, 'a9F3kQ7xZ2mP8wR4tY6u', 'x'.repeat(65)])
    assert.equal(evidenceName(name), '<redacted>', name);
});
