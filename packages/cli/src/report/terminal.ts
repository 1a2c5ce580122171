import type { AnalysisReport, EndpointRecord, Finding } from '@palisade/engine';
import { formatDuration } from '../progress.js';
import { formatCount, formatTimestamp, toDisplayText } from './internal/display.js';
import {
  ALERT_SEVERITIES,
  LIFECYCLES,
  SEVERITIES,
  severityOfRisk,
  sortEndpointsByRisk,
  sortFindings,
  sortIncidents,
} from './internal/ranking.js';

/** How {@link printAnalysisSummary} prints. */
export interface AnalysisSummaryOptions {
  /** ANSI colours (severities, lifecycles, headings); false prints plain text. */
  color: boolean;
  /** Where the JSON report was written, when it was. */
  jsonPath?: string;
  /** Where the HTML report was written, when it was. */
  htmlPath?: string;
}

/** The widest line the summary prints, in columns. */
const MAX_WIDTH = 120;
/** How many endpoints, findings and incidents the tables list. */
const TOP = 10;
const INDENT = '  ';
const GAP = '  ';

/**
 * Prints what `palisade analyze` found for a person at a terminal: what was read, the inventory by
 * lifecycle, findings and behavioural alerts by severity, the worst incidents, the riskiest endpoints, the
 * most severe findings and where the full reports are. Lines stay within 120 columns (long paths lose
 * their middle, long lists and summaries their end). Every string from the report is shown with control
 * and bidi characters made visible, so traffic cannot drive the terminal. Writes once to `out`; never closes it.
 *
 * @example
 * printAnalysisSummary(process.stdout, report, { color: process.stdout.isTTY, htmlPath: 'analysis.html' });
 */
export function printAnalysisSummary(out: NodeJS.WritableStream, report: AnalysisReport, options: AnalysisSummaryOptions): void {
  const paint = createPainter(options.color);
  const lines: string[] = [];
  lines.push(paint('bold', 'Palisade API analysis'), ...describeInput(report, paint), '');
  lines.push(...describeIncidents(report, paint), '');
  lines.push(...describeRiskyEndpoints(report, paint), '');
  lines.push(...describeTopFindings(report, paint), '');
  lines.push(...describeOutputs(options, paint));
  out.write(`${lines.join('\n')}\n`);
}

type Style = 'bold' | 'dim' | Finding['severity'] | EndpointRecord['lifecycle'];
type Paint = (style: Style | undefined, text: string) => string;

const ANSI: Record<Style, string> = {
  bold: '1',
  dim: '2',
  critical: '1;31',
  high: '31',
  medium: '33',
  low: '36',
  info: '2',
  documented: '32',
  shadow: '33',
  zombie: '31',
  orphan: '35',
  new: '36',
};

function createPainter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => (style === undefined || text === '' ? text : `\u001b[${ANSI[style]}m${text}\u001b[0m`);
}

function describeInput(report: AnalysisReport, paint: Paint): string[] {
  const { input, summary } = report;
  const label = (text: string): string => `${INDENT}${text.padEnd(10)} `;
  const width = MAX_WIDTH - label('').length;
  const lines: string[] = [];
  const files = input.files.map(toDisplayText);
  lines.push(label('Read') + (files.length === 0 ? 'no files' : fitList(`${plural(files.length, 'file')}: `, files, width, '')));
  const rejected = input.rejected > 0 ? paint('medium', `${formatCount(input.rejected)} rejected`) : '0 rejected';
  lines.push(`${label('Events')}${formatCount(input.events)} read, ${rejected}`);
  if (input.from !== undefined && input.to !== undefined) {
    const span = formatDuration(Math.max(0, input.to - input.from));
    lines.push(`${label('Traffic')}${formatTimestamp(input.from)} → ${formatTimestamp(input.to)} (${span})`);
  }
  lines.push(label('Specs') + fitList('', input.specs.map(toDisplayText), width, 'none given'));
  const lifecycles = LIFECYCLES.map((l) => paintCount(paint, summary.byLifecycle[l] ?? 0, l, l)).join(', ');
  lines.push(`${label('Inventory')}${plural(summary.hosts, 'host')}, ${plural(summary.endpoints, 'endpoint')}: ${lifecycles}`);
  const findings = SEVERITIES.reduce((n, s) => n + (summary.findingsBySeverity[s] ?? 0), 0);
  const severities = SEVERITIES.map((s) => paintCount(paint, summary.findingsBySeverity[s] ?? 0, s, s)).join(', ');
  lines.push(`${label('Findings')}${formatCount(findings)}: ${severities}`);
  if (report.alerts.length > 0) {
    const counted = (s: string): number => report.alerts.reduce((n, a) => n + (a.severity === s ? 1 : 0), 0);
    const bySeverity = ALERT_SEVERITIES.map((s) => paintCount(paint, counted(s), s, s)).join(', ');
    lines.push(`${label('Alerts')}${formatCount(report.alerts.length)} in ${plural(report.incidents.length, 'incident')}: ${bySeverity}`);
  }
  return lines;
}

/** The worst incidents: severity, alerts, categories and summary; then how many were left out. */
function describeIncidents(report: AnalysisReport, paint: Paint): string[] {
  const { alerts, incidents } = report;
  const title = 'Incidents';
  if (incidents.length === 0) {
    const why = alerts.length === 0 ? 'No behavioural alerts.' : `None: ${plural(alerts.length, 'alert')} in no incident (in the reports).`;
    return [paint('bold', title), `${INDENT}${why}`];
  }
  const shown = sortIncidents(incidents).slice(0, TOP);
  const table = renderTable(
    [{ header: 'severity' }, { header: 'alerts', align: 'right' }, { header: 'categories', max: 40, list: true }, { header: 'summary' }],
    shown.map((i) => ({
      cells: [
        { text: toDisplayText(i.severity), style: SEVERITIES.includes(i.severity) ? i.severity : undefined },
        { text: formatCount(new Set(i.alertIds).size) },
        { text: '', items: i.categories.map(toDisplayText) },
        { text: toDisplayText(i.summary) },
      ],
    })),
    paint,
  );
  const lines = [paint('bold', `${title} (${shown.length} of ${formatCount(incidents.length)}, worst first)`), ...table];
  if (incidents.length > shown.length) lines.push(`${INDENT}… ${formatCount(incidents.length - shown.length)} more in the reports`);
  return lines;
}

function describeRiskyEndpoints(report: AnalysisReport, paint: Paint): string[] {
  const risky = sortEndpointsByRisk(report.endpoints.filter((e) => e.risk.score > 0));
  if (risky.length === 0) {
    const why = report.endpoints.length === 0 ? 'no endpoints were found in the input' : 'no endpoint has a finding';
    return [paint('bold', 'Riskiest endpoints'), `${INDENT}None: ${why}.`];
  }
  const shown = risky.slice(0, TOP);
  const title = `Riskiest endpoints (${shown.length} of ${formatCount(risky.length)} with findings)`;
  const table = renderTable(
    [
      { header: 'risk', align: 'right' },
      { header: 'method', max: 7 },
      { header: 'endpoint', max: 60, truncate: 'middle' },
      { header: 'requests', align: 'right' },
      { header: 'findings', list: true },
    ],
    shown.map((e) => ({
      cells: [
        { text: String(e.risk.score), style: severityOfRisk(e.risk.score) },
        { text: toDisplayText(e.method) },
        { text: toDisplayText(`${e.host}${e.path}`) },
        { text: formatCount(e.requests) },
        { text: '', items: [...new Set(e.risk.findings)].map(toDisplayText) },
      ],
    })),
    paint,
  );
  return [paint('bold', title), ...table];
}

function describeTopFindings(report: AnalysisReport, paint: Paint): string[] {
  const title = 'Most severe findings';
  if (report.findings.length === 0) return [paint('bold', title), `${INDENT}None.`];
  const shown = sortFindings(report.findings).slice(0, TOP);
  const table = renderTable(
    [{ header: 'severity' }, { header: 'finding', max: 40 }, { header: 'endpoint', truncate: 'middle' }],
    shown.map((f) => ({
      cells: [
        { text: toDisplayText(f.severity), style: SEVERITIES.includes(f.severity) ? f.severity : undefined },
        { text: toDisplayText(f.id) },
        { text: toDisplayText(f.endpoint === undefined ? `${f.host} (whole host)` : `${f.endpoint.method} ${f.host}${f.endpoint.path}`) },
      ],
      note: toDisplayText(f.evidence.summary || f.title),
    })),
    paint,
  );
  return [paint('bold', `${title} (${shown.length} of ${formatCount(report.findings.length)})`), ...table];
}

function describeOutputs(options: AnalysisSummaryOptions, paint: Paint): string[] {
  const written: string[] = [];
  if (options.jsonPath !== undefined) written.push(`${INDENT}JSON  ${truncateMiddle(toDisplayText(options.jsonPath), MAX_WIDTH - 8)}`);
  if (options.htmlPath !== undefined) written.push(`${INDENT}HTML  ${truncateMiddle(toDisplayText(options.htmlPath), MAX_WIDTH - 8)}`);
  if (written.length === 0) return ['Full inventory and evidence: add --html FILE (to read) or --json FILE (for tools).'];
  return [paint('bold', 'Reports written'), ...written];
}

interface Column {
  header: string;
  align?: 'right';
  /** Widest the column may be; the last column takes what is left of the 120. */
  max?: number;
  /** `middle` keeps both ends of long text (paths); the default cuts the end. */
  truncate?: 'middle';
  /** Cells are lists: as many whole items as fit, then `+N`. */
  list?: boolean;
}

interface Cell {
  text: string;
  style?: Style | undefined;
  items?: string[];
}

/** One table row, and optionally a line of text below it (indented to the second column). */
interface Row {
  cells: Cell[];
  note?: string;
}

function renderTable(columns: Column[], rows: Row[], paint: Paint): string[] {
  const natural = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => textWidth(cellText(row.cells[i] as Cell, Number.POSITIVE_INFINITY)))),
  );
  const widths = natural.map((w, i) => Math.min(w, columns[i]?.max ?? w));
  const last = widths.length - 1;
  const used = INDENT.length + widths.slice(0, last).reduce((n, w) => n + w + GAP.length, 0);
  widths[last] = Math.max(8, Math.min(widths[last] as number, MAX_WIDTH - used));
  const line = (cells: Cell[], header: boolean): string =>
    (
      INDENT +
      cells
        .map((cell, i) => {
          const column = columns[i] as Column;
          const width = widths[i] as number;
          const text = header ? cell.text : column.list === true ? cellText(cell, width) : truncate(cell.text, width, column.truncate);
          const padded = i === last && column.align !== 'right' ? text : pad(text, width, column.align);
          return paint(header ? 'dim' : cell.style, padded);
        })
        .join(GAP)
    ).trimEnd();
  const noteIndent = INDENT + ' '.repeat((widths[0] as number) + GAP.length);
  const lines = [
    line(
      columns.map((c) => ({ text: c.header })),
      true,
    ),
  ];
  for (const row of rows) {
    lines.push(line(row.cells, false));
    if (row.note !== undefined) lines.push(noteIndent + truncateEnd(row.note, MAX_WIDTH - noteIndent.length));
  }
  return lines;
}

function cellText(cell: Cell, width: number): string {
  return cell.items === undefined ? cell.text : fitList('', cell.items, width, '');
}

/** `prefix` + as many of `items` as fit in `width`, comma-separated, then `+N` for the ones left out. */
function fitList(prefix: string, items: readonly string[], width: number, empty: string): string {
  if (items.length === 0) return prefix + empty;
  let text = prefix;
  for (let i = 0; i < items.length; i++) {
    const candidate = `${text}${i === 0 ? '' : ', '}${items[i]}`;
    const left = items.length - i - 1;
    const suffix = left > 0 ? ` +${left}` : '';
    if (textWidth(candidate + suffix) <= width) {
      text = candidate;
      continue;
    }
    // The previous round checked that `text` fits with this same suffix.
    if (i === 0) return truncateEnd(candidate, width - suffix.length) + suffix;
    return `${text} +${items.length - i}`;
  }
  return text;
}

function truncate(text: string, width: number, where?: 'middle'): string {
  return where === 'middle' ? truncateMiddle(text, width) : truncateEnd(text, width);
}

/** Counts code points, so an emoji or astral character is never split (wide CJK is counted as one). */
function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function truncateEnd(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  return `${Array.from(text)
    .slice(0, Math.max(0, width - 1))
    .join('')}…`;
}

function truncateMiddle(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  const head = Math.floor((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

function pad(text: string, width: number, align?: 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

function paintCount(paint: Paint, count: number, label: string, style: Style): string {
  return paint(count > 0 ? style : undefined, `${formatCount(count)} ${label}`);
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
