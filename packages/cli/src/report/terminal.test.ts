import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { AnalysisReport } from '@palisade/engine';
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
import { type AnalysisSummaryOptions, printAnalysisSummary } from './terminal.js';

function print(report: AnalysisReport, options: AnalysisSummaryOptions = { color: false }): string {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  printAnalysisSummary(out, report, options);
  return text;
}

const ESC = '\u001b';
const stripAnsi = (text: string): string => text.replace(/\u001b\[[\d;]*m/g, '');
const columns = (line: string): number => Array.from(stripAnsi(line)).length;

test('the summary says what was read, the inventory and findings by severity, with thousands separators', () => {
  const text = print(buildSampleReport());
  assert.match(text, /Read +2 files: logs\/access\.log, logs\/access\.log\.1\.gz/);
  assert.match(text, /Events +102,321 read, 0 rejected/);
  assert.match(text, /Traffic +2026-11-30 08:00:00 UTC → 2026-11-30 14:00:00 UTC \(6h00m\)/);
  assert.match(text, /Specs +specs\/users\.openapi\.yaml/);
  assert.match(text, /Inventory +2 hosts, 4 endpoints: 2 documented, 1 shadow, 1 zombie, 0 orphan, 0 new/);
  assert.match(text, /Findings +3: 1 critical, 0 high, 1 medium, 1 low, 0 info/);
});

test('the riskiest endpoints come riskiest first in aligned columns, with the findings that make their score', () => {
  const lines = print(buildSampleReport()).split('\n');
  const title = lines.findIndex((l) => l.startsWith('Riskiest endpoints'));
  assert.equal(lines[title], 'Riskiest endpoints (2 of 2 with findings)');
  const [header, first, second] = lines.slice(title + 1, title + 4) as [string, string, string];
  assert.match(header, /^ {2}risk {2}method {2}endpoint +requests {2}findings$/);
  assert.match(
    first,
    /^ {4}92 {2}POST {4}api\.example\.com\/api\/v1\/login +3,400 {2}posture\/credentials-in-url, posture\/deprecated-in-use$/,
  );
  assert.match(second, /^ {4}45 {2}GET {5}api\.example\.com\/api\/v2\/users\/\{userId\} +12,480 {2}posture\/sensitive-data-in-response$/);
  // Right-aligned numbers end in the same column; the findings column starts in the same column.
  assert.equal(header.indexOf('requests') + 'requests'.length, first.indexOf('3,400') + '3,400'.length);
  assert.equal(first.indexOf('posture/'), second.indexOf('posture/'));
});

test('the most severe findings come first, each with its endpoint and its summary below', () => {
  const text = print(buildSampleReport());
  assert.match(text, /Most severe findings \(3 of 3\)/);
  const critical = text.indexOf('critical  posture/credentials-in-url');
  const medium = text.indexOf('medium    posture/sensitive-data-in-response');
  const low = text.indexOf('low       posture/deprecated-in-use');
  assert.ok(critical > 0 && critical < medium && medium < low, text);
  assert.match(text, /posture\/credentials-in-url +POST api\.example\.com\/api\/v1\/login\n {12}Passwords are sent in the query string/);
});

test('only the top 10 endpoints and findings are listed, saying how many there are', () => {
  const endpoints = Array.from({ length: 15 }, (_, i) =>
    buildEndpoint({ path: `/api/items/${i}`, risk: { score: 10 + i, findings: ['posture/no-auth'] } }),
  );
  const findings = endpoints.map((e) => buildFinding({ id: 'posture/no-auth', endpoint: { method: e.method, path: e.path } }));
  const text = print(buildReport({ endpoints, findings }));
  assert.match(text, /Riskiest endpoints \(10 of 15 with findings\)/);
  assert.match(text, /Most severe findings \(10 of 15\)/);
  assert.match(text, /api\.example\.com\/api\/items\/14 /);
  assert.doesNotMatch(text, /api\.example\.com\/api\/items\/4 /);
});

test('where the reports were written, or how to get them', () => {
  const written = print(buildSampleReport(), { color: false, jsonPath: 'out/analysis.json', htmlPath: 'out/analysis.html' });
  assert.match(written, /Reports written\n {2}JSON {2}out\/analysis\.json\n {2}HTML {2}out\/analysis\.html/);
  assert.match(print(buildSampleReport()), /add --html FILE .* or --json FILE/);
});

test('an empty report says there is nothing rather than printing empty tables', () => {
  const text = print(buildReport({ input: { files: [], events: 0 } }));
  assert.match(text, /Read +no files/);
  assert.match(text, /Inventory +0 hosts, 0 endpoints/);
  assert.match(text, /Riskiest endpoints\n {2}None: no endpoints were found in the input\./);
  assert.match(text, /Most severe findings\n {2}None\./);
  assert.match(text, /Incidents\n {2}No behavioural alerts\./);
  assert.doesNotMatch(text, /Alerts/);
  assert.doesNotMatch(text, /Traffic/);
  assert.doesNotMatch(text, /risk {2}method/);
});

test('endpoints without findings are not listed as risky', () => {
  const text = print(buildReport({ endpoints: [buildEndpoint()] }));
  assert.match(text, /Riskiest endpoints\n {2}None: no endpoint has a finding\./);
});

test('colour off prints no ANSI codes; colour on paints severities and lifecycles', () => {
  const plain = print(buildSampleReport(), { color: false });
  assert.ok(!plain.includes(ESC));
  const colored = print(buildSampleReport(), { color: true });
  assert.ok(colored.includes(`${ESC}[1;31m1 critical${ESC}[0m`), colored);
  assert.ok(colored.includes(`${ESC}[31m1 zombie${ESC}[0m`), colored);
  assert.ok(colored.includes(`${ESC}[1;31mcritical${ESC}[0m`), colored);
  assert.equal(stripAnsi(colored), plain);
});

test('control and bidi characters from traffic are shown escaped, never sent to the terminal', () => {
  for (const color of [false, true]) {
    const text = print(buildHostileReport(), { color });
    // The only escape sequences are the colours the summary adds itself.
    assert.ok(!stripAnsi(text).includes(ESC), JSON.stringify(text));
    assert.ok(!/[\u0000-\u0009\u000b-\u001a\u001c-\u001f\u007f\u202e\u2028\u2029]/.test(text), JSON.stringify(text));
    assert.ok(text.includes('\\x1B[2J'), text);
    assert.ok(text.includes('\\u202E'), text);
  }
  assert.ok(print(buildHostileReport()).includes(`Specs      ${HOSTILE.title}\n`), 'markup is harmless in a terminal and shown as is');
});

test('no line is wider than 120 columns: long paths lose their middle, long lists their end', () => {
  const longPath = `/api/${'very-long-segment/'.repeat(20)}{finalId}`;
  const ids = Array.from({ length: 40 }, (_, i) => `posture/rule-number-${i}`);
  const endpoint = buildEndpoint({ path: longPath, risk: { score: 99, findings: ids } });
  const finding = buildFinding({
    id: `posture/${'x'.repeat(200)}`,
    endpoint: { method: 'GET', path: longPath },
    evidence: { summary: 'A sentence that goes on and on. '.repeat(10) },
  });
  const report = buildReport({ endpoints: [endpoint], findings: [finding], input: { files: ids.map((id) => `/var/log/${id}.log`) } });
  const text = print(report, { color: true, htmlPath: `/tmp/${'deep/'.repeat(40)}analysis.html` });
  for (const line of text.split('\n')) assert.ok(columns(line) <= 120, `${columns(line)}: ${line}`);
  assert.match(text, /api\.example\.com\/api\/very-long.*….*very-long-segment\/\{finalId\}/);
  assert.match(text, / {2}posture\/rule-number-0(, posture\/rule-number-\d+)* \+\d+\n/);
  assert.match(text, /Read +40 files: \/var\/log\/posture\/rule-number-0\.log, .* \+\d+/);
});

test('the incidents come worst first after the summary lines, with severity, alert count, categories and summary', () => {
  const text = print(buildIncidentReport());
  assert.match(
    text,
    /Findings +3: .*\n {2}Alerts {5}3 in 2 incidents: 1 critical, 2 high, 0 medium, 0 low\n\nIncidents \(2 of 2, worst first\)\n/,
  );
  const lines = text.split('\n');
  const title = lines.indexOf('Incidents (2 of 2, worst first)');
  assert.deepEqual(lines.slice(title + 1, title + 4), [
    '  severity  alerts  categories                             summary',
    '  critical       2  credential_stuffing, account_takeover  2 alerts (credential_stuffing, account_takeover) by fingerpr…',
    '  high           1  bola                                   1 alert (bola) by user user-10042',
  ]);
  assert.ok(text.indexOf('Incidents (') < text.indexOf('Riskiest endpoints'));
});

test('only the 10 worst incidents are listed, long summaries cut at the end, then how many more there are', () => {
  const severities = ['low', 'medium', 'high', 'critical'] as const;
  const alerts = Array.from({ length: 12 }, (_, i) =>
    buildAlert({ id: `a${i}`, severity: severities[i % 4], entities: [{ kind: 'ip', value: `203.0.113.${i}` }] }),
  );
  const incidents = alerts.map((a, i) =>
    buildIncident([a], {
      id: `i${i}`,
      firstSeen: Date.UTC(2026, 10, 30, 8, i),
      summary: `incident ${i} by ip 203.0.113.${i}: ${'a long tale of what it did, '.repeat(8)}`,
    }),
  );
  const text = print(buildReport({ alerts, incidents }), { color: true });
  const plain = stripAnsi(text);
  assert.match(plain, /Incidents \(10 of 12, worst first\)/);
  const listed = [...plain.matchAll(/^ {2}(critical|high|medium|low) +1 {2}bola +incident (\d+) /gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(listed, [
    'critical 3',
    'critical 7',
    'critical 11',
    'high 2',
    'high 6',
    'high 10',
    'medium 1',
    'medium 5',
    'medium 9',
    'low 0',
  ]);
  assert.match(plain, /\n {2}… 2 more in the reports\n/);
  for (const line of plain.split('\n')) assert.ok(columns(line) <= 120, `${columns(line)}: ${line}`);
  assert.match(plain, /incident 3 by ip 203\.0\.113\.3: a long tale.*…\n/);
  assert.ok(text.includes(`  ${ESC}[1;31mcritical${ESC}[0m`), 'severities are painted');
  assert.ok(text.includes(`${ESC}[1;31m3 critical${ESC}[0m, ${ESC}[31m3 high${ESC}[0m`), text);
  assert.equal(stripAnsi(text), print(buildReport({ alerts, incidents })));
});

test('alerts that no incident holds are counted instead of listed', () => {
  const text = print(buildReport({ alerts: [buildAlert()] }));
  assert.match(text, /Alerts {5}1 in 0 incidents: 0 critical, 1 high, 0 medium, 0 low/);
  assert.match(text, /Incidents\n {2}None: 1 alert in no incident \(in the reports\)\./);
});
