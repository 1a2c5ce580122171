import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TENANT_CLAIMS } from '@palisade/core';
import { createRandom, mutate } from '@palisade/testkit';
import { decodeJwt, type JwtReading, looksLikeJwt, readJwtClaim } from './jwt.js';

const reading: JwtReading = { userClaim: 'sub', tenantClaims: DEFAULT_TENANT_CLAIMS };

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a compact JWS; the signature is fake (Palisade never verifies). */
function jwt(payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT' }, signature = 'c2lnbmF0dXJlLWJ5dGVz'): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

test('keeps the identity claims of a typical access token', () => {
  const token = jwt({
    sub: 'user-8812',
    iss: 'https://idp.example.com/',
    aud: 'orders-api',
    client_id: 'mobile-app',
    scope: 'orders:read orders:write',
    tid: 'tenant-7',
    exp: 1_900_000_000,
    iat: 1_800_000_000,
    email: 'alice@example.com',
  });
  const decoded = decodeJwt(token, reading);
  assert.deepEqual(decoded, {
    claims: {
      alg: 'RS256',
      sub: 'user-8812',
      iss: 'https://idp.example.com/',
      aud: 'orders-api',
      clientId: 'mobile-app',
      scope: 'orders:read orders:write',
      tenant: 'tenant-7',
      exp: 1_900_000_000,
      iat: 1_800_000_000,
    },
    user: 'user-8812',
  });
  // Claims Palisade does not keep (e-mail, personal data) are not copied into the event.
  assert.ok(!JSON.stringify(decoded).includes('alice@example.com'));
});

test('aud may be an array; non-string members are dropped', () => {
  const decoded = decodeJwt(jwt({ sub: 'a', aud: ['api-1', 42, 'api-2', null] }), reading);
  assert.deepEqual(decoded?.claims.aud, ['api-1', 'api-2']);
});

test('the client id comes from client_id, then azp, then cid, then appid', () => {
  const clientOf = (payload: Record<string, unknown>) => decodeJwt(jwt(payload), reading)?.claims.clientId;
  assert.equal(clientOf({ client_id: 'c1', azp: 'c2', cid: 'c3', appid: 'c4' }), 'c1');
  assert.equal(clientOf({ azp: 'c2', cid: 'c3', appid: 'c4' }), 'c2');
  assert.equal(clientOf({ cid: 'c3', appid: 'c4' }), 'c3');
  assert.equal(clientOf({ appid: 'c4' }), 'c4');
  assert.equal(clientOf({ sub: 'x' }), undefined);
  assert.equal(clientOf({ client_id: '', azp: 'c2' }), 'c2');
});

test('scope comes from scope or scp, as a string or an array of strings', () => {
  const scopeOf = (payload: Record<string, unknown>) => decodeJwt(jwt(payload), reading)?.claims.scope;
  assert.equal(scopeOf({ scope: 'read write' }), 'read write');
  assert.equal(scopeOf({ scp: 'User.Read' }), 'User.Read');
  assert.equal(scopeOf({ scp: ['read', 'write', 7] }), 'read write');
  assert.equal(scopeOf({ scp: [] }), undefined);
  assert.equal(scopeOf({ scope: '' }), undefined);
});

test('the tenant is the first configured tenant claim present, in configuration order', () => {
  const tenantOf = (payload: Record<string, unknown>, claims: readonly string[] = DEFAULT_TENANT_CLAIMS) =>
    decodeJwt(jwt(payload), { userClaim: 'sub', tenantClaims: claims })?.claims.tenant;
  assert.equal(tenantOf({ customer_id: 'cust-1', org_id: 'org-1', tid: 'tid-1' }), 'tid-1');
  assert.equal(tenantOf({ customer_id: 'cust-1', org_id: 'org-1' }), 'org-1');
  assert.equal(tenantOf({ customer_id: 'cust-1', org_id: 'org-1' }, ['customer_id', 'org_id']), 'cust-1');
  assert.equal(tenantOf({ org_id: 4711 }), '4711');
  assert.equal(tenantOf({ other: 'x' }), undefined);
  // An empty value does not win over the next claim.
  assert.equal(tenantOf({ tenant: '', tenant_id: 't-2' }), 't-2');
});

test('the user comes from the configured user claim', () => {
  const token = jwt({ sub: 'opaque-id', preferred_username: 'alice' });
  assert.equal(decodeJwt(token, { userClaim: 'preferred_username', tenantClaims: [] })?.user, 'alice');
  assert.equal(decodeJwt(token, reading)?.user, 'opaque-id');
  assert.equal(decodeJwt(jwt({ iss: 'x' }), reading)?.user, undefined);
  assert.equal(decodeJwt(jwt({ sub: 12345 }), reading)?.user, '12345');
});

test('alg comes from the header, including none', () => {
  assert.equal(decodeJwt(jwt({ sub: 'a' }, { alg: 'HS256' }), reading)?.claims.alg, 'HS256');
  assert.equal(decodeJwt(jwt({ sub: 'a' }, { alg: 'none' }), reading)?.claims.alg, 'none');
  assert.equal(decodeJwt(jwt({ sub: 'a' }, { typ: 'JWT' }), reading)?.claims.alg, undefined);
});

test('an unsigned alg:none token with an empty signature is read', () => {
  const token = `${b64({ alg: 'none' })}.${b64({ sub: 'mallory', iss: 'forged' })}.`;
  assert.equal(looksLikeJwt(token), true);
  const decoded = decodeJwt(token, reading);
  assert.deepEqual(decoded, { claims: { alg: 'none', sub: 'mallory', iss: 'forged' }, user: 'mallory' });
});

test('exp and iat are kept only as finite numbers', () => {
  const claims = decodeJwt(jwt({ sub: 'a', exp: '1900000000', iat: 1.5e9 }), reading)?.claims;
  assert.equal(claims?.exp, undefined);
  assert.equal(claims?.iat, 1.5e9);
  const huge = `${b64({ alg: 'none' })}.${b64('{"sub":"a","exp":1e999}')}.`;
  assert.equal(decodeJwt(huge, reading)?.claims.exp, undefined);
});

test('long claim values are capped', () => {
  const claims = decodeJwt(jwt({ sub: 's'.repeat(1000), scope: 'x'.repeat(5000) }, { alg: 'A'.repeat(100) }), reading)?.claims;
  assert.equal(claims?.sub?.length, 256);
  assert.equal(claims?.scope?.length, 1024);
  assert.equal(claims?.alg?.length, 32);
});

test('garbage and non-JWT text give undefined', () => {
  const notJwts = [
    '',
    'abc',
    'opaque-token-1234567890',
    'a.b.c',
    'eyJ.eyJ.sig',
    `${b64({ alg: 'none' })}.${b64({ sub: 'a' })}`, // two parts
    `${b64({ alg: 'none' })}.${b64({ sub: 'a' })}.sig.extra`, // four parts
    `${b64({ alg: 'none' })}.${b64('not json')}.sig`,
    `${b64({ alg: 'none' })}.${b64([1, 2, 3])}.sig`, // payload not an object
    `${b64({ alg: 'none' })}.${b64('null')}.sig`,
    `${b64('[1]')}.${b64({ sub: 'a' })}.sig`, // header not an object
    `eyJhbGciOiJub25lIn0.${b64({ sub: 'a' })}.s+g/==`, // not base64url
    `${b64({ alg: 'none' })}.${b64({ sub: 'a' })}.${'A'.repeat(20_000)}`, // absurdly long
  ];
  for (const text of notJwts) assert.equal(decodeJwt(text, reading), undefined, text.slice(0, 60));
});

test('looksLikeJwt recognises the compact shape only', () => {
  assert.equal(looksLikeJwt(jwt({ sub: 'a' })), true);
  assert.equal(looksLikeJwt('eyJhbGciOiJIUzI1NiJ9'), false);
  assert.equal(looksLikeJwt('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig'), false);
  assert.equal(looksLikeJwt('abc.def.ghi'), false);
});

test('readJwtClaim reads any string or number claim', () => {
  const token = jwt({ sub: 'a', account: 'acct-9', n: 42, flag: true, nested: { x: 1 } });
  assert.equal(readJwtClaim(token, 'account'), 'acct-9');
  assert.equal(readJwtClaim(token, 'n'), '42');
  assert.equal(readJwtClaim(token, 'flag'), undefined);
  assert.equal(readJwtClaim(token, 'nested'), undefined);
  assert.equal(readJwtClaim(token, 'missing'), undefined);
  assert.equal(readJwtClaim(token, '__proto__'), undefined);
  assert.equal(readJwtClaim('not-a-jwt', 'sub'), undefined);
});

test('decoding the same token twice with different readings gives each reading its answer', () => {
  const token = jwt({ sub: 'id-1', name: 'bob', org_id: 'o', tid: 't' });
  assert.equal(decodeJwt(token, reading)?.user, 'id-1');
  assert.equal(decodeJwt(token, { userClaim: 'name', tenantClaims: ['org_id'] })?.user, 'bob');
  assert.equal(decodeJwt(token, { userClaim: 'name', tenantClaims: ['org_id'] })?.claims.tenant, 'o');
  assert.equal(decodeJwt(token, reading)?.claims.tenant, 't');
});

test('never throws on random or mutated input (seeded fuzz)', () => {
  const random = createRandom(0x5eed);
  const seeds = [
    jwt({ sub: 'a', aud: ['x'], scp: ['r'], exp: 1, tid: 't' }),
    `${b64({ alg: 'none' })}.${b64({ sub: 'mallory' })}.`,
    `${b64('{"alg":"HS256"')}.${b64('{"sub":')}.x`,
  ];
  const alphabet = 'eyJABCabc012_-.=+/{}":,[] \u00e9\u0000';
  for (let i = 0; i < 3000; i++) {
    let input: string;
    if (i % 3 === 0) {
      input = '';
      const len = Math.floor(random() * 80);
      for (let j = 0; j < len; j++) input += alphabet[Math.floor(random() * alphabet.length)];
      if (random() < 0.5) input = `eyJ${input}`;
    } else {
      input = mutate(seeds[i % seeds.length] as string, random);
    }
    const decoded = decodeJwt(input, reading);
    if (decoded !== undefined) {
      assert.equal(typeof decoded.claims, 'object', input);
      for (const value of Object.values(decoded.claims)) {
        assert.ok(['string', 'number'].includes(typeof value) || Array.isArray(value), input);
      }
    }
    readJwtClaim(input, 'sub');
  }
});

test('tokens that share a header, or a header that does not decode, read the same every time', () => {
  const header = { alg: 'ES256', typ: 'JWT', kid: 'shared' };
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(decodeJwt(jwt({ sub: `u${i}` }, header), reading), { claims: { alg: 'ES256', sub: `u${i}` }, user: `u${i}` });
    assert.deepEqual(decodeJwt(jwt({ sub: `u${i}` }, { typ: 'JWT' }), reading), { claims: { sub: `u${i}` }, user: `u${i}` });
    assert.equal(decodeJwt(`${b64('eyJ not json')}.${b64({ sub: 'x' })}.sig`, reading), undefined);
    assert.equal(decodeJwt(`${b64([1, 2])}.${b64({ sub: 'x' })}.sig`, reading), undefined);
  }
});
