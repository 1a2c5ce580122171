import cliProgress from 'cli-progress';
import type { IngestProgress } from '@palisade/engine';

/** A progress display for ingest on a terminal: bytes, events, events/s and ETA. Silent elsewhere. */
export interface ProgressDisplay {
  update(progress: IngestProgress): void;
  stop(): void;
}

/** Creates the display; `totalBytes` undefined (stdin) shows counters without a bar. */
export function createProgressDisplay(stream: NodeJS.WriteStream, totalBytes: number | undefined, started: number): ProgressDisplay {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      fps: 5,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
      format: (options, params, payload: { events: number; rate: number; rejected: number; read: number }) => {
        const eta = params.total > 0 && payload.rate > 0 ? formatDuration(params.eta * 1000) : '–';
        const barText =
          totalBytes === undefined
            ? ''
            : `${(options.barCompleteString ?? '').slice(0, Math.round(params.progress * 24)).padEnd(24, '░')} `;
        const total = totalBytes === undefined ? '' : ` / ${formatBytes(totalBytes)}`;
        return `${barText}${formatBytes(payload.read)}${total} | ${payload.events.toLocaleString('en')} events | ${Math.round(payload.rate).toLocaleString('en')}/s | ${payload.rejected.toLocaleString('en')} rejected | ETA ${eta}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalBytes ?? 0, 0, { events: 0, rate: 0, rejected: 0, read: 0 });
  return {
    update(progress) {
      const seconds = Math.max(0.001, (performance.now() - started) / 1000);
      bar.update(Math.min(progress.bytesRead, totalBytes ?? progress.bytesRead), {
        events: progress.events,
        rate: progress.events / seconds,
        rejected: progress.rejected,
        read: progress.bytesRead,
      });
    },
    stop() {
      bar.stop();
    },
  };
}

/** 1536 → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** 83_000 → `1m23s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
