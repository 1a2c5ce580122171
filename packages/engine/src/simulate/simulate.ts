import {
  BolaCampaign,
  BusinessFlowCampaign,
  type Campaign,
  type CampaignLabel,
  CredentialStuffingCampaign,
  ExfiltrationCampaign,
  PartnerKeyCampaign,
  ScanningCampaign,
  ScrapingCampaign,
  TakeoverLabel,
  type Window,
  ZombieApiCampaign,
} from './campaigns.js';
import { type Company, createCompany, HOSTS, type Scale } from './company.js';
import { ExchangeFactory } from './exchange-factory.js';
import type { SimExchange } from './exchange.js';
import { Random } from './random.js';
import { timeOrder } from './time-order.js';
import { NormalTraffic, type Outage } from './traffic.js';

const DAY = 86_400_000;

/** What to simulate. */
export interface SimulationOptions {
  days: number;
  seed: number;
  scale: Scale;
  /** First simulated day, epoch ms at 00:00 UTC (default 2026-11-01). */
  start?: number;
}

/** `labels.json`: the simulation's answer key, written by the code that generated the traffic. */
export interface SimulationLabels {
  generator: 'palisade simulate';
  seed: number;
  scale: Scale;
  days: number;
  /** ISO times of the first simulated day and the end of the last. */
  from: string;
  to: string;
  requests: number;
  hosts: string[];
  /** The customers, partners and probes that make up the normal traffic (counts). */
  population: { users: number; partners: number; monitors: number; natSharedUsers: number };
  outages: Array<{ from: string; to: string }>;
  /**
   * Entity-days of the normal traffic (each entity counted once per day it was active): the denominator of
   * false positives per 10,000 benign entity-days. Campaign entities that also behave normally (a BOLA
   * attacker is a real customer) are included; scorers exclude them by the campaign labels.
   */
  benignEntityDays: { user: number; ip: number; api_key: number };
  campaigns: Array<Omit<CampaignLabel, 'start' | 'end'> & { start: string; end: string }>;
}

export const DEFAULT_START = Date.UTC(2026, 10, 1);

/** Everything a simulation is made of before its first day: the company, the campaigns, the outages. */
export interface SimulationPlan {
  seed: number;
  scale: Scale;
  start: number;
  days: number;
  company: Company;
  outages: Outage[];
  campaigns: Campaign[];
}

/** Builds the plan of a simulation: deterministic for the options. */
export function planSimulation(options: SimulationOptions): SimulationPlan {
  const start = checkedStart(options);
  const random = new Random(options.seed);
  const company = createCompany(new Random(options.seed, 1), options.scale);
  // campaigns draw ids from the bottom of the id space, each day's normal traffic from its own block
  const factory = new ExchangeFactory(random, company, options.seed, 0);
  const days = options.days;
  const firstDay = Math.floor(start / DAY);
  const plan = new Random(options.seed, 2);
  const window = (length: number, earliest = 1): Window => {
    const span = Math.min(length, days);
    const latest = Math.max(0, days - span);
    return { firstDay: firstDay + Math.min(latest, plan.int(Math.min(earliest, latest), latest)), days: span };
  };
  const outages = drawOutages(plan, start, days);
  const takeover = new TakeoverLabel(random, company, factory, 'account-takeover-1');
  const campaigns: Campaign[] = [
    new BolaCampaign(random, company, factory, 'bola-fast-1', window(1, 2), true),
    new BolaCampaign(random, company, factory, 'bola-slow-1', window(7, 3), false),
    new ScrapingCampaign(random, company, factory, 'scraping-1', window(3, 2)),
    new CredentialStuffingCampaign(random, company, factory, 'credential-stuffing-1', window(1, 4), takeover),
    takeover,
    new PartnerKeyCampaign(random, company, factory, 'partner-key-1', window(1, 5)),
    new ScanningCampaign(random, company, factory, 'scanning-1', window(1, 1)),
    new BusinessFlowCampaign(random, company, factory, 'business-flow-1', window(1, 3)),
    new ExfiltrationCampaign(random, company, factory, 'exfiltration-1', window(21, 2)),
    new ZombieApiCampaign(random, company, factory, 'zombie-api-1', window(2, 3)),
  ];
  return { seed: options.seed, scale: options.scale, start, days, company, outages, campaigns };
}

/** The outages of a simulation: the first draws of its plan's random stream. */
function drawOutages(plan: Random, start: number, days: number): Outage[] {
  const outages: Outage[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(days / 15)); i++) {
    const at = start + plan.int(0, days - 1) * DAY + plan.int(8, 20) * 3_600_000;
    outages.push({ start: at, end: at + plan.int(10, 30) * 60_000 });
  }
  return outages;
}

/** The outages `planSimulation` plans for the options, without building the rest of the plan. */
export function simulationOutages(options: SimulationOptions): Outage[] {
  return drawOutages(new Random(options.seed, 2), checkedStart(options), options.days);
}

/** The first simulated day of valid options. */
function checkedStart(options: SimulationOptions): number {
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`days must be a positive whole number, not ${options.days}`);
  const start = options.start ?? DEFAULT_START;
  if (start % DAY !== 0) throw new Error('the start must be midnight UTC');
  return start;
}

/** One day of the company's normal traffic: its exchanges in the order generated, and who was active. */
export interface NormalDay {
  records: SimExchange[];
  users: number;
  apiKeys: number;
  ips: number;
}

/**
 * The normal traffic of sessions starting on day `d` (from the plan's start). It depends only on the seed,
 * the company, the outages and `d` — its own random stream and id block — so days can be made in any
 * order, in parallel, and give the same requests.
 */
export function normalDay(plan: Pick<SimulationPlan, 'seed' | 'company' | 'outages' | 'start'>, d: number): NormalDay {
  const records: SimExchange[] = [];
  const counts = eachNormalRequest(plan, d, (exchange) => records.push(exchange));
  return { records, ...counts };
}

/** `normalDay` one request at a time, in the order generated, for callers that render and drop each at once. */
export function eachNormalRequest(
  plan: Pick<SimulationPlan, 'seed' | 'company' | 'outages' | 'start'>,
  d: number,
  each: (exchange: SimExchange) => void,
): Omit<NormalDay, 'records'> {
  const random = new Random(plan.seed, 1000 + d);
  const factory = new ExchangeFactory(random, plan.company, plan.seed, (d + 1) * 2 ** 32);
  const ips = new Set<string>();
  const active = new NormalTraffic(random, plan.company, factory, plan.outages).day(plan.start + d * DAY, (exchange) => {
    ips.add(exchange.client.ip);
    each(exchange);
  });
  return { users: active.users, apiKeys: active.apiKeys, ips: ips.size };
}

/**
 * Puts the days of a simulation together in time order: each day's normal traffic (made by `normalDay`),
 * the campaigns' requests, and what spilled over from the day before. `LineMerger` does the same with
 * rendered lines.
 */
export class DayMerger {
  readonly #plan: SimulationPlan;
  readonly #sink: (exchange: SimExchange) => void;
  #carry: SimExchange[] = [];
  #next = 0;
  #requests = 0;
  readonly #benign = { user: 0, ip: 0, api_key: 0 };

  constructor(plan: SimulationPlan, sink: (exchange: SimExchange) => void) {
    this.#plan = plan;
    this.#sink = sink;
  }

  /** Adds day `d` (days must come in order, each once) and hands its requests that end before midnight to the sink. */
  day(d: number, normal: NormalDay): void {
    if (d !== this.#next) throw new Error(`day ${d} came out of order (expected ${this.#next})`);
    this.#next++;
    const dayStart = this.#plan.start + d * DAY;
    const dayEnd = dayStart + DAY;
    const today: SimExchange[] = [];
    const later: SimExchange[] = [];
    const add = (exchange: SimExchange): void => {
      (exchange.time < dayEnd ? today : later).push(exchange);
    };
    for (const record of this.#carry) add(record);
    for (const record of normal.records) add(record);
    this.#benign.user += normal.users;
    this.#benign.api_key += normal.apiKeys;
    this.#benign.ip += normal.ips;
    for (const campaign of this.#plan.campaigns) campaign.day(dayStart, add);
    this.#flush(today, dayStart);
    this.#carry = later;
  }

  /** Hands over what spilled past the last day and returns the labels. */
  finish(): SimulationLabels {
    const plan = this.#plan;
    this.#flush(this.#carry, plan.start + plan.days * DAY);
    this.#carry = [];
    return simulationLabels(plan, this.#requests, this.#benign);
  }

  #flush(records: SimExchange[], from: number): void {
    const times = new Float64Array(records.length);
    for (let i = 0; i < records.length; i++) times[i] = (records[i] as SimExchange).time;
    for (const i of timeOrder(times, from)) this.#sink(records[i] as SimExchange);
    this.#requests += records.length;
  }
}

/** The labels of a finished simulation of `requests` requests. */
export function simulationLabels(plan: SimulationPlan, requests: number, benign: SimulationLabels['benignEntityDays']): SimulationLabels {
  const natShared = new Map<string, number>();
  for (const user of plan.company.users) if (user.natted) natShared.set(user.network, (natShared.get(user.network) ?? 0) + 1);
  let natSharedUsers = 0;
  for (const n of natShared.values()) if (n > 1) natSharedUsers += n;
  return {
    generator: 'palisade simulate',
    seed: plan.seed,
    scale: plan.scale,
    days: plan.days,
    from: new Date(plan.start).toISOString(),
    to: new Date(plan.start + plan.days * DAY).toISOString(),
    requests: requests,
    hosts: Object.values(HOSTS),
    population: {
      users: plan.company.users.length,
      partners: plan.company.partners.length,
      monitors: plan.company.monitors.length,
      natSharedUsers,
    },
    outages: plan.outages.map((o) => ({ from: new Date(o.start).toISOString(), to: new Date(o.end).toISOString() })),
    benignEntityDays: benign,
    campaigns: plan.campaigns
      .filter((c) => c.label.requests > 0)
      .map((c) => ({ ...c.label, start: new Date(c.label.start).toISOString(), end: new Date(c.label.end).toISOString() })),
  };
}

/**
 * Simulates the company's traffic for `days` days, handing every exchange to `sink` in time order, and
 * returns the labels of the attack campaigns hidden in it. Deterministic for a seed: the same options give
 * the same exchanges and labels.
 */
export function simulate(options: SimulationOptions, sink: (exchange: SimExchange) => void): SimulationLabels {
  const plan = planSimulation(options);
  const merger = new DayMerger(plan, sink);
  for (let d = 0; d < plan.days; d++) merger.day(d, normalDay(plan, d));
  return merger.finish();
}
