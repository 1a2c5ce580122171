import { Command, CommanderError } from 'commander';
import { isPalisadeError } from '@palisade/core';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDiscoverCommand } from './commands/discover.js';
import { registerFormatsCommand } from './commands/formats.js';
import { registerIncidentsCommand } from './commands/incidents.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerProxyCommand } from './commands/proxy.js';
import { registerRulesCommand } from './commands/rules.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { VERSION } from './version.js';

/**
 * Runs the `palisade` command line and returns the exit code: 0 ok, 1 a user-facing error (printed as one
 * line with its code, never a stack trace), 2 an internal error (a bug; `--debug` prints the stack).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('palisade')
    .description('Palisade: see every API, stop attacks, catch abuse, explain every decision.')
    .version(VERSION)
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerIngestCommand(program);
  registerAnalyzeCommand(program);
  registerDiscoverCommand(program);
  registerFormatsCommand(program);
  registerProxyCommand(program);
  registerRulesCommand(program);
  registerIncidentsCommand(program);
  registerSimulateCommand(program);
  registerDemoCommand(program);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 1;
    }
    if (isPalisadeError(error)) {
      process.stderr.write(`palisade: ${error.message} [${error.code}]\n`);
      return 1;
    }
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    process.stderr.write(`palisade: internal error: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}\n`);
    if (debug) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    else process.stderr.write('palisade: this is a bug; run again with --debug for details\n');
    return 2;
  }
}
