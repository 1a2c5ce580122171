import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IBAN_LENGTHS, isIban } from './iban.js';

const SEPA = 'AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA'.split(' ');

test('every SEPA country and the UK have a length', () => {
  for (const country of SEPA) assert.ok((IBAN_LENGTHS[country] ?? 0) >= 15, country);
});

test('valid IBANs from published examples', () => {
  for (const iban of [
    'GB82 WEST 1234 5698 7654 32',
    'DE89370400440532013000',
    'BE68 5390 0754 7034',
    'ES91 2100 0418 4502 0005 1332',
    'IT60 X054 2811 1010 0000 0123 456',
    'CH93 0076 2011 6238 5295 7',
  ]) {
    assert.ok(isIban(iban), iban);
  }
});

test('a changed digit, a swapped pair, a wrong length or odd spacing fail', () => {
  for (const iban of [
    'GB82 WEST 1234 5698 7654 31',
    'GB82 WEST 1234 5698 7645 32',
    'GB82 WEST 1234 5698 7654 320',
    'DE89 3704 0044 0532 0130 0',
    'GB82  WEST 1234 5698 7654 32',
    'GB00 WEST 1234 5698 7654 32',
    'GB99 WEST 1234 5698 7654 32',
  ]) {
    assert.ok(!isIban(iban), iban);
  }
});
