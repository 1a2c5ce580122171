import type { EndpointRecord, Finding, FindingEvidence, Severity } from '../../report-types.js';
import { POSTURE_RULES, type PostureRuleId, SEVERITY_WEIGHTS } from '../catalogue.js';
import { isAuthenticationPath } from './auth-path.js';
import { siteOf } from './cors.js';
import { BURST_THRESHOLD, type EndpointView, SECURITY_HEADER_CHECKS, type SecurityHeaderCheck, type Tally } from './endpoint-state.js';
import { readJsonPath } from './json-body.js';
import { isPathDeclared } from './json-schema.js';

/** Sensitive data types reported in responses of endpoints without a declared schema. */
export const HIGH_RISK_TYPES: ReadonlySet<string> = new Set(['ssn', 'payment_card', 'iban', 'secret', 'private_key']);
/** Thresholds of `posture/bola-prone`. */
export const BOLA_MIN_CONSUMERS = 5;
export const BOLA_MIN_REQUESTS = 50;
/** Least requests of an authentication endpoint before a missing rate limit is reported. */
export const RATE_LIMIT_MIN_REQUESTS = 100;
/** Most names or locations listed in one finding's details. */
const MAX_LISTED = 20;

/** One endpoint of the report with what the observer saw of it (nothing when it saw no event of it). */
export interface ReportEndpoint {
  record: EndpointRecord;
  view: EndpointView | undefined;
}

type Details = NonNullable<FindingEvidence['details']>;

/** True when a loaded spec covers the host (`*`: a spec without servers, which covers every host). */
function hasSpec(declaredHosts: ReadonlySet<string>, host: string): boolean {
  return declaredHosts.has(host) || declaredHosts.has('*');
}

/** Builds a finding of a catalogued rule. */
function finding(
  id: PostureRuleId,
  record: Pick<EndpointRecord, 'host' | 'method' | 'path'>,
  evidence: FindingEvidence,
  options: { hostLevel?: boolean; severity?: Severity } = {},
): Finding {
  const rule = POSTURE_RULES[id];
  const out: Finding = {
    id,
    owasp: rule.owasp,
    severity: options.severity ?? rule.severity,
    title: rule.title,
    host: record.host,
    evidence,
  };
  if (options.hostLevel !== true) out.endpoint = { method: record.method, path: record.path };
  return out;
}

function fromTally(entry: Tally, summary: string, details: Details): FindingEvidence {
  return { summary, requests: entry.requests, sampleEventIds: [...entry.samples], details };
}

function fromRecord(
  record: EndpointRecord,
  maxSamples: number,
  summary: string,
  details: Details,
  requests = record.requests,
): FindingEvidence {
  return { summary, requests, sampleEventIds: record.sampleEventIds.slice(0, maxSamples), details };
}

const sorted = (values: Iterable<string>): string[] => [...values].sort().slice(0, MAX_LISTED);
const label = (record: Pick<EndpointRecord, 'method' | 'path'>) => `${record.method} ${record.path}`;
const list = (values: readonly string[]) => values.join(', ');

/** Findings of the rules judged per endpoint. */
export function endpointFindings(endpoint: ReportEndpoint, declaredHosts: ReadonlySet<string>, maxSamples: number): Finding[] {
  const { record, view } = endpoint;
  const out: Finding[] = [];
  const tallies = view?.tallies;
  const at = label(record);

  const unauthenticated = tallies?.get('unauthenticated-2xx');
  if (unauthenticated !== undefined && view !== undefined) {
    const exposed = unauthenticatedExposure(record, view);
    if (exposed.length > 0) {
      const types = sorted(new Set(exposed.map((data) => data.type)));
      out.push(
        finding(
          'posture/unauthenticated-sensitive-data',
          record,
          fromTally(
            unauthenticated,
            `${at} answered ${unauthenticated.requests} requests without credentials with 2xx, and its responses carry ${list(types)}; require authentication or remove that data from the response.`,
            {
              types,
              locations: sorted(exposed.map((data) => data.location)),
              matchedOnUnauthenticatedResponses: view.unauthenticatedBodies > 0,
              authenticatedRequests: view.authenticated,
            },
          ),
        ),
      );
    }
  }

  const inUrl = tallies?.get('credentials-in-url');
  if (inUrl !== undefined) {
    const names = sorted(inUrl.names);
    out.push(
      finding(
        'posture/credentials-in-url',
        record,
        fromTally(
          inUrl,
          `Requests to ${at} carry credentials in the query (${list(names)}), where proxies, logs, caches and browser history keep them; accept them in a header or the request body instead.`,
          { parameters: names, recognisedBy: sorted(inUrl.labels) },
        ),
      ),
    );
  }

  const jwtNone = tallies?.get('jwt-none-accepted');
  if (jwtNone !== undefined) {
    out.push(
      finding(
        'posture/jwt-none-accepted',
        record,
        fromTally(
          jwtNone,
          `${at} answered 2xx to ${jwtNone.requests} requests whose JWT is unsigned (alg none or missing); reject tokens whose algorithm is not on an explicit allow-list.`,
          { algorithms: sorted(jwtNone.labels) },
        ),
      ),
    );
  }

  const overHttp = tallies?.get('credentials-over-http');
  if (overHttp !== undefined) {
    out.push(
      finding(
        'posture/credentials-over-http',
        record,
        fromTally(
          overHttp,
          `${overHttp.requests} requests to ${at} sent credentials over unencrypted HTTP; serve the API over HTTPS only and redirect or refuse plain HTTP.`,
          { authSchemes: sorted(overHttp.labels) },
        ),
      ),
    );
  }

  out.push(...dataExposureFindings(record, view, maxSamples));

  const massAssignment = tallies?.get('mass-assignment');
  if (massAssignment !== undefined) {
    const properties = sorted(massAssignment.names);
    const details: Details = { properties };
    if (massAssignment.labels.size > 0) details.readOnlyProperties = sorted(massAssignment.labels);
    out.push(
      finding(
        'posture/mass-assignment-candidate',
        record,
        fromTally(
          massAssignment,
          `${at} answered 2xx to ${massAssignment.requests} requests whose body has properties its schema does not declare (${list(properties)}); make sure the server binds only declared, client-writable properties.`,
          details,
        ),
      ),
    );
  }

  const bola = bolaFinding(record, maxSamples);
  if (bola !== undefined) out.push(bola);

  const rateLimit = rateLimitFinding(record, view, maxSamples);
  if (rateLimit !== undefined) out.push(rateLimit);

  const ssrf = tallies?.get('ssrf');
  if (ssrf !== undefined) {
    const names = [...sorted(ssrf.names), ...sorted(ssrf.labels)].slice(0, MAX_LISTED);
    const details: Details = {};
    if (ssrf.names.size > 0) details.queryParameters = sorted(ssrf.names);
    if (ssrf.labels.size > 0) details.bodyProperties = sorted(ssrf.labels);
    out.push(
      finding(
        'posture/ssrf-prone-parameter',
        record,
        fromTally(
          ssrf,
          `${at} accepted URLs in ${list(names)} in ${ssrf.requests} successful requests; if the server fetches them, allow only expected schemes and hosts and block internal addresses.`,
          details,
        ),
      ),
    );
  }

  const verbose = tallies?.get('verbose-errors');
  if (verbose !== undefined) {
    const kinds = sorted(verbose.labels);
    out.push(
      finding(
        'posture/verbose-errors',
        record,
        fromTally(
          verbose,
          `${verbose.requests} error responses of ${at} disclose internals (${list(kinds)}); return a generic error with a correlation id and log the details on the server.`,
          { kinds, statuses: sorted(verbose.names) },
        ),
      ),
    );
  }

  const cors = corsFinding(record, view);
  if (cors !== undefined) out.push(cors);

  if (record.lifecycle === 'shadow' && hasSpec(declaredHosts, record.host) && record.requests > 0) {
    out.push(
      finding(
        'posture/shadow-endpoint',
        record,
        fromRecord(
          record,
          maxSamples,
          `${at} received ${record.requests} requests but the specification of ${record.host} does not declare it; document it, or remove it if it should not be reachable.`,
          seenDetails(record, { consumers: record.consumers }),
        ),
      ),
    );
  }

  if (record.lifecycle === 'zombie' && record.requests > 0) {
    out.push(
      finding(
        'posture/zombie-endpoint',
        record,
        fromRecord(
          record,
          maxSamples,
          `${at} is ${record.deprecated ? 'deprecated' : 'superseded'} but still received ${record.requests} requests from ${record.consumers} consumers; move them to the current version, then retire it.`,
          seenDetails(record, { deprecated: record.deprecated, consumers: record.consumers }),
        ),
      ),
    );
  }
  return out;
}

/** Adds the first and last time an endpoint was called, when known. */
function seenDetails(record: EndpointRecord, details: Details): Details {
  if (record.firstSeen !== null) details.firstSeen = record.firstSeen;
  if (record.lastSeen !== null) details.lastSeen = record.lastSeen;
  return details;
}

/** The response sensitive data of an endpoint that unauthenticated 2xx responses carry (as far as the samples show). */
function unauthenticatedExposure(record: EndpointRecord, view: EndpointView): EndpointRecord['sensitiveData'] {
  const inResponses = record.sensitiveData.filter((data) => data.location.startsWith('response.'));
  // Without a single unauthenticated body sample, the endpoint's responses as a whole are the best evidence.
  if (view.unauthenticatedBodies === 0) return inResponses;
  return inResponses.filter((data) => {
    const body = bodyPathOf(data.location);
    if (body !== undefined) return view.unauthenticatedPaths.has(body);
    const header = headerNameOf(data.location);
    return header === undefined || view.unauthenticatedHeaders.has(header);
  });
}

function bodyPathOf(location: string): string | undefined {
  return location.startsWith('response.body.') ? location.slice('response.body.'.length) : undefined;
}

function headerNameOf(location: string): string | undefined {
  for (const prefix of ['response.header.', 'response.headers.']) if (location.startsWith(prefix)) return location.slice(prefix.length);
  return undefined;
}

function dataExposureFindings(record: EndpointRecord, view: EndpointView | undefined, maxSamples: number): Finding[] {
  const inResponses = record.sensitiveData.filter((data) => data.location.startsWith('response.'));
  if (inResponses.length === 0) return [];
  const at = label(record);
  const declared = view?.declared;
  const schemas = declared === undefined ? [] : Object.values(declared.responses).filter((schema) => schema !== undefined);
  if (schemas.length > 0) {
    const undeclared = inResponses.filter((data) => {
      const body = bodyPathOf(data.location);
      const steps = body === undefined ? undefined : readJsonPath(body);
      return steps !== undefined && !isPathDeclared(schemas, steps);
    });
    if (undeclared.length === 0) return [];
    const types = sorted(new Set(undeclared.map((data) => data.type)));
    const locations = sorted(undeclared.map((data) => data.location));
    return [
      finding(
        'posture/excessive-data-exposure',
        record,
        fromRecord(
          record,
          maxSamples,
          `${at} returns ${list(types)} at ${list(locations)}, which its declared response schema does not include; stop returning it or declare it deliberately.`,
          { types, locations },
          Math.max(...undeclared.map((data) => data.count)),
        ),
      ),
    ];
  }
  const risky = inResponses.filter((data) => HIGH_RISK_TYPES.has(data.type));
  if (risky.length === 0) return [];
  const types = sorted(new Set(risky.map((data) => data.type)));
  const locations = sorted(risky.map((data) => data.location));
  return [
    finding(
      'posture/sensitive-data-in-response',
      record,
      fromRecord(
        record,
        maxSamples,
        `${at} returns ${list(types)} (${list(locations)}); check that every caller needs it, and mask or drop it otherwise.`,
        { types, locations, highConfidence: risky.some((data) => data.confidence === 'high') },
        Math.max(...risky.map((data) => data.count)),
      ),
    ),
  ];
}

function bolaFinding(record: EndpointRecord, maxSamples: number): Finding | undefined {
  const parameters = [...record.path.matchAll(/\{([^{}/]+)\}/g)].map((match) => match[1] as string);
  if (parameters.length === 0 || record.consumers < BOLA_MIN_CONSUMERS || record.requests < BOLA_MIN_REQUESTS) return undefined;
  const status = (code: string) => record.statuses[code] ?? 0;
  if (status('401') > 0 || status('403') > 0) return undefined;
  const succeeded = Object.entries(record.statuses).reduce((sum, [code, count]) => (code.startsWith('2') ? sum + count : sum), 0);
  if (succeeded === 0) return undefined;
  // Public objects (a product catalogue) have no owner to check: only authenticated endpoints are judged.
  const total = record.auth.reduce((sum, entry) => sum + entry.requests, 0);
  const authenticated = record.auth.reduce((sum, entry) => (entry.scheme === 'none' ? sum : sum + entry.requests), 0);
  if (total === 0 || authenticated * 2 < total) return undefined;
  return finding(
    'posture/bola-prone',
    record,
    fromRecord(
      record,
      maxSamples,
      `${label(record)} serves objects by ${list(parameters)} to ${record.consumers} consumers and never refused a caller (no 401 or 403 in ${record.requests} requests), so per-object authorization may be missing; check that every request is authorized for the object it names.`,
      { pathParameters: parameters, consumers: record.consumers, refusals: 0 },
    ),
  );
}

function rateLimitFinding(record: EndpointRecord, view: EndpointView | undefined, maxSamples: number): Finding | undefined {
  const burst = view?.burst;
  if (burst === undefined || record.method.toUpperCase() !== 'POST' || !isAuthenticationPath(record.path)) return undefined;
  if (record.requests < RATE_LIMIT_MIN_REQUESTS || (record.statuses['429'] ?? 0) > 0 || burst.max < BURST_THRESHOLD) return undefined;
  const bursts = view?.tallies.get('burst');
  return finding('posture/auth-endpoint-without-rate-limit', record, {
    summary: `${label(record)} looks like authentication and one client sent it ${burst.max} requests within a minute without ever being refused with 429; rate-limit it per client and per account.`,
    requests: record.requests,
    sampleEventIds: bursts === undefined ? record.sampleEventIds.slice(0, maxSamples) : [...bursts.samples],
    details: { maxRequestsPerMinute: burst.max, clientsOverThreshold: burst.clients, threshold: BURST_THRESHOLD, responses429: 0 },
  });
}

function corsFinding(record: EndpointRecord, view: EndpointView | undefined): Finding | undefined {
  if (view === undefined) return undefined;
  const at = label(record);
  const withCredentials = view.tallies.get('cors-credentials');
  if (withCredentials !== undefined) {
    const reasons = [...withCredentials.labels].filter((reason) => reason !== 'echo-with-credentials');
    // Echoing a few trusted origins is what an allow-list does; echoing several, one of another site, is not.
    const apiSite = siteOf(record.host);
    const crossSite = [...view.echoedOrigins].some((origin) => siteOf(origin) !== apiSite);
    if (view.echoedOrigins.size >= 2 && crossSite) reasons.push('echo-with-credentials');
    if (reasons.length > 0) {
      return finding(
        'posture/permissive-cors',
        record,
        fromTally(
          withCredentials,
          `${at} lets ${reasons.includes('echo-with-credentials') ? 'any origin it is called from' : 'any origin'} read credentialed responses (${list(sorted(reasons))}); answer only an explicit allow-list of origins when credentials are allowed.`,
          { reasons: sorted(reasons), echoedOrigins: view.echoedOrigins.size, credentials: true },
        ),
      );
    }
  }
  const wildcard = view.tallies.get('cors-wildcard');
  const unauthenticatedOk = view.tallies.get('unauthenticated-2xx')?.requests ?? 0;
  if (wildcard !== undefined && view.authenticated > 0 && unauthenticatedOk === 0) {
    return finding(
      'posture/permissive-cors',
      record,
      fromTally(
        wildcard,
        `${at} requires authentication yet allows every origin (Access-Control-Allow-Origin: *); restrict it to the origins of your own front ends.`,
        { reasons: ['wildcard'], credentials: false },
      ),
      { severity: 'low' },
    );
  }
  return undefined;
}

const HEADER_LABELS: Readonly<Record<SecurityHeaderCheck, string>> = {
  'strict-transport-security': 'Strict-Transport-Security',
  'x-content-type-options': 'X-Content-Type-Options: nosniff',
  'cache-control-no-store': 'Cache-Control: no-store (on authenticated responses)',
};

/** Findings judged per host: missing security headers, version disclosure, and APIs without a spec. */
export function hostFindings(
  host: string,
  endpoints: readonly ReportEndpoint[],
  declaredHosts: ReadonlySet<string>,
  maxSamples: number,
): Finding[] {
  const out: Finding[] = [];
  const anchor = { host, method: '', path: '' };

  const missing: SecurityHeaderCheck[] = [];
  const details: Details = {};
  const samples: string[] = [];
  let responses = 0;
  let affected = 0;
  let judged = 0;
  for (const { view } of endpoints) {
    if (view === undefined || !SECURITY_HEADER_CHECKS.some((check) => view.judged[check] > 0)) continue;
    judged++;
    let lacks = false;
    for (const check of SECURITY_HEADER_CHECKS) {
      const entry = view.tallies.get(`missing:${check}`);
      // An endpoint lacks a header when more than half of its judged responses went without it.
      if (entry === undefined || entry.requests * 2 <= view.judged[check]) continue;
      lacks = true;
      if (!missing.includes(check)) missing.push(check);
      details[`endpointsWithout:${check}`] = ((details[`endpointsWithout:${check}`] as number | undefined) ?? 0) + 1;
      responses += entry.requests;
      for (const id of entry.samples) if (samples.length < maxSamples && !samples.includes(id)) samples.push(id);
    }
    if (lacks) affected++;
  }
  if (missing.length > 0) {
    const ordered = SECURITY_HEADER_CHECKS.filter((check) => missing.includes(check));
    out.push(
      finding(
        'posture/missing-security-headers',
        anchor,
        {
          summary: `${affected} of ${judged} endpoints of ${host} answer without ${list(ordered.map((check) => HEADER_LABELS[check]))}; set them once at the gateway or framework level.`,
          requests: responses,
          sampleEventIds: samples,
          details: { missing: ordered, endpoints: affected, endpointsJudged: judged, ...details },
        },
        { hostLevel: true },
      ),
    );
  }

  const versionHeaders = new Set<string>();
  const versionSamples: string[] = [];
  let versionRequests = 0;
  let versionEndpoints = 0;
  for (const { view } of endpoints) {
    const entry = view?.tallies.get('version-disclosure');
    if (entry === undefined) continue;
    versionEndpoints++;
    versionRequests += entry.requests;
    for (const name of entry.names) versionHeaders.add(name);
    for (const id of entry.samples) if (versionSamples.length < maxSamples) versionSamples.push(id);
  }
  if (versionEndpoints > 0) {
    const headers = sorted(versionHeaders);
    out.push(
      finding(
        'posture/version-disclosure',
        anchor,
        {
          summary: `Responses of ${versionEndpoints} endpoints of ${host} name the server software and its version in ${list(headers)}; remove these headers or their version numbers.`,
          requests: versionRequests,
          sampleEventIds: versionSamples,
          details: { headers, endpoints: versionEndpoints },
        },
        { hostLevel: true },
      ),
    );
  }

  if (!hasSpec(declaredHosts, host)) {
    const seen = endpoints.filter(({ record }) => record.requests > 0);
    if (seen.length > 0) {
      const requests = seen.reduce((sum, { record }) => sum + record.requests, 0);
      const ids: string[] = [];
      for (const { record } of seen) for (const id of record.sampleEventIds) if (ids.length < maxSamples) ids.push(id);
      out.push(
        finding(
          'posture/undocumented-api',
          anchor,
          {
            summary: `${host} served ${seen.length} endpoints and ${requests} requests but no specification of it is loaded; load or write its OpenAPI description so shadow and zombie endpoints can be told apart.`,
            requests,
            sampleEventIds: ids,
            details: { endpoints: seen.length },
          },
          { hostLevel: true },
        ),
      );
    }
  }
  return out;
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Orders findings: most severe first, then by host, endpoint (host findings first) and rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareText(a.host, b.host) ||
    compareText(a.endpoint?.path ?? '', b.endpoint?.path ?? '') ||
    compareText(a.endpoint?.method ?? '', b.endpoint?.method ?? '') ||
    compareText(a.id, b.id)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The weight of a finding in a risk score. */
export function weightOf(finding: Pick<Finding, 'severity'>): number {
  return SEVERITY_WEIGHTS[finding.severity] ?? 0;
}
