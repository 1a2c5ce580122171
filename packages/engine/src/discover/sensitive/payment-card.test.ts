import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPaymentCardNumber, passesLuhn } from './payment-card.js';

// Completes a prefix to `length` digits (zeros) with a valid Luhn check digit.
function card(prefix: string, length: number): string {
  const body = prefix.padEnd(length - 1, '0');
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${body}${d}`)) return `${body}${d}`;
  throw new Error('unreachable');
}

test('Luhn', () => {
  assert.ok(passesLuhn('4111111111111111'));
  assert.ok(passesLuhn('79927398713'));
  assert.ok(!passesLuhn('4111111111111112'));
  assert.ok(!passesLuhn('41111111111a1111'));
});

test('issuer prefixes and their lengths, at the edges of each range', () => {
  const accepted: Array<[string, number]> = [
    ['4', 13],
    ['4', 16],
    ['4', 19],
    ['51', 16],
    ['55', 16],
    ['2221', 16],
    ['2720', 16],
    ['34', 15],
    ['37', 15],
    ['6011', 16],
    ['644', 16],
    ['65', 19],
    ['3528', 16],
    ['3589', 19],
    ['36', 14],
    ['38', 16],
    ['300', 14],
    ['305', 14],
    ['62', 19],
    ['50', 13],
    ['56', 16],
    ['69', 19],
  ];
  for (const [prefix, length] of accepted) assert.ok(isPaymentCardNumber(card(prefix, length)), `${prefix} × ${length}`);
  const rejected: Array<[string, number]> = [
    ['4', 15], // Visa is 13, 16 or 19
    ['51', 19], // Mastercard is 16
    ['2220', 16],
    ['2721', 16],
    ['34', 16], // Amex is 15
    ['3527', 16],
    ['3590', 16],
    ['306', 14],
    ['1', 16],
    ['7', 16],
    ['8', 16],
    ['9', 16],
    ['0', 16],
    ['4', 12],
    ['4', 20],
  ];
  for (const [prefix, length] of rejected) assert.ok(!isPaymentCardNumber(card(prefix, length)), `${prefix} × ${length}`);
});
