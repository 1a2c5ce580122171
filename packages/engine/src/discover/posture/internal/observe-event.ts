import type { ApiEvent } from '@palisade/core';
import { splitFieldName } from '../../sensitive/field-hints.js';
import { readCors } from './cors.js';
import { credentialValueKind, evidenceName, isCredentialParamName, isNonTrivialValue } from './credential-params.js';
import {
  addCapped,
  BURST_THRESHOLD,
  type EndpointState,
  MAX_ECHOED_ORIGINS,
  MAX_UNAUTHENTICATED_BODIES,
  MAX_UNAUTHENTICATED_PATHS,
  type SecurityHeaderCheck,
  tally,
} from './endpoint-state.js';
import { findErrorDisclosures, findVersionHeaders } from './error-disclosure.js';
import { parseJsonSample, walkJson } from './json-body.js';
import { compareBodyWithSchema } from './json-schema.js';

/** Query parameters looked at per event. */
const MAX_QUERY_PARAMS = 100;
/** Characters of a query value looked at. */
const MAX_QUERY_VALUE_CHARS = 4096;
// A value that is a URL a server could be made to fetch.
const FETCHABLE_URL = /^(?:(?:https?|ftp|gopher):\/\/|file:)/i;
// Parameters that send a browser somewhere (OAuth `redirect_uri`, `return_to`, `next`): open-redirect
// territory, not server-side fetches.
const REDIRECT_WORDS = new Set(['redirect', 'redirects', 'return', 'returnto', 'next', 'continue', 'goto', 'referer', 'referrer', 'back']);
// Response headers that say nothing about whether the source logs the others.
const MINIMAL_HEADERS = new Set(['content-type', 'content-length']);

/** Updates the state of an endpoint with one event. Looks at bounded parts of the event only; never throws on content. */
export function observeEvent(state: EndpointState, event: ApiEvent, maxSamples: number): void {
  const { request, response } = event;
  const id = event.id;
  const scheme = event.identity?.authScheme ?? 'none';
  const authenticated = scheme !== 'none';
  const status = response?.status;
  const ok = typeof status === 'number' && status >= 200 && status < 300;
  const responseHeaders = response?.headers ?? {};
  state.events++;
  if (authenticated) state.authenticated++;

  if (!authenticated && ok) {
    tally(state, 'unauthenticated-2xx', id, maxSamples);
    for (const name of Object.keys(responseHeaders)) addCapped(state.unauthenticatedHeaders, name);
    if (state.unauthenticatedBodies < MAX_UNAUTHENTICATED_BODIES && state.unauthenticatedPaths.size < MAX_UNAUTHENTICATED_PATHS) {
      const body = parseJsonSample(response?.body, responseHeaders['content-type']);
      if (body !== undefined) {
        state.unauthenticatedBodies++;
        walkJson(body.value, (path) => addCapped(state.unauthenticatedPaths, path, MAX_UNAUTHENTICATED_PATHS));
      }
    }
  }

  const params = queryParamsOf(event);
  checkQueryCredentials(state, id, params, maxSamples);

  if (scheme === 'bearer-jwt' && ok && event.identity.jwt !== undefined) {
    const alg = event.identity.jwt.alg;
    const unsigned = typeof alg !== 'string' || alg.trim() === '' || alg.trim().toLowerCase() === 'none';
    if (unsigned)
      tally(state, 'jwt-none-accepted', id, maxSamples).labels.add(typeof alg === 'string' && alg.trim() !== '' ? 'none' : 'missing');
  }

  if ((request.scheme === 'http' || request.scheme === 'ws') && authenticated && scheme !== 'mtls') {
    tally(state, 'credentials-over-http', id, maxSamples).labels.add(scheme);
  }

  if (ok) checkRequestBody(state, event, params, maxSamples);

  if (response !== undefined) {
    if (typeof status === 'number' && status >= 400 && response.body !== undefined && response.body.encoding !== 'base64') {
      const kinds = typeof response.body.text === 'string' ? findErrorDisclosures(response.body.text) : [];
      if (kinds.length > 0) {
        const entry = tally(state, 'verbose-errors', id, maxSamples);
        for (const kind of kinds) addCapped(entry.labels, kind);
        addCapped(entry.names, String(status));
      }
    }
    const versionHeaders = findVersionHeaders(responseHeaders);
    if (versionHeaders.length > 0) {
      const entry = tally(state, 'version-disclosure', id, maxSamples);
      for (const name of versionHeaders) addCapped(entry.names, name);
    }
    checkCors(state, event, maxSamples);
    if (ok) checkSecurityHeaders(state, event, authenticated, maxSamples);
  }

  if (state.burst !== undefined) {
    const client = event.client?.ip ?? event.client?.peerIp;
    if (client !== undefined && state.burst.add(client, event.time) >= BURST_THRESHOLD) tally(state, 'burst', id, maxSamples);
  }
}

/** The query as name/value pairs: the parsed params when the source has them, else the raw query (already tokenized). */
function queryParamsOf(event: ApiEvent): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const parsed = event.request.queryParams;
  if (parsed !== undefined) {
    for (const name of Object.keys(parsed)) {
      const value = parsed[name];
      for (const one of Array.isArray(value) ? value : [value]) {
        if (pairs.length >= MAX_QUERY_PARAMS) return pairs;
        if (typeof one === 'string') pairs.push([name, one.slice(0, MAX_QUERY_VALUE_CHARS)]);
      }
    }
    return pairs;
  }
  const raw = event.request.query;
  if (typeof raw !== 'string' || raw === '') return pairs;
  for (const part of raw.split('&', MAX_QUERY_PARAMS)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push([decode(eq < 0 ? part : part.slice(0, eq)), decode(eq < 0 ? '' : part.slice(eq + 1, eq + 1 + MAX_QUERY_VALUE_CHARS))]);
  }
  return pairs;
}

function decode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

function checkQueryCredentials(state: EndpointState, id: string, params: ReadonlyArray<[string, string]>, maxSamples: number): void {
  let entry: ReturnType<typeof tally> | undefined;
  for (const [name, value] of params) {
    const kind = credentialValueKind(value) ?? (isCredentialParamName(name) && isNonTrivialValue(value) ? 'name' : undefined);
    if (kind === undefined) continue;
    entry ??= tally(state, 'credentials-in-url', id, maxSamples);
    addCapped(entry.names, evidenceName(name));
    addCapped(entry.labels, kind);
  }
}

function checkRequestBody(state: EndpointState, event: ApiEvent, params: ReadonlyArray<[string, string]>, maxSamples: number): void {
  const id = event.id;
  let ssrf: ReturnType<typeof tally> | undefined;
  for (const [name, value] of params) {
    if (!isFetchableUrl(name, value)) continue;
    ssrf ??= tally(state, 'ssrf', id, maxSamples);
    addCapped(ssrf.names, evidenceName(name));
  }
  const request = event.request;
  if (request.body === undefined) return;
  const body = parseJsonSample(request.body, request.headers?.['content-type']);
  if (body === undefined) return;
  walkJson(body.value, (path, key, value) => {
    if (typeof value !== 'string' || key === undefined || !isFetchableUrl(key, value)) return;
    ssrf ??= tally(state, 'ssrf', id, maxSamples);
    addCapped(ssrf.labels, redactPath(path));
  });
  const schema = state.declared?.requestBody;
  if (schema === undefined) return;
  const comparison = compareBodyWithSchema(body.value, schema);
  if (comparison.undeclared.length === 0) return;
  const entry = tally(state, 'mass-assignment', id, maxSamples);
  for (const path of comparison.undeclared) addCapped(entry.names, redactPath(path));
  for (const path of comparison.readOnly) addCapped(entry.labels, redactPath(path));
}

function isFetchableUrl(name: string, value: string): boolean {
  if (!FETCHABLE_URL.test(value.trimStart())) return false;
  return !splitFieldName(name).some((word) => REDIRECT_WORDS.has(word));
}

/** A JSON path for evidence: member names that look like secrets or are very long are redacted. */
function redactPath(path: string): string {
  if (path.length <= 200 && !/[A-Za-z0-9_-]{16,}/.test(path)) return path;
  return path.replace(
    /\.([A-Za-z_][A-Za-z0-9_]*)|\[("(?:[^"\\]|\\.)*")\]/g,
    (whole, plain: string | undefined, quoted: string | undefined) => {
      const name = plain ?? (quoted === undefined ? '' : safeParse(quoted));
      const shown = evidenceName(name);
      return shown === name ? whole : '.<redacted>';
    },
  );
}

function safeParse(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return '<redacted>';
  }
}

function checkCors(state: EndpointState, event: ApiEvent, maxSamples: number): void {
  const responseHeaders = event.response?.headers ?? {};
  const reading = readCors(event.request.headers ?? {}, responseHeaders);
  if (reading === undefined) return;
  if (reading === 'wildcard') {
    tally(state, 'cors-wildcard', event.id, maxSamples);
    return;
  }
  const entry = tally(state, 'cors-credentials', event.id, maxSamples);
  addCapped(entry.labels, reading);
  if (reading === 'echo-with-credentials') {
    const origin = event.request.headers['origin'];
    if (origin !== undefined) addCapped(state.echoedOrigins, origin.trim().toLowerCase().slice(0, 256), MAX_ECHOED_ORIGINS);
  }
}

function checkSecurityHeaders(state: EndpointState, event: ApiEvent, authenticated: boolean, maxSamples: number): void {
  const response = event.response;
  if (response === undefined) return;
  const headers = response.headers ?? {};
  // A source that logs no response headers, or only the content type, cannot show the others missing.
  if (!Object.keys(headers).some((name) => !MINIMAL_HEADERS.has(name))) return;
  const contentType = (headers['content-type'] ?? response.body?.contentType ?? '').toLowerCase();
  if (!contentType.includes('json') && !contentType.includes('html')) return;
  const judge = (check: SecurityHeaderCheck, present: boolean) => {
    state.judged[check]++;
    if (!present) tally(state, `missing:${check}`, event.id, maxSamples);
  };
  if (event.request.scheme === 'https') judge('strict-transport-security', (headers['strict-transport-security'] ?? '').trim() !== '');
  judge('x-content-type-options', (headers['x-content-type-options'] ?? '').trim().toLowerCase() === 'nosniff');
  if (authenticated) judge('cache-control-no-store', /(?:^|[\s,])no-store(?:$|[\s,;])/i.test(headers['cache-control'] ?? ''));
}
