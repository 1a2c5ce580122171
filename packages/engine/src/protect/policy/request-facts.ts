/**
 * The shared vocabulary of the sensor's non-signature protections (access lists, deception, rate limits,
 * business flows): what they know about a request (`RequestFacts`), what they decide (`PolicyFinding`), and
 * the entity keys their config uses to say whom a limit or a list is about.
 */

/** What the policies know about a request when they judge it. */
export interface RequestFacts {
  /** Epoch ms from the sensor's clock; every policy judges the request at this time. */
  time: number;
  /** The resolved client address (v4, v6 or v4-mapped v6). */
  ip: string;
  method: string;
  host?: string;
  /** The path without the query, percent-decoded and with dot segments removed by the caller. */
  path: string;
  /** The matched endpoint template, e.g. `GET /orders/{id}`, when a spec or inventory gives one. */
  endpoint?: string;
  user?: string;
  /** A keyed token of the API key, never the key itself. */
  apiKey?: string;
  /** A keyed token of the session, never the cookie itself. */
  session?: string;
  fingerprints: { ja3?: string; ja4?: string; http?: string };
  /** Business entities, e.g. `{ accountId: '8812' }`. */
  entities: Record<string, string>;
  /** Filled by the geo lookup (the policies fill them when an access rule needs them and they are missing). */
  country?: string;
  asn?: number;
}

/** The entity kinds a finding can name. */
export type EntityKind = 'ip' | 'user' | 'api_key' | 'session' | 'fingerprint' | 'business' | 'endpoint';

/** What a policy decided about a request. */
export interface PolicyFinding {
  protection: 'rate-limit' | 'access' | 'deception' | 'flow';
  /** `<protection>/<config id>`, e.g. `rate-limit/login-per-ip`, `access/office`, `deception/marked`, `flow/checkout`. */
  ruleId: string;
  /** `allow` only comes from an allow list and ends the evaluation of access. */
  action: 'block' | 'monitor' | 'tarpit' | 'deceive' | 'allow';
  entity?: { kind: EntityKind; value: string };
  /** One line, never a secret (API keys and sessions are named by kind only). */
  detail: string;
  /** For rate limits: when the entity may try again. */
  retryAfterSeconds?: number;
  /** For tarpit: how long to hold the request. */
  delayMs?: number;
  /** For deceive: the fake answer to give instead of forwarding. */
  response?: { status: number; headers: Record<string, string>; body: string };
}

/**
 * Whom a limit or a list is about: `ip`, `user`, `api_key`, `session`, `fingerprint` (JA4, else JA3, else the
 * HTTP header fingerprint), `endpoint`, or `business:<name>` (a business entity of the request).
 */
export type EntityKey = 'ip' | 'user' | 'api_key' | 'session' | 'fingerprint' | 'endpoint' | `business:${string}`;

const PLAIN_KEYS: ReadonlySet<string> = new Set(['ip', 'user', 'api_key', 'session', 'fingerprint', 'endpoint']);

/** True when `text` names an entity key (`business:` needs a name after the colon). */
export function isEntityKey(text: unknown): text is EntityKey {
  if (typeof text !== 'string') return false;
  return PLAIN_KEYS.has(text) || (text.startsWith('business:') && text.length > 'business:'.length);
}

/** The entity kind a key names in findings (`business:accountId` → `business`). */
export function entityKindOf(key: EntityKey): EntityKind {
  return key.startsWith('business:') ? 'business' : (key as EntityKind);
}

/**
 * The value of one entity key for a request, or `undefined` when the request has none (an anonymous request
 * has no `user`). `endpoint` falls back to `<METHOD> <path>` when no template is known.
 */
export function entityValue(facts: RequestFacts, key: EntityKey): string | undefined {
  switch (key) {
    case 'ip':
      return canonicalIp(facts.ip);
    case 'user':
      return facts.user;
    case 'api_key':
      return facts.apiKey;
    case 'session':
      return facts.session;
    case 'fingerprint':
      return fingerprintOf(facts);
    case 'endpoint':
      return facts.endpoint ?? `${facts.method} ${facts.path}`;
    default:
      return facts.entities[key.slice(9)];
  }
}

/**
 * The address as entities are keyed by it: a v4-mapped IPv6 address (`::ffff:203.0.113.7`, what a dual-stack
 * socket reports) becomes its IPv4 form, so one client has one key; `undefined` for an empty address.
 */
export function canonicalIp(ip: string): string | undefined {
  if (ip === '') return undefined;
  if (ip.length > 7 && ip.charCodeAt(0) === 58 && (ip.startsWith('::ffff:') || ip.startsWith('::FFFF:')) && ip.includes('.', 7)) {
    return ip.slice(7);
  }
  return ip;
}

/** The request's fingerprint: JA4, else JA3, else the HTTP header fingerprint. */
export function fingerprintOf(facts: RequestFacts): string | undefined {
  const f = facts.fingerprints;
  return f.ja4 ?? f.ja3 ?? f.http;
}

/** True for entity kinds whose values are secrets' tokens and so never go into a finding's detail. */
export function isSecretKind(kind: EntityKind): boolean {
  return kind === 'api_key' || kind === 'session';
}
