import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, PalisadeError } from '@palisade/core';
import { type AnalysisReport, type DeclaredApi, diffInventory, exportOpenApi } from '@palisade/engine';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { INVENTORY_DOCUMENT } from './analyze.js';
import { loadSpecFor } from './specs.js';

interface StoreFlags {
  db?: string;
  dataDir?: string;
  config?: string;
}

/** `palisade discover export|diff`: the stored inventory as OpenAPI, or compared with declared specs. */
export function registerDiscoverCommand(program: Command): void {
  const discover = program.command('discover').description('work with the API inventory stored by `palisade analyze --db`');
  discover
    .command('export')
    .description('the discovered API of a host as an OpenAPI 3.1 document')
    .option('--format <format>', 'output format (openapi)', 'openapi')
    .option('--host <host>', 'the host to export (default: the one with the most traffic)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('--db <path>', 'DuckDB store (default: <data-dir>/palisade.duckdb)')
    .option('--data-dir <dir>', 'data directory (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .action(async (flags: StoreFlags & { format: string; host?: string; out?: string }) => {
      if (flags.format !== 'openapi') throw new PalisadeError('PAL_ERR_USAGE', `--format ${flags.format} is not supported; use openapi`);
      const report = await readInventory(flags);
      const hosts = new Map<string, number>();
      for (const e of report.endpoints) hosts.set(e.host, (hosts.get(e.host) ?? 0) + e.requests);
      const host = flags.host?.toLowerCase() ?? [...hosts].sort((a, b) => b[1] - a[1])[0]?.[0];
      if (host === undefined || !hosts.has(host)) {
        throw new PalisadeError(
          'PAL_ERR_USAGE',
          `no endpoints of ${flags.host ?? 'any host'} in the inventory (hosts: ${[...hosts.keys()].join(', ') || 'none'})`,
        );
      }
      const text = `${JSON.stringify(exportOpenApi(host, report.endpoints), null, 2)}\n`;
      if (flags.out === undefined) process.stdout.write(text);
      else writeFileSync(flags.out, text);
    });
  discover
    .command('diff')
    .description('compare the stored inventory with declared OpenAPI/Swagger specs')
    .requiredOption('--spec <file>', 'a declared spec, or HOST=FILE to map it to a host (repeatable)', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .option('--json', 'print the differences as JSON')
    .option('--db <path>', 'DuckDB store (default: <data-dir>/palisade.duckdb)')
    .option('--data-dir <dir>', 'data directory (default: palisade-data)')
    .option('-c, --config <file>', 'configuration file (YAML)')
    .action(async (flags: StoreFlags & { spec: string[]; json?: boolean }) => {
      const report = await readInventory(flags);
      const specs: DeclaredApi[] = [];
      for (const spec of flags.spec) specs.push(await loadSpecFor(spec));
      const differences = diffInventory(report.endpoints, specs);
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(differences, null, 2)}\n`);
        return;
      }
      if (differences.length === 0) {
        process.stdout.write('No differences: the traffic matches the spec.\n');
        return;
      }
      const counts = new Map<string, number>();
      for (const d of differences) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
      process.stdout.write(`${differences.length} differences: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n\n`);
      for (const d of differences)
        process.stdout.write(`${d.kind.padEnd(27)} ${d.method.padEnd(6)} ${d.host}${d.path}\n${' '.repeat(28)}${d.detail}\n`);
    });
}

async function readInventory(flags: StoreFlags): Promise<AnalysisReport> {
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir, storePath: flags.db } });
  const path = config.store.path ?? `${config.dataDir}/palisade.duckdb`;
  if (!existsSync(path)) {
    throw new PalisadeError('PAL_ERR_INVENTORY_MISSING', `no store at ${path}; run \`palisade analyze <logs> --db ${path}\` first`);
  }
  const store = await createDuckDbStore({ path, memoryLimit: config.store.memoryLimit });
  try {
    const doc = await store.getDocument(INVENTORY_DOCUMENT);
    if (doc === undefined) {
      throw new PalisadeError('PAL_ERR_INVENTORY_MISSING', `no inventory in ${path}; run \`palisade analyze <logs> --db ${path}\` first`);
    }
    return JSON.parse(doc.body) as AnalysisReport;
  } finally {
    await store.close();
  }
}
