/**
 * How the benchmarks start Palisade: the shipped `palisade proxy` binary in its own Node process, every protection of the command line on, events serialised to
 * /dev/null, or a user-given command line with `{listen}`, `{port}` and `{upstream}` placeholders.
 */
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServer } from '../internal/spawned-server.js';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What to start and where. */
export interface PalisadeTarget {
  listenPort: number;
  upstreamPort: number;
  /** Extra `palisade proxy` arguments (e.g. `--paranoia 2`, `--config FILE`). */
  extraArgs?: readonly string[];
  /** A whole command line instead of the default; placeholders `{listen}`, `{port}`, `{upstream}`. */
  command?: string;
}

/**
 * The argv of the default Palisade process: the shipped binary (`packages/cli/bin/palisade.js`, the compiled
 * CLI that `npm install` builds; run `npm run build` after changing the source), with the Node flags its
 * shebang gives it.
 */
export function palisadeArgv(target: PalisadeTarget): string[] {
  return [
    process.execPath,
    '--max-semi-space-size=64',
    fileURLToPath(new URL('../../packages/cli/bin/palisade.js', import.meta.url)),
    'proxy',
    '--upstream',
    `http://127.0.0.1:${target.upstreamPort}`,
    '--listen',
    `127.0.0.1:${target.listenPort}`,
    '--quiet',
    '--events',
    '/dev/null',
    ...(target.extraArgs ?? []),
  ];
}

/** Starts Palisade and resolves once it accepts connections; rejects with the tail of its output when it cannot start. */
export function startPalisade(target: PalisadeTarget): Promise<ServerProcess> {
  if (target.command !== undefined) {
    const shell = target.command
      .replaceAll('{listen}', `127.0.0.1:${target.listenPort}`)
      .replaceAll('{port}', String(target.listenPort))
      .replaceAll('{upstream}', `http://127.0.0.1:${target.upstreamPort}`);
    const extra = (target.extraArgs ?? []).map((arg) => ` '${arg.replaceAll("'", `'\\''`)}'`).join('');
    return startServer({ name: 'palisade', shell: `${shell}${extra}`, port: target.listenPort, readyTimeoutMs: 30_000, cwd: REPO_ROOT });
  }
  return startServer({ name: 'palisade', argv: palisadeArgv(target), port: target.listenPort, readyTimeoutMs: 30_000, cwd: REPO_ROOT });
}
