import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeclaredApi } from '../types.js';
import { classifySegment } from './segment.js';
import { createPathTemplater, type PathObservation, type PathTemplaterOptions } from './templater.js';

/** One templating case: traffic in, the endpoints (method + template) expected out. */
interface Case {
  name: string;
  traffic: () => Iterable<Partial<PathObservation> & { path: string }>;
  expected: string[];
  options?: PathTemplaterOptions;
}

const HOST = 'api.example.com';

function* repeat(count: number, make: (i: number) => Partial<PathObservation> & { path: string }) {
  for (let i = 0; i < count; i++) yield make(i);
}

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const WORDS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy'];
const hex = (i: number, length: number) => (i * 2654435761).toString(16).padStart(length, '0').slice(-length);

const CASES: Case[] = [
  {
    name: 'integer, UUID, ULID, ObjectId and hex ids become named parameters',
    traffic: function* () {
      yield* repeat(20, (i) => ({ path: `/api/v2/users/${1000 + i}/orders/${hex(i, 8)}-1a2b-4c3d-8e9f-${hex(i + 7, 12)}` }));
      yield* repeat(20, (i) => ({ path: `/events/01ARZ3NDEKTSV4RRFFQ69G5F${String(i).padStart(2, '0')}` }));
      yield* repeat(20, (i) => ({ path: `/docs/${hex(i, 24)}` }));
      yield* repeat(20, (i) => ({ path: `/commits/${hex(i, 40)}` }));
    },
    expected: ['GET /api/v2/users/{userId}/orders/{orderId}', 'GET /commits/{commitId}', 'GET /docs/{docId}', 'GET /events/{eventId}'],
  },
  {
    name: 'opaque tokens, dates, emails, phone numbers and slugs with digits are parameters',
    traffic: function* () {
      yield* repeat(10, (i) => ({ path: `/invites/aB3dE5gH7jK9mN1pQ3sT${i}x` }));
      yield* repeat(10, (i) => ({ path: `/reports/2026-11-${String(10 + i).padStart(2, '0')}` }));
      yield* repeat(10, (i) => ({ path: `/contacts/user${i}%40example.com` }));
      yield* repeat(10, (i) => ({ path: `/numbers/%2B1415555${String(1000 + i)}` }));
      yield* repeat(10, (i) => ({ path: `/products/red-shoes-20${10 + i}` }));
      yield* repeat(10, (i) => ({ path: `/skus/AB-${1234 + i}` }));
    },
    expected: [
      'GET /contacts/{email}',
      'GET /invites/{inviteId}',
      'GET /numbers/{number}',
      'GET /products/{product}',
      'GET /reports/{date}',
      'GET /skus/{sku}',
    ],
  },
  {
    name: 'suffix and colon parameters keep their literal part; RPC-style names stay literal',
    traffic: function* () {
      yield* repeat(10, (i) => ({ path: `/items/${i + 1}.json` }));
      yield* repeat(10, (i) => ({ method: 'POST', path: `/v1/operations/${hex(i, 16)}:cancel` }));
      yield* repeat(10, (i) => ({ path: `/comics/${600 + i}/info.0.json` }));
      yield* repeat(10, () => ({ method: 'POST', path: '/chat.postMessage' }));
      yield* repeat(10, () => ({ method: 'POST', path: '/users/info.json' }));
      yield* repeat(10, () => ({ path: '/v2/pet/findByStatus' }));
    },
    expected: [
      'GET /comics/{comicId}/info.0.json',
      'GET /items/{itemId}.json',
      'GET /v2/pet/findByStatus',
      'POST /chat.postMessage',
      'POST /users/info.json',
      'POST /v1/operations/{operationId}:cancel',
    ],
  },
  {
    name: 'versions are never parameters: v1, v2.0, dated roots, numeric API versions',
    traffic: function* () {
      yield* repeat(10, (i) => ({ path: `/2010-04-01/Accounts/AC${hex(i, 32)}/Calls.json` }));
      yield* repeat(10, (i) => ({ path: `/rest/api/2/issue/${10000 + i}` }));
      yield* repeat(10, () => ({ path: '/api/v2.0/projects' }));
      yield* repeat(10, () => ({ path: '/v1beta1/namespaces' }));
    },
    expected: [
      'GET /2010-04-01/Accounts/{accountId}/Calls.json',
      'GET /api/v2.0/projects',
      'GET /rest/api/2/issue/{issueId}',
      'GET /v1beta1/namespaces',
    ],
  },
  {
    name: 'a position with many values becomes a parameter even when the values are words',
    traffic: function* () {
      const random = lcg(3);
      for (let i = 0; i < 400; i++) {
        // a long tail of user names, some plain words, most seen once or twice
        const name =
          i % 4 === 0
            ? (WORDS[Math.floor(random() * WORDS.length)] as string)
            : `${WORDS[i % WORDS.length]}.${['smith', 'lopez', 'chen', 'okafor'][i % 4]}${i % 97}`;
        yield { path: `/users/${name}/repos` };
      }
    },
    expected: ['GET /users/{user}/repos'],
  },
  {
    name: 'a handful of heavily used resources stays literal',
    traffic: function* () {
      const resources = [
        'accounts',
        'invoices',
        'payments',
        'orders',
        'products',
        'customers',
        'refunds',
        'disputes',
        'payouts',
        'balance',
        'coupons',
        'plans',
      ];
      for (let i = 0; i < 1200; i++) yield { path: `/v1/${resources[i % resources.length]}` };
    },
    expected: [
      'GET /v1/accounts',
      'GET /v1/balance',
      'GET /v1/coupons',
      'GET /v1/customers',
      'GET /v1/disputes',
      'GET /v1/invoices',
      'GET /v1/orders',
      'GET /v1/payments',
      'GET /v1/payouts',
      'GET /v1/plans',
      'GET /v1/products',
      'GET /v1/refunds',
    ],
  },
  {
    name: 'resources sharing one sub-resource name stay resources (/customers/search, /invoices/search)',
    traffic: function* () {
      for (const resource of ['customers', 'invoices', 'orders', 'refunds']) {
        yield* repeat(30, (i) => ({ path: `/v1/${resource}/${100 + i}` }));
        yield* repeat(10, () => ({ path: `/v1/${resource}/search` }));
        yield* repeat(10, () => ({ path: `/v1/${resource}` }));
      }
    },
    expected: ['customers', 'invoices', 'orders', 'refunds'].flatMap((r) => [
      `GET /v1/${r}`,
      `GET /v1/${r}/search`,
      `GET /v1/${r}/{${r.slice(0, -1)}Id}`,
    ]),
  },
  {
    name: 'a few word values under which the same sub-resources continue are one parameter (/articles/{article}/comments)',
    traffic: function* () {
      for (const slug of ['home', 'staging', 'mobile', 'dashboard', 'docs']) {
        yield* repeat(20, () => ({ path: `/api/articles/${slug}` }));
        yield* repeat(15, (i) => ({ path: `/api/articles/${slug}/comments${i % 3 === 0 ? `/${i + 1}` : ''}` }));
        yield* repeat(5, () => ({ method: 'POST', path: `/api/articles/${slug}/favorite` }));
      }
      yield* repeat(40, () => ({ path: '/api/articles' }));
    },
    expected: [
      'GET /api/articles',
      'GET /api/articles/{article}',
      'GET /api/articles/{article}/comments',
      'GET /api/articles/{article}/comments/{commentId}',
      'POST /api/articles/{article}/favorite',
    ],
  },
  {
    name: 'literal siblings of a parameter stay separate endpoints (/users/me beside /users/{userId})',
    traffic: function* () {
      yield* repeat(50, (i) => ({ path: `/users/${5000 + i * 13}` }));
      yield* repeat(30, () => ({ path: '/users/me' }));
      yield* repeat(30, () => ({ path: '/users/search' }));
      yield* repeat(20, (i) => ({ path: `/users/${WORDS[i % WORDS.length]}` }));
    },
    expected: ['GET /users/me', 'GET /users/search', 'GET /users/{userId}'],
  },
  {
    name: 'a reserved word called with a method no value is called with stays its own endpoint, however rare',
    traffic: function* () {
      yield* repeat(400, (i) => ({ path: `/users/v1/${WORDS[i % WORDS.length]}${i % 60}` }));
      yield* repeat(100, (i) => ({ method: 'DELETE', path: `/users/v1/${WORDS[i % WORDS.length]}${i % 60}` }));
      yield* repeat(3, () => ({ method: 'POST', path: '/users/v1/register' }));
      yield* repeat(2, () => ({ path: '/users/v1/count' }));
    },
    expected: ['DELETE /users/v1/{param}', 'GET /users/v1/{param}', 'POST /users/v1/register'],
  },
  {
    name: 'a reserved word continuing only as the values beside it do is a value there; its own endpoints stay',
    traffic: function* () {
      // `search` is an endpoint with a sub-resource of its own, and, rarely, a business whose reviews are read
      yield* repeat(400, (i) => ({ path: `/v3/businesses/${WORDS[i % WORDS.length]}-${WORDS[(i * 7) % WORDS.length]}-${i % 97}` }));
      yield* repeat(300, (i) => ({ path: `/v3/businesses/${WORDS[(i * 3) % WORDS.length]}-cafe-${i % 89}/reviews` }));
      yield* repeat(60, () => ({ path: '/v3/businesses/search' }));
      yield* repeat(40, () => ({ path: '/v3/businesses/search/phone' }));
      yield* repeat(4, () => ({ path: '/v3/businesses/search/reviews' }));
      // `latest` beside versions, never called alone: one more version
      for (const version of ['v1', 'v2', 'v3', 'latest']) {
        yield* repeat(30, (i) => ({ path: `/ds/${WORDS[i % 6]}_data/${version}/fields` }));
        yield* repeat(30, (i) => ({ method: 'POST', path: `/ds/${WORDS[i % 6]}_data/${version}/records` }));
      }
      // names of the caller keep their sub-resources
      yield* repeat(300, (i) => ({ path: `/users/${7000 + i * 11}/orders` }));
      yield* repeat(30, () => ({ path: '/users/me/orders' }));
    },
    expected: [
      'GET /ds/{ds}/{param}/fields',
      'GET /users/me/orders',
      'GET /users/{userId}/orders',
      'GET /v3/businesses/search',
      'GET /v3/businesses/search/phone',
      'GET /v3/businesses/{business}',
      'GET /v3/businesses/{business}/reviews',
      'POST /ds/{ds}/{param}/records',
    ],
  },
  {
    name: 'a parameter decided by how its values continue does not swallow resources first called later',
    traffic: function* () {
      // account slugs beside resources; slugs with digits are values at once, the rest continue as they do
      yield* repeat(300, (i) => ({ path: `/api/v1/sites/${4000 + i}` }));
      yield* repeat(100, () => ({ path: '/api/v1/dns_zones' }));
      yield* repeat(120, (i) => ({ path: `/api/v1/team-${i % 40}/${i % 2 === 0 ? 'sites' : 'members'}` }));
      yield* repeat(60, (i) => ({ path: `/api/v1/${WORDS[i % WORDS.length]}/${i % 3 === 0 ? 'sites' : 'members'}` }));
      // resources first called after that decision
      yield* repeat(80, (i) => ({ path: `/api/v1/hooks/${9000 + i}` }));
      yield* repeat(40, () => ({ path: '/api/v1/hooks' }));
      yield* repeat(30, () => ({ method: 'POST', path: '/api/v1/oauth/tickets' }));
      yield* repeat(20, () => ({ path: '/api/v1/billing/payment_methods' }));
      // more slugs, also first seen late
      yield* repeat(40, (i) => ({ path: `/api/v1/${WORDS[(i + 3) % WORDS.length]}-co/${i % 2 === 0 ? 'sites' : 'members'}` }));
    },
    expected: [
      'GET /api/v1/billing/payment_methods',
      'GET /api/v1/dns_zones',
      'GET /api/v1/hooks',
      'GET /api/v1/hooks/{hookId}',
      'GET /api/v1/sites/{siteId}',
      'GET /api/v1/{param}/members',
      'GET /api/v1/{param}/sites',
      'POST /api/v1/oauth/tickets',
    ],
  },
  {
    name: "a few names that continue with the caller's own entry are values (/reactions/{emoji}/@me)",
    traffic: function* () {
      for (const emoji of ['thumbsup', 'party', 'heart', 'rocket', 'eyes']) {
        yield* repeat(3, (i) => ({ path: `/channels/${700 + i}/messages/${900 + i}/reactions/${emoji}` }));
        yield* repeat(2, (i) => ({ method: 'PUT', path: `/channels/${700 + i}/messages/${900 + i}/reactions/${emoji}/@me` }));
      }
      yield* repeat(30, (i) => ({ path: `/channels/${700 + i}/messages/${900 + i}` }));
    },
    expected: [
      'GET /channels/{channelId}/messages/{messageId}',
      'GET /channels/{channelId}/messages/{messageId}/reactions/{reaction}',
      'PUT /channels/{channelId}/messages/{messageId}/reactions/{reaction}/@me',
    ],
  },
  {
    name: 'a reserved word replaced or deleted as the values beside it are is one of them, however busy',
    traffic: function* () {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        yield* repeat(120, (i) => ({
          method,
          path: `/api/articles/${WORDS[i % WORDS.length]}-${WORDS[(i * 5) % WORDS.length]}-${i % 40}`,
        }));
        yield* repeat(30, () => ({ method, path: '/api/articles/search' }));
      }
      // a search endpoint that is only read stays one
      yield* repeat(200, (i) => ({ path: `/api/users/${WORDS[i % WORDS.length]}_${i % 50}` }));
      yield* repeat(20, (i) => ({ method: 'DELETE', path: `/api/users/${WORDS[i % WORDS.length]}_${i % 50}` }));
      yield* repeat(60, () => ({ path: '/api/users/search' }));
    },
    expected: [
      'DELETE /api/articles/{article}',
      'DELETE /api/users/{user}',
      'GET /api/articles/{article}',
      'GET /api/users/search',
      'GET /api/users/{user}',
      'PUT /api/articles/{article}',
    ],
  },
  {
    name: 'names that keep arriving once each join a parameter decided by continuation; resources called again do not',
    traffic: function* () {
      yield* repeat(120, (i) => ({ path: `/api/v1/team-${i % 40}/${i % 2 === 0 ? 'sites' : 'members'}` }));
      yield* repeat(60, (i) => ({ path: `/api/v1/${WORDS[i % WORDS.length]}/${i % 3 === 0 ? 'sites' : 'members'}` }));
      yield* repeat(50, () => ({ path: '/api/v1/hooks' }));
      yield* repeat(30, () => ({ path: '/api/v1/billing' }));
      // later: many names, each seen once
      yield* repeat(40, (i) => ({ method: 'DELETE', path: `/api/v1/${WORDS[i % WORDS.length]}${WORDS[Math.floor(i / WORDS.length)]}` }));
    },
    expected: [
      'DELETE /api/v1/{param}',
      'GET /api/v1/billing',
      'GET /api/v1/hooks',
      'GET /api/v1/{param}/members',
      'GET /api/v1/{param}/sites',
    ],
  },
  {
    name: 'methods are separate endpoints; 404 and 405 answers create none; trailing slashes are kept',
    traffic: function* () {
      yield* repeat(5, (i) => ({ method: 'GET', path: `/api/v2/pokemon/${i + 1}/` }));
      yield* repeat(5, (i) => ({ method: 'DELETE', path: `/orders/${i + 1}` }));
      yield* repeat(5, (i) => ({ method: 'GET', path: `/orders/${i + 1}` }));
      yield* repeat(5, () => ({ path: '/wp-login.php', status: 404 }));
      yield* repeat(5, () => ({ path: '/.env', status: 404 }));
      yield* repeat(5, (i) => ({ method: 'PUT', path: `/orders/${i + 1}`, status: 405 }));
    },
    expected: ['DELETE /orders/{orderId}', 'GET /api/v2/pokemon/{pokemonId}/', 'GET /orders/{orderId}'],
  },
  {
    name: 'a declared spec wins: its templates and literals, whatever the values look like',
    options: {
      declared: [
        declaredApi([
          ['GET', '/v2/pet/{petId}'],
          ['GET', '/v2/pet/findByStatus'],
          ['GET', '/v2/store/inventory'],
          ['GET', '/v2/user/{username}'],
        ]),
      ],
    },
    traffic: function* () {
      yield* repeat(5, (i) => ({ path: `/v2/pet/${i}` }));
      yield* repeat(5, () => ({ path: '/v2/pet/findByStatus' }));
      yield* repeat(5, (i) => ({ path: `/v2/user/${WORDS[i]}` }));
      yield* repeat(3, () => ({ path: '/v2/store/inventory' }));
      yield* repeat(4, (i) => ({ path: `/v2/undocumented/${100 + i}` }));
    },
    expected: [
      'GET /v2/pet/findByStatus',
      'GET /v2/pet/{petId}',
      'GET /v2/store/inventory',
      'GET /v2/undocumented/{undocumentedId}',
      'GET /v2/user/{username}',
    ],
  },
  {
    name: 'human overrides win: a template merges what traffic splits, a literal keeps apart what traffic merges',
    options: {
      overrides: [{ template: '/settings/{key}' }, { template: '/users/42', host: HOST }, { template: '/files/{path}', method: 'PUT' }],
    },
    traffic: function* () {
      yield* repeat(10, (i) => ({ path: `/settings/${['theme', 'locale', 'timezone'][i % 3]}` }));
      yield* repeat(20, (i) => ({ path: `/users/${40 + (i % 5)}` }));
      yield* repeat(3, () => ({ method: 'PUT', path: '/files/readme' }));
      yield* repeat(3, () => ({ method: 'GET', path: '/files/readme' }));
    },
    expected: ['GET /files/readme', 'GET /settings/{key}', 'GET /users/42', 'GET /users/{userId}', 'PUT /files/{path}'],
  },
  {
    name: 'two parameters from one noun get distinct names; parameters after parameters are numbered',
    traffic: function* () {
      yield* repeat(10, (i) => ({ path: `/repos/${1000 + i}/${2000 + i}` }));
    },
    expected: ['GET /repos/{repoId}/{id}'],
  },
  {
    name: 'memory is bounded: a position with more distinct values than maxSiblings becomes a parameter',
    options: { maxSiblings: 40 },
    traffic: function* () {
      yield* repeat(45, (i) => ({ path: `/tags/${WORDS[i % WORDS.length]}${['', 'x', 'y', 'z'][Math.floor(i / WORDS.length)]}` }));
    },
    expected: ['GET /tags/{tag}'],
  },
];

function declaredApi(operations: Array<[string, string]>): DeclaredApi {
  return {
    source: 'spec.yaml',
    title: 'Spec',
    version: '1',
    specVersion: '3.0.3',
    hosts: [HOST],
    basePath: '/v2',
    operations: operations.map(([method, template]) => ({
      method,
      template,
      deprecated: false,
      parameters: [],
      responses: {},
      security: [],
    })),
    securitySchemes: {},
  };
}

describe('path templating (one suite, every strategy)', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const templater = createPathTemplater(c.options);
      for (const r of c.traffic()) templater.observe({ host: HOST, method: r.method ?? 'GET', path: r.path, status: r.status ?? 200 });
      const found = templater.endpoints().map((e) => `${e.method} ${e.template}`);
      assert.deepEqual([...found].sort(), [...c.expected].sort());
    });
  }
});

test('observe returns the template a request belongs to, and a parameter decision is sticky', () => {
  const templater = createPathTemplater();
  // 150 requests from word-only user names (alice-bob, …): a parameter once the position has traffic
  for (let i = 0; i < 150; i++)
    templater.observe({ host: HOST, method: 'GET', path: `/users/${WORDS[i % 14]}-${WORDS[(i * 5 + Math.floor(i / 14)) % 14]}/keys` });
  assert.equal(templater.observe({ host: HOST, method: 'GET', path: '/users/zed/keys' }), '/users/{user}/keys');
  assert.equal(templater.observe({ host: HOST, method: 'GET', path: '/users/42/keys' }), '/users/{user}/keys');
  assert.equal(templater.observe({ host: HOST, method: 'GET', path: '/users/x/y', status: 404 }), undefined);
});

test('endpoints are per host', () => {
  const templater = createPathTemplater();
  templater.observe({ host: 'a.example.com', method: 'GET', path: '/health' });
  templater.observe({ host: 'B.example.com', method: 'GET', path: '/health' });
  assert.deepEqual(
    templater.endpoints().map((e) => [e.host, e.template]),
    [
      ['a.example.com', '/health'],
      ['b.example.com', '/health'],
    ],
  );
});

test('segment classes', () => {
  const kinds = (s: string) => classifySegment(s).kind;
  assert.equal(kinds('8812'), 'int');
  assert.equal(kinds('v1'), 'version');
  assert.equal(kinds('v2.0'), 'version');
  assert.equal(kinds('v1beta1'), 'version');
  assert.equal(kinds('v1p1beta1'), 'version');
  assert.equal(kinds('V9BTUSD'), 'mixed', 'letters after v9 that are no release qualifier: a code');
  assert.equal(kinds('v4.5.0'), 'mixed', 'three-part versions name releases: values');
  assert.equal(kinds('2.1.3'), 'mixed');
  assert.equal(kinds('oauth2'), 'anchored');
  assert.equal(kinds('sha256'), 'anchored');
  assert.equal(kinds('jdoe42'), 'mixed');
  assert.equal(kinds('users'), 'word');
  assert.equal(kinds('deadbeef'), 'word', 'hex-looking words without digits are words');
  assert.equal(kinds('chat.postMessage'), 'anchored');
  assert.equal(kinds('getUserById'), 'anchored');
  assert.equal(kinds('get3dsAvailability'), 'anchored');
  assert.equal(kinds('ntyby9gfFtvLnXvnYzuoDx'), 'token', 'random case flips that happen to look camelCase are tokens');
  assert.equal(kinds('_all_docs'), 'anchored');
  assert.equal(kinds('dns_JuqokJecilnYOj'), 'token', 'typed random ids: a prefix and mixed-case letters');
  assert.equal(kinds('payment_methods'), 'word');
  assert.equal(kinds('_srWi_lKfPeYjtcPBOAccunLuWtN'), 'token', 'a mixed-case id that starts with _ is no marked name');
  assert.deepEqual(classifySegment('12.json'), { stem: '12', suffix: '.json', kind: 'int' });
  assert.deepEqual(classifySegment('info.0.json'), { stem: 'info.0.json', suffix: '', kind: 'word' });
});
