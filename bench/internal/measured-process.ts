import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a measured process used: wall time, CPU of all its threads, and its peak resident memory. */
export interface ProcessUse {
  code: number | null;
  seconds: number;
  userSeconds: number;
  systemSeconds: number;
  peakMiB: number;
  stdout: string;
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * Runs `node args…` and samples `/proc/<pid>` every 50 ms until it exits: the CPU figures are those of the
 * last sample (all threads), so up to 50 ms short.
 */
export async function measuredProcess(args: string[]): Promise<ProcessUse> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let peak = 0;
  let ticks = { user: 0, system: 0 };
  const timer = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]));
      // fields after the command name: state is the 1st, utime the 12th, stime the 13th
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks = { user: Number(fields[11]), system: Number(fields[12]) };
    } catch {
      // the process has exited
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  return {
    code,
    seconds: (performance.now() - started) / 1000,
    userSeconds: ticks.user / TICKS,
    systemSeconds: ticks.system / TICKS,
    peakMiB: peak / 1024,
    stdout,
  };
}
