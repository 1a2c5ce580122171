import { type Company, DEVICES, HOSTS, type Partner, TOOLS, type User } from './company.js';
import { type ExchangeFactory, type RequestParts, sessionJwt } from './exchange-factory.js';
import type { SimExchange } from './exchange.js';
import type { Random } from './random.js';
import { timeOrder } from './time-order.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Share of a day's sessions per local hour: quiet nights, a lunch peak, a larger evening peak. */
const DIURNAL = [
  0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.4, 2.4, 2.8, 3.0, 3.3, 4.2, 4.0, 3.3, 3.1, 3.2, 3.6, 4.4, 5.2, 5.6, 4.8, 3.2, 1.6,
];
/** Sessions per day of the week (Sunday first): weekends quieter at work, busier at home. */
const WEEKLY = [0.85, 1.0, 1.0, 1.0, 1.05, 1.1, 0.9];
/** Business hours (UTC) for partners and staff. */
const OFFICE_HOURS = [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 2.5, 3, 3, 3, 2.5, 3, 3, 3, 2.5, 1.5, 0.8, 0.4, 0.3, 0.2, 0.1, 0.1];
const SESSIONS_PER_USER_DAY = 0.9;
/**
 * What a customer does next: account, invoice list, invoice, invoice PDF, orders, order, product list,
 * product, search, checkout, gift card, recommendations — by whether the account has invoices (+1) and the
 * customer has orders (+2).
 */
const STEP_WEIGHTS = [false, true].flatMap((orders) =>
  [false, true].map((invoices) => [3, 3, invoices ? 3 : 0, invoices ? 1 : 0, 2, orders ? 2 : 0, 4, 5, 3, 0.6, 0.15, 0.3]),
);
/** Pages a search goes through (1 to 3). */
const SEARCH_PAGES = [0, 6, 3, 1];
/** A partner's calls: order polling, catalogue pages, shipments. */
const PARTNER_CALLS = [5, 3, 2];
/** Staff calls: a customer's record, stats, the debug endpoint. */
const STAFF_CALLS = [6, 2, 0.3];
const HEALTH: RequestParts = { method: 'GET', path: '/health', status: 200, route: '/health' };
const SEARCH_WORDS = [
  'boots',
  'red dress',
  'usb-c cable',
  'headphones',
  'garden hose',
  'lego',
  'rain jacket',
  'watch strap',
  'coffee grinder',
  'yoga mat',
];

/** Entities of the normal traffic active on one day (customers with a session, partners' keys). */
export interface BenignDay {
  users: number;
  apiKeys: number;
}

/** Periods when the API failed (seeded): 5xx bursts and client retries. */
export interface Outage {
  start: number;
  end: number;
}

/**
 * The company's normal traffic, one day at a time: customers in sessions (login or refresh, then browsing,
 * invoices, orders, search pagination, checkouts; think time between steps; retries when the API fails),
 * partners on their API key from fixed egress addresses with month-end batch exports, staff on the admin API
 * from the office, and uptime probes every minute.
 */
export class NormalTraffic {
  readonly #random: Random;
  readonly #company: Company;
  readonly #factory: ExchangeFactory;
  readonly #outages: readonly Outage[];

  constructor(random: Random, company: Company, factory: ExchangeFactory, outages: readonly Outage[]) {
    this.#random = random;
    this.#company = company;
    this.#factory = factory;
    this.#outages = outages;
  }

  /** Every exchange of sessions that start in [dayStart, dayStart + 1 day). */
  day(dayStart: number, emit: (exchange: SimExchange) => void): BenignDay {
    const weekday = new Date(dayStart).getUTCDay();
    const active: BenignDay = { users: 0, apiKeys: this.#company.partners.length };
    const starts: number[] = [];
    const owners: User[] = [];
    for (const user of this.#company.users) {
      const sessions = this.#random.poisson(SESSIONS_PER_USER_DAY * user.activity * (WEEKLY[weekday] as number));
      if (sessions > 0) active.users++;
      for (let s = 0; s < sessions; s++) {
        const localHour = this.#random.weighted(DIURNAL);
        const utcHour = (((localHour - user.utcOffset) % 24) + 24) % 24;
        starts.push(dayStart + utcHour * HOUR + this.#random.int(0, HOUR - 1));
        owners.push(user);
      }
    }
    // sessions made in the order they start: requests come out nearly in time order, cheap to sort
    for (const i of timeOrder(Float64Array.from(starts), dayStart)) this.#session(owners[i] as User, starts[i] as number, emit);
    for (const partner of this.#company.partners) this.#partnerDay(partner, dayStart, emit);
    this.#staffDay(dayStart, emit);
    for (const monitor of this.#company.monitors) {
      const offset = this.#random.int(0, 59_999);
      for (let t = dayStart + offset; t < dayStart + DAY; t += 60_000) {
        emit(this.#factory.request(HEALTH, t, monitor, TOOLS.monitor, HOSTS.api));
      }
    }
    return active;
  }

  #session(user: User, start: number, emit: (exchange: SimExchange) => void): void {
    const random = this.#random;
    const ip = user.travel !== undefined && random.chance(0.1) ? user.travel : user.network;
    const legacy = user.device.kind === 'legacy-mobile';
    const token = sessionJwt(random, user, start);
    const auth = { authorization: `Bearer ${token}` };
    let time = start;
    const send = (parts: RequestParts): void => {
      // during an outage the API fails six times in ten; clients retry twice with back-off
      for (let attempt = 0; attempt < 3; attempt++) {
        const failing = parts.status < 400 && this.#inOutage(time) && random.chance(0.6);
        emit(this.#factory.request(failing ? { ...parts, status: 503 } : parts, time, ip, user.device, HOSTS.api));
        if (!failing) return;
        time += 1_000 * 2 ** (attempt + 1) + random.int(0, 500);
      }
    };
    if (random.chance(0.3)) {
      const body = JSON.stringify({ username: user.username, password: '********' });
      const login = legacy ? '/v1/login' : '/v2/auth/login';
      // one login in twenty mistypes the password first
      if (random.chance(0.05)) {
        send({ method: 'POST', path: login, body, status: 401, route: login });
        time += random.int(3_000, 15_000);
      }
      send({ method: 'POST', path: login, body, status: 200, route: login });
    } else if (!legacy) {
      send({ method: 'POST', path: '/v2/auth/refresh', headers: auth, status: 200, route: '/v2/auth/refresh' });
    }
    const steps = 1 + random.poisson(4 + Math.min(user.activity, 5));
    for (let i = 0; i < steps; i++) {
      time += Math.round(random.exponential(14_000)) + 400;
      const account = random.pick(user.accounts);
      const invoices = user.invoices.get(account) ?? [];
      const choice = random.weighted(STEP_WEIGHTS[(invoices.length > 0 ? 1 : 0) + (user.orders.length > 0 ? 2 : 0)] as number[]);
      if (legacy) {
        const invoice = invoices.length > 0 ? random.pick(invoices) : undefined;
        if (invoice !== undefined && choice % 2 === 0)
          send({ method: 'GET', path: `/v1/invoices/${invoice}`, headers: auth, status: 200, route: '/v1/invoices/{invoiceId}' });
        else send({ method: 'GET', path: `/v1/accounts/${account}`, headers: auth, status: 200, route: '/v1/accounts/{accountId}' });
        continue;
      }
      switch (choice) {
        case 0:
          send({ method: 'GET', path: `/v2/accounts/${account}`, headers: auth, status: 200, route: '/v2/accounts/{accountId}' });
          break;
        case 1: {
          const pages = 1 + Math.floor(invoices.length / 10);
          for (let page = 1; page <= Math.min(pages, random.int(1, 3)); page++) {
            if (page > 1) time += random.int(1_500, 6_000);
            send({
              method: 'GET',
              path: `/v2/accounts/${account}/invoices`,
              query: `page=${page}&size=10`,
              headers: auth,
              status: 200,
              route: '/v2/accounts/{accountId}/invoices',
            });
          }
          break;
        }
        case 2:
          send({
            method: 'GET',
            path: `/v2/invoices/${random.pick(invoices)}`,
            headers: auth,
            status: 200,
            route: '/v2/invoices/{invoiceId}',
          });
          break;
        case 3:
          send({
            method: 'GET',
            path: `/v2/invoices/${random.pick(invoices)}/pdf`,
            headers: auth,
            status: 200,
            route: '/v2/invoices/{invoiceId}/pdf',
          });
          break;
        case 4:
          send({ method: 'GET', path: '/v2/orders', query: `page=${random.int(1, 2)}`, headers: auth, status: 200, route: '/v2/orders' });
          break;
        case 5:
          send({
            method: 'GET',
            path: `/v2/orders/${random.pick(user.orders)}`,
            headers: auth,
            status: 200,
            route: '/v2/orders/{orderId}',
          });
          break;
        case 6:
          send({
            method: 'GET',
            path: '/v2/products',
            query: `category=${random.pick(this.#company.categories)}&page=${random.int(1, 4)}`,
            headers: auth,
            status: 200,
            route: '/v2/products',
          });
          break;
        case 7: {
          // a stale link now and then: the product is gone
          const gone = random.chance(0.02);
          send({
            method: 'GET',
            path: `/v2/products/${random.pick(this.#company.skus)}`,
            headers: auth,
            status: gone ? 404 : 200,
            route: '/v2/products/{sku}',
          });
          break;
        }
        case 8: {
          const q = encodeURIComponent(random.pick(SEARCH_WORDS)).replaceAll('%20', '+');
          for (let page = 1; page <= random.weighted(SEARCH_PAGES); page++) {
            if (page > 1) time += random.int(2_000, 8_000);
            send({ method: 'GET', path: '/v2/search', query: `q=${q}&page=${page}`, headers: auth, status: 200, route: '/v2/search' });
          }
          break;
        }
        case 9: {
          const sku = random.pick(this.#company.skus);
          send({
            method: 'POST',
            path: '/v2/cart/items',
            headers: auth,
            body: JSON.stringify({ sku, quantity: random.int(1, 3) }),
            status: 201,
            route: '/v2/cart/items',
          });
          time += random.int(5_000, 40_000);
          send({
            method: 'POST',
            path: '/v2/checkout',
            headers: auth,
            body: JSON.stringify({ accountId: account }),
            status: 200,
            route: '/v2/checkout',
          });
          time += random.int(8_000, 60_000);
          send({
            method: 'POST',
            path: '/v2/checkout/pay',
            headers: auth,
            body: JSON.stringify({ method: 'card', accountId: account }),
            status: 200,
            route: '/v2/checkout/pay',
          });
          break;
        }
        case 10:
          send({
            method: 'POST',
            path: '/v2/giftcards/redeem',
            headers: auth,
            body: JSON.stringify({ code: random.pick(this.#company.giftCards) }),
            status: 200,
            route: '/v2/giftcards/redeem',
          });
          break;
        default:
          // the web app's recommendations call: in use, never documented
          send({
            method: 'GET',
            path: '/v2/recommendations',
            query: `user=${user.id}`,
            headers: auth,
            status: 200,
            route: '/v2/recommendations',
          });
      }
    }
  }

  #partnerDay(partner: Partner, dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.#random;
    const dayOfMonth = new Date(dayStart).getUTCDate();
    const daysInMonth = new Date(Date.UTC(new Date(dayStart).getUTCFullYear(), new Date(dayStart).getUTCMonth() + 1, 0)).getUTCDate();
    // seasonal: the last days of a month are busier for every partner
    const season = dayOfMonth > daysInMonth - 3 ? 1.6 : 1;
    const headers = { 'x-api-key': partner.apiKey };
    const consumer = partner.name;
    const send = (parts: RequestParts, time: number, ip: string): void =>
      emit(this.#factory.request(parts, time, ip, partner.device, HOSTS.partner));
    for (let hour = 0; hour < 24; hour++) {
      const n = random.poisson((partner.rate * season * (OFFICE_HOURS[hour] as number)) / 1.4);
      for (let i = 0; i < n; i++) {
        const time = dayStart + hour * HOUR + random.int(0, HOUR - 1);
        const ip = random.pick(partner.egress);
        const kind = random.weighted(PARTNER_CALLS);
        if (kind === 0) {
          // the partner polls for the last hour's orders: the hour is part of the query
          const since = `${hourStamp(time - HOUR)}:00:00Z`;
          send(
            {
              method: 'GET',
              path: '/partner/v1/orders',
              query: `since=${since}&page=${random.int(1, 3)}`,
              headers,
              status: 200,
              route: '/partner/v1/orders',
              consumer,
            },
            time,
            ip,
          );
        } else if (kind === 1) {
          send(
            {
              method: 'GET',
              path: '/partner/v1/catalog',
              query: `page=${random.int(1, 40)}`,
              headers,
              status: 200,
              route: '/partner/v1/catalog',
              consumer,
            },
            time,
            ip,
          );
        } else {
          const body = `{"orderId":${70_000_000 + random.int(0, 9_999)},"carrier":"ups"}`;
          send(
            { method: 'POST', path: '/partner/v1/shipments', body, headers, status: 201, route: '/partner/v1/shipments', consumer },
            time,
            ip,
          );
        }
      }
    }
    // the month-end batch export: a run of pages at night from the partner's batch host
    if (dayOfMonth === partner.batchDay || (partner.batchDay > daysInMonth && dayOfMonth === daysInMonth)) {
      let time = dayStart + 2 * HOUR + random.int(0, HOUR);
      const ip = partner.egress[0] as string;
      for (let page = 1; page <= 120; page++) {
        time += random.int(800, 2_500);
        const query = `month=${new Date(dayStart).toISOString().slice(0, 7)}&page=${page}`;
        send({ method: 'GET', path: '/partner/v1/export', query, headers, status: 200, route: '/partner/v1/export', consumer }, time, ip);
      }
    }
  }

  #staffDay(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.#random;
    const users = this.#company.users;
    for (let hour = 0; hour < 24; hour++) {
      const n = random.poisson((OFFICE_HOURS[hour] as number) * 6);
      for (let i = 0; i < n; i++) {
        const time = dayStart + hour * HOUR + random.int(0, HOUR - 1);
        const ip = random.pick(this.#company.office);
        const headers = { cookie: `backoffice_session=${random.alnum(24)}` };
        const which = random.weighted(STAFF_CALLS);
        if (which === 0) {
          const path = `/admin/users/${random.pick(users).id}`;
          emit(
            this.#factory.request(
              { method: 'GET', path, headers, status: 200, route: '/admin/users/{userId}' },
              time,
              ip,
              DEVICES.chrome,
              HOSTS.admin,
            ),
          );
        } else if (which === 1) {
          const parts: RequestParts = {
            method: 'GET',
            path: '/admin/stats',
            query: 'range=24h',
            headers,
            status: 200,
            route: '/admin/stats',
          };
          emit(this.#factory.request(parts, time, ip, DEVICES.chrome, HOSTS.admin));
        } else {
          // an internal debug endpoint nobody documented, used by the operations team
          const parts: RequestParts = {
            method: 'GET',
            path: '/v2/internal/debug/config',
            headers,
            status: 200,
            route: '/v2/internal/debug/config',
          };
          emit(this.#factory.request(parts, time, ip, DEVICES.chrome, HOSTS.api));
        }
      }
    }
  }

  #inOutage(time: number): boolean {
    if (this.#outages.length === 0) return false;
    for (const o of this.#outages) if (time >= o.start && time < o.end) return true;
    return false;
  }
}

const stamps = new Map<number, string>();

/** `2026-11-30T13` for the hour a time falls in (cached: partners ask for the same hours all day). */
function hourStamp(time: number): string {
  const hour = Math.floor(time / HOUR);
  let stamp = stamps.get(hour);
  if (stamp === undefined) {
    stamp = new Date(hour * HOUR).toISOString().slice(0, 13);
    if (stamps.size > 10_000) stamps.clear();
    stamps.set(hour, stamp);
  }
  return stamp;
}
