import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { buildEndpoint, buildFinding, buildHostileReport, buildReport, buildSampleReport, HOSTILE } from './fixtures/analysis-report.js';
import { type EndpointIndexEntry, renderAnalysisHtml } from './html.js';

const JSON_OPEN = '<script type="application/json" id="endpoint-index">';

function embeddedJson(html: string): string {
  const start = html.indexOf(JSON_OPEN) + JSON_OPEN.length;
  return html.slice(start, html.indexOf('</script>', start));
}

function inlineScript(html: string): string {
  const start = html.lastIndexOf('<script>') + '<script>'.length;
  return html.slice(start, html.indexOf('</script>', start));
}

function inlineStyle(html: string): string {
  return html.slice(html.indexOf('<style>') + '<style>'.length, html.indexOf('</style>'));
}

const count = (html: string, needle: string): number => html.split(needle).length - 1;

test('the page shows the input, the summary cards, every endpoint and every finding', () => {
  const html = renderAnalysisHtml(buildSampleReport());
  assert.match(html, /<dt>Files read<\/dt><dd>2: <code>logs\/access\.log<\/code>, <code>logs\/access\.log\.1\.gz<\/code><\/dd>/);
  assert.match(html, /<dt>Events<\/dt><dd>102,321 read, 0 rejected<\/dd>/);
  assert.match(html, /2026-11-30 08:00:00 UTC → 2026-11-30 14:00:00 UTC/);
  assert.match(html, /<b>4<\/b><span class="muted">endpoints on 2 hosts<\/span>/);
  assert.match(html, /<b>1<\/b><span class="badge lc-zombie">zombie<\/span>/);
  assert.match(html, /<b>1<\/b><span class="badge sev-critical">critical<\/span>/);
  assert.equal(count(html, '<details class="ep"'), 4);
  assert.match(html, /<span>\/api\/v2\/users\/\{userId\}<\/span>/);
  assert.match(html, /<h3>API2:2023 Broken Authentication <span class="badge sev-critical">1 critical<\/span><\/h3>/);
  assert.match(html, /<strong>Credentials in the URL<\/strong><code>posture\/credentials-in-url<\/code>/);
});

test('endpoints are listed riskiest first, each with its details readable without JavaScript', () => {
  const html = renderAnalysisHtml(buildSampleReport());
  const order = [...html.matchAll(/<details class="ep" id="e-(\d+)">/g)].map((m) => Number(m[1]));
  assert.deepEqual(order, [1, 0, 3, 2]);
  const login = html.slice(html.indexOf('<details class="ep" id="e-1">'), html.indexOf('<details class="ep" id="e-0">'));
  assert.match(login, /<b>deprecated<\/b>/);
  assert.match(login, /<tr><td><code>password<\/code><td>query<td>string<td><td>100%<td><b>no<\/b>/);
  assert.match(
    login,
    /<b class="st2">200<\/b> 12,000 \(96%\) · <b class="st4">404<\/b> 400 \(3%\) · <b class="st5">500<\/b> 80 \(&lt;1%\)/,
  );
  assert.match(login, /Latency p50 12 ms · p95 85 ms · p99 240 ms/);
  assert.match(login, /<td>secret<td><code>request\.query\.password<\/code><td>3,400<td>high/);
  assert.match(login, /<h4>Request body<\/h4><ul class="sch"><li><code>username<\/code> <i>string<\/i><\/ul>/);
  assert.match(login, /<li><code>addresses\[\]\.street<\/code> <i>string<\/i>/);
  assert.match(login, /<li><code>phone<\/code> <i>string \| null<\/i>/);
  assert.match(login, /<code>evt_01JD8Y3K2M<\/code> <code>evt_01JD8Y3K2N<\/code>/);
  assert.match(login, /<span class="badge sev-critical">critical<\/span> <a href="#f-1">Credentials in the URL<\/a>/);
  // The controls the script drives are hidden until it runs.
  assert.match(html, /<div class="filters" id="ep-filters" hidden>/);
  assert.match(html, /<div class="filters" id="f-tools" hidden>/);
});

test('findings carry their evidence and link to their endpoint; every in-page link has a target', () => {
  const html = renderAnalysisHtml(buildSampleReport());
  assert.match(
    html,
    /<tr id="f-1"><td><a href="#e-1"><code>POST api\.example\.com\/api\/v1\/login<\/code><\/a><td>3,400<td><div class="ev">parameter: password · clientAddresses: <code>203\.0\.113\.7<\/code>, <code>2001:db8::17<\/code> · samples: <code>evt_01JD8Y4A00<\/code> <code>evt_01JD8Y4A01<\/code>/,
  );
  assert.match(html, /<span class="fs">Passwords are sent in the query string, where proxies and logs keep them\.<\/span>/);
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  const targets = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]);
  assert.ok(targets.length > 5);
  for (const target of targets) assert.ok(ids.has(target), `#${target} has no element`);
});

test('findings of one rule are grouped under their OWASP category, most severe category content first', () => {
  const endpoints = [buildEndpoint({ path: '/a' }), buildEndpoint({ path: '/b' })];
  const findings = [
    buildFinding({ endpoint: { method: 'GET', path: '/a' } }),
    buildFinding({ endpoint: { method: 'GET', path: '/b' }, evidence: { summary: 'Only in b.', requests: 9 } }),
    buildFinding({
      id: 'posture/no-rate-limit',
      owasp: 'API4:2023 Unrestricted Resource Consumption',
      title: 'No rate limit',
      endpoint: undefined,
    }),
  ];
  const html = renderAnalysisHtml(buildReport({ endpoints, findings }));
  assert.equal(count(html, '<details class="f"'), 2);
  assert.ok(html.indexOf('API3:2023') < html.indexOf('API4:2023'));
  assert.match(
    html,
    /<strong>Sensitive data in responses<\/strong><code>posture\/sensitive-data-in-response<\/code><span>2 places<\/span><\/summary>/,
  );
  assert.match(html, /<td>9<td>Only in b\./);
  assert.match(html, /<span>api\.example\.com \(whole host\)<\/span>/);
});

test('every string from traffic is escaped: no markup, attribute or script can be injected', () => {
  const html = renderAnalysisHtml(buildHostileReport());
  assert.equal(count(html, '<script'), 2, 'only the JSON block and the page script');
  assert.equal(count(html, '</script>'), 2);
  // Everything but the JSON block, where `\"` is a JSON escape and not an attribute.
  const markup = html.slice(0, html.indexOf(JSON_OPEN));
  for (const injected of ['<script>alert', '<img', '<svg', '<b>bold', '<i>key', '"onmouseover=', 'onerror=alert(4)>', '<u>', '<email>']) {
    assert.ok(!markup.includes(injected), injected);
  }
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;.example.com'));
  assert.ok(html.includes('/x/&quot;onmouseover=alert(2)&quot;/&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;/'));
  assert.ok(html.includes('<code>&lt;img src=x onerror=alert(4)&gt;</code>'));
  assert.ok(html.includes('/&amp;amp;/'), 'entities in traffic are shown as written, not decoded');
  // Control, separator and bidi characters are shown, not obeyed.
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u2028\u2029\u202e]/.test(markup));
  assert.ok(markup.includes('\\x1B[2J') && markup.includes('\\u202E') && markup.includes('\\u2028'));
});

test('the embedded JSON cannot end its script element, and parses back to the strings from traffic', () => {
  const html = renderAnalysisHtml(buildHostileReport());
  const json = embeddedJson(html);
  assert.ok(!/[<>&\u2028\u2029]/.test(json), json);
  assert.ok(json.includes('\\u003c/script\\u003e'));
  const data = JSON.parse(json) as { version: 1; endpoints: EndpointIndexEntry[] };
  assert.deepEqual(data.endpoints[0], {
    host: HOSTILE.host,
    method: 'GET<x>',
    path: HOSTILE.path,
    lifecycle: 'documented',
    requests: 12_480,
    consumers: 312,
    auth: ['bearer-jwt', 'none'],
    sensitive: ['<email>'],
    risk: 70,
    findings: [HOSTILE.title],
  });
});

test('the page is self-contained: no external URL, import or font; only its own style and script may run', () => {
  const html = renderAnalysisHtml(buildSampleReport());
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /@import|url\(|@font-face/);
  for (const [, value] of html.matchAll(/\b(?:src|href|action)\s*=\s*"([^"]*)"/g)) {
    assert.ok(value?.startsWith('#') || value === 'data:,', value);
  }
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  assert.ok(csp.includes(`style-src ${hash(inlineStyle(html))}`), 'the style hash must match, or browsers drop the style');
  assert.ok(csp.includes(`script-src ${hash(inlineScript(html))}`), 'the script hash must match, or browsers block it');
  assert.doesNotThrow(() => new Script(inlineScript(html)), 'the page script parses');
  assert.match(inlineStyle(html), /@media screen and \(prefers-color-scheme:dark\)/);
  assert.match(inlineStyle(html), /@media print/);
});

test('an empty report renders a sensible page', () => {
  const html = renderAnalysisHtml(buildReport({ input: { files: [], events: 0 } }));
  assert.match(html, /<p class="empty">No endpoints were found in the 0 events read\.<\/p>/);
  assert.match(html, /<p class="empty">No findings\.<\/p>/);
  assert.match(html, /<dt>Files read<\/dt><dd>0: none<\/dd>/);
  assert.match(html, /<dt>Traffic<\/dt><dd><span class="muted">no timestamps<\/span><\/dd>/);
  assert.equal(count(html, '<details class="ep"'), 0);
  assert.deepEqual(JSON.parse(embeddedJson(html)), { version: 1, endpoints: [] });
  assert.doesNotThrow(() => new Script(inlineScript(html)));
});

test('an orphan endpoint (never called) says so instead of showing empty traffic', () => {
  const orphan = buildEndpoint({ lifecycle: 'orphan', requests: 0, firstSeen: null, lastSeen: null, statuses: {}, consumers: 0 });
  const html = renderAnalysisHtml(buildReport({ endpoints: [orphan] }));
  assert.match(html, /<p class="wide"><b>never seen in traffic<\/b> · declared in a spec<\/p>/);
  assert.match(html, /<p>No statuses recorded\.<\/p>/);
});

test('a 5,000-endpoint report stays a reasonable size', () => {
  const endpoints = [];
  const findings = [];
  for (let i = 0; i < 5_000; i++) {
    const path = `/api/v${i % 3}/tenants/{tenantId}/resource-${i}/items/{itemId}`;
    endpoints.push(buildEndpoint({ path, risk: { score: i % 100, findings: ['posture/sensitive-data-in-response', 'posture/no-auth'] } }));
    findings.push(buildFinding({ endpoint: { method: 'GET', path } }));
    findings.push(buildFinding({ id: 'posture/no-auth', severity: 'high', title: 'No authentication', endpoint: { method: 'GET', path } }));
  }
  const html = renderAnalysisHtml(buildReport({ endpoints, findings }));
  assert.equal(count(html, '<details class="ep"'), 5_000);
  assert.equal(count(html, '<tr id="f-'), 10_000);
  const megabytes = Buffer.byteLength(html) / 1_000_000;
  assert.ok(megabytes < 15, `${megabytes.toFixed(1)} MB`);
});
