import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { onCleanup } from './cleanup.js';
import { waitForPort } from './loopback-port.js';

/** How to start a server process: an argv, or a shell command line (run as `sh -c 'exec …'`). */
export interface ServerCommand {
  name: string;
  /** argv[0] is the executable. */
  argv?: string[];
  shell?: string;
  /** The port it will listen on (127.0.0.1); ready once it accepts a connection. */
  port: number;
  readyTimeoutMs: number;
  cwd?: string;
}

/** A server process this benchmark started, in its own process group. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** The last 4 KiB of its stdout and stderr together. */
  output(): string;
  /** CPU seconds (user + system) used so far by every process of its group (e.g. nginx master and workers). */
  cpuSeconds(): number;
  /** SIGTERM to its group, SIGKILL after 3 s; resolves when the leader exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds of every live process whose process group is `pgid` (scans `/proc`). */
export function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the command name: state is the 1st, pgrp the 3rd, utime the 12th, stime the 13th
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process exited meanwhile
    }
  }
  return ticks / TICKS;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts `command` detached in its own process group, waits until its port accepts connections, and
 * registers a clean-up that kills the group at exit. Rejects (after killing it) when the process exits
 * first or is not ready within `readyTimeoutMs`; the error message carries the tail of its output.
 */
export async function startServer(command: ServerCommand): Promise<ServerProcess> {
  const argv = command.argv ?? ['/bin/sh', '-c', `exec ${command.shell ?? ''}`];
  const [file, ...args] = argv;
  if (file === undefined) throw new Error(`${command.name}: empty command`);
  const child = spawn(file, args, { cwd: command.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `${command.name} exited (${signal ?? `code ${code}`}) before it was ready`;
      resolve();
    });
    child.once('error', (error) => {
      exited = `${command.name} could not start: ${error.message}`;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  const killNow = onCleanup(() => {
    if (pid > 0) signalGroup(pid, 'SIGKILL');
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (pid > 0 && exited === undefined) {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    killNow();
  };
  try {
    await waitForPort(command.port, command.readyTimeoutMs, () => exited);
  } catch (error) {
    await stop();
    const out = tail.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${(error as Error).message}${out ? `\n${out}` : ''}`);
  }
  return {
    name: command.name,
    pid,
    port: command.port,
    output: () => tail,
    cpuSeconds: () => groupCpuSeconds(pid),
    stop,
  };
}
