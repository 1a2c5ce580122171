import { splitFieldName } from '../../sensitive/field-hints.js';

// Words of a literal path segment that make an endpoint about authentication.
const AUTH_WORDS = new Set([
  'login',
  'logon',
  'signin',
  'signon',
  'token',
  'oauth',
  'oauth2',
  'auth',
  'authenticate',
  'session',
  'sessions',
  'password',
  'reset',
  'otp',
  'mfa',
  '2fa',
  'verify',
]);
// Joined forms of several words (`sign-in`, `signIn`, `forgot_password`).
const AUTH_JOINED = new Set(['signin', 'signon', 'login', 'logon', 'forgotpassword', 'resetpassword', 'passwordreset', 'twofactor']);

/**
 * True when an endpoint template looks like authentication: a literal segment (not a `{parameter}`) that is
 * or contains the word login, signin / sign-in, token, oauth, auth, session(s), password, reset, otp, mfa,
 * 2fa or verify, ignoring case, separators and a file extension (`/oauth2/token`, `/v1/auth/login`,
 * `/users/password-reset`, `/signIn.json`).
 */
export function isAuthenticationPath(template: string): boolean {
  for (const segment of template.split('/')) {
    if (segment === '' || segment.includes('{')) continue;
    const bare = segment.replace(/\.[A-Za-z0-9]{1,5}$/, '');
    const words = splitFieldName(bare);
    if (words.some((word) => AUTH_WORDS.has(word)) || AUTH_JOINED.has(words.join(''))) return true;
  }
  return false;
}
