import type { Command } from 'commander';
import { createDefaultParserRegistry } from '@palisade/engine';

/** `palisade formats`: lists the log formats `ingest --format` accepts. */
export function registerFormatsCommand(program: Command): void {
  program
    .command('formats')
    .description('list the log formats Palisade reads (names for --format)')
    .action(() => {
      const registry = createDefaultParserRegistry();
      const rows = registry.list().map((p) => [p.format, (p.aliases ?? []).join(', '), p.description]);
      const w0 = Math.max(6, ...rows.map((r) => (r[0] as string).length));
      const w1 = Math.max(7, ...rows.map((r) => (r[1] as string).length));
      process.stdout.write(`${'FORMAT'.padEnd(w0)}  ${'ALIASES'.padEnd(w1)}  DESCRIPTION\n`);
      for (const [format, aliases, description] of rows) {
        process.stdout.write(`${(format as string).padEnd(w0)}  ${(aliases as string).padEnd(w1)}  ${description}\n`);
      }
      process.stdout.write('\n`auto` (the default) detects the format of each input.\n');
    });
}
