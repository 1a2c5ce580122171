import type { Command } from 'commander';
import { loadDetectionSetup, runRuleTests, SHIPPED_RULE_TESTS_DIR } from '@palisade/engine';

interface RulesTestFlags {
  rules: string[];
  verbose?: boolean;
}

/** `palisade rules test [folders…]`: runs behaviour rule test cases (a `case.yaml` per folder). */
export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('behaviour rules: run their test cases');
  rules
    .command('test')
    .description('run behaviour rule test cases: each folder holds a case.yaml (traffic and the alerts it must raise)')
    .argument('[folders...]', 'case folders, or folders of case folders (default: the shipped cases)')
    .option('--rules <dir>', 'extra behaviour rule folder, loaded with the shipped rules (repeatable)', collect, [])
    .option('-v, --verbose', 'print the alerts of every case')
    .action(async (folders: string[], flags: RulesTestFlags) => {
      process.exitCode = await runRulesTest(folders, flags);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runRulesTest(folders: string[], flags: RulesTestFlags): Promise<number> {
  const setup = await loadDetectionSetup({ ruleDirs: flags.rules });
  const targets = folders.length > 0 ? folders : [SHIPPED_RULE_TESTS_DIR];
  let failed = 0;
  let total = 0;
  for (const target of targets) {
    for (const result of await runRuleTests(target, setup)) {
      total++;
      if (!result.passed) failed++;
      process.stdout.write(`${result.passed ? 'ok  ' : 'FAIL'}  ${result.name}${result.passed ? '' : `: ${result.description}`}\n`);
      for (const problem of result.problems) process.stdout.write(`        ${problem}\n`);
      if (flags.verbose === true) {
        for (const alert of result.alerts) process.stdout.write(`        alert ${alert.ruleId}: ${alert.summary}\n`);
      }
    }
  }
  process.stdout.write(`\n${total - failed} of ${total} cases passed\n`);
  return failed === 0 ? 0 : 1;
}
