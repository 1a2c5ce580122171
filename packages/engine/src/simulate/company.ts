import type { Random } from './random.js';

/**
 * The simulated company: an online shop with a customer API (web and mobile apps), a partner B2B API, an
 * internal admin API and a legacy `v1` still called by old mobile versions. Its customers, partners and
 * monitors are built here from the seed; `traffic.ts` makes them behave and `campaigns.ts` attacks them.
 */

export const HOSTS = {
  api: 'api.shop.example',
  partner: 'partner.shop.example',
  admin: 'admin.shop.example',
} as const;

/** A client software: what its requests look like on the wire. */
export interface DeviceProfile {
  name: string;
  userAgent: string;
  tls: { version: string; cipher: string; ja3: string; ja4: string };
  /** Mobile apps call the API host; the old app version calls `/v1`. */
  kind: 'web' | 'mobile' | 'legacy-mobile' | 'partner' | 'monitor' | 'tool' | 'browser-bot';
}

function profile(name: string, kind: DeviceProfile['kind'], userAgent: string, tls13: boolean, ja3: string, ja4: string): DeviceProfile {
  return {
    name,
    kind,
    userAgent,
    tls: { version: tls13 ? 'TLSv1.3' : 'TLSv1.2', cipher: tls13 ? 'TLS_AES_128_GCM_SHA256' : 'ECDHE-RSA-AES128-GCM-SHA256', ja3, ja4 },
  };
}

/** The client software of the simulated world, with distinct TLS and HTTP fingerprints per family. */
export const DEVICES = {
  chrome: profile(
    'chrome',
    'web',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    true,
    'cd08e31494f9531f560d64c695473da9',
    't13d1516h2_8daaf6152771_02713d6af862',
  ),
  firefox: profile(
    'firefox',
    'web',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0',
    true,
    'b5001237acdf006056b409cc433726b0',
    't13d1715h2_5b57614c22b0_3d5424432f57',
  ),
  safari: profile(
    'safari',
    'web',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    true,
    '773906b0efdefa24a7f2b8eb6985bf37',
    't13d2014h2_a09f3c656075_14788d8d241b',
  ),
  ios: profile(
    'ios-app',
    'mobile',
    'ShopApp/5.2.1 (iPhone15,2; iOS 18.1; Scale/3.00)',
    true,
    '7a1b8a4e8ab6e5c1f4ee1d8e3b0a2c91',
    't13d1312h2_e8f1e7e78f70_4c5a4f5f2b1e',
  ),
  android: profile(
    'android-app',
    'mobile',
    'ShopApp/5.2.0 (Android 14; Pixel 8) okhttp/4.12.0',
    true,
    '3b5074b1b5d032e5620f69f9f700ff0e',
    't13d1410h2_1d37bd780c83_a6c5b1b5a9f0',
  ),
  legacyAndroid: profile(
    'legacy-android-app',
    'legacy-mobile',
    'ShopApp/3.9.4 (Android 10; SM-G973F) okhttp/3.12.12',
    false,
    'f436b9416f37d134cadd04886327d3e8',
    't12d1108h1_2f3f7d4a8b91_9c2e1a0b7d44',
  ),
} as const satisfies Record<string, DeviceProfile>;

/** Software partners, monitors and attackers run. */
export const TOOLS = {
  partnerSync: (partner: string) =>
    profile(
      `${partner}-sync`,
      'partner',
      `${partner}-sync/2.4.1 (+https://${partner}.example)`,
      true,
      'e7d705a3286e19ea42f587b344ee6865',
      't13d1011h1_5c4a2b1e9f00_7e1d2c3b4a59',
    ),
  monitor: profile(
    'uptime-probe',
    'monitor',
    'uptime-probe/1.3 (+https://status.shop.example)',
    true,
    '4d7a28d6f2263ed61de88ca66eb011e3',
    't13d0907h1_9e0f8a7b6c5d_1a2b3c4d5e6f',
  ),
  pythonRequests: profile(
    'python-requests',
    'tool',
    'python-requests/2.32.3',
    true,
    '8d9f7747675e24454cd9b7ed35c58707',
    't13d1812h1_4b22cbed5bed_7af1ed941c26',
  ),
  goHttp: profile(
    'go-http',
    'tool',
    'Go-http-client/1.1',
    true,
    '473cd7cb9faa642487833865d516e578',
    't13d1312h1_f57a46bbacb6_ab7e3b40a677',
  ),
  scanner: profile(
    'scanner',
    'tool',
    'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
    false,
    '6734f37431670b3ab4292b8f60f29984',
    't12d4605h1_c1f8a2b9d3e4_5f6a7b8c9d0e',
  ),
  headlessChrome: profile(
    'headless-chrome',
    'browser-bot',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    true,
    '2e5f1d0c3b4a59687766554433221100',
    't13d1516h2_8daaf6152771_e5627efa2ab1',
  ),
} as const;

/** A customer of the shop. */
export interface User {
  /** Numeric id; `user-<id>` in tokens. */
  id: number;
  username: string;
  device: DeviceProfile;
  /** The address the user's requests come from at home or on the carrier (shared under carrier NAT). */
  network: string;
  /** True when `network` is a carrier NAT address shared with other users. */
  natted: boolean;
  /** Hours east of UTC of the user's home (their day and night). */
  utcOffset: number;
  /** Relative activity: most users near 1, a few heavy users 10–30. */
  activity: number;
  accounts: number[];
  /** Invoices per account, in the account's order. */
  invoices: Map<number, number[]>;
  orders: number[];
  /** A second network the user sometimes travels to (another country), or undefined. */
  travel?: string;
}

/** A B2B partner with an API key and fixed egress addresses. */
export interface Partner {
  name: string;
  apiKey: string;
  egress: string[];
  /** Requests per hour at the partner's normal pace. */
  rate: number;
  /** Day of month its batch export runs (and the next day). */
  batchDay: number;
  device: DeviceProfile;
}

export interface Company {
  users: User[];
  partners: Partner[];
  /** Catalogue SKUs. */
  skus: string[];
  /** Product categories (`?category=`). */
  categories: string[];
  /** Highest invoice id issued (ids are sequential, so neighbours belong to other customers). */
  maxInvoice: number;
  maxAccount: number;
  /** Gift-card codes that exist. */
  giftCards: string[];
  /** Addresses of the internal office network (admin API callers). */
  office: string[];
  monitors: string[];
  /** Load balancers in front of the gateway (`X-Forwarded-For` right-most hop). */
  proxies: string[];
}

/** How many of each the scales bring. */
export const SCALE_USERS = { small: 500, medium: 5_000, large: 30_000 } as const;
export type Scale = keyof typeof SCALE_USERS;

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yuki',
  'zoe',
  'omar',
  'mei',
  'kofi',
  'lars',
  'ana',
  'liam',
  'noah',
];
const LAST = [
  'smith',
  'jones',
  'garcia',
  'muller',
  'rossi',
  'tanaka',
  'nguyen',
  'haddad',
  'novak',
  'dubois',
  'kowalski',
  'silva',
  'kim',
  'okafor',
  'larsen',
  'wilson',
];

/**
 * Carrier NAT: mobile customers share a pool of IPv4 addresses, about six customers per address at the
 * small scale and up to sixty at the large one (example ranges only: at most 254 addresses).
 */
function carrierPool(random: Random, users: number): string[] {
  const size = Math.max(8, Math.min(254, Math.ceil(users / 12)));
  const all: string[] = [];
  for (let i = 1; i <= 127; i++) all.push(`198.51.100.${i}`, `203.0.113.${i}`);
  for (let i = all.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  return all.slice(0, size);
}

/** A household's IPv6 address in the documentation prefix; `country` selects a /32-internal block. */
export function homeAddress(random: Random, country: number): string {
  return `2001:db8:${(0x100 + country).toString(16)}:${random.hex(4)}::${random.int(1, 0xfff).toString(16)}`;
}

/** Builds the company for a scale. */
export function createCompany(random: Random, scale: Scale): Company {
  const userCount = SCALE_USERS[scale];
  const users: User[] = [];
  const carrier = carrierPool(random, userCount);
  let nextAccount = 100_000;
  let nextInvoice = 5_000_000;
  let nextOrder = 70_000_000;
  // accounts and invoices are created in interleaved order, as customers sign up and buy over the years
  for (let i = 0; i < userCount; i++) {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const mobile = random.chance(0.6);
    const legacy = mobile && random.chance(0.08);
    const device = legacy
      ? DEVICES.legacyAndroid
      : mobile
        ? random.chance(0.55)
          ? DEVICES.ios
          : DEVICES.android
        : random.pick([DEVICES.chrome, DEVICES.chrome, DEVICES.firefox, DEVICES.safari]);
    const country = random.weighted([70, 10, 8, 6, 6]);
    const natted = mobile && random.chance(0.85);
    const accounts: number[] = [];
    const invoices = new Map<number, number[]>();
    for (let a = random.weighted([0, 80, 15, 5]); a > 0; a--) {
      const account = nextAccount;
      nextAccount += random.int(1, 3);
      accounts.push(account);
      invoices.set(account, []);
    }
    users.push({
      id: 10_000 + i,
      username: `${first}.${last}${random.chance(0.4) ? random.int(1, 99) : ''}@mail.example`,
      device,
      network: natted ? random.pick(carrier) : homeAddress(random, country),
      natted,
      utcOffset: [0, 1, -5, 9, 2][country] as number,
      activity: random.chance(0.02) ? random.int(10, 30) : Math.exp(random.normal() * 0.6),
      accounts,
      invoices,
      orders: [],
      travel: random.chance(0.05) ? homeAddress(random, (country + 1 + random.int(0, 3)) % 5) : undefined,
    });
  }
  // invoices and orders, round-robin so sequential ids belong to different customers
  for (let round = 0; round < 40; round++) {
    for (const user of users) {
      if (random.chance(0.35)) {
        const account = random.pick(user.accounts);
        user.invoices.get(account)?.push(nextInvoice++);
      }
      if (random.chance(0.2)) user.orders.push(nextOrder++);
    }
  }
  const partners: Partner[] = ['acme', 'globex', 'initech', 'umbrella'].map((name, i) => ({
    name: `partner-${name}`,
    apiKey: `pk_live_${random.alnum(32)}`,
    egress: [`198.51.100.${200 + i * 3}`, `198.51.100.${201 + i * 3}`],
    rate: [120, 60, 30, 15][i] as number,
    batchDay: [28, 30, 1, 15][i] as number,
    device: TOOLS.partnerSync(name),
  }));
  const categories = ['shoes', 'bags', 'jackets', 'watches', 'toys', 'garden', 'kitchen', 'books', 'audio', 'sports'];
  const skus: string[] = [];
  for (let i = 0; i < (scale === 'small' ? 1_200 : 6_000); i++)
    skus.push(`${random.pick(categories).slice(0, 3).toUpperCase()}-${100_000 + i * 7}`);
  const giftCards: string[] = [];
  for (let i = 0; i < 500; i++) giftCards.push(`GC${random.alnum(10).toUpperCase()}`);
  return {
    users,
    partners,
    skus,
    categories,
    maxInvoice: nextInvoice - 1,
    maxAccount: nextAccount - 1,
    giftCards,
    office: ['203.0.113.200', '203.0.113.201', '203.0.113.202'],
    monitors: ['203.0.113.250', '203.0.113.251'],
    proxies: ['10.0.0.11', '10.0.0.12', '10.0.0.13'],
  };
}
