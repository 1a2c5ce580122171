import type { ApiEvent } from '@palisade/core';

const SEP = '\x1f';
const QUOTE = '\x1e';
const NULL = '\\N';
const CONTROL = /[\x00-\x1f]/;

/**
 * One event as a staged CSV row (see `STAGE_CSV_COLUMNS`). Maps and samples become JSON text, which
 * never holds raw control characters; raw strings that do are quoted.
 */
export function toStageRow(e: ApiEvent): string {
  const r = e.request;
  const s = e.response;
  const c = e.client;
  const i = e.identity;
  const src = e.source;
  return (
    e.id +
    SEP +
    e.time +
    SEP +
    e.schemaVersion +
    SEP +
    str(src.kind) +
    SEP +
    str(src.name) +
    SEP +
    str(src.file) +
    SEP +
    num(src.offset) +
    SEP +
    num(src.line) +
    SEP +
    str(r.method) +
    SEP +
    str(r.scheme) +
    SEP +
    str(r.host) +
    SEP +
    str(r.path) +
    SEP +
    str(r.query) +
    SEP +
    json(r.queryParams) +
    SEP +
    json(r.headers) +
    SEP +
    json(r.body) +
    SEP +
    num(r.size) +
    SEP +
    str(r.httpVersion) +
    SEP +
    num(s?.status) +
    SEP +
    json(s?.headers) +
    SEP +
    json(s?.body) +
    SEP +
    num(s?.size) +
    SEP +
    num(e.latencyMs) +
    SEP +
    str(c.ip) +
    SEP +
    num(c.port) +
    SEP +
    str(c.peerIp) +
    SEP +
    json(c.forwardedFor) +
    SEP +
    str(c.userAgent) +
    SEP +
    json(c.tls) +
    SEP +
    str(i.authScheme) +
    SEP +
    str(i.user) +
    SEP +
    str(i.apiKey) +
    SEP +
    str(i.consumer) +
    SEP +
    str(i.session) +
    SEP +
    json(i.jwt) +
    SEP +
    json(e.entities) +
    SEP +
    json(e.upstream) +
    SEP +
    str(e.traceId) +
    SEP +
    str(e.spanId) +
    SEP +
    json(e.attributes) +
    SEP +
    json(e.protection)
  );
}

function str(value: string | undefined): string {
  if (value === undefined) return NULL;
  if (CONTROL.test(value) || value === NULL) return QUOTE + value.replaceAll(QUOTE, QUOTE + QUOTE) + QUOTE;
  return value;
}

function num(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? NULL : String(value);
}

function json(value: unknown): string {
  return value === undefined ? NULL : JSON.stringify(value);
}
