import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_EVENT_SCHEMA_VERSION, type ApiEvent, type EventSource, loadConfig, type ParsedEvent } from '@palisade/core';
import { createRandom } from '@palisade/testkit';
import { createEnricher, type EnrichSettings } from './enrich.js';
import { createTokenizer } from './tokenize.js';

const defaults = loadConfig({ env: {} }).ingest;
const settings = (overrides: Partial<EnrichSettings> = {}): EnrichSettings => ({ ...defaults, ...overrides });
const tokenizer = createTokenizer(Buffer.alloc(32, 9));
const tok = (secret: string) => tokenizer.token(secret);
const enrich = createEnricher(settings(), tokenizer);
const source: EventSource = { kind: 'test', name: 'unit' };
const ID = '0123456789abcdef0123456789abcdef';
const TIME = Date.UTC(2026, 0, 15, 12, 0, 0);

type RequestPart = ParsedEvent['request'];

function parsed(request: Partial<RequestPart> = {}, rest: Partial<Omit<ParsedEvent, 'request'>> = {}): ParsedEvent {
  // A `url` stands for the target; otherwise the path defaults to `/`.
  return { time: TIME, client: {}, ...rest, request: { method: 'GET', ...(request.url === undefined ? { path: '/' } : {}), ...request } };
}

function run(p: ParsedEvent, enricher = enrich): ApiEvent {
  return enricher(p, source, ID);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const makeJwt = (payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT', kid: 'k1' }) =>
  `${b64url(header)}.${b64url(payload)}.${Buffer.from('fake-signature-bytes-0123456789').toString('base64url')}`;

test('the event carries the schema version, id, time, source and request basics', () => {
  const event = run(
    parsed(
      { method: 'post', path: '/v1/orders', size: 321, httpVersion: 'HTTP/1.1' },
      { latencyMs: 12.5, traceId: 't1', spanId: 's1', upstream: { service: 'orders' }, attributes: { cache: 'MISS' } },
    ),
  );
  assert.equal(event.schemaVersion, API_EVENT_SCHEMA_VERSION);
  assert.equal(event.id, ID);
  assert.equal(event.time, TIME);
  assert.deepEqual(event.source, source);
  assert.deepEqual(event.request, { method: 'POST', path: '/v1/orders', headers: {}, size: 321, httpVersion: 'HTTP/1.1' });
  assert.deepEqual(event.identity, { authScheme: 'none' });
  assert.deepEqual(event.entities, {});
  assert.deepEqual(event.client, {});
  assert.equal(event.latencyMs, 12.5);
  assert.equal(event.traceId, 't1');
  assert.equal(event.spanId, 's1');
  assert.deepEqual(event.upstream, { service: 'orders' });
  assert.deepEqual(event.attributes, { cache: 'MISS' });
  assert.equal(event.response, undefined);
});

test('the method is upper-cased and header names lower-cased; empty header values are dropped', () => {
  const event = run(
    parsed(
      { method: 'patch', headers: { 'Content-Type': 'application/json', 'X-Request-ID': 'r-1', 'X-Empty': '', 'X-Undef': undefined } },
      { response: { status: 204, headers: { 'X-Trace': 'abc', ETag: '"v1"' } } },
    ),
  );
  assert.equal(event.request.method, 'PATCH');
  assert.deepEqual(event.request.headers, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
  assert.deepEqual(event.response, { status: 204, headers: { 'x-trace': 'abc', etag: '"v1"' } });
});

test('Authorization Basic: the user is kept, the header tokenized, the password nowhere', () => {
  const credentials = Buffer.from('alice:s3cr3t-Passw0rd').toString('base64');
  const event = run(parsed({ headers: { Authorization: `Basic ${credentials}` } }));
  assert.equal(event.identity.authScheme, 'basic');
  assert.equal(event.identity.user, 'alice');
  assert.equal(event.request.headers.authorization, `Basic ${tok(credentials)}`);
  const text = JSON.stringify(event);
  assert.ok(!text.includes('s3cr3t-Passw0rd'));
  assert.ok(!text.includes(credentials));
});

test('Basic without a usable user keeps the scheme but names no user', () => {
  for (const value of [
    'Basic',
    'Basic ',
    `Basic ${Buffer.from(':pw').toString('base64')}`,
    `Basic ${Buffer.from('a\u0001b:pw').toString('base64')}`,
  ]) {
    const event = run(parsed({ headers: { authorization: value } }));
    assert.equal(event.identity.authScheme, 'basic', value);
    assert.equal(event.identity.user, undefined, value);
  }
});

test('Bearer JWT: claims decoded, user from sub, session is a token, the raw JWT appears nowhere', () => {
  const jwt = makeJwt({
    sub: 'user-8812',
    iss: 'https://idp.example.com/',
    aud: ['orders', 'billing'],
    azp: 'web-app',
    scp: ['orders.read', 'orders.write'],
    tid: 'tenant-42',
    exp: 1_900_000_000,
    iat: 1_800_000_000,
  });
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const enricher = createEnricher(settings({ entities: [{ name: 'tenant', from: 'jwt', claim: 'tid' }] }), tokenizer);
  const event = run(parsed({ url: `/v1/orders?x=1`, headers: { authorization: `Bearer ${jwt}` } }), enricher);
  assert.equal(event.identity.authScheme, 'bearer-jwt');
  assert.equal(event.identity.user, 'user-8812');
  assert.deepEqual(event.identity.jwt, {
    alg: 'RS256',
    sub: 'user-8812',
    iss: 'https://idp.example.com/',
    aud: ['orders', 'billing'],
    clientId: 'web-app',
    scope: 'orders.read orders.write',
    tenant: 'tenant-42',
    exp: 1_900_000_000,
    iat: 1_800_000_000,
  });
  assert.equal(event.identity.session, tok(jwt));
  assert.equal(event.request.headers.authorization, `Bearer ${tok(jwt)}`);
  assert.deepEqual(event.entities, { tenant: 'tenant-42' });
  const text = JSON.stringify(event);
  assert.ok(!text.includes(jwt), 'raw JWT in event');
  assert.ok(!text.includes(payload), 'JWT payload in event');
  assert.ok(!text.includes(signature), 'JWT signature in event');
  assert.ok(!text.includes(`${header}.`), 'JWT header in event');
});

test('an unsigned alg:none JWT is read and its alg reported', () => {
  const jwt = `${b64url({ alg: 'none' })}.${b64url({ sub: 'admin' })}.`;
  const event = run(parsed({ headers: { authorization: `bearer ${jwt}` } }));
  assert.equal(event.identity.authScheme, 'bearer-jwt');
  assert.equal(event.identity.jwt?.alg, 'none');
  assert.equal(event.identity.user, 'admin');
  assert.ok(!JSON.stringify(event).includes(jwt));
});

test('a bearer with a configured user claim and tenant claims', () => {
  const jwt = makeJwt({ sub: 'opaque-1', email: 'bob@example.com', org_id: 'org-9', tid: 't-1' });
  const enricher = createEnricher(settings({ jwt: { userClaim: 'email', tenantClaims: ['org_id', 'tid'] } }), tokenizer);
  const event = run(parsed({ headers: { Authorization: `Bearer ${jwt}` } }), enricher);
  assert.equal(event.identity.user, 'bob@example.com');
  assert.equal(event.identity.jwt?.tenant, 'org-9');
});

test('an opaque bearer token is a session token with no user', () => {
  const opaque = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';
  const event = run(parsed({ headers: { Authorization: `Bearer ${opaque}` } }));
  assert.equal(event.identity.authScheme, 'bearer-opaque');
  assert.equal(event.identity.session, tok(opaque));
  assert.equal(event.identity.user, undefined);
  assert.equal(event.identity.jwt, undefined);
  assert.equal(event.request.headers.authorization, `Bearer ${tok(opaque)}`);
  assert.ok(!JSON.stringify(event).includes(opaque));
});

test('a bearer whose JWT-shaped token does not decode is still bearer-jwt, without claims', () => {
  const broken = 'eyJub3QganNvbg.eyJhbHNvIG5vdA.sig';
  const event = run(parsed({ headers: { authorization: `Bearer ${broken}` } }));
  assert.equal(event.identity.authScheme, 'bearer-jwt');
  assert.equal(event.identity.jwt, undefined);
  assert.equal(event.identity.session, tok(broken));
  assert.ok(!JSON.stringify(event).includes(broken));
});

test('an Authorization value without a known scheme is an API key, tokenized whole', () => {
  const event = run(parsed({ headers: { Authorization: 'sk_live_51AbCdEf' } }));
  assert.equal(event.identity.authScheme, 'api-key');
  assert.equal(event.identity.apiKey, tok('sk_live_51AbCdEf'));
  assert.equal(event.request.headers.authorization, tok('sk_live_51AbCdEf'));
  const other = run(parsed({ headers: { Authorization: 'Token abc123def' } }));
  assert.equal(other.identity.authScheme, 'api-key');
  assert.equal(other.request.headers.authorization, `Token ${tok('abc123def')}`);
  assert.ok(!JSON.stringify(other).includes('abc123def'));
});

test('an API key in a header or in the query gives api-key and the same token for the same key', () => {
  const key = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
  const viaHeader = run(parsed({ headers: { 'X-API-Key': key } }));
  const viaQuery = run(parsed({ url: `/maps/api/geocode?address=x&key=${key}` }));
  const viaOtherHeader = run(parsed({ headers: { 'Ocp-Apim-Subscription-Key': key } }));
  for (const event of [viaHeader, viaQuery, viaOtherHeader]) {
    assert.equal(event.identity.authScheme, 'api-key');
    assert.equal(event.identity.apiKey, tok(key));
    assert.ok(!JSON.stringify(event).includes(key));
  }
  assert.equal(viaHeader.request.headers['x-api-key'], tok(key));
  assert.equal(viaQuery.request.query, `address=x&key=${tok(key)}`);
  assert.deepEqual(viaQuery.request.queryParams, { address: 'x', key: tok(key) });
  assert.notEqual(run(parsed({ headers: { 'x-api-key': 'another-key' } })).identity.apiKey, tok(key));
});

test('a header API key wins over a query API key; configured API-key names are honoured', () => {
  const both = run(parsed({ url: '/a?api_key=from-query', headers: { 'x-api-key': 'from-header' } }));
  assert.equal(both.identity.apiKey, tok('from-header'));
  const custom = createEnricher(settings({ apiKeyHeaders: ['X-Partner-Key'], apiKeyQuery: ['pk'] }), tokenizer);
  const event = run(parsed({ url: '/a?pk=query-key', headers: { 'x-partner-key': 'hdr-key' } }), custom);
  assert.equal(event.identity.apiKey, tok('hdr-key'));
  assert.equal(event.request.headers['x-partner-key'], tok('hdr-key'));
  assert.deepEqual(event.request.queryParams, { pk: tok('query-key') });
  // x-api-key is no longer an API-key header here: still a secret name (tokenized), but not an identity.
  const plain = run(parsed({ headers: { 'x-api-key': 'k-123' } }), custom);
  assert.equal(plain.identity.authScheme, 'none');
  assert.equal(plain.request.headers['x-api-key'], tok('k-123'));
});

test('a session cookie gives the cookie scheme; every cookie value is tokenized', () => {
  const cookie = 'theme=dark; JSESSIONID=sess-AbC123; _ga=GA1.2.3456; csrftoken=csrf-999';
  const event = run(parsed({ headers: { Cookie: cookie } }));
  assert.equal(event.identity.authScheme, 'cookie');
  assert.equal(event.identity.session, tok('sess-AbC123'));
  assert.equal(
    event.request.headers.cookie,
    `theme=${tok('dark')}; JSESSIONID=${tok('sess-AbC123')}; _ga=${tok('GA1.2.3456')}; csrftoken=${tok('csrf-999')}`,
  );
  const text = JSON.stringify(event);
  for (const value of ['sess-AbC123', 'GA1.2.3456', 'csrf-999']) assert.ok(!text.includes(value), value);
});

test('cookies without a session cookie are tokenized but give no session; a nameless cookie is tokenized too', () => {
  const event = run(parsed({ headers: { cookie: 'prefs=compact;  lang=en ; legacy-bare-secret-value' } }));
  assert.equal(event.identity.authScheme, 'none');
  assert.equal(event.identity.session, undefined);
  assert.equal(event.request.headers.cookie, `prefs=${tok('compact')}; lang=${tok('en')}; ${tok('legacy-bare-secret-value')}`);
  assert.ok(!JSON.stringify(event).includes('legacy-bare-secret-value'));
});

test('the bearer session wins over the cookie session, the scheme stays bearer', () => {
  const event = run(parsed({ headers: { authorization: 'Bearer opaque-1', cookie: 'sid=cookie-sess' } }));
  assert.equal(event.identity.authScheme, 'bearer-opaque');
  assert.equal(event.identity.session, tok('opaque-1'));
});

test('Set-Cookie values are tokenized, attributes kept, several cookies in one value handled', () => {
  const setCookie =
    'sid=new-session-1; Path=/; HttpOnly; Secure; SameSite=Lax, remember=rm-token-2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600';
  const event = run(parsed({}, { response: { status: 200, headers: { 'Set-Cookie': setCookie } } }));
  assert.equal(
    event.response?.headers['set-cookie'],
    `sid=${tok('new-session-1')}; Path=/; HttpOnly; Secure; SameSite=Lax, remember=${tok('rm-token-2')}; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600`,
  );
  const text = JSON.stringify(event);
  assert.ok(!text.includes('new-session-1') && !text.includes('rm-token-2'));
});

test('secret-named headers are tokenized on requests and responses, API-key headers on responses too', () => {
  const event = run(
    parsed(
      { headers: { 'Proxy-Authorization': 'Basic cHJveHk6cHc=', 'X-Access-Token': 'at-1', Token: 'tk-2', 'X-Request-Id': 'rid' } },
      {
        response: {
          status: 201,
          headers: { 'X-Auth-Token': 'spring-session-id-3', 'X-Refresh-Token': 'rt-4', 'Content-Type': 'application/json' },
        },
      },
    ),
  );
  assert.equal(event.request.headers['proxy-authorization'], `Basic ${tok('cHJveHk6cHc=')}`);
  assert.equal(event.request.headers['x-access-token'], tok('at-1'));
  assert.equal(event.request.headers.token, tok('tk-2'));
  assert.equal(event.request.headers['x-request-id'], 'rid');
  assert.equal(event.response?.headers['x-auth-token'], tok('spring-session-id-3'));
  assert.equal(event.response?.headers['x-refresh-token'], tok('rt-4'));
  assert.equal(event.response?.headers['content-type'], 'application/json');
  // Proxy credentials are not the caller's identity.
  assert.equal(event.identity.authScheme, 'none');
});

test('the gateway identity reported by the parser is kept; its API key is tokenized', () => {
  const consumerOnly = run(parsed({}, { identity: { consumer: 'partner-a' } }));
  assert.deepEqual(consumerOnly.identity, { authScheme: 'api-key', consumer: 'partner-a' });

  const withKey = run(parsed({}, { identity: { consumer: 'partner-b', apiKey: 'gw-raw-key', user: 'gw-user' } }));
  assert.deepEqual(withKey.identity, { authScheme: 'api-key', consumer: 'partner-b', apiKey: tok('gw-raw-key'), user: 'gw-user' });
  assert.ok(!JSON.stringify(withKey).includes('gw-raw-key'));

  const explicit = run(parsed({}, { identity: { authScheme: 'mtls', consumer: 'svc' } }));
  assert.equal(explicit.identity.authScheme, 'mtls');

  // What the request itself shows comes first; the gateway fills in the rest.
  const jwt = makeJwt({ sub: 'jwt-user' });
  const mixed = run(
    parsed(
      { headers: { authorization: `Bearer ${jwt}` } },
      { identity: { consumer: 'kong-consumer', user: 'gw-user', authScheme: 'api-key' } },
    ),
  );
  assert.equal(mixed.identity.authScheme, 'bearer-jwt');
  assert.equal(mixed.identity.user, 'jwt-user');
  assert.equal(mixed.identity.consumer, 'kong-consumer');
});

test('a verified client certificate gives the mtls scheme; TLS facts are kept', () => {
  const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', clientCertSubject: 'CN=billing-svc,O=Example' };
  const event = run(parsed({}, { client: { peerIp: '198.51.100.9', tls } }));
  assert.equal(event.identity.authScheme, 'mtls');
  assert.deepEqual(event.client.tls, tls);
  const withKey = run(parsed({ headers: { 'x-api-key': 'k1' } }, { client: { tls } }));
  assert.equal(withKey.identity.authScheme, 'api-key');
});

test('an absolute URL target is split into scheme, host, path and query; default ports removed', () => {
  const event = run(parsed({ path: undefined, url: 'HTTPS://API.Example.com:443/v1/users/42?expand=orders&limit=10' }));
  assert.equal(event.request.scheme, 'https');
  assert.equal(event.request.host, 'api.example.com');
  assert.equal(event.request.path, '/v1/users/42');
  assert.equal(event.request.query, 'expand=orders&limit=10');
  assert.deepEqual(event.request.queryParams, { expand: 'orders', limit: '10' });

  const cases: Array<[string, { scheme?: string; host?: string; path: string; query?: string }]> = [
    ['http://api.example.com:80/a', { scheme: 'http', host: 'api.example.com', path: '/a' }],
    ['http://api.example.com:8080/a', { scheme: 'http', host: 'api.example.com:8080', path: '/a' }],
    ['https://api.example.com:80/a', { scheme: 'https', host: 'api.example.com:80', path: '/a' }],
    ['wss://stream.example.com:443/ws', { scheme: 'wss', host: 'stream.example.com', path: '/ws' }],
    ['http://[2001:db8::1]:80/x', { scheme: 'http', host: '[2001:db8::1]', path: '/x' }],
    ['https://api.example.com', { scheme: 'https', host: 'api.example.com', path: '/' }],
    ['https://api.example.com?q=1', { scheme: 'https', host: 'api.example.com', path: '/', query: 'q=1' }],
    ['/relative/path?x=1', { path: '/relative/path', query: 'x=1' }],
    ['/with#fragment', { path: '/with' }],
    ['/search?next=http://other.example.com/', { path: '/search', query: 'next=http://other.example.com/' }],
    ['', { path: '/' }],
    ['/empty-query?', { path: '/empty-query', query: '' }],
  ];
  for (const [url, want] of cases) {
    const r = run(parsed({ path: undefined, url })).request;
    assert.deepEqual(
      { scheme: r.scheme, host: r.host, path: r.path, query: r.query },
      { scheme: undefined, host: undefined, query: undefined, ...want },
      url,
    );
  }
});

test('credentials in an absolute URL are dropped', () => {
  const event = run(parsed({ path: undefined, url: 'https://deploy:gh-pass-123@git.example.com/repo.git' }));
  assert.equal(event.request.host, 'git.example.com');
  assert.equal(event.request.path, '/repo.git');
  assert.ok(!JSON.stringify(event).includes('gh-pass-123'));
});

test('scheme and host given by the parser win and are normalised', () => {
  const event = run(parsed({ scheme: 'HTTPS', host: 'API.Example.COM', path: '/p', query: 'a=1' }));
  assert.equal(event.request.scheme, 'https');
  assert.equal(event.request.host, 'api.example.com');
  assert.equal(event.request.query, 'a=1');
  assert.equal(run(parsed({ scheme: 'gopher' })).request.scheme, undefined);
});

test('client address: a private peer with a public X-Forwarded-For gives the public client (default trusted proxies)', () => {
  const event = run(parsed({}, { client: { peerIp: '10.0.0.5', port: 51234, forwardedFor: '203.0.113.9', userAgent: 'curl/8.5.0' } }));
  assert.deepEqual(event.client, {
    ip: '203.0.113.9',
    port: 51234,
    peerIp: '10.0.0.5',
    forwardedFor: ['203.0.113.9'],
    userAgent: 'curl/8.5.0',
  });
});

test('client address: a spoofed left-most X-Forwarded-For entry is not chosen', () => {
  const event = run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: '1.2.3.4, 198.51.100.66:40000, 10.0.0.2' } }));
  assert.equal(event.client.ip, '198.51.100.66');
  assert.deepEqual(event.client.forwardedFor, ['1.2.3.4', '198.51.100.66', '10.0.0.2']);
  const allTrusted = run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: '192.168.1.9, 10.0.0.2' } }));
  assert.equal(allTrusted.client.ip, '192.168.1.9');
});

test('client address: a public peer is the client; no trusted proxies means the peer is always the client', () => {
  assert.equal(run(parsed({}, { client: { peerIp: '198.51.100.1', forwardedFor: '203.0.113.9' } })).client.ip, '198.51.100.1');
  const noProxies = createEnricher(settings({ trustedProxies: [] }), tokenizer);
  assert.equal(run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: '203.0.113.9' } }), noProxies).client.ip, '10.0.0.5');
  const custom = createEnricher(settings({ trustedProxies: ['198.51.100.0/24'] }), tokenizer);
  assert.equal(run(parsed({}, { client: { peerIp: '198.51.100.1', forwardedFor: '203.0.113.9' } }), custom).client.ip, '203.0.113.9');
});

test('client address: the RFC 7239 Forwarded header is used when no X-Forwarded-For was logged', () => {
  const event = run(
    parsed({ headers: { Forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.2' } }, { client: { peerIp: '10.0.0.5' } }),
  );
  assert.equal(event.client.ip, '2001:db8:cafe::17');
  assert.deepEqual(event.client.forwardedFor, ['2001:db8:cafe::17', '10.0.0.2']);
  const xffWins = run(
    parsed({ headers: { forwarded: 'for=198.51.100.50' } }, { client: { peerIp: '10.0.0.5', forwardedFor: '203.0.113.9' } }),
  );
  assert.equal(xffWins.client.ip, '203.0.113.9');
});

test('client address: an address resolved by the source is kept; an unknown hop makes the client unknown', () => {
  const event = run(parsed({}, { client: { ip: '198.51.100.244', peerIp: '10.0.0.5', forwardedFor: '203.0.113.9' } }));
  assert.equal(event.client.ip, '198.51.100.244');
  const junk = run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: 'unknown, _hidden' } }));
  assert.equal(junk.client.ip, undefined);
  assert.deepEqual(junk.client.forwardedFor, ['unknown', 'unknown']);
  // The forged left-most entry is never taken over an unknown hop written by a trusted proxy.
  const forged = run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: '198.51.100.66, unknown' } }));
  assert.equal(forged.client.ip, undefined);
});

test('repeated header values read once give the same answers, whoever the peer', () => {
  const enricher = createEnricher(settings(), tokenizer);
  const xff = '198.51.100.7, 10.0.0.2';
  // the same X-Forwarded-For behind a trusted proxy, then from an untrusted peer, then with no peer
  assert.equal(run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: xff } }), enricher).client.ip, '198.51.100.7');
  assert.equal(run(parsed({}, { client: { peerIp: '203.0.113.50', forwardedFor: xff } }), enricher).client.ip, '203.0.113.50');
  assert.equal(run(parsed({}, { client: { forwardedFor: xff } }), enricher).client.ip, '198.51.100.7');
  assert.equal(run(parsed({}, { client: { peerIp: '10.0.0.5', forwardedFor: xff } }), enricher).client.ip, '198.51.100.7');
  const jwt = makeJwt({ sub: 'user-17', iss: 'https://id.example.com' });
  const first = run(parsed({ headers: { Authorization: `Bearer ${jwt}` } }), enricher);
  const again = run(parsed({ headers: { authorization: `Bearer ${jwt}`, 'X-Api-Key': 'key-1' } }), enricher);
  assert.deepEqual(again.identity, { ...first.identity, apiKey: tok('key-1') });
  assert.equal(again.request.headers.authorization, first.request.headers.authorization);
  assert.equal(first.identity.user, 'user-17');
  again.identity.user = 'changed';
  assert.equal(
    run(parsed({ headers: { Authorization: `Bearer ${jwt}` } }), enricher).identity.user,
    'user-17',
    'events do not share identity objects',
  );
});

test('Authorization values that end alike are told apart (the cache finds values by their tail)', () => {
  const enricher = createEnricher(settings(), tokenizer);
  // makeJwt signs every token alike: these values share their last characters and differ before
  const values = ['user-1', 'user-2', 'user-3', 'user-1'].map((sub) => `Bearer ${makeJwt({ sub, iss: 'https://id.example.com' })}`);
  for (let round = 0; round < 2; round++) {
    for (const value of values) {
      const event = run(parsed({ headers: { Authorization: value } }), enricher);
      const alone = run(parsed({ headers: { Authorization: value } }), createEnricher(settings(), tokenizer));
      assert.deepEqual(event, alone);
      assert.equal(event.identity.user, JSON.parse(Buffer.from(value.split('.')[1] as string, 'base64url').toString()).sub);
    }
  }
  const short = ['Basic dXNlcjE6cGF3', 'Basic dXNlcjI6cGF3', 'Bearer x', 'opaque-key'];
  for (const value of [...short, ...short]) {
    assert.deepEqual(
      run(parsed({ headers: { authorization: value } }), enricher),
      run(parsed({ headers: { authorization: value } }), createEnricher(settings(), tokenizer)),
    );
  }
});

test('header names are read the same whatever their case, however often they come', () => {
  const enricher = createEnricher(settings(), tokenizer);
  const names = ['Cookie', 'cookie', 'X-API-Key', 'x-api-key', 'Proxy-Authorization', 'Forwarded', 'X-Auth-Token', 'Accept'];
  for (let round = 0; round < 3; round++) {
    for (const name of names) {
      const p = parsed(
        { headers: { [name]: 'sid=v1' } },
        { response: { status: 200, headers: { [name]: 'sid=v1', 'Set-Cookie': 'sid=v2; Path=/' } } },
      );
      assert.deepEqual(run(p, enricher), run(p, createEnricher(settings(), tokenizer)), name);
    }
  }
});

test('repeated queries give the same params, and each event its own params object', () => {
  const enricher = createEnricher(settings(), tokenizer);
  const queries = ['page=2&size=10', 'tag=a&tag=b', 'api_key=k1&page=1', 'password=p&q=1', `q=${'x'.repeat(300)}`];
  for (const query of queries) {
    const first = run(parsed({ url: `/items?${query}` }), enricher);
    assert.deepEqual(first, run(parsed({ url: `/items?${query}` }), createEnricher(settings(), tokenizer)), query);
    const expected = structuredClone(first.request.queryParams);
    // the first reading is kept, the later ones come from it: changing any of them changes no other event
    for (let i = 0; i < 3; i++) {
      const event = run(parsed({ url: `/items?${query}` }), enricher);
      assert.deepEqual(event.request.queryParams, expected, query);
      (event.request.queryParams as Record<string, string | string[]>).page = 'changed';
      const tags = event.request.queryParams?.tag;
      if (Array.isArray(tags)) tags.push('c');
    }
  }
});

test('secret query parameters are tokenized in query and queryParams', () => {
  const event = run(parsed({ path: undefined, url: '/oauth/token?grant_type=password&username=bob&password=hunter2&client_secret=cs-1' }));
  assert.equal(event.request.query, `grant_type=password&username=bob&password=${tok('hunter2')}&client_secret=${tok('cs-1')}`);
  assert.deepEqual(event.request.queryParams, {
    grant_type: 'password',
    username: 'bob',
    password: tok('hunter2'),
    client_secret: tok('cs-1'),
  });
  assert.equal(event.identity.authScheme, 'none');
});

test('request and response bodies are sampled with secrets tokenized and cut at bodySampleBytes', () => {
  const enricher = createEnricher(settings({ bodySampleBytes: 64 }), tokenizer);
  const event = run(
    parsed(
      {
        method: 'POST',
        body: { text: '{"username":"bob","password":"hunter2-long-password"}', truncated: false, contentType: 'application/json' },
      },
      {
        response: {
          status: 200,
          body: {
            text: `{"access_token":"at-xyz","refresh_token":"rt-xyz","pad":"${'p'.repeat(100)}"}`,
            truncated: false,
            contentType: 'application/json',
          },
          size: 200,
        },
      },
    ),
    enricher,
  );
  assert.deepEqual(event.request.body, {
    text: `{"username":"bob","password":"${tok('hunter2-long-password')}"}`,
    truncated: false,
    contentType: 'application/json',
  });
  assert.equal(event.response?.body?.truncated, true);
  assert.ok(event.response?.body?.text.startsWith(`{"access_token":"${tok('at-xyz')}","refresh_token":"${tok('rt-xyz')}"`));
  assert.equal(event.response?.size, 200);
  const none = createEnricher(settings({ bodySampleBytes: 0 }), tokenizer);
  assert.equal(run(parsed({ body: { text: 'x', truncated: false } }), none).request.body, undefined);
});

test('entities are extracted from path, query, headers and body', () => {
  const enricher = createEnricher(
    settings({
      entities: [
        { name: 'accountId', from: 'path', template: '/accounts/{accountId}' },
        { name: 'region', from: 'query', param: 'region' },
        { name: 'tenant', from: 'header', header: 'X-Tenant' },
        { name: 'orderId', from: 'body', path: 'order.id' },
      ],
    }),
    tokenizer,
  );
  const event = run(
    parsed({
      method: 'POST',
      path: undefined,
      url: '/api/v2/accounts/8812/orders?region=eu',
      headers: { 'X-Tenant': 'acme' },
      body: { text: '{"order":{"id":"o-77"}}', truncated: false },
    }),
    enricher,
  );
  assert.deepEqual(event.entities, { accountId: '8812', region: 'eu', tenant: 'acme', orderId: 'o-77' });
});

test('a body handed over parsed gives the same event as the text alone: secrets tokenized, entities read', () => {
  const enricher = createEnricher(settings({ entities: [{ name: 'orderId', from: 'body', path: 'order.id' }] }), tokenizer);
  const bodies = [
    '{"order":{"id":"o-77","note":"at 10:00"},"lines":[{"sku":"a"}]}',
    '{"order":{"id":7},"password":"hunter2"}',
    '{"order":{"id":"dropped","token":"t-1"},"order":{"id":"kept"}}',
    '[{"order":{"id":"o-1"}}]',
    '"a string"',
  ];
  for (const text of bodies) {
    const request = parsed({ method: 'POST', path: '/orders', body: { text, truncated: false, contentType: 'application/json' } });
    const plain = enricher(request, source, ID);
    const handed = enricher(request, source, ID, { json: { value: JSON.parse(text) } });
    assert.deepEqual(handed, plain, text);
  }
  const dropped = enricher(
    parsed({ method: 'POST', path: '/orders', body: { text: bodies[2] as string, truncated: false, contentType: 'application/json' } }),
    source,
    ID,
    { json: { value: JSON.parse(bodies[2] as string) } },
  );
  assert.ok(!dropped.request.body?.text.includes('t-1'), 'a secret of a member the parse dropped is still tokenized');
  assert.deepEqual(dropped.entities, { orderId: 'kept' });
});

test('invalid trusted proxies fail when the enricher is created', () => {
  assert.throws(
    () => createEnricher(settings({ trustedProxies: ['10.0.0.0/8', 'nope', '1.2.3.4/40'] }), tokenizer),
    /nope.*1\.2\.3\.4\/40/,
  );
});

test('privacy: no secret from the request or response survives anywhere in the stored event', () => {
  const jwt = makeJwt({ sub: 'u-1', tid: 'tnt' });
  const basic = Buffer.from('svc-user:Basic-Pa55word!').toString('base64');
  const cases: Array<{ event: ParsedEvent; secrets: string[] }> = [
    {
      event: parsed(
        {
          method: 'POST',
          path: undefined,
          url: '/login',
          body: {
            text: '{"email":"a@example.com","password":"Correct-Horse-42","otp":"918273"}',
            truncated: false,
            contentType: 'application/json',
          },
        },
        {
          response: {
            status: 200,
            headers: { 'Set-Cookie': 'session=srv-sess-777; Path=/; HttpOnly' },
            body: { text: '{"token":"resp-token-555"}', truncated: false },
          },
        },
      ),
      secrets: ['Correct-Horse-42', '918273', 'srv-sess-777', 'resp-token-555'],
    },
    {
      event: parsed({ path: undefined, url: 'https://api.example.com/v1/items?api_key=QK-apikey-31337&access_token=qat-2468&page=3' }),
      secrets: ['QK-apikey-31337', 'qat-2468'],
    },
    {
      event: parsed({ headers: { Cookie: 'sessionid=ck-sess-1111; csrftoken=ck-csrf-2222; bare-cookie-3333' } }),
      secrets: ['ck-sess-1111', 'ck-csrf-2222', 'bare-cookie-3333'],
    },
    {
      event: parsed({ headers: { Authorization: `Bearer ${jwt}` } }),
      secrets: [jwt, jwt.split('.')[1] as string, jwt.split('.')[2] as string],
    },
    { event: parsed({ headers: { authorization: `Basic ${basic}` } }), secrets: [basic, 'Basic-Pa55word!'] },
    { event: parsed({ headers: { authorization: 'Bearer opaque-at-8642' } }), secrets: ['opaque-at-8642'] },
    {
      event: parsed({ headers: { 'X-Api-Key': 'hdr-key-9753', 'x-goog-api-key': 'goog-key-1357' } }),
      secrets: ['hdr-key-9753', 'goog-key-1357'],
    },
    {
      event: parsed({
        method: 'POST',
        body: {
          text: 'username=bob&password=form-pw-8080&client_secret=form-cs-9090',
          truncated: false,
          contentType: 'application/x-www-form-urlencoded',
        },
      }),
      secrets: ['form-pw-8080', 'form-cs-9090'],
    },
    {
      event: parsed({
        method: 'POST',
        body: {
          text: '{"card":{"number":"4242","cvc":"737"},"password":"cut-off-secret-value',
          truncated: true,
          contentType: 'application/json',
        },
      }),
      secrets: ['cut-off-secret', '"737"'],
    },
    {
      event: parsed({}, { identity: { apiKey: 'gateway-key-4444', session: 'gateway-sess-5555' } }),
      secrets: ['gateway-key-4444', 'gateway-sess-5555'],
    },
    { event: parsed({ path: undefined, url: 'https://user:userinfo-pw-6666@api.example.com/x' }), secrets: ['userinfo-pw-6666'] },
  ];
  for (const { event, secrets } of cases) {
    const text = JSON.stringify(run(event));
    for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret} found in ${text}`);
  }
});

test('enriching the enricher output again does not re-tokenize (tokens are stable)', () => {
  const first = run(parsed({ path: undefined, url: '/a?api_key=k-1', headers: { authorization: 'Bearer op-1', cookie: 'sid=s-1' } }));
  const again = run(parsed({ path: undefined, url: `/a?${first.request.query}`, headers: { ...first.request.headers } }));
  assert.deepEqual(again.request.headers, first.request.headers);
  assert.equal(again.request.query, first.request.query);
  assert.equal(again.identity.session, first.identity.session);
  assert.equal(again.identity.apiKey, first.identity.apiKey);
});

test('never throws on odd event content (seeded fuzz)', () => {
  const random = createRandom(20260115);
  const pieces = [
    '/',
    '?',
    '&',
    '=',
    '%',
    '%zz',
    '://',
    'http',
    'https',
    '@',
    '#',
    ':',
    '[',
    ']',
    ',',
    ';',
    '"',
    ' ',
    'Bearer ',
    'Basic ',
    'eyJ',
    '.',
    '__proto__',
    'constructor',
    'password',
    'key',
    'sid',
    'unknown',
    '10.0.0.1',
    '::1',
    '\u0000',
    '\u00e9',
    '{',
    '}',
  ];
  const pick = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += pieces[Math.floor(random() * pieces.length)];
    return s;
  };
  for (let i = 0; i < 1500; i++) {
    const p = parsed(
      {
        method: pick(1) || 'get',
        path: random() < 0.5 ? undefined : pick(4),
        url: pick(8),
        headers: { authorization: pick(3), cookie: pick(4), forwarded: pick(4), [pick(1)]: pick(2), 'x-api-key': pick(1) },
        body: { text: pick(10), truncated: random() < 0.5, ...(random() < 0.5 ? { contentType: 'application/json' } : {}) },
      },
      {
        client: { peerIp: random() < 0.5 ? pick(1) : '10.0.0.1', forwardedFor: pick(5) },
        response: { status: 200, headers: { 'set-cookie': pick(5) } },
      },
    );
    const event = run(p);
    assert.equal(typeof event.request.path, 'string');
    assert.ok(event.request.path.length > 0);
    JSON.stringify(event);
  }
});
