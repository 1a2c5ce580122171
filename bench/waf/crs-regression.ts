/**
 * OWASP CRS regression tests (go-ftw YAML) as a black-box block/pass benchmark (research/benchmarks.md §1b).
 * Each stage is sent as go-ftw builds it (request line as written, headers sorted by name, form data
 * escaped, `Connection: close` and `Content-Length` added unless `autocomplete_headers: false`,
 * `encoded_request` sent as decoded) and classed by its expected rule ids, using
 * crs-rule-paranoia-levels.json:
 * - critical: some expected id has paranoia ≤ the chosen level and severity CRITICAL (5 points, enough
 *   alone for the inbound threshold 5) → expect 403;
 * - soft: expected ids at that level are only ERROR/WARNING/NOTICE (reported apart);
 * - above-pl: the expected ids are all above the level (informational);
 * - benign: only `no_expect_ids` → expect not 403 (the CRS's own false-positive checks);
 * - response: RESPONSE-95x/98x tests (the upstream echoes `/reflect`), reported apart;
 * - other: status / log-regex-only stages (informational).
 * A 400 answer is counted as "rejected by parser" (the target's HTTP or body parser refused the request
 * before inspection), neither blocked nor passed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { percent, textTable } from '../internal/text-table.js';
import { goQueryEscape } from './go-encoding.js';
import { type HeaderList, httpBytes, type Probe, type Results, type Suite, spread } from './probe.js';

interface RuleInfo {
  file: string;
  paranoia_level: number | null;
  severity: string | null;
}

interface StageInput {
  method?: unknown;
  uri?: unknown;
  version?: unknown;
  headers?: Record<string, unknown>;
  data?: unknown;
  autocomplete_headers?: unknown;
  stop_magic?: unknown;
  encoded_request?: unknown;
}

/** Parsed with the YAML failsafe schema (every scalar a string, as go-ftw reads them into strings). */
interface StageOutput {
  log?: { expect_ids?: string[]; no_expect_ids?: string[] };
}

type StageClass = 'critical' | 'soft' | 'above-pl' | 'benign' | 'response' | 'other';

/** Go `url.QueryUnescape(s) == s` without error: no `+` and no `%` at all. */
function isUnescaped(data: string): boolean {
  return !data.includes('+') && !data.includes('%');
}

/** go-ftw's form-data escaping: each `key=value` of unescaped data gets Go `QueryEscape` on both sides. */
function escapeFormData(data: string): string {
  if (!isUnescaped(data)) return data;
  const out: string[] = [];
  let remaining = data;
  while (remaining.length > 0) {
    const amp = remaining.indexOf('&');
    const token = amp < 0 ? remaining : remaining.slice(0, amp);
    remaining = amp < 0 ? '' : remaining.slice(amp + 1);
    const eq = token.indexOf('=');
    out.push(eq < 0 ? goQueryEscape(token) : `${goQueryEscape(token.slice(0, eq))}=${goQueryEscape(token.slice(eq + 1))}`);
  }
  return out.join('&');
}

/** The bytes go-ftw sends for a stage input. */
export function stageBytes(input: StageInput): Buffer {
  if (typeof input.encoded_request === 'string' && input.encoded_request !== '') {
    return Buffer.from(input.encoded_request, 'base64');
  }
  const method = input.method === undefined ? 'GET' : String(input.method);
  const uri = input.uri === undefined ? '/' : String(input.uri);
  const version = input.version === undefined ? 'HTTP/1.1' : String(input.version);
  const flag = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value) === 'true');
  const autocomplete = flag(input.autocomplete_headers) ?? (flag(input.stop_magic) === undefined ? true : !flag(input.stop_magic));
  const headers: Array<[string, string]> = Object.keys(input.headers ?? {})
    .sort()
    .map((name) => [name, String(input.headers?.[name] ?? '')]);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  let data = input.data === undefined || input.data === null ? '' : String(input.data);
  if (data !== '' && autocomplete) {
    if (!has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    const form = headers.some(([n, v]) => n.toLowerCase() === 'content-type' && v.toLowerCase() === 'application/x-www-form-urlencoded');
    if (form) data = escapeFormData(data);
  }
  if (headers.some(([n, v]) => n.toLowerCase() === 'content-type' && v.toLowerCase().includes('multipart/form-data;'))) {
    data = data.replaceAll('\n', '\r\n');
  }
  if (autocomplete) {
    if (!has('connection')) headers.push(['Connection', 'close']);
    const body = Buffer.byteLength(data, 'utf8');
    if (!has('content-length') && (body > 0 || /^POST|PUT|PATCH|DELETE$/.test(method))) headers.push(['Content-Length', String(body)]);
  }
  return httpBytes(`${method} ${uri} ${version}`, headers as HeaderList, data);
}

function classify(folder: string, output: StageOutput, rules: Record<string, RuleInfo>, level: number): StageClass {
  if (folder.startsWith('RESPONSE-')) return 'response';
  const expected = output.log?.expect_ids ?? [];
  if (expected.length > 0) {
    const infos = expected.map((id) => rules[String(id)]).filter((info): info is RuleInfo => info !== undefined);
    const inLevel = infos.filter((info) => info.paranoia_level !== null && info.paranoia_level <= level);
    if (inLevel.some((info) => info.severity === 'CRITICAL')) return 'critical';
    if (inLevel.length > 0) return 'soft';
    if (infos.some((info) => info.paranoia_level === null)) return 'other';
    return 'above-pl';
  }
  if ((output.log?.no_expect_ids ?? []).length > 0) return 'benign';
  return 'other';
}

/** `REQUEST-942-APPLICATION-ATTACK-SQLI` → `942 application-attack-sqli`. */
function shortFolder(folder: string): string {
  const m = /^(?:REQUEST|RESPONSE)-(\d+)-(.*)$/.exec(folder);
  return m ? `${m[1]} ${(m[2] ?? '').toLowerCase()}` : folder;
}

type Verdict = 'blocked' | 'rejected' | 'other' | 'none';

function verdict(status: number | undefined): Verdict {
  if (status === undefined || status === 0) return 'none';
  if (status === 403) return 'blocked';
  if (status === 400) return 'rejected';
  return 'other';
}

interface Tally {
  blocked: number;
  rejected: number;
  other: number;
  none: number;
}

/** Builds the CRS suite at paranoia `level`; at most `limit` stages per class. */
export function crsRegressionSuite(dir: string, level: number, limit?: number): Suite {
  const rules = JSON.parse(readFileSync(join(dir, 'crs-rule-paranoia-levels.json'), 'utf8')) as Record<string, RuleInfo>;
  const root = join(dir, 'tests', 'regression', 'tests');
  const byClass = new Map<StageClass, Probe[]>();
  let unparsable = 0;
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      let doc: { rule_id?: string; tests?: Array<{ test_id?: string; stages?: Array<{ input?: StageInput; output?: StageOutput }> }> };
      try {
        doc = parse(readFileSync(join(root, folder, file), 'utf8'), { schema: 'failsafe' }) ?? {};
      } catch {
        unparsable++;
        continue;
      }
      (doc.tests ?? []).forEach((test, testIndex) => {
        (test.stages ?? []).forEach((stage, stageIndex) => {
          const cls = classify(folder, stage.output ?? {}, rules, level);
          const id = `${doc.rule_id ?? file}-${test.test_id ?? testIndex + 1}${stageIndex > 0 ? `.${stageIndex}` : ''}`;
          const list = byClass.get(cls) ?? [];
          list.push({ id, bytes: stageBytes(stage.input ?? {}), tags: { folder, category: shortFolder(folder), class: cls } });
          byClass.set(cls, list);
        });
      });
    }
  }
  const order: StageClass[] = ['critical', 'benign', 'soft', 'above-pl', 'response', 'other'];
  const probes = order.flatMap((cls) => spread(byClass.get(cls) ?? [], limit));
  const notes = [
    `${probes.length} stages at paranoia level ${level}${limit !== undefined ? ` (at most ${limit} per class)` : ''}${unparsable ? `; ${unparsable} files unparsable` : ''}`,
    'critical: expect 403 (cell = blocked%); benign: expect not 403 (cell = blocked% = false positives); 400 = rejected by parser, shown apart',
  ];
  const tally = (results: Results, filter: (probe: Probe) => boolean): Tally => {
    const out: Tally = { blocked: 0, rejected: 0, other: 0, none: 0 };
    probes.forEach((probe, index) => {
      if (filter(probe)) out[verdict(results[index]?.status)]++;
    });
    return out;
  };
  const cell = (t: Tally) => {
    const judged = t.blocked + t.other;
    const extra = [t.rejected ? `${t.rejected}r` : '', t.none ? `${t.none}?` : ''].filter(Boolean).join(' ');
    return `${percent(t.blocked, judged)} ${t.blocked}/${judged}${extra ? ` +${extra}` : ''}`;
  };
  return {
    name: 'crs',
    probes,
    notes,
    report(results) {
      const targets = [...results.keys()];
      const classRows = order
        .filter((cls) => probes.some((probe) => probe.tags.class === cls))
        .map((cls) => [
          `${cls}${cls === 'critical' ? ' (want 403)' : cls === 'benign' ? ' (want not 403)' : ''}`,
          ...targets.map((target) => cell(tally(results.get(target) ?? [], (probe) => probe.tags.class === cls))),
        ]);
      const categories = [...new Set(probes.map((probe) => probe.tags.category ?? ''))].sort();
      const categoryRows = (cls: StageClass) =>
        categories
          .filter((category) => probes.some((probe) => probe.tags.class === cls && probe.tags.category === category))
          .map((category) => [
            category,
            ...targets.map((target) =>
              cell(tally(results.get(target) ?? [], (probe) => probe.tags.class === cls && probe.tags.category === category)),
            ),
          ]);
      const json: Record<string, unknown> = {};
      for (const target of targets) {
        const list = results.get(target) ?? [];
        const classes = Object.fromEntries(order.map((cls) => [cls, tally(list, (probe) => probe.tags.class === cls)]));
        json[target] = {
          classes,
          missedCritical: probes.filter((p, i) => p.tags.class === 'critical' && verdict(list[i]?.status) === 'other').map((p) => p.id),
          blockedBenign: probes.filter((p, i) => p.tags.class === 'benign' && verdict(list[i]?.status) === 'blocked').map((p) => p.id),
        };
      }
      const text = [
        textTable([`CRS regression, PL${level}`, ...targets], classRows),
        '',
        textTable([`critical stages by rule file (PL${level})`, ...targets], categoryRows('critical')),
        '',
        textTable(['benign stages blocked, by rule file', ...targets], categoryRows('benign')),
        '',
        '(+Nr = answered 400, rejected by parser; +N? = no status)',
      ].join('\n');
      return { text, json: { notes, level, targets: json } };
    },
  };
}
