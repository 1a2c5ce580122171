import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { isPalisadeError, type Parser } from '@palisade/core';
import { openFileSource } from '../ingest/byte-source.js';
import { detectionSample, Ingestor, type IngestorOptions, sampleLines } from '../ingest/ingestor.js';
import * as akamai from './akamai/index.js';
import * as awsAlb from './aws-alb/index.js';
import * as awsApiGateway from './aws-apigateway/index.js';
import * as awsCloudfront from './aws-cloudfront/index.js';
import * as azure from './azure/index.js';
import * as cloudflare from './cloudflare/index.js';
import * as combined from './combined/index.js';
import * as envoy from './envoy/index.js';
import * as fastly from './fastly/index.js';
import * as gcpLb from './gcp-lb/index.js';
import * as haproxy from './haproxy/index.js';
import * as har from './har/index.js';
import { BUILTIN_PARSERS, createDefaultParserRegistry } from './index.js';
import * as kong from './kong/index.js';
import * as nginxJson from './nginx-json/index.js';
import * as otlp from './otlp/index.js';
import * as traefik from './traefik/index.js';
import * as zeek from './zeek/index.js';

/**
 * Auto-detection over every fixture of every parser, with the sample built the way `palisade ingest`
 * builds it: the first 64 KiB of the file (`openFileSource().head()`), a pretty-printed JSON document that
 * fits compacted to one line, otherwise the first 20 non-empty lines. A real fixture must be detected as
 * its own format; a deliberately unreadable one may go undetected but must never be taken for another
 * format.
 */

const PARSERS_DIR = new URL('.', import.meta.url).pathname;

/** Every parser folder and what it exports; a new folder must be added here (a test checks it). */
const FOLDER_MODULES: Record<string, Record<string, unknown>> = {
  akamai,
  'aws-alb': awsAlb,
  'aws-apigateway': awsApiGateway,
  'aws-cloudfront': awsCloudfront,
  azure,
  cloudflare,
  combined,
  envoy,
  fastly,
  'gcp-lb': gcpLb,
  haproxy,
  har,
  kong,
  'nginx-json': nginxJson,
  otlp,
  traefik,
  zeek,
};

/** Folders holding shared code, not a format. */
const NOT_FORMAT_FOLDERS = new Set(['internal']);

/**
 * For folders exporting several parsers: the format of the fixtures under a path prefix (relative to
 * `parsers/`, `/`-separated). A fixture of such a folder that matches no prefix fails the test.
 */
const FORMAT_BY_PREFIX: Record<string, string> = {
  'envoy/fixtures/json/': 'envoy-json',
  'envoy/fixtures/text/': 'envoy',
};

/**
 * Fixtures that auto-detection is not expected to recognise, with the reason. For these, detection must
 * pick the fixture's own format or nothing — never another format.
 */
const MAY_GO_UNDETECTED: Record<string, string> = {
  'aws-apigateway/fixtures/custom-layout.ndjson':
    'custom $context key names (rid, verb, uri, code): readable only with the fieldMap of its .options.json, which detection never sees',
  'fastly/fixtures/custom-layout.ndjson':
    'custom VCL layout nesting the request under req/resp/timing: readable only with the fieldMap of its .options.json',
  'nginx-json/fixtures/custom-layout.ndjson':
    'custom log_format key names (ts, client.ip, req.uri, code): readable only with the fieldMap of its .options.json',
};

interface Fixture {
  /** Path relative to `parsers/`, `/`-separated. */
  rel: string;
  path: string;
  folder: string;
  expected: Parser;
  golden: boolean;
}

function isParser(value: unknown): value is Parser {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<Parser>;
  return typeof p.format === 'string' && typeof p.detect === 'function' && typeof p.open === 'function';
}

function parsersOf(folder: string): Parser[] {
  return Object.values(FOLDER_MODULES[folder] ?? {}).filter(isParser);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function expectedParser(folder: string, rel: string): Parser {
  const candidates = parsersOf(folder);
  if (candidates.length === 1) return candidates[0] as Parser;
  const prefix = Object.keys(FORMAT_BY_PREFIX).find((p) => rel.startsWith(p));
  const format = prefix === undefined ? undefined : FORMAT_BY_PREFIX[prefix];
  const parser = candidates.find((p) => p.format === format);
  assert.ok(
    parser !== undefined,
    `${rel}: ${folder}/ exports ${candidates.map((p) => p.format).join(', ') || 'no parser'}; map the fixture in FORMAT_BY_PREFIX`,
  );
  return parser;
}

function formatFolders(): string[] {
  return readdirSync(PARSERS_DIR)
    .filter((name) => statSync(join(PARSERS_DIR, name)).isDirectory() && !NOT_FORMAT_FOLDERS.has(name))
    .sort();
}

function collectFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const folder of formatFolders()) {
    const dir = join(PARSERS_DIR, folder, 'fixtures');
    if (!existsSync(dir)) continue;
    for (const path of filesUnder(dir)) {
      if (path.endsWith('.expected.json') || path.endsWith('.options.json')) continue;
      const rel = relative(PARSERS_DIR, path).split(sep).join('/');
      fixtures.push({ rel, path, folder, expected: expectedParser(folder, rel), golden: existsSync(`${path}.expected.json`) });
    }
  }
  return fixtures;
}

const registry = createDefaultParserRegistry();
// `chooseParser` reads nothing but the registry; the rest of the options is never touched.
const ingestor = new Ingestor({ registry } as unknown as IngestorOptions);

/** What `--format auto` picks for a stream head: the parser, or `undefined` when ingest would refuse it. */
function chooseAuto(name: string, head: Buffer, ended: boolean): Parser | undefined {
  try {
    return ingestor.chooseParser(name, head, ended, 'auto').parser;
  } catch (error) {
    if (isPalisadeError(error) && error.code === 'PAL_ERR_FORMAT_UNDETECTED') return undefined;
    throw error;
  }
}

/** Every non-zero score, for failure messages. */
function scores(lines: readonly string[]): string {
  const parts: string[] = [];
  for (const parser of registry.list()) {
    let score: number;
    try {
      score = parser.detect(lines);
    } catch {
      score = Number.NaN;
    }
    if (score !== 0) parts.push(`${parser.format}=${Math.round(score * 1000) / 1000}`);
  }
  return parts.length === 0 ? 'no parser scored' : parts.join(', ');
}

/** Detection over an in-memory stream, through the same path as a file. */
function detectBytes(bytes: Buffer): Parser | undefined {
  const head = bytes.subarray(0, 64 * 1024);
  const ended = bytes.length <= head.length;
  const viaRegistry = registry.detect(detectionSample(head, ended))?.parser;
  assert.equal(chooseAuto('sample', head, ended), viaRegistry, 'the sample mirror disagrees with Ingestor.chooseParser');
  return viaRegistry;
}

const fixtures = collectFixtures();

for (const fixture of fixtures) {
  const reason = MAY_GO_UNDETECTED[fixture.rel];
  const title = reason === undefined ? `detects ${fixture.rel} as ${fixture.expected.format}` : `never misdetects ${fixture.rel}`;
  test(title, async () => {
    const { head, ended } = await (await openFileSource(fixture.path)).head();
    const lines = detectionSample(head, ended);
    const detected = registry.detect(lines);
    const chosen = chooseAuto(fixture.path, head, ended);
    assert.equal(chosen, detected?.parser, `the sample mirror disagrees with Ingestor.chooseParser for ${fixture.rel}`);
    const own = parsersOf(fixture.folder).map((p) => p.format);
    const got = chosen === undefined ? 'nothing' : `${chosen.format} (score ${detected?.score})`;
    const why = `${fixture.rel}: detected ${got}; scores: ${scores(lines)}`;
    if (reason === undefined) {
      assert.equal(chosen?.format, fixture.expected.format, why);
    } else {
      assert.ok(chosen === undefined || own.includes(chosen.format), `${why} (expected ${own.join('/')} or nothing: ${reason})`);
    }
  });
}

test('every fixture listed as possibly undetected exists', () => {
  const known = new Set(fixtures.map((f) => f.rel));
  for (const rel of Object.keys(MAY_GO_UNDETECTED)) assert.ok(known.has(rel), `MAY_GO_UNDETECTED lists ${rel}, which is not a fixture`);
  for (const prefix of Object.keys(FORMAT_BY_PREFIX)) {
    assert.ok(
      fixtures.some((f) => f.rel.startsWith(prefix)),
      `FORMAT_BY_PREFIX lists ${prefix}, which holds no fixture`,
    );
  }
});

test('every parser folder is covered and every built-in parser comes from one', () => {
  assert.deepEqual(formatFolders(), Object.keys(FOLDER_MODULES).sort());
  const fromFolders = new Set(Object.keys(FOLDER_MODULES).flatMap((folder) => parsersOf(folder)));
  for (const parser of BUILTIN_PARSERS) assert.ok(fromFolders.has(parser), `${parser.format} is exported by no parser folder`);
  for (const parser of fromFolders) {
    assert.ok((BUILTIN_PARSERS as readonly Parser[]).includes(parser), `${parser.format} is not in BUILTIN_PARSERS`);
  }
});

test('every parser has a golden fixture that auto-detection recognises', () => {
  for (const parser of BUILTIN_PARSERS) {
    const own = fixtures.filter((f) => f.expected === parser && f.golden);
    assert.ok(own.length > 0, `${parser.format} has no fixture with an .expected.json`);
    assert.ok(
      own.some((f) => MAY_GO_UNDETECTED[f.rel] === undefined),
      `${parser.format} has no golden fixture that detection must recognise`,
    );
  }
});

test('every format name and alias is unique, kebab-case and not "auto"', () => {
  const seen = new Map<string, string>();
  for (const parser of BUILTIN_PARSERS) {
    for (const name of [parser.format, ...(parser.aliases ?? [])]) {
      assert.ok(!seen.has(name), `${name} is used by ${seen.get(name)} and ${parser.format}`);
      assert.match(name, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, `${name} is not kebab-case`);
      assert.notEqual(name, 'auto', '`auto` is the --format value that asks for detection');
      seen.set(name, parser.format);
    }
  }
  assert.doesNotThrow(() => createDefaultParserRegistry());
});

test('an empty sample detects as nothing', () => {
  assert.equal(registry.detect([]), undefined);
  assert.deepEqual(sampleLines(Buffer.from(' \n\r\n\t\n'), true), []);
  for (const parser of registry.list()) assert.ok(parser.detect([]) < 0.5, `${parser.format} scores an empty sample`);
});

test('plain prose detects as nothing', () => {
  const prose = [
    'It was a bright cold day in April, and the clocks were striking thirteen.',
    'Winston Smith, his chin nuzzled into his breast in an effort to escape the vile wind, slipped quickly',
    'through the glass doors of Victory Mansions, though not quickly enough to prevent a swirl of gritty dust',
    '',
    'from entering along with him. The hallway smelt of boiled cabbage and old rag mats.',
  ].join('\n');
  assert.equal(detectBytes(Buffer.from(prose)), undefined);
});

test('CSV detects as nothing', () => {
  const csv = [
    'timestamp,client_ip,method,path,status,bytes,user_agent',
    '2026-11-30T14:02:11Z,198.51.100.7,GET,/api/v2/users/8812,200,1432,"Mozilla/5.0 (X11; Linux x86_64)"',
    '2026-11-30T14:02:12Z,203.0.113.20,POST,/login,401,57,okhttp/4.12.0',
    '2026-11-30T14:02:13Z,2001:db8::5,HEAD,/health,200,0,-',
  ].join('\r\n');
  assert.equal(detectBytes(Buffer.from(csv)), undefined);
});

test('syslog lines detect as nothing', () => {
  const syslog = [
    'Nov 30 14:02:11 web-1 sshd[1234]: Accepted publickey for deploy from 198.51.100.7 port 51544 ssh2',
    'Nov 30 14:02:12 web-1 CRON[2211]: (root) CMD (run-parts /etc/cron.hourly)',
    '<34>1 2026-11-30T14:02:13.000Z web-1 kernel - - - [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.7 PROTO=TCP DPT=22',
    'Nov 30 14:02:14 web-1 systemd[1]: Started Daily apt upgrade and clean activities.',
    'Nov 30 14:02:15 web-1 haproxy[674]: Proxy http-in started.',
  ].join('\n');
  assert.equal(detectBytes(Buffer.from(syslog)), undefined);
});

test('binary garbage detects as nothing', () => {
  // mulberry32: deterministic bytes, so a failure reproduces.
  let state = 0x9e3779b9;
  const bytes = Buffer.alloc(70 * 1024);
  for (let i = 0; i < bytes.length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    bytes[i] = ((t ^ (t >>> 14)) >>> 24) & 0xff;
  }
  assert.ok(sampleLines(bytes.subarray(0, 64 * 1024), false).length >= 20, 'the garbage should fill a whole sample');
  assert.equal(detectBytes(bytes), undefined);
  assert.equal(detectBytes(bytes.subarray(0, 4096)), undefined);
});
