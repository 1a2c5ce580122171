import type { ApiEvent, AuthScheme } from '@palisade/core';
import { createPostureObserver, type PostureObserver, riskOf } from '../posture/index.js';
import type {
  AnalysisReport,
  EndpointRecord,
  Finding,
  Lifecycle,
  ParameterRecord,
  SensitiveDataRecord,
  Severity,
} from '../report-types.js';
import { createSchemaBuilder, type SchemaBuilder } from '../schema/index.js';
import { createSensitiveDetector, type SensitiveDetectorOptions, type SensitiveMatch } from '../sensitive/index.js';
import { classifySegment } from '../templating/segment.js';
import { createPathTemplater, type PathTemplaterOptions, splitPath } from '../templating/templater.js';
import type { DeclaredApi, DeclaredOperation } from '../types.js';
import { DistinctCounter, LatencyHistogram } from './sketches.js';

/** Settings of an inventory. */
export interface InventoryOptions {
  /** Declared specs: templates matched first; lifecycle and posture compare against them. */
  declared?: readonly DeclaredApi[];
  /** Human template overrides (config `discovery.templates`): matched first, not documentation. */
  overrides?: PathTemplaterOptions['overrides'];
  sensitive?: SensitiveDetectorOptions;
  /**
   * Requests per endpoint whose values (parameter and body types, sensitive data) are all examined; after
   * that one in `sampleEvery` (defaults 200 and 10). Counts, statuses, consumers and auth see every request.
   */
  scanFirst?: number;
  sampleEvery?: number;
  /** An undocumented endpoint first seen within this many days of the end of the data is `new` (default 7). */
  newWithinDays?: number;
}

/** What `report` is told about the input. */
export interface ReportInput {
  files: string[];
  rejected: number;
  specs: string[];
  /** The report's time stamp, epoch ms (from the caller's clock). */
  now: number;
}

/**
 * The API inventory: endpoints discovered from events (path templating per host, declared specs first),
 * with per-endpoint statistics, parameters and body schemas, sensitive data, authentication, lifecycle and
 * posture findings. Feed it events in any order with `add`; `report` assembles everything.
 *
 * Memory is bounded per endpoint (sketches, capped maps, schema builders keep structure not values).
 */
export interface Inventory {
  /** Adds an event; returns its endpoint template, `undefined` for a 404/405 answer (not an endpoint). */
  add(event: ApiEvent): string | undefined;
  /** The template a request's path has now, without learning from it (`undefined`: never learned). */
  resolve(request: { host: string; method: string; path: string }): string | undefined;
  /** Events added. */
  readonly events: number;
  report(input: ReportInput): AnalysisReport;
}

/** Request headers that describe transport or tracing, not the API: never listed as parameters. */
const INFRASTRUCTURE_HEADER =
  /^x-(forwarded-|real-ip|request-id|correlation-id|amzn-|b3-|cloud-trace|envoy-|datadog-|vercel-|nf-|azure-|ms-|arr-|original-|scheme|client-ip)/;
const MAX_PARAMETERS = 100;
const MAX_SENSITIVE = 200;
const MAX_STATUSES = 60;
const SAMPLE_IDS = 5;
const MAX_HISTORY = 20;

interface ParameterState {
  seen: number;
  builder: SchemaBuilder;
}

interface EndpointState {
  host: string;
  method: string;
  /** A path that reached this state first: its template is looked up again at report time. */
  path: string;
  declared: DeclaredOperation | undefined;
  requests: number;
  firstSeen: number;
  lastSeen: number;
  statuses: Map<string, number>;
  latency: LatencyHistogram;
  consumers: DistinctCounter;
  auth: Map<AuthScheme, number>;
  query: Map<string, ParameterState>;
  headers: Map<string, ParameterState>;
  pathValues: Map<number, SchemaBuilder>;
  requestBody: SchemaBuilder | undefined;
  responses: Map<string, SchemaBuilder>;
  sensitive: Map<string, SensitiveDataRecord>;
  samples: string[];
}

/** Creates an empty inventory. */
export function createInventory(options: InventoryOptions = {}): Inventory {
  const declared = options.declared ?? [];
  const templater = createPathTemplater({ declared, overrides: options.overrides });
  const detector = createSensitiveDetector(options.sensitive);
  const posture: PostureObserver = createPostureObserver();
  const scanFirst = options.scanFirst ?? 200;
  const sampleEvery = options.sampleEvery ?? 10;
  const operations = indexOperations(declared);
  const states = new Map<string, EndpointState>();
  const lookupStates = new Map<string, Map<string, Map<string, EndpointState>>>();
  let events = 0;

  const add = (event: ApiEvent): string | undefined => {
    events++;
    const host = (event.request.host ?? '').toLowerCase() || 'unknown';
    const method = event.request.method;
    const status = event.response?.status;
    const template = templater.observe({ host, method, path: event.request.path, status });
    if (template === undefined) return undefined; // 404/405: not an endpoint (still counted as an event)
    // the hot path looks states up without building a key: template strings come from the templater's cache
    let byTemplate = lookupStates.get(method)?.get(host);
    if (byTemplate === undefined) {
      let byHost = lookupStates.get(method);
      if (byHost === undefined) {
        byHost = new Map();
        lookupStates.set(method, byHost);
      }
      byTemplate = new Map();
      byHost.set(host, byTemplate);
    }
    let state = byTemplate.get(template);
    if (state === undefined) {
      state = newState(host, method, event.request.path, declaredOperation(operations, host, method, template));
      byTemplate.set(template, state);
      states.set(`${host}\u0000${method}\u0000${template}`, state);
    }
    record(state, event, template);
    posture.observe(event, { host, method, path: template }, state.declared);
    return template;
  };

  const record = (state: EndpointState, event: ApiEvent, template: string): void => {
    state.requests++;
    if (event.time < state.firstSeen) state.firstSeen = event.time;
    if (event.time > state.lastSeen) state.lastSeen = event.time;
    const status = event.response?.status;
    if (status !== undefined) {
      const code = String(status);
      if (state.statuses.has(code) || state.statuses.size < MAX_STATUSES) state.statuses.set(code, (state.statuses.get(code) ?? 0) + 1);
    }
    if (event.latencyMs !== undefined) state.latency.add(event.latencyMs);
    const id = event.identity;
    state.consumers.add(id.user ?? id.consumer ?? id.apiKey ?? event.client.ip ?? 'unknown');
    state.auth.set(id.authScheme, (state.auth.get(id.authScheme) ?? 0) + 1);
    if (state.samples.length < SAMPLE_IDS) state.samples.push(event.id);
    // Values (types, formats, sensitive data) converge fast: look at every value of an endpoint's first
    // `scanFirst` requests, then of one request in `sampleEvery`. Counts always include every request.
    const scan = state.requests <= scanFirst || state.requests % sampleEvery === 0;
    if (scan) recordPathValues(state, event.request.path, template);
    const query = event.request.queryParams;
    if (query !== undefined) {
      for (const name in query) {
        const raw = query[name];
        const values = Array.isArray(raw) ? raw : [raw as string];
        const param = parameter(state.query, name);
        if (param === undefined) continue;
        param.seen++;
        if (!scan) continue;
        for (const value of values) {
          param.builder.addText(value);
          noteSensitive(state, detector.scanValue(value, name), `request.query.${name}`);
        }
      }
    }
    for (const name in event.request.headers) {
      if (!name.startsWith('x-') || INFRASTRUCTURE_HEADER.test(name)) continue;
      const param = parameter(state.headers, name);
      if (param === undefined) continue;
      param.seen++;
      if (!scan) continue;
      const value = event.request.headers[name] as string;
      param.builder.addText(value);
      noteSensitive(state, detector.scanValue(value, name), `request.header.${name}`);
    }
    if (!scan) return;
    const requestJson = jsonBody(event.request.body);
    if (requestJson !== undefined) {
      state.requestBody ??= createSchemaBuilder();
      state.requestBody.add(requestJson);
      for (const m of detector.scanJson(requestJson)) noteSensitive(state, [m], `request.body.${m.path}`);
    }
    const response = event.response;
    if (response !== undefined) {
      const responseJson = jsonBody(response.body);
      if (responseJson !== undefined) {
        const code = String(response.status);
        let builder = state.responses.get(code);
        if (builder === undefined && state.responses.size < MAX_STATUSES) {
          builder = createSchemaBuilder();
          state.responses.set(code, builder);
        }
        builder?.add(responseJson);
        for (const m of detector.scanJson(responseJson)) noteSensitive(state, [m], `response.body.${m.path}`);
      }
    }
  };

  const report = (input: ReportInput): AnalysisReport => {
    // The templater may have merged positions since an event was recorded: regroup by current template.
    templater.endpoints();
    const merged = new Map<string, EndpointState>();
    const history = new Map<string, Set<string>>();
    for (const [stateKey, state] of states) {
      const template = templater.resolve({ host: state.host, method: state.method, path: state.path }) ?? state.path;
      const key = `${state.host}\u0000${state.method}\u0000${template}`;
      const earlier = stateKey.slice(stateKey.lastIndexOf('\u0000') + 1);
      if (earlier !== template) {
        const seen = history.get(key) ?? new Set<string>();
        if (seen.size < MAX_HISTORY) seen.add(earlier);
        history.set(key, seen);
      }
      const target = merged.get(key);
      if (target === undefined)
        merged.set(key, { ...state, declared: state.declared ?? declaredOperation(operations, state.host, state.method, template) });
      else mergeState(target, state);
    }
    const dataEnd = Math.max(0, ...[...merged.values()].map((s) => s.lastSeen));
    const dataStart = Math.min(...[...merged.values()].map((s) => s.firstSeen), dataEnd);
    const records: EndpointRecord[] = [];
    for (const [key, state] of merged) {
      const record = toRecord(key, state);
      const from = history.get(key);
      if (from !== undefined) record.mergedFrom = [...from].sort();
      records.push(record);
    }
    // declared operations never called: orphans
    const called = new Set([...merged.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1)));
    for (const [key, op] of operations) {
      const [host] = key.split('\u0000') as [string];
      if (merged.has(key) || (host === '*' && called.has(`${op.method}\u0000${op.template}`))) continue;
      records.push(orphanRecord(host, op));
    }
    assignLifecycles(records, {
      start: dataStart,
      end: dataEnd,
      newWithinMs: (options.newWithinDays ?? 7) * 86_400_000,
    });
    const declaredHosts = new Set<string>();
    for (const key of operations.keys()) declaredHosts.add(key.split('\u0000')[0] as string);
    const findings = posture.findings(records, { declaredHosts });
    const byEndpoint = new Map<string, Finding[]>();
    for (const f of findings) {
      if (f.endpoint === undefined) continue;
      const k = `${f.host}\u0000${f.endpoint.method}\u0000${f.endpoint.path}`;
      byEndpoint.set(k, [...(byEndpoint.get(k) ?? []), f]);
    }
    for (const r of records) r.risk = riskOf(byEndpoint.get(`${r.host}\u0000${r.method}\u0000${r.path}`) ?? []);
    records.sort(
      (a, b) =>
        b.risk.score - a.risk.score || b.requests - a.requests || cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.method, b.method),
    );
    const byLifecycle: Record<Lifecycle, number> = { documented: 0, shadow: 0, zombie: 0, orphan: 0, new: 0 };
    for (const r of records) byLifecycle[r.lifecycle]++;
    const findingsBySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    for (const f of findings) findingsBySeverity[f.severity]++;
    const input2: AnalysisReport['input'] = { files: input.files, events, rejected: input.rejected, specs: input.specs };
    if (merged.size > 0) {
      input2.from = dataStart;
      input2.to = dataEnd;
    }
    return {
      version: 1,
      generatedAt: new Date(input.now).toISOString(),
      input: input2,
      summary: {
        hosts: new Set(records.map((r) => r.host)).size,
        endpoints: records.length,
        byLifecycle,
        findingsBySeverity,
      },
      endpoints: records,
      findings,
      alerts: [],
      incidents: [],
    };
  };

  return {
    add,
    resolve: (request) => templater.resolve({ ...request, host: request.host.toLowerCase() || 'unknown' }),
    get events() {
      return events;
    },
    report,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function newState(host: string, method: string, path: string, declared: DeclaredOperation | undefined): EndpointState {
  return {
    host,
    method,
    path,
    declared,
    requests: 0,
    firstSeen: Number.POSITIVE_INFINITY,
    lastSeen: Number.NEGATIVE_INFINITY,
    statuses: new Map(),
    latency: new LatencyHistogram(),
    consumers: new DistinctCounter(),
    auth: new Map(),
    query: new Map(),
    headers: new Map(),
    pathValues: new Map(),
    requestBody: undefined,
    responses: new Map(),
    sensitive: new Map(),
    samples: [],
  };
}

function parameter(map: Map<string, ParameterState>, name: string): ParameterState | undefined {
  let param = map.get(name);
  if (param === undefined) {
    if (map.size >= MAX_PARAMETERS) return undefined;
    param = { seen: 0, builder: createSchemaBuilder() };
    map.set(name, param);
  }
  return param;
}

/** Path parameter values, by position in the template (the suffix of `{id}.json` removed). */
function recordPathValues(state: EndpointState, path: string, template: string): void {
  const parts = template.split('/').filter((p) => p !== '');
  if (!template.includes('{')) return;
  const { segments } = splitPath(path);
  for (let i = 0; i < parts.length && i < segments.length; i++) {
    const part = parts[i] as string;
    const open = part.indexOf('{');
    if (open < 0) continue;
    const close = part.lastIndexOf('}');
    const segment = segments[i] as string;
    const value = segment.slice(open, segment.length - (part.length - close - 1));
    let builder = state.pathValues.get(i);
    if (builder === undefined) {
      builder = createSchemaBuilder();
      state.pathValues.set(i, builder);
    }
    builder.addText(value);
  }
}

function noteSensitive(state: EndpointState, matches: readonly SensitiveMatch[], location: string): void {
  for (const m of matches) {
    const key = `${m.type}\u0000${location}`;
    const existing = state.sensitive.get(key);
    if (existing !== undefined) {
      existing.count++;
      if (m.confidence === 'high') existing.confidence = 'high';
    } else if (state.sensitive.size < MAX_SENSITIVE) {
      state.sensitive.set(key, { type: m.type, location, count: 1, confidence: m.confidence });
    }
  }
}

const JSON_TYPE = /json/i;

/** The parsed JSON of a body sample, when it is JSON and complete. */
function jsonBody(body: ApiEvent['request']['body']): unknown {
  if (body === undefined || body.truncated || body.encoding === 'base64') return undefined;
  const text = body.text;
  const first = text.charCodeAt(0);
  if (!(body.contentType !== undefined && JSON_TYPE.test(body.contentType)) && first !== 123 && first !== 91) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function mergeState(target: EndpointState, source: EndpointState): void {
  target.requests += source.requests;
  target.firstSeen = Math.min(target.firstSeen, source.firstSeen);
  target.lastSeen = Math.max(target.lastSeen, source.lastSeen);
  for (const [code, n] of source.statuses) target.statuses.set(code, (target.statuses.get(code) ?? 0) + n);
  target.latency.merge(source.latency);
  target.consumers.merge(source.consumers);
  for (const [scheme, n] of source.auth) target.auth.set(scheme, (target.auth.get(scheme) ?? 0) + n);
  mergeParameters(target.query, source.query);
  mergeParameters(target.headers, source.headers);
  for (const [i, builder] of source.pathValues) {
    const existing = target.pathValues.get(i);
    if (existing === undefined) target.pathValues.set(i, builder);
    else existing.merge(builder);
  }
  if (source.requestBody !== undefined) {
    if (target.requestBody === undefined) target.requestBody = source.requestBody;
    else target.requestBody.merge(source.requestBody);
  }
  for (const [code, builder] of source.responses) {
    const existing = target.responses.get(code);
    if (existing === undefined) target.responses.set(code, builder);
    else existing.merge(builder);
  }
  for (const [key, record] of source.sensitive) {
    const existing = target.sensitive.get(key);
    if (existing === undefined) target.sensitive.set(key, { ...record });
    else {
      existing.count += record.count;
      if (record.confidence === 'high') existing.confidence = 'high';
    }
  }
  for (const id of source.samples) if (target.samples.length < SAMPLE_IDS) target.samples.push(id);
}

function mergeParameters(target: Map<string, ParameterState>, source: Map<string, ParameterState>): void {
  for (const [name, param] of source) {
    const existing = target.get(name);
    if (existing === undefined) target.set(name, param);
    else {
      existing.seen += param.seen;
      existing.builder.merge(param.builder);
    }
  }
}

function toRecord(key: string, state: EndpointState): EndpointRecord {
  const [, , path] = key.split('\u0000') as [string, string, string];
  const declaredParams = new Set((state.declared?.parameters ?? []).map((p) => `${p.in}\u0000${p.name}`));
  const parameters: ParameterRecord[] = [];
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  let position = 0;
  path
    .split('/')
    .filter((p) => p !== '')
    .forEach((part, i) => {
      if (!part.includes('{')) return;
      const name = names[position++] as string;
      const builder = state.pathValues.get(i);
      parameters.push({
        name,
        in: 'path',
        schema: builder?.toSchema() ?? { type: 'string' },
        seen: state.requests,
        alwaysPresent: true,
        declared: declaredParams.has(`path\u0000${name}`) || state.declared !== undefined,
      });
    });
  for (const [name, p] of state.query) {
    parameters.push({
      name,
      in: 'query',
      schema: p.builder.toSchema(),
      seen: p.seen,
      alwaysPresent: p.seen === state.requests,
      declared: declaredParams.has(`query\u0000${name}`),
    });
  }
  for (const [name, p] of state.headers) {
    parameters.push({
      name,
      in: 'header',
      schema: p.builder.toSchema(),
      seen: p.seen,
      alwaysPresent: p.seen === state.requests,
      declared: [...declaredParams].some((d) => d.toLowerCase() === `header\u0000${name}`),
    });
  }
  const record: EndpointRecord = {
    host: state.host,
    method: state.method,
    path,
    lifecycle: 'shadow',
    declared: state.declared !== undefined,
    deprecated: state.declared?.deprecated === true,
    requests: state.requests,
    firstSeen: state.firstSeen,
    lastSeen: state.lastSeen,
    statuses: Object.fromEntries([...state.statuses].sort((a, b) => cmp(a[0], b[0]))),
    consumers: state.consumers.size,
    auth: [...state.auth].map(([scheme, requests]) => ({ scheme, requests })).sort((a, b) => b.requests - a.requests),
    parameters,
    responses: Object.fromEntries([...state.responses].map(([code, b]) => [code, b.toSchema()])),
    sensitiveData: [...state.sensitive.values()].sort((a, b) => b.count - a.count),
    risk: { score: 0, findings: [] },
    sampleEventIds: state.samples,
  };
  const p50 = state.latency.quantile(0.5);
  if (p50 !== undefined) {
    record.latencyMs = { p50, p95: state.latency.quantile(0.95) as number, p99: state.latency.quantile(0.99) as number };
  }
  if (state.requestBody !== undefined) record.requestBody = state.requestBody.toSchema();
  return record;
}

function orphanRecord(host: string, op: DeclaredOperation): EndpointRecord {
  return {
    host,
    method: op.method,
    path: op.template,
    lifecycle: 'orphan',
    declared: true,
    deprecated: op.deprecated,
    requests: 0,
    firstSeen: null,
    lastSeen: null,
    statuses: {},
    consumers: 0,
    auth: [],
    parameters: op.parameters.map((p) => ({
      name: p.name,
      in: p.in,
      schema: p.schema ?? {},
      seen: 0,
      alwaysPresent: false,
      declared: true,
    })),
    responses: {},
    sensitiveData: [],
    risk: { score: 0, findings: [] },
    sampleEventIds: [],
  };
}

/** The declared operation of an endpoint: its host's, else one of a spec without hosts. */
function declaredOperation(
  operations: Map<string, DeclaredOperation>,
  host: string,
  method: string,
  template: string,
): DeclaredOperation | undefined {
  return operations.get(`${host}\u0000${method}\u0000${template}`) ?? operations.get(`*\u0000${method}\u0000${template}`);
}

/** Declared operations by `host \0 METHOD \0 template`; specs without hosts under the host `*`. */
function indexOperations(apis: readonly DeclaredApi[]): Map<string, DeclaredOperation> {
  const out = new Map<string, DeclaredOperation>();
  for (const api of apis) {
    // A spec without hosts describes whatever host serves it: its operations are matched by template on
    // every host, so orphans are reported under the placeholder host `*`.
    const hosts = api.hosts.length === 0 ? ['*'] : api.hosts;
    for (const host of hosts) for (const op of api.operations) out.set(`${host.toLowerCase()}\u0000${op.method}\u0000${op.template}`, op);
  }
  return out;
}

/**
 * Lifecycle of every endpoint (definitions in docs/discovery.md):
 * - `orphan`: declared, no traffic (set when built);
 * - `zombie`: deprecated in its spec and still called, or an older version (`/v1/…`) of a resource whose newer
 *   version (`/v2/…`, same method and the rest of the path) is also called;
 * - `documented`: declared;
 * - `new`: undeclared, first seen within the last `newWithinMs` of data that spans at least twice as long;
 * - `shadow`: undeclared.
 */
function assignLifecycles(records: EndpointRecord[], window: { start: number; end: number; newWithinMs: number }): void {
  const versions = new Map<string, Array<{ record: EndpointRecord; version: number[] }>>();
  for (const r of records) {
    if (r.requests === 0) continue;
    const v = versionOf(r.path);
    if (v === undefined) continue;
    const key = `${r.host}\u0000${r.method}\u0000${v.rest}`;
    versions.set(key, [...(versions.get(key) ?? []), { record: r, version: v.version }]);
  }
  const superseded = new Set<EndpointRecord>();
  for (const group of versions.values()) {
    if (group.length < 2) continue;
    const newest = group.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
    for (const g of group) if (g !== newest && compareVersions(g.version, newest.version) < 0) superseded.add(g.record);
  }
  const longEnough = window.end - window.start >= 2 * window.newWithinMs;
  for (const r of records) {
    if (r.requests === 0) r.lifecycle = 'orphan';
    else if (r.deprecated || superseded.has(r)) r.lifecycle = 'zombie';
    else if (r.declared) r.lifecycle = 'documented';
    else if (longEnough && r.firstSeen !== null && r.firstSeen >= window.end - window.newWithinMs) r.lifecycle = 'new';
    else r.lifecycle = 'shadow';
  }
}

/** The version segment of a template (`v2`, `v1.1`, `2.0`) and the template without it. */
function versionOf(path: string): { version: number[]; rest: string } | undefined {
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '' || classifySegment(part).kind !== 'version') continue;
    const digits = part.match(/\d+/g);
    if (digits === null) continue;
    return { version: digits.map(Number), rest: [...parts.slice(0, i), '{version}', ...parts.slice(i + 1)].join('/') };
  }
  return undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
