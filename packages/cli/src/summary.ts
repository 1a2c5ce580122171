import type { FormatStats, StreamReport } from '@palisade/engine';
import { formatBytes, formatDuration } from './progress.js';

/** The result of one `palisade ingest` run. */
export interface IngestSummary {
  store: string;
  formats: FormatStats[];
  inputs: readonly StreamReport[];
  warnings: string[];
  deadLetterFile: string | undefined;
  deadLetters: number;
  bytesRead: number;
  elapsedMs: number;
  interrupted: boolean;
  /** Events deleted by the retention setting at the end of the run (older than `days`). */
  retention: { days: number; deleted: number };
}

/** Prints the summary as a table (people) or JSON (`--json`, scripts). */
export function printSummary(out: NodeJS.WritableStream, summary: IngestSummary, json: boolean): void {
  if (json) {
    out.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  const stored = summary.formats.reduce((n, f) => n + f.stored, 0);
  const rate = stored / Math.max(0.001, summary.elapsedMs / 1000);
  lines.push(
    `${summary.interrupted ? 'Interrupted' : 'Done'}: ${stored.toLocaleString('en')} events stored from ${formatBytes(summary.bytesRead)} in ${formatDuration(summary.elapsedMs)} (${Math.round(rate).toLocaleString('en')} events/s) into ${summary.store}`,
  );
  if (summary.formats.length > 0) {
    const header = ['format', 'inputs', 'stored', 'duplicates', 'skipped', 'rejected'];
    const rows = summary.formats.map((f) => {
      const rejected = Object.values(f.rejected).reduce((n, v) => n + (v ?? 0), 0);
      return [
        f.format,
        String(f.streams),
        f.stored.toLocaleString('en'),
        f.duplicates.toLocaleString('en'),
        f.skipped.toLocaleString('en'),
        rejected.toLocaleString('en'),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const fmt = (r: string[]): string =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
    lines.push('', fmt(header), ...rows.map(fmt));
  }
  const reasons = new Map<string, number>();
  for (const f of summary.formats) for (const [reason, n] of Object.entries(f.rejected)) reasons.set(`${f.format}: ${reason}`, n ?? 0);
  if (reasons.size > 0) {
    lines.push('', 'Rejected records by reason:');
    for (const [reason, n] of reasons) lines.push(`  ${reason}  ${n.toLocaleString('en')}`);
    lines.push(
      `Dead letters (${summary.deadLetters.toLocaleString('en')} records, with file and line): ${summary.deadLetterFile ?? '(none written)'}`,
    );
  }
  const upToDate = summary.inputs.filter((i) => i.status === 'up-to-date').length;
  if (upToDate > 0) lines.push('', `${upToDate} input(s) were already ingested up to their end (nothing new to store).`);
  if (summary.retention.deleted > 0) {
    lines.push(
      '',
      `Retention: ${summary.retention.deleted.toLocaleString('en')} stored events older than ${summary.retention.days} days were deleted (store.retentionDays).`,
    );
  }
  for (const w of summary.warnings) lines.push(`warning: ${w}`);
  out.write(`${lines.join('\n')}\n`);
}
