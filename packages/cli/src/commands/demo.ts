import { join } from 'node:path';
import type { Command } from 'commander';
import { runAnalyze } from './analyze.js';
import { runSimulate } from './simulate.js';

interface DemoFlags {
  out: string;
  days: string;
  seed: string;
  scale: string;
  color: boolean;
}

/**
 * `palisade demo`: the one-command tour. Simulates a month of the shop's traffic with its attack campaigns,
 * analyses it against the shop's own OpenAPI specs, prints the summary and writes the HTML and JSON reports.
 * No servers: everything runs in this process.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('simulate a month of a shop\u2019s API traffic (with attacks), analyse it, and write an HTML report')
    .option('--out <dir>', 'directory for the simulated logs, labels, specs and reports', 'palisade-demo')
    .option('--days <n>', 'days of traffic', '30')
    .option('--seed <n>', 'seed: the same seed gives the same traffic', '1')
    .option('--scale <scale>', 'small, medium or large', 'small')
    .option('--no-color', 'no colours in the summary')
    .action(async (flags: DemoFlags) => {
      const logs = join(flags.out, 'logs');
      const simulated = await runSimulate({ out: logs, days: flags.days, seed: flags.seed, scale: flags.scale, format: 'nginx-json' });
      process.stdout.write('\n');
      const html = join(flags.out, 'report.html');
      const json = join(flags.out, 'report.json');
      process.exitCode = await runAnalyze(simulated.logs, {
        spec: simulated.specs.map((s) => `${s.host}=${s.file}`),
        html,
        json,
        format: 'nginx-json',
        color: flags.color,
        quiet: true,
      });
      process.stdout.write(`\nOpen ${html} in a browser. The attacks hidden in the traffic are listed in ${join(logs, 'labels.json')}.\n`);
    });
}
