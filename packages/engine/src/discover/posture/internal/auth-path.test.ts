import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAuthenticationPath } from './auth-path.js';

test('authentication endpoints', () => {
  for (const path of [
    '/login',
    '/v1/auth/login',
    '/oauth2/token',
    '/api/sign-in',
    '/signIn.json',
    '/users/password-reset',
    '/account/forgot_password',
    '/v2/sessions',
    '/mfa/verify',
    '/2fa',
    '/otp/send',
    '/identity/v1/accounts:signInWithPassword',
  ]) {
    assert.ok(isAuthenticationPath(path), path);
  }
});

test('other endpoints, and words only in parameters', () => {
  for (const path of [
    '/authors',
    '/v1/tokens',
    '/orders/{orderId}',
    '/users/{login}',
    '/logs',
    '/design/signals',
    '/resets-archive',
    '/',
  ]) {
    assert.ok(!isAuthenticationPath(path), path);
  }
});
