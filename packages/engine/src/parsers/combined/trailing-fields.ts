import { isIP } from 'node:net';
import type { EventUpstream } from '@palisade/core';
import { num, secondsToMs, text, upstreamSecondsToMs } from '../internal/fields.js';
import type { Token } from './quoted-fields.js';

/** What the well-known extra fields after `"$http_user_agent"` told. */
export interface TrailingFields {
  forwardedFor?: string;
  latencyMs?: number;
  requestSize?: number;
  upstream?: EventUpstream;
  requestId?: string;
}

const INTEGER = /^\d+$/;
/** nginx `$request_time`: seconds with millisecond resolution (`0.031`). */
const NGINX_SECONDS = /^\d+\.\d{3}$/;
const TRAEFIK_DURATION = /^\d+ms$/;
const REQUEST_ID = /^[0-9a-f]{32}$/;

/**
 * Reads the extra fields some well-known layouts append after the user agent; anything else is ignored.
 *
 * Recognized: nginx's `main` layout (`"$http_x_forwarded_for"`, an address list or `-`); a bare
 * `$request_time` (`0.031`); `rt=` / `urt=` key-values (nginx docs' `upstream_time` layout); the
 * ingress-nginx `upstreaminfo` layout; Traefik's common log format tail (`<count> "<router>" "<url>" <n>ms`).
 */
export function readTrailingFields(tokens: readonly Token[], from: number): TrailingFields {
  const out: TrailingFields = {};
  let k = from;
  const first = tokens[k];
  if (first?.quoted === true) {
    if (isAddressList(first.value)) {
      out.forwardedFor = first.value;
      k++;
    } else if (first.value === '' || first.value === '-') {
      k++;
    }
  }
  if (readTraefikTail(tokens, k, out) || readIngressTail(tokens, k, out)) return out;
  const next = tokens[k];
  if (next !== undefined && !next.quoted && NGINX_SECONDS.test(next.value)) out.latencyMs = secondsToMs(next.value);
  readKeyValues(tokens, k, out);
  return out;
}

/** True for `203.0.113.7` or `203.0.113.7, 2001:db8::1` (every element an IP address). */
export function isAddressList(value: string): boolean {
  if (value === '') return false;
  for (const part of value.split(',')) {
    if (isIP(part.trim()) === 0) return false;
  }
  return true;
}

function readTraefikTail(tokens: readonly Token[], k: number, out: TrailingFields): boolean {
  const [count, router, url, duration] = [tokens[k], tokens[k + 1], tokens[k + 2], tokens[k + 3]];
  if (count === undefined || router === undefined || url === undefined || duration === undefined) return false;
  if (count.quoted || !INTEGER.test(count.value) || !router.quoted || !url.quoted) return false;
  if (duration.quoted || !TRAEFIK_DURATION.test(duration.value)) return false;
  out.latencyMs = Number(duration.value.slice(0, -2));
  const route = text(router.value);
  const address = text(url.value);
  if (route !== undefined || address !== undefined) out.upstream = { route, address };
  return true;
}

function readIngressTail(tokens: readonly Token[], k: number, out: TrailingFields): boolean {
  const [length, time, upstreamName, alternativeName] = [tokens[k], tokens[k + 1], tokens[k + 2], tokens[k + 3]];
  if (length === undefined || time === undefined || upstreamName === undefined || alternativeName === undefined) {
    return false;
  }
  if (length.quoted || !INTEGER.test(length.value) || time.quoted || !NGINX_SECONDS.test(time.value)) return false;
  if (!isBracketed(upstreamName) || !isBracketed(alternativeName)) return false;
  out.requestSize = num(length.value);
  out.latencyMs = secondsToMs(time.value);
  let end = tokens.length;
  const last = tokens[end - 1];
  if (end > k + 4 && last !== undefined && REQUEST_ID.test(last.value)) {
    out.requestId = last.value;
    end--;
  }
  // $upstream_addr, $upstream_response_length, $upstream_response_time, $upstream_status; each may be a
  // ", "-separated list when nginx tried several upstreams.
  const groups: string[] = [];
  for (let i = k + 4; i < end; i++) {
    const value = (tokens[i] as Token).value;
    const previous = groups.length > 0 ? (groups[groups.length - 1] as string) : undefined;
    if (previous?.endsWith(',')) groups[groups.length - 1] = `${previous} ${value}`;
    else groups.push(value);
  }
  const service = text(alternativeName.value.slice(1, -1)) ?? text(upstreamName.value.slice(1, -1));
  const upstream: EventUpstream = { service };
  if (groups.length === 4) {
    upstream.address = text(groups[0]);
    upstream.latencyMs = upstreamSecondsToMs(groups[2]);
  }
  out.upstream = upstream;
  return true;
}

function readKeyValues(tokens: readonly Token[], k: number, out: TrailingFields): void {
  for (let i = k; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.quoted) continue;
    const eq = token.value.indexOf('=');
    if (eq <= 0) continue;
    const key = token.value.slice(0, eq);
    let value = token.value.slice(eq + 1);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (key === 'rt' || key === 'request_time') out.latencyMs ??= secondsToMs(value);
    else if (key === 'urt' || key === 'upstream_response_time') {
      const latencyMs = upstreamSecondsToMs(value);
      if (latencyMs !== undefined) out.upstream = { ...out.upstream, latencyMs };
    }
  }
}

function isBracketed(token: Token): boolean {
  return !token.quoted && token.value.length >= 2 && token.value.startsWith('[') && token.value.endsWith(']');
}
