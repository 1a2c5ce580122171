import { createHash } from 'node:crypto';
import type { Alert, EntityRef } from '@palisade/core';
import type { Observation } from '../observation.js';
import type { Detector } from '../runner.js';

/** Settings of the API key drift detector; every one has a default. */
export interface KeyDriftOptions {
  /** History a key needs before it can drift: this long since first seen, and active on as many days (default 5 days). */
  learnMs?: number;
  /** Keys profiled at most (default 20,000; the least recently seen go first). */
  maxKeys?: number;
  /** Networks remembered per key (default 16; the least used go first). */
  networksPerKey?: number;
  /** Endpoints remembered per key (default 64, as 32-bit digests). */
  endpointsPerKey?: number;
  /** An hour of the day with less than this share of the key's history is one it is almost never active in (default 0.01). */
  rareHourShare?: number;
  /** A day's requests above this many times the key's busiest day so far is a volume drift (default 3). */
  volumeFactor?: number;
  /** Requests from the new network before an alert is raised (default 3). */
  minRequests?: number;
}

/** The rule id this detector raises. */
export const KEY_DRIFT = 'compromise/api-key-drift';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_WATCHED = 1_000;
const MAX_IPS = 10;
const MAX_NEW_ENDPOINTS = 5;
const MAX_TIMELINE = 20;
const MAX_SAMPLES = 10;

/** What the detector knows of one key: small and bounded (about 1.1 KiB of heap with every set full, measured); past `endpointsPerKey` endpoints, the others read as never called. */
interface KeyProfile {
  firstSeen: number;
  lastSeen: number;
  requests: number;
  networks: Map<string, number>;
  hours: Uint32Array;
  /** Digests of the endpoints called, the first `endpointCount` slots used. */
  endpoints: Uint32Array;
  endpointCount: number;
  day: number;
  dayRequests: number;
  maxDaily: number;
  activeDays: number;
}

/** The key's use from a network it never used, for the hour after the first request. */
interface Watch {
  first: number;
  last: number;
  requests: number;
  ips: Set<string>;
  fingerprint?: string;
  newEndpoints: Set<string>;
  rareHours: Set<number>;
  peakDay: number;
  sampleEventIds: string[];
  timeline: Alert['evidence']['timeline'];
  alert?: Alert;
}

/**
 * Creates the API key drift detector (`compromise/api-key-drift`, category `credential_compromise`): a key
 * with at least `learnMs` of history used from a network it never used, together with at least one more
 * drift within the hour: endpoints it never called, hours of the day it is almost never active in, or a
 * day's volume far above its own busiest day. A new network alone, volume alone, or a new endpoint from a
 * usual network never alerts. One alert per key and new network, updated while the use goes on; the
 * network is learned only when its hour passed without an alert.
 *
 * Profiles (networks with counts, a 24-hour histogram in UTC, endpoint digests, daily counts) are bounded
 * per key and in number. Time is the observations' time only.
 *
 * @example
 * const runner = createDetectionRunner({ scenarios, detectors: [createKeyDriftDetector()] });
 */
export function createKeyDriftDetector(options: KeyDriftOptions = {}): Detector {
  const learnMs = options.learnMs ?? 5 * DAY;
  const learnDays = Math.round(learnMs / DAY);
  const maxKeys = options.maxKeys ?? 20_000;
  const networksPerKey = options.networksPerKey ?? 16;
  const endpointsPerKey = options.endpointsPerKey ?? 64;
  const rareHourShare = options.rareHourShare ?? 0.01;
  const volumeFactor = options.volumeFactor ?? 3;
  const minRequests = options.minRequests ?? 3;

  const keys = new Map<string, KeyProfile>();
  /** Watches by `key + network`. */
  const watches = new Map<string, Watch>();

  const profileOf = (o: Observation, apiKey: string): KeyProfile => {
    let p = keys.get(apiKey);
    if (p === undefined) {
      if (keys.size >= maxKeys) keys.delete(keys.keys().next().value as string);
      p = {
        firstSeen: o.time,
        lastSeen: o.time,
        requests: 0,
        networks: new Map(),
        hours: new Uint32Array(24),
        endpoints: new Uint32Array(endpointsPerKey),
        endpointCount: 0,
        day: Math.floor(o.time / DAY),
        dayRequests: 0,
        maxDaily: 0,
        activeDays: 1,
      };
      keys.set(apiKey, p);
    }
    const day = Math.floor(o.time / DAY);
    if (day > p.day) {
      p.maxDaily = Math.max(p.maxDaily, p.dayRequests);
      p.day = day;
      p.dayRequests = 0;
      p.activeDays++;
      // touched keys move to the back: the front is the least recently seen
      keys.delete(apiKey);
      keys.set(apiKey, p);
    }
    p.dayRequests++;
    if (o.time > p.lastSeen) p.lastSeen = o.time;
    return p;
  };

  const learn = (p: KeyProfile, o: Observation, network: string | undefined): void => {
    p.requests++;
    const hour = new Date(o.time).getUTCHours();
    p.hours[hour] = (p.hours[hour] ?? 0) + 1;
    if (network !== undefined) {
      const n = p.networks.get(network);
      if (n !== undefined) p.networks.set(network, n + 1);
      else {
        if (p.networks.size >= networksPerKey) {
          let least: string | undefined;
          for (const [k, c] of p.networks) if (least === undefined || c < (p.networks.get(least) as number)) least = k;
          p.networks.delete(least as string);
        }
        p.networks.set(network, 1);
      }
    }
    const d = digest(o.endpoint);
    if (p.endpointCount < p.endpoints.length && !knows(p, d)) p.endpoints[p.endpointCount++] = d;
  };

  /** Ends watches whose hour passed: a quiet one teaches its network; an alerted one ends after an idle hour and its network stays foreign. */
  const expire = (time: number): void => {
    for (const [k, w] of watches) {
      if (w.alert !== undefined) {
        if (time - w.last > HOUR) watches.delete(k);
        continue;
      }
      if (time - w.first <= HOUR) continue;
      watches.delete(k);
      const cut = k.indexOf('\u0000');
      const p = keys.get(k.slice(0, cut));
      const network = k.slice(cut + 1);
      if (p !== undefined && !p.networks.has(network) && p.networks.size < networksPerKey) p.networks.set(network, w.requests);
    }
  };

  let lastSweep = Number.NEGATIVE_INFINITY;
  return {
    id: 'key-drift',
    ruleIds: [KEY_DRIFT],
    save: () => ({ keys, watches, lastSweep }),
    restore(saved) {
      const s = saved as { keys: Map<string, KeyProfile>; watches: Map<string, Watch>; lastSweep: number };
      for (const [k, v] of s.keys) keys.set(k, v);
      for (const [k, v] of s.watches) watches.set(k, v);
      lastSweep = s.lastSweep;
      return [...watches.values()].flatMap((w) => (w.alert === undefined ? [] : [w.alert]));
    },
    observe(o, raise) {
      const apiKey = o.apiKey;
      if (apiKey === undefined) return;
      if (o.time - lastSweep > 5 * 60_000) {
        expire(o.time);
        lastSweep = o.time;
      }
      const p = profileOf(o, apiKey);
      const network = o.network;
      const learned = o.time - p.firstSeen >= learnMs && p.activeDays >= learnDays;
      if (!learned || network === undefined || p.networks.has(network)) {
        learn(p, o, network);
        return;
      }
      const wk = `${apiKey}\u0000${network}`;
      let w = watches.get(wk);
      if (w !== undefined && o.time - w.first > HOUR && w.alert === undefined) {
        watches.delete(wk);
        w = undefined;
      }
      if (w === undefined) {
        if (watches.size >= MAX_WATCHED) watches.delete(watches.keys().next().value as string);
        w = {
          first: o.time,
          last: o.time,
          requests: 0,
          ips: new Set(),
          newEndpoints: new Set(),
          rareHours: new Set(),
          peakDay: 0,
          sampleEventIds: [],
          timeline: [],
        };
        watches.set(wk, w);
      }
      w.requests++;
      w.last = o.time;
      if (o.ip !== undefined && w.ips.size < MAX_IPS) w.ips.add(o.ip);
      if (w.fingerprint === undefined && o.fingerprint !== undefined) w.fingerprint = o.fingerprint;
      if (w.newEndpoints.size < MAX_NEW_ENDPOINTS && !knows(p, digest(o.endpoint))) w.newEndpoints.add(o.endpoint);
      const hour = new Date(o.time).getUTCHours();
      if (p.requests > 0 && (p.hours[hour] as number) / p.requests < rareHourShare) w.rareHours.add(hour);
      w.peakDay = Math.max(w.peakDay, p.dayRequests);
      const volume = p.maxDaily > 0 && p.dayRequests > volumeFactor * p.maxDaily;
      if (w.sampleEventIds.length < MAX_SAMPLES) w.sampleEventIds.push(o.id);
      const what = `${o.method} ${o.template} ${o.status ?? '-'}`;
      const last = w.timeline.at(-1);
      if (last !== undefined && (last.what === what || last.what.startsWith(`${what} ×`))) {
        const times = last.what === what ? 1 : Number(last.what.slice(what.length + 2));
        last.what = `${what} ×${times + 1}`;
      } else if (w.timeline.length < MAX_TIMELINE) w.timeline.push({ time: o.time, what, eventId: o.id });

      const signals: string[] = [];
      if (w.newEndpoints.size > 0) signals.push('new endpoints');
      if (w.rareHours.size > 0) signals.push('rare hour');
      if (volume || w.peakDay > volumeFactor * p.maxDaily) signals.push('volume');
      if (w.alert === undefined && (signals.length === 0 || w.requests < minRequests)) return;

      const alert: Alert = w.alert ?? {
        id: `drift-${createHash('sha256').update(`${KEY_DRIFT}\u0000${apiKey}\u0000${w.first}`).digest('hex').slice(0, 16)}`,
        ruleId: KEY_DRIFT,
        category: 'credential_compromise',
        severity: 'high',
        confidence: 0.6,
        entities: [],
        firstSeen: w.first,
        lastSeen: o.time,
        raisedAt: o.time,
        summary: '',
        evidence: { features: {}, baseline: {}, threshold: '', sampleEventIds: [], timeline: [] },
      };
      alert.lastSeen = Math.max(alert.lastSeen, o.time);
      alert.confidence = Math.min(0.9, 0.5 + 0.15 * signals.length);
      const entities: EntityRef[] = [{ kind: 'api_key', value: apiKey }];
      for (const ip of w.ips) entities.push({ kind: 'ip', value: ip });
      entities.push({ kind: 'network', value: network });
      if (w.fingerprint !== undefined) entities.push({ kind: 'fingerprint', value: w.fingerprint });
      alert.entities = entities;
      const share = (h: number): string => `${(((p.hours[h] as number) / Math.max(1, p.requests)) * 100).toFixed(2)} %`;
      alert.evidence = {
        features: {
          signals: ['new network', ...signals].join(', '),
          network,
          requestsFromNetwork: w.requests,
          newEndpoints: [...w.newEndpoints].join(', '),
          newEndpointCount: w.newEndpoints.size,
          rareHours: [...w.rareHours].map((h) => `${h}:00 UTC (${share(h)} of history)`).join(', '),
          dayRequests: w.peakDay,
        },
        baseline: {
          historyDays: Math.floor((w.first - p.firstSeen) / DAY),
          activeDays: p.activeDays,
          historyRequests: p.requests,
          knownNetworks: p.networks.size,
          topNetworks: [...p.networks]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([n, c]) => `${n} ×${c}`)
            .join(', '),
          knownEndpoints: p.endpointCount,
          maxDailyRequests: p.maxDaily,
        },
        threshold:
          `≥ ${Math.round(learnMs / DAY)} days of history; a network never used, and within its first hour (≥ ${minRequests} requests) at least one of: ` +
          `an endpoint never called, an hour with < ${rareHourShare * 100} % of the history, a day > ${volumeFactor} × the busiest day`,
        sampleEventIds: [...w.sampleEventIds],
        timeline: [...w.timeline],
      };
      alert.summary = `API key ${apiKey} used from new network ${network} (${[...w.ips].join(', ')}) with ${signals.join(', ')}: ${w.requests} requests`;
      if (w.alert === undefined) {
        w.alert = alert;
        raise(alert);
      }
    },
  };
}

/** Whether the key called the endpoint with this digest (a scan of at most `endpointsPerKey` numbers). */
function knows(p: KeyProfile, d: number): boolean {
  for (let i = 0; i < p.endpointCount; i++) if (p.endpoints[i] === d) return true;
  return false;
}

/** A 32-bit FNV-1a digest: endpoints kept per key as numbers, not strings. */
function digest(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
