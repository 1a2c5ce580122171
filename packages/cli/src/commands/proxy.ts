import { appendFileSync, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  type ApiEvent,
  type Clock,
  loadConfig,
  PalisadeError,
  type PalisadeConfig,
  type SensorConfig,
  SensorConfigSchema,
  type Store,
  systemClock,
} from '@palisade/core';
import {
  type AccessListWatcher,
  BUILTIN_DETECTORS,
  compileOpenApiGuard,
  compileSignatures,
  createPolicies,
  formatConfigProblem,
  loadOpenApiDocument,
  loadOrCreateSecretKey,
  loadSignatureRules,
  openGeo,
  type PolicyConfig,
  SHIPPED_SIGNATURES_DIR,
  validatePolicyConfig,
  watchAccessLists,
} from '@palisade/engine';
import { type SensorProtections, startSensor } from '@palisade/sensor';
import { createDuckDbStore } from '@palisade/store-duckdb';
import { createRunEnricher } from './ingest.js';

interface ProxyFlags {
  upstream?: string;
  listen?: string;
  config?: string;
  spec?: string[];
  mode?: string;
  paranoia?: string;
  rules?: string[];
  events?: string;
  store?: boolean;
  db?: string;
  dataDir?: string;
  quiet?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

/** `palisade proxy`: the inline sensor. */
export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description('run the inline sensor: a reverse proxy that blocks known attacks and reports every transaction')
    .option('--upstream <url>', 'the API to protect, e.g. http://127.0.0.1:9000')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8080)')
    .option('-c, --config <file>', 'configuration file (YAML); the sensor reads its `sensor:` section')
    .option('--spec <file>', 'OpenAPI/Swagger description to enforce (repeatable)', collect, [])
    .option('--mode <mode>', 'block, or monitor (record what would be blocked, block nothing)')
    .option('--paranoia <level>', 'signature paranoia level, 1 (fewest false positives) to 4')
    .option('--rules <dir>', 'extra signature rule folder (repeatable)', collect, [])
    .option('--events <file>', 'write every transaction as NDJSON to this file, or - for stdout')
    .option('--store', 'write events to the DuckDB store of the data directory')
    .option('--db <path>', 'DuckDB store file (implies --store)')
    .option('--data-dir <dir>', 'data directory: store, secret key (default: palisade-data)')
    .option('--tls-cert <file>', 'terminate TLS with this certificate chain (PEM); clients are fingerprinted (JA3, JA4)')
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (flags: ProxyFlags) => {
      await runProxy(flags);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The sensor settings from the config file, overridden by the command line; every problem reported at once. */
export function resolveSensorConfig(config: Readonly<PalisadeConfig>, flags: ProxyFlags): SensorConfig {
  const raw: Record<string, unknown> = structuredClone(config.sensor) as unknown as Record<string, unknown>;
  if (flags.upstream !== undefined) raw.upstream = flags.upstream;
  if (flags.listen !== undefined) raw.listen = flags.listen;
  if (flags.mode !== undefined) raw.mode = flags.mode;
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new PalisadeError('PAL_ERR_USAGE', '--tls-cert and --tls-key go together');
  if (flags.tlsCert !== undefined) raw.tls = { cert: flags.tlsCert, key: flags.tlsKey };
  const signatures = raw.signatures as Record<string, unknown>;
  if (flags.paranoia !== undefined) signatures.paranoia = Number(flags.paranoia);
  if (flags.rules !== undefined && flags.rules.length > 0) signatures.rules = [...(signatures.rules as string[]), ...flags.rules];
  const openapi = raw.openapi as Record<string, unknown>;
  if (flags.spec !== undefined && flags.spec.length > 0) openapi.specs = [...(openapi.specs as string[]), ...flags.spec];
  const events = raw.events as Record<string, unknown>;
  if (flags.events === '-') events.stdout = true;
  else if (flags.events !== undefined) events.file = flags.events;
  if (flags.store === true || flags.db !== undefined) events.store = true;
  const result = SensorConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `sensor.${issue.path.join('.')}: ${issue.message}`);
    throw new PalisadeError('PAL_ERR_USAGE', `invalid sensor settings: ${problems.join('; ')}`);
  }
  if (result.data.upstream === undefined)
    throw new PalisadeError('PAL_ERR_USAGE', 'the sensor needs --upstream URL (or sensor.upstream in the config)');
  return result.data;
}

/** What the sensor runs, compiled, and what must be stopped with it (the access-list watch). */
export interface LoadedProtections {
  protections: SensorProtections;
  close(): void;
  /** One line per protection, for the start-up banner. */
  summary: string[];
}

/**
 * Compiles what the sensor runs: the shipped and user signature rules, the API descriptions, and the
 * policies (access lists with the geo database, deception, rate limits, flows). Every problem of a
 * part is reported at once, naming the part.
 */
export async function loadProtections(sensor: SensorConfig, clock: Clock = systemClock): Promise<LoadedProtections> {
  const protections: SensorProtections = {};
  const summary: string[] = [];
  let watcher: AccessListWatcher | undefined;
  if (sensor.signatures.mode !== 'off') {
    const rules = await loadSignatureRules([SHIPPED_SIGNATURES_DIR, ...sensor.signatures.rules], BUILTIN_DETECTORS);
    protections.signatures = compileSignatures(rules, BUILTIN_DETECTORS, {
      paranoia: sensor.signatures.paranoia,
      threshold: sensor.signatures.threshold,
      disabled: sensor.signatures.disabled,
    });
    summary.push(
      `${protections.signatures.rules.length} signature rules at paranoia ${sensor.signatures.paranoia} (${sensor.signatures.mode})`,
    );
  }
  if (sensor.openapi.mode !== 'off' && sensor.openapi.specs.length > 0) {
    const documents = [];
    for (const spec of sensor.openapi.specs) documents.push(await loadOpenApiDocument(spec));
    const guard = compileOpenApiGuard(documents, {
      additionalQuery: sensor.openapi.additionalQuery,
      maskResponses: sensor.openapi.responses === 'mask',
    });
    protections.openapi = guard;
    summary.push(
      `${guard.endpoints.length} endpoints from ${documents.length} API description(s) (${sensor.openapi.mode})` +
        (guard.problems.length > 0 ? `, ${guard.problems.length} parts not enforced: ${guard.problems.join('; ')}` : ''),
    );
  }
  const { mode, ...policyConfig } = sensor.policies;
  if (mode !== 'off' && Object.keys(policyConfig).length > 0) {
    const problems = validatePolicyConfig(policyConfig, 'sensor.policies');
    if (problems.length > 0) {
      throw new PalisadeError('PAL_ERR_CONFIG_INVALID', `invalid sensor policies: ${problems.map(formatConfigProblem).join('; ')}`);
    }
    const config = policyConfig as PolicyConfig;
    const needsGeo =
      (config.access ?? []).some((rule) => rule.countries !== undefined || rule.asns !== undefined) || config.accessFile !== undefined;
    const geo = needsGeo || config.geo !== undefined ? await openGeo(config.geo) : undefined;
    const policies = createPolicies(config, { clock, geo });
    protections.policies = policies;
    if (config.accessFile !== undefined) {
      watcher = await watchAccessLists(config.accessFile, policies, {
        onReload: ({ path, rules }) => process.stderr.write(`palisade proxy: access lists reloaded from ${path} (${rules} rules)\n`),
        onError: (error) => process.stderr.write(`palisade proxy: access lists not reloaded, the previous ones stay: ${error.message}\n`),
      });
    }
    const parts = [
      `${policies.access.size} access rules`,
      `${config.rateLimits?.length ?? 0} rate limits`,
      `${config.flows?.length ?? 0} flows`,
      `deception ${config.deception === undefined ? 'off' : 'on'}`,
    ];
    summary.push(`policies (${mode}): ${parts.join(', ')}`);
  }
  return { protections, summary, close: () => watcher?.close() };
}

async function runProxy(flags: ProxyFlags): Promise<void> {
  const config = loadConfig({ file: flags.config, overrides: { dataDir: flags.dataDir, storePath: flags.db } });
  const settings = resolveSensorConfig(config, flags);
  const loaded = await loadProtections(settings);
  const protections = loaded.protections;
  const secretKey = loadOrCreateSecretKey(config.dataDir);
  const sinks = await openEventSinks(config, settings);
  const sensor = await startSensor(settings, {
    protections,
    enrich: createRunEnricher(config, secretKey),
    onEvent: sinks.write,
    clock: systemClock,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new PalisadeError('PAL_ERR_LISTEN', `cannot listen on ${settings.listen}: ${error.code ?? error.message}`);
  });
  const address = sensor.address();
  if (flags.quiet !== true) {
    const scheme = settings.tls === undefined ? 'http' : 'https';
    // one write, so that a reader who sees the first line sees what was loaded too
    process.stderr.write(
      `palisade proxy: listening on ${scheme}://${address.address}:${address.port} → ${settings.upstream} (mode ${settings.mode}, fail ${settings.failMode})\n` +
        loaded.summary.map((line) => `  ${line}\n`).join(''),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sensor.close();
  loaded.close();
  await sinks.close();
  if (flags.quiet !== true) {
    const s = sensor.stats();
    process.stderr.write(
      `palisade proxy: ${s.requests} requests, ${s.forwarded} forwarded, ${s.blocked} blocked, ${s.monitored} monitored, ${s.rejected} rejected, ${s.malformed} malformed, ${s.deceived} deceived, ${s.tarpitted} tarpitted, ${s.upstreamErrors} upstream errors, ${s.inspectionErrors} inspection errors\n`,
    );
  }
}

/** NDJSON lines are written in batches of at most this many bytes, or this often, whichever comes first. */
const LINE_BATCH_BYTES = 256 * 1024;
const LINE_BATCH_MS = 100;
/** Written batch buffers kept for the next batches. */
const MAX_SPARE_BATCHES = 4;

/** NDJSON lines gathered and written together. */
export interface LineBatcher {
  /** Adds one line (without its newline). */
  write(line: string): void;
  /** Writes what is gathered now. */
  flush(): void;
}

/**
 * Gathers NDJSON lines and writes them to every stream in batches: one write per batch, not per line. Each
 * line is encoded as UTF-8 into the batch's buffer as it comes, so no batch-sized string is built and then
 * encoded again; a written buffer is used again once every stream has written it. A batch is written when the
 * next line might not fit in `batchBytes`, or `batchMs` after its first line. A line longer than a batch is
 * written alone, after what was gathered. The bytes written are the lines' UTF-8, each ended by `\n`.
 */
export function createLineBatcher(
  streams: readonly NodeJS.WritableStream[],
  batchBytes: number = LINE_BATCH_BYTES,
  batchMs: number = LINE_BATCH_MS,
): LineBatcher {
  const spare: Buffer[] = [];
  let buffer: Buffer | undefined;
  let used = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffer === undefined || used === 0) return;
    const full = buffer;
    const batch = full.subarray(0, used);
    buffer = undefined;
    used = 0;
    let writing = streams.length;
    const written = (): void => {
      writing--;
      if (writing === 0 && spare.length < MAX_SPARE_BATCHES) spare.push(full);
    };
    for (const stream of streams) stream.write(batch, written);
  };
  return {
    write(line) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; and the newline
      const most = line.length * 3 + 1;
      if (buffer !== undefined && used + most > buffer.length) flush();
      if (most > batchBytes) {
        flush();
        const alone = Buffer.from(`${line}\n`);
        for (const stream of streams) stream.write(alone);
        return;
      }
      buffer ??= spare.pop() ?? Buffer.allocUnsafe(batchBytes);
      used += buffer.write(line, used);
      buffer[used++] = 0x0a;
      if (!scheduled) {
        scheduled = true;
        setTimeout(flush, batchMs).unref();
      }
    },
    flush,
  };
}

interface EventSinks {
  write(event: ApiEvent): void;
  close(): Promise<void>;
}

/** NDJSON to stdout or a file, and batches to the store, as configured. Store batches are written once a second. */
async function openEventSinks(config: Readonly<PalisadeConfig>, sensor: SensorConfig): Promise<EventSinks> {
  const streams: Array<NodeJS.WritableStream> = [];
  let file: WriteStream | undefined;
  if (sensor.events.stdout) streams.push(process.stdout);
  if (sensor.events.file !== undefined) {
    file = createWriteStream(sensor.events.file, { flags: 'a' });
    streams.push(file);
  }
  let store: Store | undefined;
  let pending: ApiEvent[] = [];
  let writing = Promise.resolve();
  const lines = createLineBatcher(streams);
  let storeFailures = 0;
  let lostEvents = 0;
  const deadLetterPath = join(config.dataDir, 'dead-letter', 'proxy-events.ndjson');
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (store === undefined || pending.length === 0) return;
    const batch = pending;
    pending = [];
    const target = store;
    writing = writing.then(() =>
      target.append({ events: batch, checkpoints: [] }).then(
        () => undefined,
        () => {
          // the events are kept: appended to the dead-letter file, to be ingested again later
          storeFailures += batch.length;
          try {
            mkdirSync(dirname(deadLetterPath), { recursive: true });
            appendFileSync(deadLetterPath, batch.map((event) => `${JSON.stringify(event)}\n`).join(''));
          } catch {
            lostEvents += batch.length;
          }
        },
      ),
    );
  };
  if (sensor.events.store) {
    store = await createDuckDbStore({
      path: config.store.path ?? join(config.dataDir, 'palisade.duckdb'),
      memoryLimit: config.store.memoryLimit,
    });
    timer = setInterval(flush, 1_000);
    timer.unref();
  }
  return {
    write(event) {
      if (streams.length > 0) lines.write(JSON.stringify(event));
      if (store !== undefined) {
        pending.push(event);
        if (pending.length >= 5_000) flush();
      }
    },
    async close() {
      lines.flush();
      if (timer !== undefined) clearInterval(timer);
      flush();
      await writing;
      await store?.close();
      if (file !== undefined) await new Promise<void>((resolve) => file.end(resolve));
      if (storeFailures > 0) {
        process.stderr.write(
          `palisade proxy: ${storeFailures} events could not be written to the store; ${storeFailures - lostEvents} are in ${deadLetterPath}` +
            (lostEvents > 0 ? `, ${lostEvents} could not be kept` : '') +
            '\n',
        );
      }
    },
  };
}
