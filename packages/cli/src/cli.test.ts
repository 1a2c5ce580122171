import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createDuckDbStore } from '@palisade/store-duckdb';

// End-to-end: the real `palisade` bin (compiled by `npm run build`, which `npm test` runs first).
const BIN = new URL('../bin/palisade.js', import.meta.url).pathname;
const FIXTURES = new URL('../../engine/src/parsers/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function palisade(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function nginxLines(count: number, start = 0): string {
  const lines: string[] = [];
  for (let i = start; i < start + count; i++) {
    lines.push(
      JSON.stringify({
        time_iso8601: new Date(Date.UTC(2026, 10, 30) + i * 100).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        remote_addr: '10.0.0.7',
        request: `GET /api/v2/accounts/${i % 977}/invoices?page=${i % 7} HTTP/1.1`,
        status: '200',
        body_bytes_sent: String(i % 5000),
        request_time: '0.012',
        http_user_agent: 'okhttp/4.12.0',
        http_x_forwarded_for: `203.0.113.${i % 250}`,
        http_authorization: `Bearer secret-token-${i % 13}`,
        host: 'api.example.com',
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function countEvents(db: string): Promise<number> {
  const store = await createDuckDbStore({ path: db });
  try {
    return await store.count();
  } finally {
    await store.close();
  }
}

test('ingest stores a log, says what format it detected, and a second run stores nothing twice', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `access-${n}.log`);
  writeFileSync(log, nginxLines(500));
  const first = palisade(['ingest', log, '--data-dir', data]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /detected nginx-json \(score [\d.]+\)/);
  assert.match(first.stdout, /500 events stored/);
  assert.match(first.stdout, /nginx-json\s+1\s+500\s+0\s+0\s+0/);
  const second = palisade(['ingest', log, '--data-dir', data, '--json']);
  assert.equal(second.code, 0, second.stderr);
  const summary = JSON.parse(second.stdout);
  assert.equal(summary.inputs[0].status, 'up-to-date');
  assert.equal(await countEvents(join(data, 'palisade.duckdb')), 500);
  const raw = readFileSync(join(data, 'palisade.duckdb'));
  assert.equal(raw.includes('secret-token-'), false, 'bearer tokens must never reach the store');
});

test('bad lines are counted per reason and dead-lettered; the run still exits 0', () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `mixed-${n}.log`);
  writeFileSync(log, `${nginxLines(3)}{"truncated":\nnot json at all\n`);
  const run = palisade(['ingest', log, '--data-dir', data, '--format', 'nginx-json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /nginx-json: malformed_json {2}2/);
  const deadLetter = /Dead letters \(2 records, with file and line\): (\S+)/.exec(run.stdout)?.[1];
  assert.ok(deadLetter, run.stdout);
  const letters = readFileSync(deadLetter.startsWith('/') ? deadLetter : join(dir, deadLetter), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    letters.map((l) => l.line),
    [4, 5],
  );
});

test('directories, globs, gzip files and stdin are all read; the summary groups by format', async () => {
  const data = join(dir, `d${n++}`);
  const logs = join(dir, `logs-${n}`);
  spawnSync('mkdir', ['-p', logs]);
  writeFileSync(join(logs, 'a.log.gz'), gzipSync(nginxLines(40)));
  writeFileSync(join(logs, 'b.log'), readFileSync(join(FIXTURES, 'kong/fixtures/http-log.ndjson')));
  const dirRun = palisade(['ingest', logs, '--data-dir', data, '--json']);
  assert.equal(dirRun.code, 0, dirRun.stderr);
  const summary = JSON.parse(dirRun.stdout);
  assert.deepEqual(summary.formats.map((f: { format: string }) => f.format).sort(), ['kong', 'nginx-json']);
  const stdinRun = palisade(['ingest', '-', '--data-dir', data, '--json'], nginxLines(15, 10_000));
  assert.equal(stdinRun.code, 0, stdinRun.stderr);
  assert.equal(JSON.parse(stdinRun.stdout).formats[0].stored, 15);
  const globRun = palisade(['ingest', `${logs}/*.gz`, '--data-dir', data, '--json']);
  assert.equal(JSON.parse(globRun.stdout).inputs[0].status, 'up-to-date');
  // The Kong fixture dates from the documentation's years: stored, then removed by the 90-day retention.
  const kongStored = summary.formats.find((f: { format: string }) => f.format === 'kong').stored;
  assert.ok(kongStored > 0);
  assert.equal(summary.retention.deleted, kongStored);
  assert.equal(await countEvents(join(data, 'palisade.duckdb')), 40 + 15);
});

test('user errors exit 1 with one line and a code, never a stack trace', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `e-${n}.log`);
  writeFileSync(log, nginxLines(5));
  const cases: Array<[string[], RegExp]> = [
    [['ingest', join(dir, 'missing.log'), '--data-dir', data], /PAL_ERR_INPUT_NOT_FOUND/],
    [['ingest', log, '--format', 'fortran', '--data-dir', data], /PAL_ERR_FORMAT_UNKNOWN/],
    [['ingest', join(FIXTURES, 'internal'), '--data-dir', data, '--format', 'auto'], /PAL_ERR_FORMAT_UNDETECTED/],
    [['ingest', log, '--config', join(dir, 'nope.yaml'), '--data-dir', data], /PAL_ERR_CONFIG_UNREADABLE/],
  ];
  writeFileSync(join(dir, 'bad.yaml'), 'store:\n  retentionDays: -3\ningest:\n  trustedProxies: ["not-an-ip"]\n  batchSize: "many"\n');
  cases.push([['ingest', log, '--config', join(dir, 'bad.yaml'), '--data-dir', data], /PAL_ERR_CONFIG_INVALID.*|invalid configuration/]);
  for (const [args, pattern] of cases) {
    const run = palisade(args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
  const bad = palisade(['ingest', log, '--config', join(dir, 'bad.yaml'), '--data-dir', data]);
  assert.match(bad.stderr, /store\.retentionDays/);
  assert.match(bad.stderr, /ingest\.batchSize/);
});

test('a store held by another process is reported as PAL_ERR_STORE_LOCKED', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `l-${n}.log`);
  writeFileSync(log, nginxLines(5));
  const holder = await createDuckDbStore({ path: join(data, 'palisade.duckdb') });
  try {
    const run = palisade(['ingest', log, '--data-dir', data]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /PAL_ERR_STORE_LOCKED/);
  } finally {
    await holder.close();
  }
});

test('killed with SIGKILL halfway, a re-run ends with every event exactly once', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `big-${n}.log`);
  const total = 60_000;
  writeFileSync(log, nginxLines(total));
  // --workers 2: the parallel read path must resume exactly as the main-thread one does
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'ingest', log, '--data-dir', data, '--batch-size', '4000', '--workers', '2', '-q'],
    {
      cwd: dir,
    },
  );
  const db = join(data, 'palisade.duckdb');
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  // Kill once the first batches are committed (the WAL or database file has grown), well before the end.
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const wal = spawnSync('sh', ['-c', `cat ${db}.wal 2>/dev/null | wc -c`], { encoding: 'utf8' });
    if (Number(wal.stdout.trim()) > 2_000_000) break;
  }
  child.kill('SIGKILL');
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the first run ended before it could be killed: ${stderr}`);
  const partial = await countEvents(db);
  assert.ok(partial < total, `killed run stored ${partial}`);
  const rerun = palisade(['ingest', log, '--data-dir', data, '--json']);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(await countEvents(db), total);
});

test('ingest --workers 2 stores exactly the rows the main thread stores', async () => {
  const log = join(dir, `parallel-${n++}.log`);
  writeFileSync(log, `${nginxLines(15_000)}{"not json\n${nginxLines(2_000, 15_000).trimEnd()}`);
  const tables: string[] = [];
  const data = join(dir, `d${n++}`); // one data directory: one tokenization key
  for (const workers of ['0', '2']) {
    const db = join(data, `workers-${workers}.duckdb`);
    const run = palisade(['ingest', log, '--data-dir', data, '--db', db, '--workers', workers, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.formats[0].stored, 17_000);
    assert.deepEqual(summary.formats[0].rejected, { malformed_json: 1 });
    const store = await createDuckDbStore({ path: db });
    try {
      const rows = await store.sql('SELECT * FROM events ORDER BY id');
      tables.push(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    } finally {
      await store.close();
    }
  }
  assert.equal(tables[0]?.length, tables[1]?.length);
  assert.ok(tables[0] === tables[1], 'the stored rows differ between --workers 0 and --workers 2');
});

const SPEC = `openapi: 3.0.3
info: { title: Accounts, version: '2' }
servers: [{ url: 'https://api.example.com' }]
paths:
  /api/v2/accounts/{accountId}/invoices:
    get:
      parameters: [{ name: accountId, in: path, required: true, schema: { type: integer } }]
      security: [{ bearer: [] }]
      responses: { '200': { description: ok } }
  /api/v2/accounts/{accountId}/close:
    post: { deprecated: true, responses: { '200': { description: ok } } }
components: { securitySchemes: { bearer: { type: http, scheme: bearer } } }
`;

test('analyze reports the inventory, lifecycle and findings as JSON, HTML and a summary, in memory', async () => {
  const work = join(dir, `analyze-${n++}`);
  spawnSync('mkdir', ['-p', work]);
  const log = join(work, 'access.log');
  writeFileSync(log, `${nginxLines(3000)}{"broken\n`);
  writeFileSync(join(work, 'spec.yaml'), SPEC);
  const result = spawnSync(
    process.execPath,
    [BIN, 'analyze', log, '--spec', 'spec.yaml', '--json', 'report.json', '--html', 'report.html', '-q'],
    {
      cwd: work,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Palisade API analysis/);
  assert.match(result.stdout, /1 documented/);
  const report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'));
  assert.equal(report.input.events, 3000);
  assert.equal(report.input.rejected, 1);
  const invoices = report.endpoints.find((e: { path: string }) => e.path === '/api/v2/accounts/{accountId}/invoices');
  for (const field of [
    'host',
    'method',
    'path',
    'lifecycle',
    'requests',
    'firstSeen',
    'lastSeen',
    'auth',
    'sensitiveData',
    'parameters',
    'risk',
  ]) {
    assert.ok(field in invoices, `endpoint field ${field}`);
  }
  assert.equal(invoices.lifecycle, 'documented');
  assert.equal(invoices.requests, 3000);
  assert.deepEqual(invoices.auth, [{ scheme: 'bearer-opaque', requests: 3000 }]);
  const orphan = report.endpoints.find((e: { path: string }) => e.path === '/api/v2/accounts/{accountId}/close');
  assert.equal(orphan.lifecycle, 'orphan');
  assert.ok(Array.isArray(report.findings) && Array.isArray(report.alerts));
  for (const f of report.findings) for (const field of ['id', 'owasp', 'severity', 'title', 'evidence']) assert.ok(field in f);
  const html = readFileSync(join(work, 'report.html'), 'utf8');
  assert.match(html, /\/api\/v2\/accounts\/\{accountId\}\/invoices/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  assert.ok(!readFileSync(join(work, 'report.json'), 'utf8').includes('secret-token-'), 'no secret reaches the report');
  // in memory: no store and no key written; only the rejected line, dead-lettered
  assert.deepEqual(
    spawnSync('ls', [join(work, 'palisade-data')], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n'),
    ['dead-letter'],
  );
  assert.match(result.stderr, /1 rejected records written to .*dead-letter/);
});

test('analyze --db stores the inventory; discover export gives valid OpenAPI and discover diff the differences', async () => {
  const work = join(dir, `discover-${n++}`);
  spawnSync('mkdir', ['-p', work]);
  writeFileSync(join(work, 'access.log'), nginxLines(2000));
  writeFileSync(join(work, 'spec.yaml'), SPEC);
  const db = join(work, 'store.duckdb');
  const missing = spawnSync(process.execPath, [BIN, 'discover', 'export', '--db', db], { cwd: work, encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /PAL_ERR_INVENTORY_MISSING/);
  const analyzed = spawnSync(process.execPath, [BIN, 'analyze', 'access.log', '--db', db, '--data-dir', work, '-q'], {
    cwd: work,
    encoding: 'utf8',
  });
  assert.equal(analyzed.status, 0, analyzed.stderr);
  assert.equal(await countEvents(db), 2000);
  const exported = spawnSync(process.execPath, [BIN, 'discover', 'export', '--format', 'openapi', '--db', db, '-o', 'api.json'], {
    cwd: work,
    encoding: 'utf8',
  });
  assert.equal(exported.status, 0, exported.stderr);
  const doc = JSON.parse(readFileSync(join(work, 'api.json'), 'utf8'));
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/v2/accounts/{accountId}/invoices'].get);
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  await SwaggerParser.validate(doc);
  const diff = spawnSync(process.execPath, [BIN, 'discover', 'diff', '--spec', 'api.example.com=spec.yaml', '--db', db, '--json'], {
    cwd: work,
    encoding: 'utf8',
  });
  assert.equal(diff.status, 0, diff.stderr);
  const kinds = JSON.parse(diff.stdout).map((d: { kind: string; path: string }) => `${d.kind} ${d.path}`);
  assert.ok(kinds.includes('unused-endpoint /api/v2/accounts/{accountId}/close'), kinds.join('\n'));
  assert.ok(kinds.includes('undocumented-parameter /api/v2/accounts/{accountId}/invoices'), kinds.join('\n'));
});

test('palisade formats lists every format', () => {
  const run = palisade(['formats']);
  assert.equal(run.code, 0);
  for (const name of ['nginx-json', 'combined', 'kong', 'envoy', 'aws-alb', 'cloudflare', 'zeek-http', 'har', 'otlp-json', 'azure']) {
    assert.match(run.stdout, new RegExp(`^${name}\\s`, 'm'));
  }
});

test('ingest --listen stores pushed NDJSON batches until interrupted, then prints the summary', async () => {
  const data = join(dir, `d${n++}`);
  const child = spawn(process.execPath, [BIN, 'ingest', '--listen', '127.0.0.1:0', '--data-dir', data, '--push-token', 's3cret'], {
    cwd: dir,
  });
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
  });
  const unauthorized = await fetch(`${url}/v1/events`, { method: 'POST', body: nginxLines(3) });
  assert.equal(unauthorized.status, 401);
  const response = await fetch(`${url}/v1/events?format=nginx-json`, {
    method: 'POST',
    body: nginxLines(25),
    headers: { authorization: 'Bearer s3cret' },
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { accepted: 25, rejected: 0, format: 'nginx-json' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.match(stdout, /25 events stored/);
  assert.equal(await countEvents(join(data, 'palisade.duckdb')), 25);
});

test('a file first read with the wrong --format is read again, in full, with the right one', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `wrong-${n}.log`);
  writeFileSync(log, nginxLines(30));
  const wrong = palisade(['ingest', log, '--format', 'combined', '--data-dir', data, '--json']);
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.equal(JSON.parse(wrong.stdout).formats[0].rejected.malformed_line, 30);
  const right = palisade(['ingest', log, '--data-dir', data, '--json']);
  assert.equal(JSON.parse(right.stdout).formats[0].stored, 30);
  assert.equal(await countEvents(join(data, 'palisade.duckdb')), 30);
});

test('ingest --follow keeps reading across rotation until Ctrl-C, then stores everything once', async () => {
  const data = join(dir, `d${n++}`);
  const log = join(dir, `follow-${n}.log`);
  writeFileSync(log, nginxLines(10));
  const child = spawn(process.execPath, [BIN, 'ingest', '--follow', log, '--data-dir', data], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  // Each file generation the follower opens is announced on stderr: wait on those announcements.
  const announced = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if ((stderr.match(/detected nginx-json/g) ?? []).length >= count) resolve();
      };
      child.stderr?.on('data', (d) => {
        stderr += d;
        check();
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
      check();
    });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await announced(1);
  appendFileSync(log, nginxLines(5, 10));
  renameSync(log, `${log}.1`);
  appendFileSync(`${log}.1`, nginxLines(3, 15));
  writeFileSync(log, nginxLines(7, 18));
  await announced(2);
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.match(stdout, /25 events stored/);
  assert.equal(await countEvents(join(data, 'palisade.duckdb')), 25);
});

test('simulate writes daily logs, labels and specs that analyze reads with no rejection; demo runs both', () => {
  const out = join(dir, `sim-${n++}`);
  const simulated = palisade(['simulate', '--out', out, '--days', '2', '--seed', '3', '--format', 'kong']);
  assert.equal(simulated.code, 0, simulated.stderr);
  assert.match(simulated.stdout, /Simulated 2 days of 500 customers/);
  const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as {
    requests: number;
    campaigns: Array<{ category: string; requests: number }>;
  };
  assert.ok(labels.requests > 10_000 && labels.campaigns.length > 0);
  const analyzed = palisade([
    'analyze',
    join(out, 'access-2026-11-01.ndjson'),
    join(out, 'access-2026-11-02.ndjson'),
    '--json',
    join(out, 'r.json'),
    '-q',
  ]);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const report = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as { input: { events: number; rejected: number } };
  assert.equal(report.input.rejected, 0);
  assert.ok(report.input.events >= labels.requests - 100, `${report.input.events} of ${labels.requests}`);
  assert.equal(palisade(['simulate', '--out', out, '--format', 'csv']).code, 1, 'an unknown format is a usage error');
  // days made in worker threads write the same files
  const serial = join(dir, `sim-${n++}`);
  const parallel = join(dir, `sim-${n++}`);
  assert.equal(palisade(['simulate', '--out', serial, '--days', '2', '--seed', '3', '--workers', '0', '-q']).code, 0);
  assert.equal(palisade(['simulate', '--out', parallel, '--days', '2', '--seed', '3', '--workers', '2', '-q']).code, 0);
  for (const file of ['access-2026-11-01.ndjson', 'access-2026-11-02.ndjson', 'labels.json']) {
    assert.ok(readFileSync(join(serial, file)).equals(readFileSync(join(parallel, file))), file);
  }

  const demo = palisade(['demo', '--out', join(dir, `demo-${n++}`), '--days', '3', '--seed', '2', '--no-color']);
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /Inventory {2}3 hosts, \d+ endpoints: \d+ documented, \d+ shadow, [1-9]\d* zombie/);
  assert.match(demo.stdout, /report\.html/);
});

test('analyze --db run day by day goes on from the saved detection state: the same alerts as one run over all days', async () => {
  const out = join(dir, `sim-${n++}`);
  assert.equal(palisade(['simulate', '--out', out, '--days', '6', '--seed', '4', '-q']).code, 0);
  const days = ['01', '02', '03', '04', '05', '06', '07'].map((d) => join(out, `access-2026-11-${d}.ndjson`));
  // one data directory: one secret key, so that API key tokens are the same in every run
  const data = join(out, 'store');
  const whole = palisade([
    'analyze',
    ...days,
    '--json',
    join(out, 'whole.json'),
    '--db',
    join(data, 'whole.duckdb'),
    '--data-dir',
    data,
    '-q',
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  const expected = (JSON.parse(readFileSync(join(out, 'whole.json'), 'utf8')) as { alerts: Array<Record<string, unknown>> }).alerts;
  assert.ok(expected.length >= 5, `the days should hold campaigns: ${expected.length} alerts`);

  const db = join(data, 'p.duckdb');
  const first = palisade(['analyze', ...days.slice(0, 3), '--db', db, '--data-dir', data, '-q']);
  assert.equal(first.code, 0, first.stderr);
  const second = palisade(['analyze', ...days.slice(3), '--db', db, '--data-dir', data, '--json', join(out, 'second.json')]);
  assert.equal(second.code, 0, second.stderr);
  // the second run's incidents hold the first run's alerts of the same actors: the incidents of one run over all days
  type Folded = { alerts: Array<{ id: string }>; incidents: Array<{ id: string; alertIds: string[] }> };
  const wholeReport = JSON.parse(readFileSync(join(out, 'whole.json'), 'utf8')) as Folded;
  const secondReport = JSON.parse(readFileSync(join(out, 'second.json'), 'utf8')) as Folded;
  assert.ok(secondReport.incidents.length > 0);
  const shown = new Set(secondReport.alerts.map((a) => a.id));
  for (const incident of secondReport.incidents) {
    assert.deepEqual(
      incident,
      wholeReport.incidents.find((i) => i.id === incident.id),
      incident.id,
    );
    for (const id of incident.alertIds) assert.ok(shown.has(id), `alert ${id} of ${incident.id} is in the report`);
  }
  // every shipped rule and detector goes on; none is new or changed
  assert.match(second.stderr, /detection: going on from the state saved at 2026-11-03T\S+ \(event time\): \d+ rules\n/);

  const store = await createDuckDbStore({ path: db });
  try {
    // an alert open at the cut is stored by the first run and replaced by the second run's version
    const stored = await store.alerts();
    const comparable = (a: Record<string, unknown>): Record<string, unknown> => {
      const { actor: _actor, incidentId: _incident, ...rest } = a;
      return rest;
    };
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a.id).localeCompare(String(b.id));
    assert.deepEqual(
      stored.map((a) => comparable(a as unknown as Record<string, unknown>)).sort(byId),
      expected.map(comparable).sort(byId),
    );
    const rollups = await store.sql(`SELECT kind, sum(requests)::INTEGER AS requests FROM entity_hourly GROUP BY kind ORDER BY kind`);
    assert.deepEqual(
      rollups.map((r) => r.kind),
      ['api_key', 'ip', 'session', 'user'],
    );
    assert.equal(rollups.find((r) => r.kind === 'ip')?.requests, await store.count());
  } finally {
    await store.close();
  }
  // the same logs read again are not judged twice on top of the state that holds them: no new alert
  const again = palisade(['analyze', ...days.slice(5), '--db', db, '--data-dir', data, '-q']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /detection: \d+ events at or before 2026-11-0\dT\S+ were judged by an earlier run and not again/);
  const reread = await createDuckDbStore({ path: db });
  try {
    assert.equal((await reread.alerts()).length, expected.length);
  } finally {
    await reread.close();
  }
  // a run with no events leaves the state, alerts and rollups as they were
  writeFileSync(join(out, 'empty.ndjson'), '');
  const empty = palisade(['analyze', join(out, 'empty.ndjson'), '-f', 'nginx-json', '--db', db, '--data-dir', data, '-q']);
  assert.equal(empty.code, 0, empty.stderr);
  // --fresh-state starts the baselines afresh: nothing is taken back
  const fresh = palisade(['analyze', days[6] as string, '--db', db, '--data-dir', data, '--fresh-state']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.doesNotMatch(fresh.stderr, /going on from the state/);
});
