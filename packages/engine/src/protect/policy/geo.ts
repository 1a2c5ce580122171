/**
 * Country and autonomous-system lookup for the access lists. The country database is the CC0
 * `@ip-location-db/geo-whois-asn-country-mmdb` (whois/ASN-derived country per range) read with `maxmind`;
 * the ASN database is optional and the user's (MaxMind ASN format, `autonomous_system_number`), since no
 * free one ships on npm; `asnRanges` in config (ASN → CIDRs) answers where no ASN database does.
 *
 * Databases are read once, asynchronously, at startup (`openGeo`); lookups after that are synchronous,
 * allocation-light and cached. Private, loopback, link-local, documentation, multicast and other special
 * ranges have no country or ASN from the databases (their rows there are noise), but `asnRanges` may name them.
 */

import { createRequire } from 'node:module';
import maxmind, { type Reader, type Response } from 'maxmind';
import { BoundedMap } from './internal/bounded-map.js';
import { IpRangeTable, parseCidr, parseIp, type CidrRange, type ParsedIp } from './internal/ip-table.js';

/** What geo lookup knows of an address. */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  asn?: number;
}

/** Looks addresses up; synchronous, never throws, `undefined` when nothing is known. */
export interface GeoLookup {
  lookup(ip: string): GeoInfo | undefined;
}

/** Geo settings in the policy config. */
export interface GeoConfig {
  /** An mmdb with `country_code` (ip-location-db) or `country.iso_code` (MaxMind) records; default: the bundled CC0 one. */
  countryDatabase?: string;
  /** An mmdb in MaxMind ASN format (`autonomous_system_number`). */
  asnDatabase?: string;
  /** ASN → CIDRs, consulted when the ASN database (if any) has no answer. */
  asnRanges?: Record<string, string[]>;
}

/** Addresses that are not on the public Internet (IANA special-purpose registries). */
export const RESERVED_RANGES: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b:1::/48',
  '100::/64',
  '2001:2::/48',
  '2001:db8::/32',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

const RESERVED = new IpRangeTable(RESERVED_RANGES.map((cidr) => ({ range: parseCidr(cidr) as CidrRange, value: true })));

/** True when `ip` is in a private or special-purpose range (or is not an address at all). */
export function isReservedAddress(ip: string | ParsedIp): boolean {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  return parsed === undefined || RESERVED.lookup(parsed) === true;
}

/** Where the bundled CC0 country database is on disk. */
export function defaultCountryDatabasePath(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
}

interface CountryRecord {
  country_code?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
}

interface AsnRecord {
  autonomous_system_number?: number;
}

const CACHE_KEYS = 16_384;
const NOTHING: GeoInfo = Object.freeze({});

/**
 * Opens the databases (reads whole files; a few tens of ms for the bundled one) and returns a lookup.
 * Rejects when a database cannot be read or an `asnRanges` CIDR is invalid.
 *
 * @example
 * const geo = await openGeo({ asnRanges: { '64496': ['203.0.113.0/24'] } });
 * geo.lookup('81.2.69.160'); // { country: 'GB' }
 */
export async function openGeo(config: GeoConfig = {}): Promise<GeoLookup> {
  const [countries, asns] = await Promise.all([
    maxmind.open<CountryRecord & Response>(config.countryDatabase ?? defaultCountryDatabasePath()),
    config.asnDatabase === undefined ? undefined : maxmind.open<AsnRecord & Response>(config.asnDatabase),
  ]);
  return createGeoLookup({ countries, asns, asnRanges: config.asnRanges });
}

/** Builds a lookup over already-opened readers (what `openGeo` does after reading the files). */
export function createGeoLookup(sources: {
  countries?: Reader<CountryRecord & Response>;
  asns?: Reader<AsnRecord & Response>;
  asnRanges?: Record<string, string[]>;
}): GeoLookup {
  const ranges = compileAsnRanges(sources.asnRanges ?? {});
  const cache = new BoundedMap<GeoInfo>(CACHE_KEYS);
  const { countries, asns } = sources;
  return {
    lookup(ip) {
      const cached = cache.get(ip);
      if (cached !== undefined) return cached === NOTHING ? undefined : cached;
      const parsed = parseIp(ip);
      let info: GeoInfo = NOTHING;
      if (parsed !== undefined) {
        const reserved = RESERVED.lookup(parsed) === true;
        const zone = ip.indexOf('%');
        const text = typeof parsed === 'number' ? formatV4(parsed) : zone < 0 ? ip : ip.slice(0, zone);
        const country = reserved || countries === undefined ? undefined : countryOf(read(countries, text));
        let asn = reserved || asns === undefined ? undefined : read(asns, text)?.autonomous_system_number;
        if (typeof asn !== 'number') asn = ranges.lookup(parsed);
        if (country !== undefined || asn !== undefined) {
          info = {};
          if (country !== undefined) info.country = country;
          if (asn !== undefined) info.asn = asn;
        }
      }
      cache.set(ip, info);
      return info === NOTHING ? undefined : info;
    },
  };
}

/** Why an `asnRanges` map is invalid, one problem per bad entry, with the key path below it. */
export function asnRangesProblems(ranges: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges)) {
    return [{ path: '', message: 'must be a mapping of ASN to a list of CIDRs' }];
  }
  for (const [asn, cidrs] of Object.entries(ranges)) {
    if (!/^\d{1,10}$/.test(asn) || Number(asn) > 0xffffffff) problems.push({ path: `.${asn}`, message: `"${asn}" is not an AS number` });
    if (!Array.isArray(cidrs)) {
      problems.push({ path: `.${asn}`, message: 'must be a list of CIDRs' });
      continue;
    }
    cidrs.forEach((cidr, i) => {
      if (typeof cidr !== 'string' || parseCidr(cidr) === undefined) {
        problems.push({ path: `.${asn}[${i}]`, message: `${JSON.stringify(cidr)} is not an IP address or CIDR range` });
      }
    });
  }
  return problems;
}

function compileAsnRanges(ranges: Record<string, string[]>): IpRangeTable<number> {
  const entries: { range: CidrRange; value: number }[] = [];
  for (const [asn, cidrs] of Object.entries(ranges)) {
    for (const cidr of cidrs) {
      const range = parseCidr(cidr);
      if (range === undefined) throw new RangeError(`asnRanges.${asn}: ${JSON.stringify(cidr)} is not a CIDR range`);
      entries.push({ range, value: Number(asn) });
    }
  }
  return new IpRangeTable(entries);
}

function read<T extends Response>(reader: Reader<T>, ip: string): T | null {
  try {
    return reader.get(ip);
  } catch {
    return null;
  }
}

function countryOf(record: CountryRecord | null): string | undefined {
  if (record === null) return undefined;
  const code = record.country_code ?? record.country?.iso_code ?? record.registered_country?.iso_code;
  return typeof code === 'string' && code.length === 2 ? code.toUpperCase() : undefined;
}

function formatV4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}
