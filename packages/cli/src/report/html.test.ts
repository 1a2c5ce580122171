import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Script } from 'node:vm';
import {
  buildAlert,
  buildEndpoint,
  buildFinding,
  buildHostileReport,
  buildIncident,
  buildIncidentReport,
  buildReport,
  buildSampleReport,
  HOSTILE,
} from './fixtures/analysis-report.js';
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
  assert.match(
    html,
    /<h2>Incidents and alerts <span class="muted">\(0 incidents, 0 alerts\)<\/span><\/h2>\n<p class="empty">No behavioural alerts\.<\/p>/,
  );
  assert.doesNotMatch(html, /id="i-tools"/);
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

/** The markup of the incidents section. */
function incidentsSection(html: string): string {
  return html.slice(html.indexOf('<section id="incidents">'), html.indexOf('<section id="endpoints">'));
}

/** The markup of the incident or alert with this element id, up to where the next one starts. */
function block(html: string, id: string, next: RegExp): string {
  const start = html.indexOf(` id="${id}"`);
  assert.ok(start > 0, id);
  const rest = html.slice(start + 1);
  const end = rest.search(next);
  return end < 0 ? rest : rest.slice(0, end);
}

test('incidents come before the inventory, worst first, with their entities (bounded), links and alerts', () => {
  const html = renderAnalysisHtml(buildIncidentReport());
  assert.ok(html.indexOf('<section id="incidents">') < html.indexOf('<section id="endpoints">'));
  assert.match(html, /<nav><a href="#incidents">Incidents<\/a><a href="#endpoints">/);
  assert.match(html, /<b>2<\/b><span class="muted">incidents<\/span><\/div><div class="card"><b>3<\/b><span class="muted">alerts<\/span>/);
  const section = incidentsSection(html);
  assert.match(section, /<h2>Incidents and alerts <span class="muted">\(2 incidents, 3 alerts\)<\/span><\/h2>/);
  // The report lists the high incident first; the page puts the critical one first.
  assert.deepEqual(
    [...section.matchAll(/<details class="inc" id="(inc-\d+)" open>/g)].map((m) => m[1]),
    ['inc-1', 'inc-0'],
  );
  const stuffing = block(section, 'inc-1', / id="inc-/);
  assert.match(
    stuffing,
    /<summary><span class="badge sev-critical">critical<\/span><span class="tag">credential_stuffing<\/span><span class="tag">account_takeover<\/span><strong>2 alerts \(credential_stuffing, account_takeover\) by fingerprint ua:5d8d1c8dac1868dd, user user-20977<\/strong><span class="muted">2026-11-30 10:00:00 UTC → 2026-11-30 11:02:00 UTC \(1h02m\)<\/span><span>2 alerts<\/span><\/summary>/,
  );
  assert.match(stuffing, /Actor <code>actor-c41d09aa5e21<\/code> · status open/);
  // 18 entities: the first 12 shown, the other 6 folded.
  assert.match(
    stuffing,
    /<h4>Entities \(18\)<\/h4><div class="ents"><span class="ent"><i>fingerprint<\/i> <code>ua:5d8d1c8dac1868dd<\/code><\/span> /,
  );
  const entities = stuffing.slice(stuffing.indexOf('<h4>Entities'), stuffing.indexOf('<details class="sub">'));
  const folded = entities.indexOf('<details class="more"><summary>+6 more</summary>');
  assert.ok(folded > 0, entities);
  assert.equal(count(entities.slice(0, folded), '<span class="ent">'), 12);
  assert.ok(entities.indexOf('198.51.100.30') < folded && entities.indexOf('198.51.100.31') > folded);
  assert.ok(entities.indexOf('<code>user-20977</code>') > folded);
  assert.match(
    stuffing,
    /<details class="sub"><summary>How the entities were linked \(1\)<\/summary><table class="t lk"><tr><th>From<th>To<th>Reason<th>Events<th>First seen<tr><td><i>user<\/i> <code>user-20977<\/code><td><i>fingerprint<\/i> <code>ua:5d8d1c8dac1868dd<\/code><td>same fingerprint<td>1<td>2026-11-30 11:00:00 UTC<\/table><\/details>/,
  );
  // Its alerts, most severe first: the takeover (alert 2) before the stuffing (alert 1).
  assert.match(stuffing, /<h4>Alerts \(2\)<\/h4><div class="al" id="al-2">.*<div class="al" id="al-1">/s);
  const bola = block(section, 'inc-0', / id="inc-/);
  assert.match(
    bola,
    /<td><i>user<\/i> <code>user-10042<\/code><td><i>session<\/i> <code>tok_fHFU1d17aJRcB06e3lEjXl<\/code><td>same session<td>530</,
  );
  assert.match(bola, /<div class="al" id="al-0">/);
  assert.equal(count(section, '<div class="al"'), 3);
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  for (const [, target] of html.matchAll(/href="#([^"]*)"/g)) assert.ok(ids.has(target), `#${target} has no element`);
});

test('each alert shows its rule, times and evidence: features beside baselines, the threshold, samples and a folded timeline', () => {
  const section = incidentsSection(renderAnalysisHtml(buildIncidentReport()));
  const bola = block(section, 'al-0', /<div class="al"|<details class="inc"/);
  assert.match(
    bola,
    /<div class="alh"><span class="badge sev-high">high<\/span><code>bola\/object-enumeration<\/code><span class="tag">bola<\/span><span class="muted">confidence 0\.85<\/span><\/div>/,
  );
  assert.match(bola, /<p class="fs">user user-10042 read 412 different objects of GET \/api\/v2\/users\/\{userId\} within 1 h<\/p>/);
  assert.match(bola, /first seen 2026-11-30 09:00:00 UTC · last seen 2026-11-30 10:00:00 UTC · raised at 2026-11-30 09:30:00 UTC/);
  assert.match(
    bola,
    /<table class="t evt"><tr><th>Feature<th>Measured<th>Baseline<tr><td><code>count<\/code><td>530<td><tr><td><code>distinct_object<\/code><td>412<td>9<tr><td><code>gap_variation<\/code><td>0\.029<td><tr><td><code>population_p99_9<\/code><td><td>19\.19<tr class="thr"><td>threshold<td colspan="2">distinct object ≥ max\(40, 3 × the group&#39;s highest daily value over 30 days\) within 1 h<\/table>/,
  );
  assert.match(
    bola,
    /<div class="ev">samples: <code>evt_01JD9A0001<\/code> <code>evt_01JD9A0002<\/code> <code>evt_01JD9A0003<\/code><\/div>/,
  );
  assert.match(
    bola,
    /<details class="sub"><summary>Timeline \(3 steps\)<\/summary><table class="t tl"><tr><th>Time<th>What<th>Event<tr><td>2026-11-30 09:00:00 UTC<td>GET \/api\/v2\/users\/\{userId\} 200 ×120<td><code>evt_01JD9A0001<\/code>/,
  );
  assert.match(bola, /<tr><td>2026-11-30 10:00:00 UTC<td>GET \/api\/v2\/users\/\{userId\} 404 ×118<td><\/table><\/details>/);
  const stuffing = block(section, 'al-1', /<div class="al"|<details class="inc"/);
  assert.match(stuffing, /<code>distinct_username<\/code><td>2,482<td><tr><td><code>ratio<\/code><td>0\.97<td>/);
  assert.match(stuffing, /<td colspan="2">distinct username ≥ 15, ratio ≥ 0\.7 within 1 h<\/table>/);
  assert.match(stuffing, /<code>evt_01JD9B0009<\/code> and 2 more<\/div>/, 'ten sample ids, then a count');
  assert.match(stuffing, /<details class="more"><summary>\+5 more<\/summary>/, 'the alert lists its entities bounded too');
  const takeover = block(section, 'al-2', /<div class="al"|<details class="inc"/);
  assert.match(
    takeover,
    /<code>new_network<\/code><td>yes<td><tr><td><code>logins<\/code><td>1<td><tr><td><code>known_networks<\/code><td><td>2/,
  );
});

test('entity values, summaries and evidence in incidents and alerts are escaped like everything from traffic', () => {
  const html = renderAnalysisHtml(buildHostileReport());
  const section = incidentsSection(html);
  assert.ok(section.includes('<span class="ent"><i>ip</i> <code>&lt;script&gt;alert(1)&lt;/script&gt;.example.com</code></span>'));
  assert.ok(section.includes('<i>&lt;img src=x onerror=alert(4)&gt;</i> <code>/x/&quot;onmouseover=alert(2)&quot;/&lt;/script&gt;'));
  assert.ok(section.includes('<code>&lt;i&gt;key&lt;/i&gt;</code><td>3<td>&lt;img src=x onerror=alert(4)&gt;'));
  assert.ok(section.includes('<td colspan="2">&lt;i&gt;key&lt;/i&gt; ≥ 2 &lt;/script&gt;</table>'));
  assert.ok(section.includes('<span class="tag">&lt;img src=x onerror=alert(4)&gt;</span>'));
  assert.ok(section.includes('<td>&lt;b&gt;bold&lt;/b&gt; title &lt;/script&gt;<td>3<td>'), 'a link reason');
  for (const injected of ['<script', '</script', '<img', '<svg', '<b>bold', '<i>key', '"onmouseover=']) {
    assert.ok(!section.includes(injected), injected);
  }
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u2028\u2029\u202e]/.test(section));
  assert.ok(section.includes('\\x1B[2J') && section.includes('\\u202E'));
});

test('alerts no incident lists are shown on their own; alerts an incident lists but the report lacks are counted', () => {
  const alone = buildAlert({ id: 'alone', ruleId: 'scan/many-paths', category: 'scanning', severity: 'low' });
  const folded = buildAlert();
  const incident = buildIncident([folded], { alertIds: [folded.id, 'lost-1', 'lost-2'] });
  const section = incidentsSection(renderAnalysisHtml(buildReport({ alerts: [alone, folded], incidents: [incident] })));
  assert.match(section, /<span>3 alerts<\/span><\/summary>/);
  assert.match(
    section,
    /<h4>Alerts \(3\)<\/h4><p class="muted">2 alerts of this incident are not in this report\.<\/p><div class="al" id="al-1">/,
  );
  assert.match(
    section,
    /<details class="inc" id="inc-none" open><summary><strong>Alerts not in an incident<\/strong><span>1 alert<\/span><\/summary><div class="incd"><div class="al" id="al-0">.*<code>scan\/many-paths<\/code>/s,
  );
  // An alert two incidents list is shown in both, with its element id once.
  const twice = renderAnalysisHtml(
    buildReport({
      alerts: [folded],
      incidents: [buildIncident([folded]), buildIncident([folded], { id: 'other', alertIds: [folded.id, folded.id] })],
    }),
  );
  assert.equal(count(twice, '<div class="al"'), 2);
  const ids = [...twice.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'element ids are unique');
  const none = renderAnalysisHtml(buildReport({ alerts: [alone] }));
  assert.match(incidentsSection(none), /\(0 incidents, 1 alert\)/);
  assert.match(incidentsSection(none), /id="inc-none" open>/);
});

test('only the worst incidents are open when the page loads; the script can open and close them all', () => {
  const alerts = Array.from({ length: 5 }, (_, i) =>
    buildAlert({ id: `a${i}`, severity: i === 3 ? 'critical' : 'medium', entities: [{ kind: 'ip', value: `192.0.2.${i}` }] }),
  );
  const html = renderAnalysisHtml(buildReport({ alerts, incidents: alerts.map((a, i) => buildIncident([a], { id: `i${i}` })) }));
  const order = [...incidentsSection(html).matchAll(/<details class="inc" id="(inc-\d+)"( open)?>/g)].map((m) => `${m[1]}${m[2] ?? ''}`);
  assert.deepEqual(order, ['inc-3 open', 'inc-0 open', 'inc-1 open', 'inc-2', 'inc-4']);
  assert.match(html, /<div class="filters" id="i-tools" hidden><button type="button" class="b" id="i-open">Expand all<\/button>/);
  assert.doesNotThrow(() => new Script(inlineScript(html)));
});
