import { createHash } from 'node:crypto';
import type { ActorLink, Alert, EntityRef, TimelineEntry } from '@palisade/core';
import type { Observation } from './observation.js';
import { fieldReader, type Scenario } from './scenario.js';
import { createWindow, type GroupWindow, restoreWindow, type SavedWindow, type WindowStep } from './windows.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Days of daily values a group keeps for its own baseline. */
const HISTORY_DAYS = 30;
/** Entities of each kind an alert names besides its group (addresses behind a fingerprint…). */
const MAX_CO_ENTITIES = 50;
const SAMPLES = 5;
const MAX_TIMELINE = 40;
const TIMELINE_BUCKET = 10 * 60_000;

/** An alert being raised: updated while its group stays active. */
interface ActiveAlert {
  alert: Alert;
  entities: Map<string, EntityRef>;
  coCounts: Map<string, number>;
  /** Per other entity (`kind\0value`), its link to the acting entity, counted as requests show it. */
  links?: Map<string, ActorLink>;
  timeline: Map<string, TimelineEntry & { count: number }>;
  latest: string[];
  peak: Record<string, number>;
}

/** The history of every group that has kept no day yet (shared, never written). */
const NO_HISTORY: number[] = [];

/** The window and the history of one group (one entity, or one entity on one endpoint). */
class Group {
  window: GroupWindow;
  day = -1;
  dayMax = 0;
  /** [day, value] of previous days whose value could matter to a baseline, oldest first. */
  history: number[] = NO_HISTORY;
  active: ActiveAlert | undefined;
  quietUntil = 0;
  lastTime = 0;
  /** The hour at which the sweep looks at the group next (-1: not scheduled). */
  checkAt = -1;

  constructor(
    readonly kind: string,
    readonly value: string,
    readonly endpoint: string | undefined,
    windowMs: number,
    /** The map holding the group, under `endpoint` when kept per endpoint, else under `value`. */
    readonly home: Map<string, Group | Map<string, Group>>,
    /** For a group kept per endpoint: the map holding its value's endpoint map (dropped from it once empty). */
    readonly outer?: Map<string, Group | Map<string, Group>>,
  ) {
    this.window = createWindow(windowMs);
  }
}

/** One group as plain data: where it lives (group-by item and alternative), its window, history and open alert. */
interface SavedGroup {
  item: number;
  alternative: number;
  value: string;
  endpoint: string | undefined;
  day: number;
  dayMax: number;
  history: number[];
  window: SavedWindow;
  active: ActiveAlert | undefined;
  quietUntil: number;
  lastTime: number;
}

/** A scenario's state as plain data ({@link ScenarioState.save}). */
export interface SavedScenario {
  hour: number;
  groups: SavedGroup[];
  /** Per endpoint (or '' for one population): per day, log bucket → groups. */
  populations: Map<string, Map<number, Map<number, number>>>;
}

/**
 * The groups' daily values over the last 30 days, as log-bucket histograms (10 % wide) kept per day: the
 * population baseline. Older days fall out, so the yardstick follows the traffic.
 */
class Population {
  readonly #days: Map<number, Map<number, number>>;

  constructor(days = new Map<number, Map<number, number>>()) {
    this.#days = days;
  }

  /** Per day, log bucket → groups (shared with the population: serialise it before the population moves on). */
  get days(): Map<number, Map<number, number>> {
    return this.#days;
  }

  add(value: number, day: number): void {
    if (value <= 0) return;
    let counts = this.#days.get(day);
    if (counts === undefined) {
      counts = new Map();
      this.#days.set(day, counts);
      for (const d of this.#days.keys()) if (d < day - HISTORY_DAYS) this.#days.delete(d);
    }
    const bucket = bucketOf(value);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }

  /** Days with values within the 30 days before `day`. */
  daysBefore(day: number): number {
    let n = 0;
    for (const d of this.#days.keys()) if (d < day && d >= day - HISTORY_DAYS) n++;
    return n;
  }

  /**
   * The q-quantile (upper edge of its bucket) of the 30 days before `day`, of everyone else: `own` are the
   * values the judged group added itself, left out so that a group growing day after day never becomes its
   * own yardstick. 0 when empty.
   */
  quantile(q: number, day: number, own: readonly number[] = []): number {
    const merged = new Map<number, number>();
    for (const [d, counts] of this.#days) {
      if (d >= day || d < day - HISTORY_DAYS) continue;
      for (const [bucket, n] of counts) merged.set(bucket, (merged.get(bucket) ?? 0) + n);
    }
    for (const v of own) {
      if (v <= 0) continue;
      const bucket = bucketOf(v);
      const n = merged.get(bucket);
      if (n !== undefined) merged.set(bucket, n - 1);
    }
    let total = 0;
    for (const n of merged.values()) total += n;
    if (total <= 0) return 0;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const bucket of [...merged.keys()].sort((a, b) => a - b)) {
      seen += merged.get(bucket) ?? 0;
      if (seen >= rank) return Math.round(1.1 ** (bucket + 1) * 100) / 100;
    }
    return 0;
  }
}

function bucketOf(value: number): number {
  return Math.floor(Math.log(value) / Math.log(1.1));
}

/** Receives alerts as they are raised (`raised`), and once more when they end (`ended`). */
export type AlertListener = (alert: Alert, phase: 'raised' | 'ended') => void;

/**
 * The running state of one scenario: its groups' windows and histories and its population baseline.
 * Feed observations in time order; `advance(now)` moves the clock between them (sweeps, ended alerts).
 */
export class ScenarioState {
  readonly #scenario: Scenario;
  /** Per group-by item, its alternatives (`user|session`: the first present), each with its groups by value (and endpoint). */
  readonly #readers: Array<
    Array<{ kind: string; read: (o: Observation) => string | undefined; groups: Map<string, Group | Map<string, Group>> }>
  >;
  /** Every group's daily values; one population per endpoint when the scenario keeps groups per endpoint. */
  readonly #populations = new Map<string, Population>();
  readonly #primary: 'distinct' | 'count' | 'bytes';
  readonly #listener: AlertListener;
  /** The primary threshold's floor, the baseline factor and kind: what decides whether a day's value is kept. */
  readonly #floor: number;
  readonly #factor: number;
  readonly #baselineOf: 'entity' | 'population' | undefined;
  /** Groups with an alert open: the only ones the sweeps between day changes look at. */
  readonly #alerting = new Set<Group>();
  #hour = -1;
  /** Groups booked for a sweep, by hour. */
  readonly #wheel = new Map<number, Group[]>();

  constructor(scenario: Scenario, listener: AlertListener) {
    this.#scenario = scenario;
    this.#readers = scenario.groupBy.map((item) => item.split('|').map((kind) => ({ kind, read: fieldReader(kind), groups: new Map() })));
    const t = scenario.threshold;
    this.#primary = t.distinct !== undefined ? 'distinct' : t.count !== undefined ? 'count' : 'bytes';
    this.#floor = (this.#primary === 'distinct' ? t.distinct : this.#primary === 'count' ? t.count : t.bytes) ?? 0;
    this.#factor = t.baseline?.factor ?? 0;
    this.#baselineOf = t.baseline?.of;
    this.#listener = listener;
  }

  get scenario(): Scenario {
    return this.#scenario;
  }

  /** Every group. */
  *#allGroups(): Generator<Group, void, undefined> {
    for (const alternatives of this.#readers) {
      for (const { groups } of alternatives) {
        for (const entry of groups.values()) {
          if (entry instanceof Group) yield entry;
          else yield* entry.values();
        }
      }
    }
  }

  /**
   * Books the group for the sweep of the hour after its window empties, or of the next midnight if that comes
   * first (its day's value then goes to the baselines). Only groups booked for an hour are looked at then.
   */
  #schedule(group: Group, day: number): void {
    const due = Math.min(Math.floor((group.lastTime + this.#scenario.windowMs) / HOUR) + 1, ((day + 1) * DAY) / HOUR);
    if (group.checkAt === due) return;
    group.checkAt = due;
    const list = this.#wheel.get(due);
    if (list === undefined) this.#wheel.set(due, [group]);
    else list.push(group);
  }

  /** Sweeps the groups booked for the hours up to `hour`: expires, closes days, forgets the idle. */
  #sweep(hour: number, now: number): void {
    const day = Math.floor(now / DAY);
    for (const [due, list] of this.#wheel) {
      if (due > hour) continue;
      this.#wheel.delete(due);
      for (const group of list) {
        if (group.checkAt !== due) continue;
        group.checkAt = -1;
        this.#expire(group, now);
        if (group.day !== day) this.#closeDay(group, day);
        if (group.window.count === 0 && group.active === undefined && now >= group.quietUntil) {
          // idle before its day ended: the day's value goes to the baselines now, not lost with the group (should
          // the group come back the same day, that day is kept again with what comes after: a baseline takes the max)
          if (group.dayMax > 0 && this.#baselineOf !== undefined) {
            this.#keepDay(group);
            group.dayMax = 0;
          }
          if (group.history.length === 0) this.#forget(group);
        } else if (group.window.count > 0) this.#schedule(group, day);
      }
    }
  }

  #forget(group: Group): void {
    if (group.outer === undefined) {
      group.home.delete(group.value);
      return;
    }
    group.home.delete(group.endpoint as string);
    if (group.home.size === 0) group.outer.delete(group.value);
  }

  observe(o: Observation): void {
    const s = this.#scenario;
    if (!s.filter(o)) return;
    for (const alternatives of this.#readers) {
      for (const { kind, read, groups } of alternatives) {
        const value = read(o);
        if (value === undefined) continue;
        this.#add(this.#groupOf(kind, groups, value, s.perEndpoint ? o.endpoint : undefined), o);
        break;
      }
    }
  }

  /** The group of `value` (on `endpoint` when groups are kept per endpoint), created when new. */
  #groupOf(kind: string, groups: Map<string, Group | Map<string, Group>>, value: string, endpoint: string | undefined): Group {
    const windowMs = this.#scenario.windowMs;
    if (endpoint !== undefined) {
      let byEndpoint = groups.get(value) as Map<string, Group> | undefined;
      if (byEndpoint === undefined) {
        byEndpoint = new Map();
        groups.set(value, byEndpoint);
      }
      let group = byEndpoint.get(endpoint);
      if (group === undefined) {
        group = new Group(kind, value, endpoint, windowMs, byEndpoint as Map<string, Group | Map<string, Group>>, groups);
        byEndpoint.set(endpoint, group);
      }
      return group;
    }
    let group = groups.get(value) as Group | undefined;
    if (group === undefined) {
      group = new Group(kind, value, undefined, windowMs, groups);
      groups.set(value, group);
    }
    return group;
  }

  /**
   * The state as plain data — windows, histories, open alerts, populations — for a saved detection state.
   * It shares the live state: serialise it at once.
   */
  save(): SavedScenario {
    const groups: SavedGroup[] = [];
    this.#readers.forEach((alternatives, item) => {
      alternatives.forEach(({ groups: byValue }, alternative) => {
        const keep = (g: Group): void => {
          groups.push({
            item,
            alternative,
            value: g.value,
            endpoint: g.endpoint,
            day: g.day,
            dayMax: g.dayMax,
            history: g.history,
            window: g.window.save(),
            active: g.active,
            quietUntil: g.quietUntil,
            lastTime: g.lastTime,
          });
        };
        for (const entry of byValue.values()) {
          if (entry instanceof Group) keep(entry);
          else for (const g of entry.values()) keep(g);
        }
      });
    });
    const populations = new Map<string, Map<number, Map<number, number>>>();
    for (const [endpoint, population] of this.#populations) populations.set(endpoint, population.days);
    return { hour: this.#hour, groups, populations };
  }

  /**
   * Takes back a state {@link save} gave (into a fresh state of the same scenario). Returns the alerts that
   * were open: they go on being updated, and end, as if there had been no restart.
   */
  restore(saved: SavedScenario): Alert[] {
    this.#hour = saved.hour;
    for (const [endpoint, days] of saved.populations) this.#populations.set(endpoint, new Population(days));
    const open: Alert[] = [];
    for (const g of saved.groups) {
      const reader = this.#readers[g.item]?.[g.alternative];
      if (reader === undefined) continue;
      const group = this.#groupOf(reader.kind, reader.groups, g.value, g.endpoint);
      const window = restoreWindow(this.#scenario.windowMs, g.window);
      if (window !== undefined) group.window = window;
      group.day = g.day;
      group.dayMax = g.dayMax;
      group.history = g.history.length === 0 ? NO_HISTORY : g.history;
      group.active = g.active;
      group.quietUntil = g.quietUntil;
      group.lastTime = g.lastTime;
      if (group.active !== undefined) {
        this.#alerting.add(group);
        open.push(group.active.alert);
      }
      if (group.window.count > 0) this.#schedule(group, group.day);
    }
    return open;
  }

  #add(group: Group, o: Observation): void {
    const s = this.#scenario;
    const t = s.threshold;
    const day = Math.floor(o.time / DAY);
    if (day !== group.day) this.#closeDay(group, day);
    this.#expire(group, o.time);
    group.window.add(o, s.distinct?.(o), t.spread?.read(o), t.ratio?.filter(o) ?? false);
    group.lastTime = o.time;
    this.#schedule(group, day);

    const value = this.#value(group);
    if (value > group.dayMax) group.dayMax = value;
    if (group.active !== undefined) {
      this.#update(group, o);
      return;
    }
    if (o.time < group.quietUntil) return;
    const baseline = this.#crosses(group, value, day);
    if (baseline !== false) this.#raise(group, value, baseline, o);
  }

  #value(group: Group): number {
    const w = group.window;
    return this.#primary === 'distinct' ? w.distinct : this.#primary === 'count' ? w.count : w.bytes;
  }

  /** `false` when the group is below a threshold; else the baseline it was compared with (`undefined`: none). */
  #crosses(group: Group, value: number, day: number): number | undefined | false {
    const t = this.#scenario.threshold;
    const w = group.window;
    if (t.count !== undefined && w.count < t.count) return false;
    if (t.distinct !== undefined && w.distinct < t.distinct) return false;
    if (t.bytes !== undefined && w.bytes < t.bytes) return false;
    if (t.ratio !== undefined && w.flagged < t.ratio.min * w.count) return false;
    if (t.spread !== undefined && w.spread < t.spread.min) return false;
    let baseline: number | undefined;
    if (t.baseline !== undefined) {
      baseline = this.#baseline(group, day);
      // a population still being learned judges nobody: what is normal for everyone is not known yet
      if (baseline === undefined) return false;
      if (value < t.baseline.factor * baseline) return false;
    }
    if (t.regular !== undefined && !(w.variation() <= t.regular)) return false;
    if (t.periodic !== undefined && !(w.periodicity() >= t.periodic)) return false;
    return baseline;
  }

  #baseline(group: Group, day: number): number | undefined {
    const b = this.#scenario.threshold.baseline;
    if (b === undefined) return undefined;
    if (b.of === 'population') {
      const population = this.#populations.get(group.endpoint ?? '');
      if (population === undefined) return undefined;
      if (population.daysBefore(day) < b.minDays) return undefined;
      const own: number[] = [];
      for (let i = 1; i < group.history.length; i += 2) own.push(group.history[i] as number);
      return population.quantile(b.quantile, day, own);
    }
    let max = 0;
    for (let i = 0; i < group.history.length; i += 2) {
      if ((group.history[i] as number) >= day - HISTORY_DAYS) max = Math.max(max, group.history[i + 1] as number);
    }
    return max;
  }

  #raise(group: Group, value: number, baseline: number | undefined, last: Observation): void {
    const s = this.#scenario;
    const firstTime = group.window.firstTime;
    const own: EntityRef = { kind: group.kind, value: group.value };
    const id = createHash('sha256')
      .update(`${s.id}\u0000${group.kind}\u0000${group.value}\u0000${group.endpoint ?? ''}\u0000${firstTime}`)
      .digest('hex')
      .slice(0, 32);
    const features = this.#features(group);
    const active: ActiveAlert = {
      alert: {
        id,
        ruleId: s.id,
        category: s.category,
        severity: s.severity,
        confidence: s.confidence,
        entities: [own],
        firstSeen: firstTime,
        lastSeen: last.time,
        raisedAt: last.time,
        summary: '',
        evidence: {
          features,
          baseline: baselineEvidence(s, baseline),
          threshold: thresholdText(s),
          sampleEventIds: [],
          timeline: [],
        },
      },
      entities: new Map([[`${own.kind}\u0000${own.value}`, own]]),
      coCounts: new Map(),
      links: new Map(),
      timeline: new Map(),
      latest: [],
      peak: { ...features },
    };
    group.active = active;
    this.#alerting.add(group);
    for (const step of group.window.steps()) this.#track(active, step);
    active.alert.evidence.sampleEventIds = group.window.firstIds(SAMPLES);
    this.#summarise(group, active, value);
    this.#listener(active.alert, 'raised');
  }

  #update(group: Group, o: Observation): void {
    const active = group.active as ActiveAlert;
    active.alert.lastSeen = o.time;
    this.#track(active, { time: o.time, id: o.id, endpoint: `${o.method} ${o.template}`, status: o.status, count: 1, o });
    const features = this.#features(group);
    for (const [name, value] of Object.entries(features)) {
      if (typeof value === 'number' && value > (active.peak[name] ?? 0)) active.peak[name] = value;
    }
  }

  /** Records a step's co-entities, timeline bucket and sample id in an active alert. */
  #track(active: ActiveAlert, step: WindowStep): void {
    const entry = step.o;
    const own = active.alert.entities[0] as EntityRef;
    const add = (kind: string, value: string | undefined): void => {
      if (value === undefined || (kind === own.kind && value === own.value)) return;
      const key = `${kind}\u0000${value}`;
      const link = active.links?.get(key);
      if (link !== undefined) {
        link.events++;
        return;
      }
      if (active.entities.has(key)) return;
      const n = active.coCounts.get(kind) ?? 0;
      if (n >= MAX_CO_ENTITIES) return;
      active.coCounts.set(kind, n + 1);
      const entity = { kind, value };
      active.entities.set(key, entity);
      // the alert's lists are live: listeners told of the alert when it was raised see what joins it later
      active.alert.entities.push(entity);
      // a state saved before alerts kept links has none: its open alerts go on without them
      if (active.links !== undefined) {
        const made: ActorLink = {
          from: own,
          to: entity,
          reason: linkReason(own.kind, kind, this.#scenario.id),
          events: 1,
          firstSeen: step.time,
        };
        active.links.set(key, made);
        if (active.alert.links === undefined) active.alert.links = [made];
        else active.alert.links.push(made);
      }
    };
    if (entry !== undefined) {
      add('ip', entry.ip);
      add('user', entry.user);
      add('api_key', entry.apiKey);
      add('fingerprint', entry.fingerprint);
    }
    const bucket = Math.floor(step.time / TIMELINE_BUCKET) * TIMELINE_BUCKET;
    const status = step.status === undefined ? '-' : `${Math.floor(step.status / 100)}xx`;
    const key = `${bucket}\u0000${step.endpoint}\u0000${status}`;
    const known = active.timeline.get(key);
    if (known !== undefined) known.count += step.count;
    else if (active.timeline.size < MAX_TIMELINE) {
      active.timeline.set(key, { time: step.time, what: `${step.endpoint} ${status}`, eventId: step.id, count: step.count });
    }
    active.latest.push(step.id);
    if (active.latest.length > SAMPLES) active.latest.shift();
  }

  #features(group: Group): Record<string, number> {
    const s = this.#scenario;
    const w = group.window;
    const f: Record<string, number> = { count: w.count };
    if (s.distinctName !== undefined) f[`distinct_${s.distinctName}`] = w.distinct;
    if (s.threshold.ratio !== undefined) f.ratio = round(w.flagged / Math.max(1, w.count));
    if (s.threshold.spread !== undefined) f[`distinct_${s.threshold.spread.of}`] = w.spread;
    if (s.threshold.regular !== undefined) f.gap_variation = round(w.variation());
    if (s.threshold.periodic !== undefined) f.periodicity = round(w.periodicity());
    if (w.bytes > 0) f.bytes = w.bytes;
    return f;
  }

  #summarise(group: Group, active: ActiveAlert, value: number): void {
    const s = this.#scenario;
    const endpoints = [...new Set(group.window.steps().map((e) => e.endpoint))];
    active.alert.summary = s.summary
      .replaceAll('{entity}', `${group.kind} ${group.value}`)
      .replaceAll('{count}', String(group.window.count))
      .replaceAll('{distinct}', String(group.window.distinct))
      .replaceAll('{value}', String(value))
      .replaceAll('{spread}', String(group.window.spread))
      .replaceAll('{bytes}', formatBytes(group.window.bytes))
      .replaceAll('{window}', formatDuration(s.windowMs))
      .replaceAll('{endpoints}', endpoints.length <= 2 ? endpoints.join(' and ') : `${endpoints.length} endpoints`);
  }

  /** Ends the group's alert when its window has emptied (or at the end of the data). */
  #end(group: Group): void {
    const active = group.active;
    if (active === undefined) return;
    group.active = undefined;
    group.quietUntil = active.alert.lastSeen + this.#scenario.cooldownMs;
    const alert = active.alert;
    alert.evidence.features = {
      ...alert.evidence.features,
      ...Object.fromEntries(Object.entries(active.peak).map(([k, v]) => [`peak_${k}`, v])),
    };
    for (const id of active.latest) if (!alert.evidence.sampleEventIds.includes(id)) alert.evidence.sampleEventIds.push(id);
    alert.evidence.timeline = [...active.timeline.values()]
      .sort((a, b) => a.time - b.time)
      .map(({ time, what, eventId, count }) => ({ time, what: count > 1 ? `${what} ×${count}` : what, eventId }));
    this.#listener(alert, 'ended');
  }

  #expire(group: Group, now: number): void {
    group.window.expire(now);
    if (group.window.count === 0) this.#end(group);
  }

  #closeDay(group: Group, day: number): void {
    if (group.day >= 0 && group.dayMax > 0) this.#keepDay(group);
    while (group.history.length > 0 && (group.history[0] as number) < day - HISTORY_DAYS) group.history.splice(0, 2);
    group.day = day;
    group.dayMax = this.#value(group);
  }

  /** Gives the group's value of its day to the baselines: the population's histogram, and its own history when it could matter. */
  #keepDay(group: Group): void {
    if (this.#baselineOf === undefined) return;
    let population = this.#populations.get(group.endpoint ?? '');
    if (population === undefined) {
      population = new Population();
      this.#populations.set(group.endpoint ?? '', population);
    }
    if (this.#baselineOf === 'population') population.add(group.dayMax, group.day);
    // a day whose value times the factor stays under the floor can never raise a threshold: not kept
    if (group.dayMax * this.#factor > this.#floor) {
      if (group.history === NO_HISTORY) group.history = [];
      group.history.push(group.day, group.dayMax);
    }
  }

  /**
   * Advances the clock to `now`: ends the alerts whose windows emptied; once an hour, sweeps the groups whose
   * window has emptied or whose day has ended since they were last seen — expires them, closes their past
   * days (histories, population) and forgets those with nothing left — so that memory holds the entities
   * active within the window, not every one ever seen, and a sweep costs what changed, not every group.
   */
  advance(now: number): void {
    for (const group of this.#alerting) {
      this.#expire(group, now);
      if (group.active === undefined) this.#alerting.delete(group);
    }
    const hour = Math.floor(now / HOUR);
    if (hour === this.#hour) return;
    this.#hour = hour;
    this.#sweep(hour, now);
  }

  /** Ends every open alert (end of the data). */
  finish(): void {
    for (const group of this.#allGroups()) this.#end(group);
  }
}

/** What an entity is called in a link's reason. */
const NOUN: Record<string, string> = { ip: 'address', user: 'user', api_key: 'API key', session: 'session', fingerprint: 'client' };

/** Why an alert's entity of kind `to` goes with its acting entity of kind `from`, in a few words. */
export function linkReason(from: string, to: string, ruleId: string): string {
  const of = `the ${NOUN[from] ?? from}'s requests`;
  const how =
    to === 'ip'
      ? 'came from this address'
      : to === 'user'
        ? 'were signed in as this user'
        : to === 'fingerprint'
          ? 'came from this client'
          : `carried this ${NOUN[to] ?? to}`;
  return `${of} ${how} (${ruleId})`;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function thresholdText(s: Scenario): string {
  const t = s.threshold;
  const parts: string[] = [];
  const primary = t.distinct !== undefined ? `distinct ${s.distinctName}` : t.count !== undefined ? 'count' : 'bytes';
  const floor = t.distinct ?? t.count ?? t.bytes;
  if (t.baseline !== undefined) {
    const of =
      t.baseline.of === 'entity' ? "the group's highest daily value over 30 days" : `the population's p${t.baseline.quantile * 100}`;
    parts.push(`${primary} ≥ max(${floor}, ${t.baseline.factor} × ${of})`);
  } else parts.push(`${primary} ≥ ${floor}`);
  if (t.distinct !== undefined && t.count !== undefined) parts.push(`count ≥ ${t.count}`);
  if (t.bytes !== undefined && primary !== 'bytes') parts.push(`bytes ≥ ${t.bytes}`);
  if (t.ratio !== undefined) parts.push(`ratio ≥ ${t.ratio.min}`);
  if (t.spread !== undefined) parts.push(`distinct ${t.spread.of} ≥ ${t.spread.min}`);
  if (t.regular !== undefined) parts.push(`gap variation ≤ ${t.regular}`);
  if (t.periodic !== undefined) parts.push(`share of gaps within 10 % of the median ≥ ${t.periodic}`);
  return `${parts.join(', ')} within ${formatDuration(s.windowMs)}`;
}

function baselineEvidence(s: Scenario, baseline: number | undefined): Record<string, number | string> {
  const b = s.threshold.baseline;
  if (b === undefined) return {};
  if (baseline === undefined) return { [b.of]: `not enough history (${b.minDays} days needed)` };
  return b.of === 'entity' ? { entity_daily_max_30d: baseline } : { [`population_p${b.quantile * 100}`]: baseline };
}
