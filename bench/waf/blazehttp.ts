/**
 * BlazeHTTP (chaitin/blazehttp samples): 575 attack and 33,093 benign raw requests replayed byte for byte
 * the way its tool does: the first `Host` header set to our host (others removed), `Connection: close`,
 * `Content-Length` recomputed from the body (removed when there is no body), header lines rewritten with
 * CRLF. Scoring as upstream: blocked = 403; detection = TP/(TP+FN), false-positive rate = FP/(FP+TN) over the
 * requests that got a status; requests without one are counted apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { percent, textTable } from '../internal/text-table.js';
import { type Probe, type Results, type Suite, spread } from './probe.js';

/** One sample: its upstream id and exact bytes. */
interface Sample {
  id: string;
  raw: Buffer;
}

function readSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { id: string; raw?: string; raw_b64?: string };
    const raw = entry.raw !== undefined ? Buffer.from(entry.raw, 'utf8') : Buffer.from(entry.raw_b64 ?? '', 'base64');
    out.push({ id: entry.id, raw });
  }
  return out;
}

/** Rewrites a sample for replay: Host, Connection and Content-Length as BlazeHTTP's tool sets them. */
export function rewriteSample(raw: Buffer, host: string): Buffer {
  let split = raw.indexOf('\r\n\r\n');
  let separator = 4;
  if (split < 0) {
    split = raw.indexOf('\n\n');
    separator = 2;
  }
  const head = (split < 0 ? raw : raw.subarray(0, split)).toString('latin1');
  const body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + separator);
  const [requestLine = '', ...lines] = head.split(/\r?\n/);
  const headers: Array<[string, string] | string> = lines.map((line) => {
    const colon = line.indexOf(':');
    return colon < 0 ? line : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
  });
  const rewritten: Array<[string, string] | string> = [];
  let hostSeen = false;
  let lengthSeen = false;
  for (const header of headers) {
    if (typeof header === 'string') {
      rewritten.push(header);
      continue;
    }
    const name = header[0].toLowerCase();
    if (name === 'host') {
      if (!hostSeen) rewritten.push([header[0], host]);
      hostSeen = true;
    } else if (name === 'content-length') {
      if (!lengthSeen && body.length > 0) rewritten.push([header[0], String(body.length)]);
      lengthSeen = true;
    } else if (name !== 'connection') {
      rewritten.push(header);
    }
  }
  if (!hostSeen) rewritten.push(['Host', host]);
  if (!lengthSeen && body.length > 0) rewritten.push(['Content-Length', String(body.length)]);
  rewritten.push(['Connection', 'close']);
  const text = [requestLine, ...rewritten.map((header) => (typeof header === 'string' ? header : `${header[0]}: ${header[1]}`))].join(
    '\r\n',
  );
  return Buffer.concat([Buffer.from(`${text}\r\n\r\n`, 'latin1'), body]);
}

/** A coarse label for an attack sample, from its path (DVWA module or "other"), for the per-category table. */
function attackCategory(raw: Buffer): string {
  const line = raw.subarray(0, 200).toString('latin1');
  const dvwa = /^[A-Z]+ \/vulnerabilities\/([a-z_]+)/.exec(line);
  return dvwa ? `dvwa ${dvwa[1]}` : 'other (CVE PoCs etc.)';
}

interface Counts {
  blocked: number;
  answered: number;
  noStatus: number;
}

function count(probes: readonly Probe[], results: Results, filter: (probe: Probe) => boolean): Counts {
  const out: Counts = { blocked: 0, answered: 0, noStatus: 0 };
  probes.forEach((probe, index) => {
    if (!filter(probe)) return;
    const result = results[index];
    if (result === undefined || result.status === 0) {
      out.noStatus++;
      return;
    }
    out.answered++;
    if (result.status === 403) out.blocked++;
  });
  return out;
}

const cell = (c: Counts, digits = 2) =>
  `${percent(c.blocked, c.answered, digits)} ${c.blocked}/${c.answered}${c.noStatus ? ` +${c.noStatus}?` : ''}`;

/** Builds the BlazeHTTP suite from `dir` (black.jsonl, white.jsonl.gz); at most `limit` samples per label. */
export function blazeHttpSuite(dir: string, host: string, limit?: number): Suite {
  const black = spread(readSamples(readFileSync(join(dir, 'black.jsonl'), 'utf8')), limit);
  const white = spread(readSamples(gunzipSync(readFileSync(join(dir, 'white.jsonl.gz'))).toString('utf8')), limit);
  const probes: Probe[] = [
    ...black.map((sample) => ({
      id: sample.id,
      bytes: rewriteSample(sample.raw, host),
      tags: { label: 'attack', category: attackCategory(sample.raw) },
    })),
    ...white.map((sample) => ({
      id: sample.id,
      bytes: rewriteSample(sample.raw, host),
      tags: { label: 'benign', method: sample.raw.subarray(0, 8).toString('latin1').split(' ')[0] ?? '?' },
    })),
  ];
  const notes = [
    `${black.length} attack + ${white.length} benign requests, Host: ${host}`,
    'cells: blocked% blocked/answered; +N? = no status (timeout, reset), excluded',
  ];
  return {
    name: 'blazehttp',
    probes,
    notes,
    report(results) {
      const targets = [...results.keys()];
      const rows = (label: string, filter: (probe: Probe) => boolean) => [
        label,
        ...targets.map((target) => cell(count(probes, results.get(target) ?? [], filter))),
      ];
      const categories = [...new Set(probes.filter((p) => p.tags.label === 'attack').map((p) => p.tags.category ?? ''))].sort();
      const methods = [...new Set(probes.filter((p) => p.tags.label === 'benign').map((p) => p.tags.method ?? ''))].sort();
      const summary: Record<string, unknown> = {};
      for (const target of targets) {
        const list = results.get(target) ?? [];
        const attack = count(probes, list, (p) => p.tags.label === 'attack');
        const benign = count(probes, list, (p) => p.tags.label === 'benign');
        const tp = attack.blocked;
        const fn = attack.answered - attack.blocked;
        const fp = benign.blocked;
        const tn = benign.answered - benign.blocked;
        summary[target] = {
          detection: attack.answered ? tp / attack.answered : null,
          falsePositiveRate: benign.answered ? fp / benign.answered : null,
          accuracy: tp + tn + fp + fn ? (tp + tn) / (tp + tn + fp + fn) : null,
          attack,
          benign,
          missedAttacks: probes
            .filter((p, i) => p.tags.label === 'attack' && list[i]?.status !== 403 && list[i]?.status !== 0)
            .map((p) => p.id),
          falsePositives: probes.filter((p, i) => p.tags.label === 'benign' && list[i]?.status === 403).map((p) => p.id),
        };
      }
      const text = [
        textTable(
          ['BlazeHTTP', ...targets],
          [
            rows('detection (attacks blocked)', (p) => p.tags.label === 'attack'),
            rows('false positives (benign blocked)', (p) => p.tags.label === 'benign'),
            [
              'accuracy (TP+TN)/all',
              ...targets.map((target) => {
                const s = summary[target] as { accuracy: number | null };
                return s.accuracy === null ? '–' : `${(100 * s.accuracy).toFixed(2)}%`;
              }),
            ],
          ],
        ),
        '',
        textTable(
          ['attacks by category', ...targets],
          categories.map((category) => rows(category, (p) => p.tags.label === 'attack' && p.tags.category === category)),
        ),
        '',
        textTable(
          ['benign blocked by method', ...targets],
          methods.map((method) => rows(method, (p) => p.tags.label === 'benign' && p.tags.method === method)),
        ),
      ].join('\n');
      return { text, json: { notes, summary } };
    },
  };
}
