/**
 * HttpParamsDataset (Morzeux): labelled parameter values (benign `norm`; sqli, xss, path-traversal, cmdi),
 * each sent in three placements: a query parameter (`GET /search?p=<percent-encoded>`), a JSON field
 * (`POST /api/items {"p": "<value>"}`) and a form field (`POST /form`, urlencoded). Detection = blocked
 * (403) per attack type and placement; false-positive rate = blocked `norm` values.
 */
import { readFileSync } from 'node:fs';
import { percent, textTable } from '../internal/text-table.js';
import { type HeaderList, httpBytes, type Probe, type Results, type Suite, spread } from './probe.js';

/** One CSV row. */
interface Row {
  payload: string;
  type: string;
}

/** Parses RFC 4180 CSV (quoted fields, `""` escapes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const PLACEMENTS = ['query', 'json', 'form'] as const;

const BROWSER_HEADERS: HeaderList = [
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Accept', '*/*'],
  ['Accept-Language', 'en-US,en;q=0.5'],
];

function requestFor(placement: (typeof PLACEMENTS)[number], value: string, host: string): Buffer {
  const base: HeaderList = [['Host', host], ...BROWSER_HEADERS];
  if (placement === 'query') {
    return httpBytes(`GET /search?p=${encodeURIComponent(value)} HTTP/1.1`, [...base, ['Connection', 'close']]);
  }
  const body = placement === 'json' ? JSON.stringify({ p: value }) : `p=${encodeURIComponent(value)}`;
  const type = placement === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  const path = placement === 'json' ? '/api/items' : '/form';
  return httpBytes(
    `POST ${path} HTTP/1.1`,
    [...base, ['Content-Type', type], ['Content-Length', String(Buffer.byteLength(body))], ['Connection', 'close']],
    body,
  );
}

/** Builds the suite from one CSV file; at most `limit` values per attack type (and for `norm`). */
export function httpParamsSuite(file: string, host: string, limit?: number): Suite {
  const [header, ...lines] = parseCsv(readFileSync(file, 'utf8'));
  const payloadAt = header?.indexOf('payload') ?? 0;
  const typeAt = header?.indexOf('attack_type') ?? 2;
  const byType = new Map<string, Row[]>();
  for (const line of lines) {
    if (line.length < 2) continue;
    const row = { payload: line[payloadAt] ?? '', type: line[typeAt] ?? '?' };
    const list = byType.get(row.type) ?? [];
    list.push(row);
    byType.set(row.type, list);
  }
  const types = [...byType.keys()].sort((a, b) => (a === 'norm' ? 1 : b === 'norm' ? -1 : a.localeCompare(b)));
  const probes: Probe[] = [];
  for (const type of types) {
    spread(byType.get(type) ?? [], limit).forEach((row, index) => {
      for (const placement of PLACEMENTS) {
        probes.push({
          id: `${type}#${index}/${placement}`,
          bytes: requestFor(placement, row.payload, host),
          tags: { type, placement, value: row.payload },
        });
      }
    });
  }
  const notes = [
    `${probes.length / PLACEMENTS.length} values × ${PLACEMENTS.length} placements from ${file}`,
    'cells: blocked% blocked/answered (+N? = no status); for norm that is the false-positive rate',
  ];
  return {
    name: 'httpparams',
    probes,
    notes,
    report(results) {
      const targets = [...results.keys()];
      const count = (list: Results, filter: (probe: Probe) => boolean) => {
        let blocked = 0;
        let answered = 0;
        let none = 0;
        probes.forEach((probe, index) => {
          if (!filter(probe)) return;
          const status = list[index]?.status ?? 0;
          if (status === 0) none++;
          else {
            answered++;
            if (status === 403) blocked++;
          }
        });
        return { blocked, answered, none };
      };
      const cell = (c: { blocked: number; answered: number; none: number }) =>
        `${percent(c.blocked, c.answered, 2)} ${c.blocked}/${c.answered}${c.none ? ` +${c.none}?` : ''}`;
      const rows: string[][] = [];
      for (const type of types) {
        rows.push([`${type} (all placements)`, ...targets.map((t) => cell(count(results.get(t) ?? [], (p) => p.tags.type === type)))]);
        for (const placement of PLACEMENTS) {
          rows.push([
            `  ${type} ${placement}`,
            ...targets.map((t) => cell(count(results.get(t) ?? [], (p) => p.tags.type === type && p.tags.placement === placement))),
          ]);
        }
      }
      rows.push(['all attacks (TPR)', ...targets.map((t) => cell(count(results.get(t) ?? [], (p) => p.tags.type !== 'norm')))]);
      const json: Record<string, unknown> = {};
      for (const target of targets) {
        const list = results.get(target) ?? [];
        json[target] = {
          byType: Object.fromEntries(types.map((type) => [type, count(list, (p) => p.tags.type === type)])),
          falsePositives: probes
            .filter((p, i) => p.tags.type === 'norm' && list[i]?.status === 403)
            .map((p) => `${p.tags.placement}: ${p.tags.value}`),
        };
      }
      return { text: textTable(['HttpParams', ...targets], rows), json: { notes, targets: json } };
    },
  };
}
