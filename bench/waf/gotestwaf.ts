/**
 * GoTestWAF (wallarm/gotestwaf v0.5.7 test cases): every payload × encoder × placeholder of every case YAML,
 * built into the bytes GoTestWAF's Go HTTP client would send, and scored the way its `statistics.go` does
 * (research/benchmarks.md §1a):
 * - per request: blocked = 403, passed = 200 or 404, anything else (or a reset / EOF) is unresolved; a request
 *   Go could not build or send is "failed". Unresolved and failed count neither way.
 * - true-positive sets: TP% = blocked / (blocked + passed); the set named `false-pos`: TN% = passed / resolved.
 * - ApiSec = sets whose name contains "api" (TP only); AppSec = mean(TP%, TN%) of the others (0 when nothing
 *   was blocked); overall = mean(ApiSec, AppSec). Percentages rounded to 2 decimals at each step, as in Go.
 * gRPC needs HTTP/2 + protobuf and is counted as not applicable; GraphQL goes to `/graphql` (GoTestWAF would
 * only send it after finding a live GraphQL endpoint).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createRandom } from '@palisade/testkit';
import type { RawResult } from '../internal/raw-http.js';
import { percent, textTable } from '../internal/text-table.js';
import {
  goCanonicalHeaderKey,
  goPathEscape,
  goQueryEscape,
  goRequestTarget,
  goValidHeaderValue,
  jsUnicode,
  xmlEntity,
} from './go-encoding.js';
import { type Probe, type Results, randomHex, type Suite, spread } from './probe.js';

/** One case file. */
interface TestCase {
  set: string;
  name: string;
  type: string;
  payloads: string[];
  encoders: string[];
  placeholders: Array<{ name: string; config: Record<string, unknown> }>;
}

/** GoTestWAF's default request headers (its `config.yaml`), canonicalised as Go's `Header.Set` does. */
const DEFAULT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Connection', 'close'],
  ['Pragma', 'no-cache'],
  ['Cache-Control', 'no-cache'],
  ['Sec-Ch-Ua', '"Chromium";v="122", "Not(A:Brand";v="24", "Google Chrome";v="122"'],
  ['Sec-Ch-Ua-Mobile', '?0'],
  ['Sec-Ch-Ua-Platform', '"Windows"'],
  ['Upgrade-Insecure-Requests', '1'],
  ['User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36'],
  [
    'Accept',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  ],
  ['Sec-Fetch-Site', 'none'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-User', '?1'],
  ['Sec-Fetch-Dest', 'document'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US;q=0.8,en;q=0.7'],
];

/** The attack GoTestWAF sends first to check that a WAF blocks at all (URL encoder, URLParam placeholder). */
export const PRE_CHECK_VECTOR = "<script>alert('union select password from users')</script>";

/** Loads every `<set>/<case>.yml` under `dir` (strings kept as written, like Go's `[]string` fields). */
export function loadCases(dir: string): TestCase[] {
  const cases: TestCase[] = [];
  for (const set of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, set)).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      // Go's yaml accepts the escape \' inside double quotes; strict YAML 1.2 does not
      const text = readFileSync(join(dir, set, file), 'utf8').replaceAll("\\'", "'");
      const doc = parse(text, { schema: 'failsafe' }) as {
        payload?: string[];
        encoder?: string[];
        placeholder?: Array<string | Record<string, Record<string, unknown>>>;
        type?: string;
      };
      cases.push({
        set,
        name: file.replace(/\.ya?ml$/, ''),
        type: doc.type ?? 'unknown',
        payloads: doc.payload ?? [],
        encoders: doc.encoder ?? [],
        placeholders: (doc.placeholder ?? []).map((entry) => {
          if (typeof entry === 'string') return { name: entry, config: {} };
          const [name, config] = Object.entries(entry)[0] ?? ['?', {}];
          return { name, config: config ?? {} };
        }),
      });
    }
  }
  return cases;
}

function encode(encoder: string, payload: string): string {
  switch (encoder) {
    case 'Plain':
      return payload;
    case 'URL':
      return goPathEscape(payload);
    case 'Base64':
      return Buffer.from(payload, 'utf8').toString('base64');
    case 'Base64Flat':
      return Buffer.from(payload, 'utf8').toString('base64').replaceAll('=', '');
    case 'JSUnicode':
      return jsUnicode(payload);
    case 'XMLEntity':
      return xmlEntity(payload);
    default:
      throw new Error(`unknown encoder ${encoder}`);
  }
}

/** What a placeholder puts into the request before Go's client adds the defaults. */
interface Draft {
  method: string;
  /** The URL text after the host, starting with `/`. */
  rest: string;
  headers: Array<[string, string]>;
  body?: string;
  /** The placeholder sets its own User-Agent: the default one is not added. */
  ownUserAgent?: boolean;
}

/** A SOAP 1.1 envelope with the (XML-escaped) payload as the text of one element named `<ab…>`. */
function soapEnvelope(tag: string, value: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"',
    '\txmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '\t<soapenv:Header/>',
    '\t<soapenv:Body>',
    '\t\t<getItemsByStatement xmlns="https://api.example.com/items/v1">',
    '\t\t\t<filterStatement>',
    `\t\t\t\t<${tag}>${value}</${tag}>`,
    '\t\t\t</filterStatement>',
    '\t\t</getItemsByStatement>',
    '\t</soapenv:Body>',
    '</soapenv:Envelope>',
  ].join('\n');
}

function draft(placeholder: string, config: Record<string, unknown>, payload: string, random: () => number): Draft | 'not-applicable' {
  const hex = () => randomHex(random, 5);
  switch (placeholder) {
    case 'URLParam':
      return { method: 'GET', rest: `/?${hex()}=${payload}`, headers: [] };
    case 'URLPath':
      return { method: 'GET', rest: `/${payload}`, headers: [] };
    case 'Header':
      return { method: 'GET', rest: '/', headers: [[goCanonicalHeaderKey(`X-${hex()}`), payload]] };
    case 'UserAgent':
      return { method: 'GET', rest: '/', headers: [['User-Agent', payload]], ownUserAgent: true };
    case 'JSONRequest':
      return {
        method: 'POST',
        rest: '/',
        headers: [['Content-Type', 'application/json']],
        body: `{"test": true, "${hex()}": "${jsUnicode(payload)}"}`,
      };
    case 'JSONBody':
      return { method: 'POST', rest: '/', headers: [['Content-Type', 'application/json']], body: payload };
    case 'HTMLForm':
      return { method: 'POST', rest: '/', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: `${hex()}=${payload}` };
    case 'HTMLMultipartForm': {
      const name = hex();
      const boundary = randomHex(random, 30);
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${payload}\r\n--${boundary}--\r\n`;
      return { method: 'POST', rest: '/', headers: [['Content-Type', `multipart/form-data; boundary=${boundary}`]], body };
    }
    case 'RequestBody':
      return { method: 'POST', rest: '/', headers: [], body: payload };
    case 'XMLBody':
      return { method: 'POST', rest: '/', headers: [['Content-Type', 'application/xml']], body: payload };
    case 'SOAPBody':
      return {
        method: 'POST',
        rest: '/',
        headers: [
          ['Soapaction', '"http://schemas.xmlsoap.org/soap/actor/next"'],
          ['Content-Type', 'text/xml'],
        ],
        body: soapEnvelope(`ab${hex()}`, xmlEntity(payload)),
      };
    case 'GraphQL':
      return String(config.method).toUpperCase() === 'POST'
        ? { method: 'POST', rest: '/graphql', headers: [], body: payload }
        : { method: 'GET', rest: `/graphql?query=${goQueryEscape(payload)}`, headers: [] };
    case 'gRPC':
      return 'not-applicable';
    case 'RawRequest': {
      const path = typeof config.path === 'string' && config.path !== '' ? config.path : '/';
      const rest = `/${path.replace(/^\//, '')}`.replaceAll('{{payload}}', goPathEscape(payload));
      const headers: Array<[string, string]> = [];
      const configured = (config.headers ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(configured)) {
        headers.push([goCanonicalHeaderKey(name), String(value).replaceAll('{{payload}}', payload)]);
      }
      const body = typeof config.body === 'string' ? config.body.replaceAll('{{payload}}', payload) : '';
      const ownUserAgent = headers.some(([name]) => name === 'User-Agent');
      return { method: String(config.method ?? 'GET'), rest, headers, body: body === '' ? undefined : body, ownUserAgent };
    }
    default:
      throw new Error(`unknown placeholder ${placeholder}`);
  }
}

/**
 * The bytes Go's client writes for `d`: `Host`, `User-Agent`, `Content-Length`, then the other headers sorted
 * by name, values trimmed; throws where Go would refuse to send (bad URL, control byte in a header value).
 */
function goHttpBytes(d: Draft, host: string): Buffer {
  const target = goRequestTarget(d.rest);
  const headers = new Map<string, string>(d.headers);
  for (const [name, value] of DEFAULT_HEADERS) {
    if (name === 'User-Agent' && d.ownUserAgent) continue;
    if (!headers.has(name) || headers.get(name) === '') headers.set(name, value);
  }
  for (const [name, value] of headers) {
    if (!goValidHeaderValue(value)) throw new Error(`net/http: invalid header field value for "${name}"`);
  }
  const body = d.body === undefined ? undefined : Buffer.from(d.body, 'utf8');
  const lines = [`${d.method} ${target} HTTP/1.1`, `Host: ${host}`];
  const userAgent = headers.get('User-Agent');
  if (userAgent !== undefined) lines.push(`User-Agent: ${userAgent.trim()}`);
  if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
  for (const name of [...headers.keys()].sort()) {
    if (name === 'User-Agent' || name === 'Host' || name === 'Content-Length') continue;
    lines.push(`${name}: ${(headers.get(name) ?? '').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/** The pre-check request (GoTestWAF aborts when a WAF does not block it). */
export function preCheckBytes(host: string): Buffer {
  const d = draft('URLParam', {}, goPathEscape(PRE_CHECK_VECTOR), createRandom(1));
  if (d === 'not-applicable') throw new Error('unreachable');
  return goHttpBytes(d, host);
}

type Verdict = 'blocked' | 'passed' | 'unresolved' | 'failed';

/** GoTestWAF's verdict for one result (block 403; pass 200/404; reset/EOF unresolved; other send errors failed). */
function verdict(probe: Probe, result: RawResult | undefined): Verdict {
  if (probe.bytes === undefined || result === undefined) return 'failed';
  if (result.error !== undefined) return result.error === 'reset' || result.error === 'closed' ? 'unresolved' : 'failed';
  if (result.status === 403) return 'blocked';
  if (result.status === 200 || result.status === 404) return 'passed';
  return 'unresolved';
}

interface Tally {
  blocked: number;
  passed: number;
  unresolved: number;
  failed: number;
}

const emptyTally = (): Tally => ({ blocked: 0, passed: 0, unresolved: 0, failed: 0 });

/** Go's `Round(x*100)/100` of a percentage, 0 for an empty whole. */
function goPercent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100 * 100) / 100;
}

/** GoTestWAF's score block for one target. */
export interface GoTestWafScores {
  apiSec: { truePositive: number | null; score: number | null };
  appSec: { truePositive: number | null; trueNegative: number | null; score: number | null };
  overall: number | null;
  requests: { attacks: Tally; benign: Tally };
  payloads: { attacks: number; blockedEverywhere: number; blockedSomewhere: number };
}

function score(probes: readonly Probe[], results: Results): GoTestWafScores {
  const api = emptyTally();
  const app = emptyTally();
  const benign = emptyTally();
  const perPayload = new Map<string, { blocked: number; passed: number }>();
  probes.forEach((probe, index) => {
    const v = verdict(probe, results[index]);
    const tally = probe.tags.set?.includes('false') ? benign : probe.tags.set?.includes('api') ? api : app;
    tally[v]++;
    if (!probe.tags.set?.includes('false')) {
      const key = `${probe.tags.set}/${probe.tags.case}/${probe.tags.payload}`;
      const entry = perPayload.get(key) ?? { blocked: 0, passed: 0 };
      if (v === 'blocked') entry.blocked++;
      if (v === 'passed') entry.passed++;
      perPayload.set(key, entry);
    }
  });
  const average = (blocked: number, parts: Array<number | null>): number | null => {
    const present = parts.filter((part): part is number => part !== null);
    if (present.length === 0) return null;
    return blocked === 0 ? 0 : Math.round((present.reduce((a, b) => a + b, 0) / present.length) * 100) / 100;
  };
  const apiTp = api.blocked + api.passed > 0 ? goPercent(api.blocked, api.blocked + api.passed) : null;
  const appTp = app.blocked + app.passed > 0 ? goPercent(app.blocked, app.blocked + app.passed) : null;
  const appTn = benign.blocked + benign.passed > 0 ? goPercent(benign.passed, benign.blocked + benign.passed) : null;
  const apiScore = average(api.blocked, [apiTp]);
  const appScore = average(app.blocked, [appTp, appTn]);
  const parts = [apiScore, appScore].filter((part): part is number => part !== null);
  const attacks: Tally = {
    blocked: api.blocked + app.blocked,
    passed: api.passed + app.passed,
    unresolved: api.unresolved + app.unresolved,
    failed: api.failed + app.failed,
  };
  const payloadEntries = [...perPayload.values()].filter((entry) => entry.blocked + entry.passed > 0);
  return {
    apiSec: { truePositive: apiTp, score: apiScore },
    appSec: { truePositive: appTp, trueNegative: appTn, score: appScore },
    overall: parts.length === 0 ? null : Math.round((parts.reduce((a, b) => a + b, 0) / parts.length) * 100) / 100,
    requests: { attacks, benign },
    payloads: {
      attacks: payloadEntries.length,
      blockedEverywhere: payloadEntries.filter((entry) => entry.passed === 0).length,
      blockedSomewhere: payloadEntries.filter((entry) => entry.blocked > 0).length,
    },
  };
}

/** `pct b/r`, plus `+N?` for unresolved or failed requests. */
function cell(tally: Tally, good: 'blocked' | 'passed'): string {
  const resolved = tally.blocked + tally.passed;
  const extra = tally.unresolved + tally.failed;
  return `${percent(tally[good], resolved)} ${tally[good]}/${resolved}${extra > 0 ? ` +${extra}?` : ''}`;
}

function tallies(probes: readonly Probe[], results: Results, key: (probe: Probe) => string | undefined): Map<string, Tally> {
  const out = new Map<string, Tally>();
  probes.forEach((probe, index) => {
    const k = key(probe);
    if (k === undefined) return;
    const tally = out.get(k) ?? emptyTally();
    tally[verdict(probe, results[index])]++;
    out.set(k, tally);
  });
  return out;
}

const fixed = (value: number | null) => (value === null ? '–' : value.toFixed(2));

/**
 * Builds the GoTestWAF suite from the case folder: requests addressed to `host`, "random" names from a
 * seeded generator, at most `limit` requests per set (spread over the set).
 */
export function goTestWafSuite(dir: string, host: string, limit?: number): Suite {
  const random = createRandom(5);
  const bySet = new Map<string, Probe[]>();
  let notApplicable = 0;
  for (const testCase of loadCases(dir)) {
    testCase.payloads.forEach((payload, payloadIndex) => {
      for (const encoder of testCase.encoders) {
        for (const placeholder of testCase.placeholders) {
          const tags = {
            set: testCase.set,
            case: testCase.name,
            type: testCase.type,
            payload: String(payloadIndex),
            encoder,
            placeholder: placeholder.name,
          };
          const id = `${testCase.set}/${testCase.name}#${payloadIndex}/${encoder}/${placeholder.name}`;
          const d = draft(placeholder.name, placeholder.config, encode(encoder, payload), random);
          if (d === 'not-applicable') {
            notApplicable++;
            continue;
          }
          let probe: Probe;
          try {
            probe = { id, bytes: goHttpBytes(d, host), tags };
          } catch (error) {
            probe = { id, bytes: undefined, unsendable: (error as Error).message, tags };
          }
          const list = bySet.get(testCase.set) ?? [];
          list.push(probe);
          bySet.set(testCase.set, list);
        }
      }
    });
  }
  const probes = [...bySet.values()].flatMap((list) => spread(list, limit));
  const unsendable = probes.filter((probe) => probe.bytes === undefined).length;
  const notes = [
    `${probes.length} requests${limit !== undefined ? ` (at most ${limit} per set)` : ''}; ${notApplicable} gRPC requests not applicable over HTTP/1.1`,
    `${unsendable} requests Go's client would refuse to send (counted as failed, as GoTestWAF does)`,
    'cells: TP% (or TN% for false-pos) blocked/resolved; +N? = unresolved or failed, excluded like GoTestWAF',
  ];
  return {
    name: 'gotestwaf',
    probes,
    notes,
    report(results) {
      const targets = [...results.keys()];
      const scores = new Map(targets.map((target) => [target, score(probes, results.get(target) ?? [])]));
      const setRows = [...new Set(probes.map((probe) => probe.tags.set ?? ''))].map((set) => {
        const good = set.includes('false') ? 'passed' : 'blocked';
        return [
          `${set}${good === 'passed' ? ' (TN%)' : ''}`,
          ...targets.map((target) =>
            cell(tallies(probes, results.get(target) ?? [], (probe) => probe.tags.set).get(set) ?? emptyTally(), good),
          ),
        ];
      });
      const placements = [...new Set(probes.map((probe) => `${probe.tags.placeholder}`))].sort();
      const placementRows = (benign: boolean) =>
        placements
          .map((placement) => {
            const row = targets.map((target) =>
              tallies(probes, results.get(target) ?? [], (probe) =>
                (probe.tags.set?.includes('false') ?? false) === benign ? probe.tags.placeholder : undefined,
              ).get(placement),
            );
            if (row.every((tally) => tally === undefined)) return undefined;
            return [
              `${placement}${benign ? ' (TN%)' : ''}`,
              ...row.map((tally) => cell(tally ?? emptyTally(), benign ? 'passed' : 'blocked')),
            ];
          })
          .filter((row): row is string[] => row !== undefined);
      const caseRows = [...new Set(probes.map((probe) => `${probe.tags.set}/${probe.tags.case}`))].map((key) => [
        key,
        ...targets.map((target) =>
          cell(
            tallies(probes, results.get(target) ?? [], (probe) => `${probe.tags.set}/${probe.tags.case}`).get(key) ?? emptyTally(),
            key.includes('false') ? 'passed' : 'blocked',
          ),
        ),
      ]);
      const scoreRows: string[][] = [
        ['ApiSec (TP%)', ...targets.map((target) => fixed(scores.get(target)?.apiSec.score ?? null))],
        ['AppSec TP%', ...targets.map((target) => fixed(scores.get(target)?.appSec.truePositive ?? null))],
        ['AppSec TN% (false-pos)', ...targets.map((target) => fixed(scores.get(target)?.appSec.trueNegative ?? null))],
        ['AppSec score', ...targets.map((target) => fixed(scores.get(target)?.appSec.score ?? null))],
        ['Overall score', ...targets.map((target) => fixed(scores.get(target)?.overall ?? null))],
        [
          'Attack requests TP%',
          ...targets.map((target) => {
            const tally = scores.get(target)?.requests.attacks ?? emptyTally();
            return cell(tally, 'blocked');
          }),
        ],
        [
          'Attack payloads blocked in every/any request',
          ...targets.map((target) => {
            const p = scores.get(target)?.payloads;
            return p === undefined ? '–' : `${p.blockedEverywhere}/${p.blockedSomewhere} of ${p.attacks}`;
          }),
        ],
      ];
      const text = [
        textTable(['by set', ...targets], setRows),
        '',
        textTable(['by placeholder (attack sets)', ...targets], placementRows(false)),
        '',
        textTable(['by placeholder (false-pos set)', ...targets], placementRows(true)),
        '',
        textTable(['by case', ...targets], caseRows),
        '',
        textTable(['scores', ...targets], scoreRows),
      ].join('\n');
      const misses: Record<string, string[]> = {};
      for (const target of targets) {
        const list = results.get(target) ?? [];
        misses[target] = probes
          .filter((probe, index) => {
            const v = verdict(probe, list[index]);
            return probe.tags.set?.includes('false') ? v === 'blocked' : v === 'passed';
          })
          .map((probe) => probe.id);
      }
      return { text, json: { notes, scores: Object.fromEntries(scores), misses } };
    },
  };
}
