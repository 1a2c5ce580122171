/**
 * IBAN lengths by country (ISO 13616 registry): every SEPA country, the United Kingdom and the other common
 * IBAN countries. A country missing here is never reported.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
});

const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/**
 * True when `text` is an IBAN: a known country code, the length that country uses, check digits 02–98 and
 * a passing ISO 7064 mod-97 check. Single spaces between groups are allowed (`GB82 WEST 1234 5698 7654 32`);
 * letters must be upper case, as printed and transmitted.
 */
export function isIban(text: string): boolean {
  const compact = text.includes(' ') ? text.replace(/ /g, '') : text;
  if (!IBAN_SHAPE.test(compact) || IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  if (text !== compact && !/^[A-Z0-9]+(?: [A-Z0-9]+)*$/.test(text)) return false;
  const check = Number(compact.slice(2, 4));
  if (check < 2 || check > 98) return false;
  return mod97(compact.slice(4) + compact.slice(0, 4)) === 1;
}

// Letters count as two digits (A = 10 … Z = 35); the remainder is folded digit by digit.
function mod97(text: string): number {
  let rest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else rest = (rest * 100 + (c - 55)) % 97;
  }
  return rest;
}
