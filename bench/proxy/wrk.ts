/**
 * Drives `wrk` (Debian package `wrk` 4.1): a generated Lua script sends pre-built raw requests in a fixed
 * rotation over keep-alive connections and prints its summary as one JSON line from `done()`, so
 * percentiles come back in microseconds instead of wrk's rounded text.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from '../internal/cleanup.js';

/** Where Debian installs wrk. */
export const WRK = '/usr/bin/wrk';

/** What one wrk run measured. */
export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles and mean in milliseconds (wrk measures from when it wrote the request). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Responses with a status ≥ 400 (wrk's "Non-2xx or 3xx"). */
  non2xx: number;
  /** Connect, read and write errors and timeouts together. */
  socketErrors: number;
}

/** How to run wrk. */
export interface WrkOptions {
  port: number;
  /** Raw HTTP/1.1 requests (keep-alive), sent in this order round-robin on every connection's turn. */
  requests: readonly string[];
  seconds: number;
  connections: number;
  threads: number;
  /** Folder for the generated script. */
  dir: string;
  /** A name for the script file. */
  name: string;
}

/** A Lua string literal for `text` (bytes above 0x7e and controls as decimal escapes). */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

const MARK = 'WRK_RESULT ';

/** The Lua script: a request table, a per-thread counter, and `done()` printing one JSON line. */
export function wrkScript(requests: readonly string[]): string {
  const entries = requests.map((request) => `  ${luaString(request)},`).join('\n');
  return `local reqs = {
${entries}
}
local n = 0
request = function()
  n = n + 1
  return reqs[((n - 1) % #reqs) + 1]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
}

/** Whether wrk is installed. */
export function wrkMissing(): string | undefined {
  return existsSync(WRK) ? undefined : `${WRK} not installed (apt-get install wrk)`;
}

/**
 * Runs wrk against 127.0.0.1:`port` for `seconds` and resolves with its figures. wrk is killed if it runs
 * 20 s past its duration (and at exit); rejects when it fails or prints no result.
 */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const script = join(options.dir, `${options.name}.lua`);
  writeFileSync(script, wrkScript(options.requests));
  const args = [
    '-t',
    String(options.threads),
    '-c',
    String(options.connections),
    '-d',
    `${options.seconds}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    `http://127.0.0.1:${options.port}/`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const timer = setTimeout(kill, (options.seconds + 20) * 1000);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      kill();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      kill();
      const line = out.split('\n').find((text) => text.startsWith(MARK));
      if (line === undefined) {
        reject(new Error(`wrk exited with ${code} and no result:\n${out.slice(-1000)}`));
        return;
      }
      const r = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
      const value = (key: string) => r[key] ?? 0;
      const seconds = value('durationUs') / 1e6;
      resolve({
        requests: value('requests'),
        seconds,
        requestsPerSecond: seconds > 0 ? value('requests') / seconds : 0,
        p50: value('p50') / 1000,
        p90: value('p90') / 1000,
        p99: value('p99') / 1000,
        max: value('max') / 1000,
        mean: value('mean') / 1000,
        non2xx: value('status'),
        socketErrors: value('connect') + value('read') + value('write') + value('timeout'),
      });
    });
  });
}
