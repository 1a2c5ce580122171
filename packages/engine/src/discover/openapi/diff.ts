import type { EndpointRecord } from '../report-types.js';
import { compareSchemas } from '../schema/index.js';
import type { DeclaredApi, DeclaredOperation, JsonSchema } from '../types.js';

/** One way traffic differs from a declared spec. */
export interface SpecDifference {
  kind:
    | 'undocumented-endpoint'
    | 'unused-endpoint'
    | 'deprecated-in-use'
    | 'undocumented-parameter'
    | 'missing-required-parameter'
    | 'parameter-type'
    | 'undocumented-status'
    | 'request-body'
    | 'response-body'
    | 'auth-mismatch';
  host: string;
  method: string;
  path: string;
  /** Where: `query.page`, `response.200/items/[]/price`… */
  location?: string;
  declared?: string;
  observed?: string;
  /** One sentence. */
  detail: string;
}

/**
 * Compares the discovered endpoints with the declared specs: endpoints called but not declared, declared but
 * never called, deprecated but called; per declared endpoint, parameters (undocumented, required but never
 * sent, other types), statuses not declared, request and response bodies (fields not declared, other
 * types, required fields never seen), and authentication (declared required, yet answered without any).
 */
export function diffInventory(endpoints: readonly EndpointRecord[], apis: readonly DeclaredApi[]): SpecDifference[] {
  const out: SpecDifference[] = [];
  const declaredHosts = new Set(apis.flatMap((a) => (a.hosts.length === 0 ? ['*'] : a.hosts)));
  // templates compare without parameter names: `/users/{id}` is `/users/{userId}`
  const operations = new Map<string, { op: DeclaredOperation; host: string; used: boolean }>();
  for (const api of apis) {
    for (const host of api.hosts.length === 0 ? ['*'] : api.hosts) {
      for (const op of api.operations) operations.set(`${host}\u0000${op.method}\u0000${shape(op.template)}`, { op, host, used: false });
    }
  }
  for (const e of endpoints) {
    const base = { host: e.host, method: e.method, path: e.path };
    if (e.requests === 0) continue;
    const entry =
      operations.get(`${e.host}\u0000${e.method}\u0000${shape(e.path)}`) ?? operations.get(`*\u0000${e.method}\u0000${shape(e.path)}`);
    if (entry !== undefined) entry.used = true;
    const op = entry?.op;
    if (op === undefined) {
      if (declaredHosts.has(e.host) || declaredHosts.has('*')) {
        out.push({ ...base, kind: 'undocumented-endpoint', detail: `called ${e.requests} times, not in the spec` });
      }
      continue;
    }
    if (op.deprecated) out.push({ ...base, kind: 'deprecated-in-use', detail: `deprecated in the spec, still called ${e.requests} times` });
    diffParameters(e, op, out);
    diffStatuses(e, op, out);
    if (op.requestBody !== undefined && e.requestBody !== undefined) diffBody(e, 'request', op.requestBody, e.requestBody, out);
    for (const [code, observed] of Object.entries(e.responses)) {
      const declared = op.responses[code] ?? op.responses[`${code[0]}XX`] ?? op.responses.default;
      if (declared !== undefined) diffBody(e, `response.${code}`, declared, observed, out);
    }
    const anonymous2xx = e.auth.find((a) => a.scheme === 'none');
    if (op.security.length > 0 && !op.security.some((alt) => alt.length === 0) && anonymous2xx !== undefined) {
      const ok = Object.entries(e.statuses).some(([c, n]) => c.startsWith('2') && n > 0);
      if (ok) {
        out.push({
          ...base,
          kind: 'auth-mismatch',
          declared: op.security.map((alt) => alt.join('+')).join(' | '),
          observed: `${anonymous2xx.requests} requests without credentials`,
          detail: 'the spec requires authentication, yet requests without credentials were answered with 2xx',
        });
      }
    }
  }
  for (const { op, host, used } of operations.values()) {
    if (used) continue;
    out.push({
      host,
      method: op.method,
      path: op.template,
      kind: 'unused-endpoint',
      detail: 'declared in the spec, never called in the traffic analysed',
    });
  }
  return out;
}

function shape(template: string): string {
  return template.replace(/\{[^}]*\}/g, '{}');
}

function diffParameters(e: EndpointRecord, op: DeclaredOperation, out: SpecDifference[]): void {
  const base = { host: e.host, method: e.method, path: e.path };
  const declared = new Map(op.parameters.map((p) => [`${p.in}\u0000${p.in === 'header' ? p.name.toLowerCase() : p.name}`, p]));
  for (const p of e.parameters) {
    if (p.in === 'path' || p.in === 'body') continue;
    const d = declared.get(`${p.in}\u0000${p.name}`);
    if (d === undefined) {
      out.push({
        ...base,
        kind: 'undocumented-parameter',
        location: `${p.in}.${p.name}`,
        detail: `${p.in} parameter ${p.name} sent ${p.seen} times, not declared`,
      });
      continue;
    }
    if (d.schema !== undefined) {
      for (const diff of compareSchemas(d.schema, p.schema)) {
        if (diff.kind !== 'type-mismatch' && diff.kind !== 'format-mismatch') continue;
        // parameters travel as text: `12345` reads as an integer yet is a valid declared string
        if (diff.declared?.startsWith('string') === true && /^(integer|number|boolean)/.test(diff.observed ?? '')) continue;
        out.push({
          ...base,
          kind: 'parameter-type',
          location: `${p.in}.${p.name}${diff.path}`,
          declared: diff.declared,
          observed: diff.observed,
          detail: `${p.in} parameter ${p.name} is declared ${diff.declared}, observed ${diff.observed}`,
        });
      }
    }
  }
  const seen = new Set(e.parameters.map((p) => `${p.in}\u0000${p.name}`));
  for (const p of op.parameters) {
    if (!p.required || p.in === 'path') continue;
    const key = `${p.in}\u0000${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
    if (!seen.has(key) && p.in !== 'header' && p.in !== 'cookie') {
      out.push({
        ...base,
        kind: 'missing-required-parameter',
        location: `${p.in}.${p.name}`,
        detail: `required ${p.in} parameter ${p.name} was never sent`,
      });
    }
  }
}

function diffStatuses(e: EndpointRecord, op: DeclaredOperation, out: SpecDifference[]): void {
  const declared = Object.keys(op.responses);
  if (declared.length === 0 || declared.includes('default')) return;
  for (const [code, n] of Object.entries(e.statuses)) {
    if (declared.includes(code) || declared.includes(`${code[0]}XX`)) continue;
    out.push({
      host: e.host,
      method: e.method,
      path: e.path,
      kind: 'undocumented-status',
      location: `response.${code}`,
      observed: code,
      detail: `answered ${code} ${n} times; the spec declares ${declared.join(', ')}`,
    });
  }
}

function diffBody(e: EndpointRecord, where: string, declared: JsonSchema, observed: JsonSchema, out: SpecDifference[]): void {
  for (const d of compareSchemas(declared, observed)) {
    if (d.kind === 'declared-never-seen') continue;
    out.push({
      host: e.host,
      method: e.method,
      path: e.path,
      kind: where === 'request' ? 'request-body' : 'response-body',
      location: `${where}${d.path}`,
      declared: d.declared,
      observed: d.observed,
      detail:
        d.kind === 'undeclared-property'
          ? `field ${d.path || '/'} not declared in the ${where.replace('.', ' ')} schema`
          : d.kind === 'missing-required'
            ? `required field ${d.path} never seen in the ${where.replace('.', ' ')}`
            : `${d.path || '/'} is declared ${d.declared}, observed ${d.observed}`,
    });
  }
}
