/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and invisible zero-width and
 * bidirectional marks. Paths, hosts and parameter names come from traffic, so an attacker chooses them:
 * printed raw, these could move the terminal cursor, recolour or hide lines, or make one path look like another.
 */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/** Makes a string from the report safe to show: each unsafe character becomes a visible `\xNN` / `\uNNNN`. */
export function toDisplayText(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  return text.replace(UNSAFE_CHARACTERS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** 1234567 → `1,234,567`; anything that is not a finite number → `–`. */
export function formatCount(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en') : '–';
}

/** Epoch ms → `2026-11-30 14:03:22 UTC`; `–` when absent or invalid. */
export function formatTimestamp(epochMs: number | null | undefined): string {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) return '–';
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return '–';
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

/**
 * A measured value of an alert's evidence: integers with thousands separators, fractions to four
 * significant digits (`0.029`, `19.19`), large fractions to one decimal; strings as given; `–` otherwise.
 */
export function formatMeasure(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return Math.abs(value) >= 100
    ? value.toLocaleString('en', { maximumFractionDigits: 1 })
    : value.toLocaleString('en', { maximumSignificantDigits: 4 });
}

/** A length of time, ms → `42s`, `3m05s`, `5h20m`, `9d04h`; `–` when not a finite, non-negative number. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** `part` of `whole` as a whole-number percentage (`<1%` for small non-zero shares). */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !(part > 0)) return '0%';
  const percent = (part / whole) * 100;
  return percent < 1 ? '<1%' : `${Math.round(percent)}%`;
}
