import { createHash } from 'node:crypto';
import type { Alert, EntityRef } from '@palisade/core';
import type { Observation } from '../observation.js';
import type { Detector } from '../runner.js';

/** Settings of the account takeover detector; every one has a default. */
export interface AccountTakeoverOptions {
  /** How long a source of credential stuffing stays hostile after its alert's last sighting (default 24 h). */
  hostileForMs?: number;
  /** Hostile sources (ips and fingerprints) remembered at most (default 10,000; the oldest go first). */
  maxHostile?: number;
  /** User profiles kept at most (default 200,000; the least recently seen go first). */
  maxUsers?: number;
  /** Networks remembered per user (default 16; the least recently used goes first). */
  networksPerUser?: number;
  /** Client fingerprints remembered per user (default 8). */
  fingerprintsPerUser?: number;
  /**
   * How far back a credential stuffing alert reaches: authenticated use of its sources since its first
   * sighting minus this is examined when it arrives (default 15 min; a stuffing rule raises after the fact).
   */
  lookbackMs?: number;
  /** Recent authenticated requests on a new network or client kept for that look-back, at most (default 20,000). */
  maxRecent?: number;
  /** Failed logins for one user name from one source before a success that counts as a guessed password (default 5). */
  failedLogins?: number;
  /** How long a success after failed logins keeps its source suspect (default 10 min). */
  guessedForMs?: number;
  /** An alert with nothing new for this long is closed: a later use opens a new one (default 1 h). */
  idleMs?: number;
  /** Open alerts at most (default 1,000). */
  maxOpen?: number;
}

/** The rule ids this detector raises. */
export const ATO_AFTER_STUFFING = 'ato/login-after-stuffing';
export const ATO_AFTER_FAILURES = 'ato/login-after-failures';

const HOUR = 3_600_000;
const MAX_TIMELINE = 20;
const MAX_SAMPLES = 10;
const MAX_IPS = 10;
const MAX_BUSINESS = 20;
const MAX_OBJECTS = 1_000;
const MAX_LOGIN_SOURCES = 50_000;

/** Why a source is hostile. */
interface Hostility {
  ruleId: typeof ATO_AFTER_STUFFING | typeof ATO_AFTER_FAILURES;
  /** The alert or login that made it hostile, for the evidence. */
  because: string;
  from: number;
  until: number;
  /** A guessed login's source: only that client fingerprint counts. */
  fingerprint?: string;
}

/** What the detector knows of one user: when first seen, and the networks and clients used (small, bounded). */
interface UserProfile {
  firstSeen: number;
  lastSeen: number;
  networks: Map<string, number>;
  fingerprints: Map<string, number>;
  /** When a network or client was last new for the user. */
  newSince: number;
}

/** One authenticated request on a network or client new for its user, kept for a stuffing alert's look-back. */
interface Recent {
  o: Observation;
  newNetwork: boolean;
  newFingerprint: boolean;
  /** The user took up a new network or client within the look-back. */
  fresh: boolean;
  knownNetworks: number;
  userFirstSeen: number;
}

/** An alert being built: the `Alert` raised and the counters behind its evidence. */
interface Open {
  alert: Alert;
  lastActivity: number;
  requests: number;
  bytes: number;
  objects: Set<string>;
  ips: Set<string>;
  business: Set<string>;
  latest: string[];
}

/**
 * Creates the account takeover detector: an account used from a source that was just attacking logins.
 *
 * - `ato/login-after-stuffing`: a `credential_stuffing` alert (from any rule) makes its `ip` and `fingerprint`
 *   entities hostile for `hostileForMs`. A user's authenticated request from a hostile ip on a network or
 *   client the user never used, or with a hostile fingerprint from a network and client the user never used,
 *   raises one alert per user and source. Requests of the look-back before the stuffing alert count too.
 * - `ato/login-after-failures`: a successful login after `failedLogins` failures for the same user name from
 *   the same ip makes that ip and client suspect for `guessedForMs`; a user who then acts from it on a network
 *   and client the user never used raises.
 *
 * The alert names the user first, then the ips, the fingerprint and the business entities seen; it is updated
 * (`lastSeen`, evidence) while the use goes on. State is bounded by the options' caps; per user a profile of at
 * most `networksPerUser` networks and `fingerprintsPerUser` clients. Time is the observations' time only.
 *
 * @example
 * const runner = createDetectionRunner({ scenarios, detectors: [createAccountTakeoverDetector()] });
 */
export function createAccountTakeoverDetector(options: AccountTakeoverOptions = {}): Detector {
  const hostileForMs = options.hostileForMs ?? 24 * HOUR;
  const maxHostile = options.maxHostile ?? 10_000;
  const maxUsers = options.maxUsers ?? 200_000;
  const networksPerUser = options.networksPerUser ?? 16;
  const fingerprintsPerUser = options.fingerprintsPerUser ?? 8;
  const lookbackMs = options.lookbackMs ?? 15 * 60_000;
  const maxRecent = options.maxRecent ?? 20_000;
  const failedLogins = options.failedLogins ?? 5;
  const guessedForMs = options.guessedForMs ?? 10 * 60_000;
  const idleMs = options.idleMs ?? HOUR;
  const maxOpen = options.maxOpen ?? 1_000;

  const hostileIps = new Map<string, Hostility>();
  const hostileFingerprints = new Map<string, Hostility>();
  const users = new Map<string, UserProfile>();
  const recent: Recent[] = [];
  let recentHead = 0;
  const open = new Map<string, Open>();
  /** Failed logins per `ip + user name digest`: count and last time. */
  const loginFailures = new Map<string, { failed: number; last: number }>();
  let pendingAlerts: Alert[] = [];
  let now = Number.NEGATIVE_INFINITY;

  const remember = <V>(map: Map<string, V>, key: string, value: V, cap: number): void => {
    map.delete(key);
    if (map.size >= cap) map.delete(map.keys().next().value as string);
    map.set(key, value);
  };
  /**
   * Records that a user used `key` at `time`, forgetting the least recently used past `cap`. Updates a known
   * key in place (no delete and set per request: that made the user's small map reallocate every few requests).
   */
  const touch = (map: Map<string, number>, key: string, time: number, cap: number): void => {
    const last = map.get(key);
    if (last === undefined && map.size >= cap) {
      let oldest: string | undefined;
      let min = Number.POSITIVE_INFINITY;
      for (const [k, t] of map) {
        if (t < min) {
          min = t;
          oldest = k;
        }
      }
      map.delete(oldest as string);
    }
    if (last === undefined || time > last) map.set(key, time);
  };
  const hostileAt = (map: Map<string, Hostility>, key: string | undefined, time: number): Hostility | undefined => {
    if (key === undefined) return undefined;
    const h = map.get(key);
    if (h === undefined) return undefined;
    if (time > h.until) {
      map.delete(key);
      return undefined;
    }
    return time >= h.from ? h : undefined;
  };

  /** The hostility a request matches, and the key of its alert, if it qualifies (or continues an alert). */
  const match = (r: Recent): { hostility: Hostility; key: string } | undefined => {
    const { o } = r;
    const user = o.user as string;
    const byIp = hostileAt(hostileIps, o.ip, o.time);
    if (byIp !== undefined && (byIp.fingerprint === undefined || byIp.fingerprint === o.fingerprint)) {
      const key = `${byIp.ruleId}\u0000${user}\u0000ip:${o.ip}`;
      if (open.has(key)) return { hostility: byIp, key };
      const qualifies = byIp.ruleId === ATO_AFTER_STUFFING ? r.newNetwork || r.newFingerprint : r.newNetwork && r.newFingerprint;
      if (qualifies) return { hostility: byIp, key };
    }
    const byFingerprint = hostileAt(hostileFingerprints, o.fingerprint, o.time);
    if (byFingerprint !== undefined) {
      const key = `${byFingerprint.ruleId}\u0000${user}\u0000fp:${o.fingerprint}`;
      if (open.has(key) || (r.newNetwork && r.newFingerprint)) return { hostility: byFingerprint, key };
    }
    return undefined;
  };

  const record = (r: Recent, hostility: Hostility, key: string): void => {
    const { o } = r;
    let state = open.get(key);
    if (state === undefined) {
      if (open.size >= maxOpen) open.delete(open.keys().next().value as string);
      const user = o.user as string;
      const alert: Alert = {
        id: `ato-${createHash('sha256').update(`${hostility.ruleId}\u0000${user}\u0000${o.time}`).digest('hex').slice(0, 16)}`,
        ruleId: hostility.ruleId,
        category: 'account_takeover',
        severity: 'high',
        confidence: hostility.ruleId === ATO_AFTER_STUFFING ? (hostileAt(hostileIps, o.ip, o.time) !== undefined ? 0.85 : 0.7) : 0.6,
        entities: [{ kind: 'user', value: user }],
        firstSeen: o.time,
        lastSeen: o.time,
        raisedAt: o.time,
        summary: '',
        evidence: {
          features: {},
          baseline: {
            knownNetworks: r.knownNetworks,
            userFirstSeen: new Date(r.userFirstSeen).toISOString(),
            networkNewForUser: r.newNetwork ? 'yes' : 'no',
            clientNewForUser: r.newFingerprint ? 'yes' : 'no',
          },
          threshold:
            hostility.ruleId === ATO_AFTER_STUFFING
              ? 'authenticated use from an ip of a credential stuffing alert on a network or client new for the user, ' +
                'or with its fingerprint from a network and client new for the user, within 24 h'
              : `authenticated use, on a network and client new for the user, from the ip and client of a successful login after ≥ ${failedLogins} failures for one user name`,
          sampleEventIds: [],
          timeline: [],
        },
      };
      state = { alert, lastActivity: o.time, requests: 0, bytes: 0, objects: new Set(), ips: new Set(), business: new Set(), latest: [] };
      open.set(key, state);
      pendingAlerts.push(alert);
      state.alert.evidence.features.hostileBecause = hostility.because;
    }
    update(state, o);
  };

  const update = (state: Open, o: Observation): void => {
    const { alert } = state;
    state.requests++;
    state.bytes += o.bytesOut ?? 0;
    state.lastActivity = o.time;
    if (o.time > alert.lastSeen) alert.lastSeen = o.time;
    if (state.objects.size < MAX_OBJECTS) for (const id of o.objectIds) state.objects.add(`${o.template}\u0000${id}`);
    if (o.ip !== undefined && state.ips.size < MAX_IPS) state.ips.add(o.ip);
    for (const [kind, value] of Object.entries(o.entities)) {
      if (state.business.size < MAX_BUSINESS) state.business.add(`${kind}\u0000${value}`);
    }
    const entities: EntityRef[] = [alert.entities[0] as EntityRef];
    for (const ip of state.ips) entities.push({ kind: 'ip', value: ip });
    const fingerprint =
      alert.entities.find((e) => e.kind === 'fingerprint') ??
      (o.fingerprint === undefined ? undefined : { kind: 'fingerprint', value: o.fingerprint });
    if (fingerprint !== undefined) entities.push(fingerprint);
    for (const b of state.business) {
      const cut = b.indexOf('\u0000');
      entities.push({ kind: b.slice(0, cut), value: b.slice(cut + 1) });
    }
    alert.entities = entities;
    const { evidence } = alert;
    evidence.features.requests = state.requests;
    evidence.features.distinctObjects = state.objects.size;
    evidence.features.bytesOut = state.bytes;
    if (evidence.sampleEventIds.length < MAX_SAMPLES / 2) evidence.sampleEventIds.push(o.id);
    else {
      state.latest.push(o.id);
      if (state.latest.length > MAX_SAMPLES / 2) state.latest.shift();
      evidence.sampleEventIds = [...evidence.sampleEventIds.slice(0, MAX_SAMPLES / 2), ...state.latest];
    }
    const what = `${o.method} ${o.template} ${o.status ?? '-'}`;
    const last = evidence.timeline.at(-1);
    if (last !== undefined && (last.what === what || last.what.startsWith(`${what} ×`))) {
      const times = last.what === what ? 1 : Number(last.what.slice(what.length + 2));
      last.what = `${what} ×${times + 1}`;
    } else if (evidence.timeline.length < MAX_TIMELINE) evidence.timeline.push({ time: o.time, what, eventId: o.id });
    alert.summary =
      `user ${alert.entities[0]?.value} used from ${[...state.ips].join(', ')} ` +
      `(${alert.ruleId === ATO_AFTER_STUFFING ? 'a credential stuffing source' : 'the source of a guessed login'}): ` +
      `${state.requests} requests, ${state.objects.size} objects, ${state.bytes} bytes`;
  };

  /** The user's profile before this request, then the request learned into it (unless it comes from a hostile source). */
  const profile = (o: Observation, learn: boolean): Recent => {
    const user = o.user as string;
    let p = users.get(user);
    if (p === undefined) {
      p = { firstSeen: o.time, lastSeen: o.time, networks: new Map(), fingerprints: new Map(), newSince: Number.NEGATIVE_INFINITY };
      remember(users, user, p, maxUsers);
    } else if (o.time - p.lastSeen > HOUR) remember(users, user, p, maxUsers);
    const newNetwork = o.network !== undefined && !p.networks.has(o.network);
    const newFingerprint = o.fingerprint !== undefined && !p.fingerprints.has(o.fingerprint);
    if (newNetwork || newFingerprint) p.newSince = o.time;
    const r: Recent = {
      o,
      newNetwork,
      newFingerprint,
      fresh: o.time - p.newSince <= lookbackMs,
      knownNetworks: p.networks.size,
      userFirstSeen: p.firstSeen,
    };
    p.lastSeen = Math.max(p.lastSeen, o.time);
    if (learn) {
      if (o.network !== undefined) touch(p.networks, o.network, o.time, networksPerUser);
      if (o.fingerprint !== undefined) touch(p.fingerprints, o.fingerprint, o.time, fingerprintsPerUser);
    }
    return r;
  };

  const keepRecent = (r: Recent): void => {
    if (recent.length < maxRecent) recent.push(r);
    else {
      recent[recentHead] = r;
      recentHead = (recentHead + 1) % maxRecent;
    }
  };

  const closeIdle = (time: number): void => {
    for (const [key, state] of open) if (time - state.lastActivity > idleMs) open.delete(key);
  };

  const watchLogins = (o: Observation): void => {
    if (o.login === undefined || o.ip === undefined) return;
    const key = `${o.ip}\u0000${o.login.username}`;
    const seen = loginFailures.get(key);
    const current = seen !== undefined && o.time - seen.last <= HOUR ? seen : undefined;
    if (!o.login.ok) {
      remember(loginFailures, key, { failed: (current?.failed ?? 0) + 1, last: o.time }, MAX_LOGIN_SOURCES);
      return;
    }
    loginFailures.delete(key);
    if (current === undefined || current.failed < failedLogins) return;
    // a stuffing source stays hostile for its own, longer reason
    if (hostileAt(hostileIps, o.ip, o.time)?.ruleId === ATO_AFTER_STUFFING) return;
    const hostility: Hostility = {
      ruleId: ATO_AFTER_FAILURES,
      because: `login succeeded after ${current.failed} failures for one user name`,
      from: o.time,
      until: o.time + guessedForMs,
    };
    if (o.fingerprint !== undefined) hostility.fingerprint = o.fingerprint;
    remember(hostileIps, o.ip, hostility, maxHostile);
  };

  const flush = (raise: (alert: Alert) => void): void => {
    if (pendingAlerts.length === 0) return;
    const raising = pendingAlerts;
    pendingAlerts = [];
    for (const alert of raising) raise(alert);
  };

  let lastSweep = Number.NEGATIVE_INFINITY;
  return {
    id: 'ato',
    ruleIds: [ATO_AFTER_STUFFING, ATO_AFTER_FAILURES],
    save: () => ({ hostileIps, hostileFingerprints, users, recent, recentHead, open, loginFailures, pendingAlerts, now, lastSweep }),
    restore(saved) {
      const s = saved as {
        hostileIps: Map<string, Hostility>;
        hostileFingerprints: Map<string, Hostility>;
        users: Map<string, UserProfile>;
        recent: Recent[];
        recentHead: number;
        open: Map<string, Open>;
        loginFailures: Map<string, { failed: number; last: number }>;
        pendingAlerts: Alert[];
        now: number;
        lastSweep: number;
      };
      for (const [from, to] of [
        [s.hostileIps, hostileIps],
        [s.hostileFingerprints, hostileFingerprints],
        [s.users, users],
        [s.open, open],
        [s.loginFailures, loginFailures],
      ] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
        for (const [k, v] of from) to.set(k, v);
      }
      for (const r of s.recent) recent.push(r);
      recentHead = s.recentHead;
      pendingAlerts = s.pendingAlerts;
      now = s.now;
      lastSweep = s.lastSweep;
      // alerts still pending are raised at the next observation, as they would have been
      return [...open.values()].map((state) => state.alert).filter((alert) => !pendingAlerts.includes(alert));
    },
    observe(o, raise) {
      if (o.time > now) now = o.time;
      if (now - lastSweep > 10 * 60_000) {
        closeIdle(now);
        lastSweep = now;
      }
      watchLogins(o);
      if (o.user !== undefined) {
        const hostile =
          hostileAt(hostileIps, o.ip, o.time) !== undefined || hostileAt(hostileFingerprints, o.fingerprint, o.time) !== undefined;
        const r = profile(o, !hostile);
        const matched = hostile ? match(r) : undefined;
        if (matched !== undefined) record(r, matched.hostility, matched.key);
        else if (r.fresh) keepRecent(r);
      }
      flush(raise);
    },
    onAlert(alert) {
      if (alert.category !== 'credential_stuffing') return;
      const from = alert.firstSeen - lookbackMs;
      const until = Math.max(alert.lastSeen, alert.raisedAt, now) + hostileForMs;
      const because = `${alert.ruleId} alert ${alert.id}`;
      const added: Array<[Map<string, Hostility>, string]> = [];
      for (const e of alert.entities) {
        const map = e.kind === 'ip' ? hostileIps : e.kind === 'fingerprint' ? hostileFingerprints : undefined;
        if (map === undefined) continue;
        const before = map.get(e.value);
        if (before?.ruleId === ATO_AFTER_STUFFING && before.from <= from && before.until >= until) continue;
        remember(map, e.value, { ruleId: ATO_AFTER_STUFFING, because, from: Math.min(from, before?.from ?? from), until }, maxHostile);
        added.push([map, e.value]);
      }
      if (added.length === 0) return;
      // what the sources did before the alert came: the oldest kept request first
      const ordered = recent.length < maxRecent ? recent : [...recent.slice(recentHead), ...recent.slice(0, recentHead)];
      for (const r of ordered) {
        if (r.o.time < from) continue;
        if (!added.some(([map, value]) => map.get(value) !== undefined && (r.o.ip === value || r.o.fingerprint === value))) continue;
        const matched = match(r);
        if (matched !== undefined) record(r, matched.hostility, matched.key);
      }
    },
    finish(raise) {
      flush(raise);
    },
  };
}
