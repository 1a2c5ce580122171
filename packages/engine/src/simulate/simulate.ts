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
import { createCompany, HOSTS, type Scale } from './company.js';
import { ExchangeFactory } from './exchange-factory.js';
import type { SimExchange } from './exchange.js';
import { Random } from './random.js';
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

/**
 * Simulates the company's traffic for `days` days, handing every exchange to `sink` in time order, and
 * returns the labels of the attack campaigns hidden in it. Deterministic for a seed: the same options give
 * the same exchanges and labels.
 */
export function simulate(options: SimulationOptions, sink: (exchange: SimExchange) => void): SimulationLabels {
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`days must be a positive whole number, not ${options.days}`);
  const start = options.start ?? DEFAULT_START;
  if (start % DAY !== 0) throw new Error('the start must be midnight UTC');
  const random = new Random(options.seed);
  const company = createCompany(new Random(options.seed, 1), options.scale);
  const factory = new ExchangeFactory(random, company, options.seed);
  const days = options.days;
  const firstDay = Math.floor(start / DAY);
  const plan = new Random(options.seed, 2);
  const window = (length: number, earliest = 1): Window => {
    const span = Math.min(length, days);
    const latest = Math.max(0, days - span);
    return { firstDay: firstDay + Math.min(latest, plan.int(Math.min(earliest, latest), latest)), days: span };
  };
  const outages: Outage[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(days / 15)); i++) {
    const at = start + plan.int(0, days - 1) * DAY + plan.int(8, 20) * 3_600_000;
    outages.push({ start: at, end: at + plan.int(10, 30) * 60_000 });
  }
  const normal = new NormalTraffic(random, company, factory, outages);
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

  let carry: SimExchange[] = [];
  let requests = 0;
  const benign = { user: 0, ip: 0, api_key: 0 };
  const flush = (items: SimExchange[], from: number): void => {
    for (const i of timeOrder(items, from)) sink(items[i] as SimExchange);
    requests += items.length;
  };
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    const dayEnd = dayStart + DAY;
    const today: SimExchange[] = [];
    const later: SimExchange[] = [];
    for (const exchange of carry) (exchange.time < dayEnd ? today : later).push(exchange);
    const emit = (exchange: SimExchange): void => {
      (exchange.time < dayEnd ? today : later).push(exchange);
    };
    const ips = new Set<string>();
    const active = normal.day(dayStart, (exchange) => {
      ips.add(exchange.client.ip);
      emit(exchange);
    });
    benign.user += active.users;
    benign.api_key += active.apiKeys;
    benign.ip += ips.size;
    for (const campaign of campaigns) campaign.day(dayStart, emit);
    flush(today, dayStart);
    carry = later;
  }
  flush(carry, start + days * DAY);

  const natShared = new Map<string, number>();
  for (const user of company.users) if (user.natted) natShared.set(user.network, (natShared.get(user.network) ?? 0) + 1);
  let natSharedUsers = 0;
  for (const n of natShared.values()) if (n > 1) natSharedUsers += n;
  return {
    generator: 'palisade simulate',
    seed: options.seed,
    scale: options.scale,
    days,
    from: new Date(start).toISOString(),
    to: new Date(start + days * DAY).toISOString(),
    requests,
    hosts: Object.values(HOSTS),
    population: { users: company.users.length, partners: company.partners.length, monitors: company.monitors.length, natSharedUsers },
    outages: outages.map((o) => ({ from: new Date(o.start).toISOString(), to: new Date(o.end).toISOString() })),
    benignEntityDays: benign,
    campaigns: campaigns
      .filter((c) => c.label.requests > 0)
      .map((c) => ({ ...c.label, start: new Date(c.label.start).toISOString(), end: new Date(c.label.end).toISOString() })),
  };
}

/** Items per sort key: the index takes the low 22 bits of a key whose high bits are the time. */
const INDEX_BITS = 2 ** 22;

/**
 * The indexes of `items` in time order (ties in the order generated), by a numeric sort of keys that pack
 * each item's time since `from` with its index — much cheaper than sorting objects with a comparator.
 * Times must lie within about 24 days of `from` (a day and its spill-over here).
 */
function timeOrder(items: readonly SimExchange[], from: number): Uint32Array {
  if (items.length >= INDEX_BITS) throw new Error('too many requests in one simulated day');
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = ((items[i] as SimExchange).time - from) * INDEX_BITS + i;
  keys.sort();
  const order = new Uint32Array(items.length);
  for (let i = 0; i < keys.length; i++) order[i] = (keys[i] as number) % INDEX_BITS;
  return order;
}
