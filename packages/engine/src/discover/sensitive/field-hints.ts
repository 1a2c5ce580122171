/**
 * What a field, parameter or header name suggests about its value. Names are read as words after splitting
 * camelCase and separators, so `dateOfBirth`, `date_of_birth`, `Date-Of-Birth` and `DATE_OF_BIRTH` read the
 * same; `DOB` and `dob` too.
 */
export interface FieldHints {
  /** `phone`, `mobileNumber`, `fax`, `msisdn`, `contact_phone`: national phone formats are accepted. */
  phone: boolean;
  /** `ssn`, `social_security_number`: nine digits without dashes are accepted. */
  ssn: boolean;
  /** `dob`, `birthDate`, `date_of_birth`, `birthday`: a date is a date of birth. */
  birth: boolean;
  /** `address`, `street`, `address_line1`, `shippingAddress` (not `ip_address`, `email_address`, …). */
  address: boolean;
  /** `zip`, `zipCode`, `postal_code`, `postcode`. */
  postalCode: boolean;
  /** `password`, `client_secret`, `api_key`, `accessToken`, `Authorization` (not `token_type`, `page_token`, `api_key_id`). */
  credential: boolean;
  /** The name mentions AWS (`aws_secret_access_key`, `AWS_SECRET`). */
  aws: boolean;
  /** The name is about a secret key (`SecretAccessKey`, `secret_key`). */
  secretKey: boolean;
  /** `version`, `app_ver`, `build`, `firmware`: dotted numbers are versions, not addresses. */
  version: boolean;
}

/** Hints of a value with no known name. */
export const NO_HINTS: Readonly<FieldHints> = Object.freeze({
  phone: false,
  ssn: false,
  birth: false,
  address: false,
  postalCode: false,
  credential: false,
  aws: false,
  secretKey: false,
  version: false,
});

/** Lower-cases a name and removes everything but letters and digits (`Date-Of_Birth` → `dateofbirth`). */
export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Splits a name into lower-case words: `shippingAddressLine1` → `shipping address line1`, `userSSN` → `user ssn`. */
export function splitFieldName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

const PHONE_WORDS = new Set([
  'phone',
  'phones',
  'telephone',
  'tel',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'msisdn',
  'phonenumber',
  'mobilenumber',
  'telno',
  'phoneno',
  'mobileno',
  'faxnumber',
]);
const NUMBER_WORDS = new Set(['number', 'num', 'no', 'nr', 'e164']);
const ADDRESS_WORDS = new Set(['address', 'addr', 'street', 'streetaddress', 'addressline', 'addressline1', 'addressline2']);
const NOT_POSTAL = new Set([
  'ip',
  'ipv4',
  'ipv6',
  'email',
  'mail',
  'mac',
  'wallet',
  'remote',
  'server',
  'host',
  'url',
  'web',
  'client',
  'peer',
  'contract',
  'proxy',
]);
const POSTAL_NAMES = new Set(['zip', 'zipcode', 'postcode', 'postalcode', 'postal', 'plz']);
const CREDENTIAL_STEMS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'authorization',
];
const CREDENTIAL_WORDS = new Set(['pwd', 'pass', 'auth']);
// A word after the credential stem that makes the name about the credential, not the credential itself.
const CREDENTIAL_METADATA = new Set([
  'id',
  'ids',
  'type',
  'types',
  'url',
  'uri',
  'name',
  'count',
  'hint',
  'expiry',
  'expires',
  'expiration',
  'exp',
  'ttl',
  'length',
  'len',
  'policy',
  'required',
  'enabled',
  'format',
  'version',
  'prefix',
  'status',
  'endpoint',
  'at',
  'in',
  'used',
]);
// Pagination and sync cursors are opaque, high-entropy and named `*token`, but are not credentials.
const CURSOR_WORDS = new Set(['page', 'cursor', 'continuation', 'next', 'sync', 'paging', 'max']);
const VERSION_WORDS = new Set(['version', 'ver', 'v', 'build', 'release', 'firmware', 'semver', 'rev', 'revision', 'oid']);

/** Reads what a name suggests. Pure; callers cache by name. */
export function readFieldHints(name: string): FieldHints {
  const words = splitFieldName(name);
  // `phone_2`, `address-1`: a trailing number does not change what the name is about.
  if (words.length > 1 && /^\d+$/.test(words[words.length - 1] as string)) words.pop();
  if (words.length === 0) return NO_HINTS;
  const joined = words.join('');
  const last = words[words.length - 1] as string;
  const beforeLast = words.length > 1 ? (words[words.length - 2] as string) : '';
  const has = (set: ReadonlySet<string>) => words.some((word) => set.has(word));
  const credentialNamed = CREDENTIAL_STEMS.some((stem) => joined.includes(stem)) || has(CREDENTIAL_WORDS);
  return {
    phone: PHONE_WORDS.has(last) || (NUMBER_WORDS.has(last) && PHONE_WORDS.has(beforeLast)) || /^(?:phone|mobile|fax|tel)\d$/.test(last),
    ssn: words.includes('ssn') || joined.includes('socialsecurity'),
    birth: words.includes('dob') || joined.includes('birth'),
    address: (has(ADDRESS_WORDS) || joined.includes('addressline') || joined.includes('streetaddress')) && !has(NOT_POSTAL),
    postalCode:
      POSTAL_NAMES.has(joined) ||
      POSTAL_NAMES.has(last) ||
      joined.endsWith('zipcode') ||
      joined.endsWith('postalcode') ||
      joined.endsWith('postcode'),
    credential: credentialNamed && !CREDENTIAL_METADATA.has(last) && !has(CURSOR_WORDS),
    aws: words.includes('aws') || joined.startsWith('aws'),
    secretKey: joined.includes('secretkey') || joined.includes('secretaccesskey'),
    version: has(VERSION_WORDS) || joined.includes('version'),
  };
}
