/**
 * True when `digits` (13–19 ASCII digits, no separators) is a payment card number: it passes the Luhn check
 * and starts with an issuer prefix whose brand allows that length — Visa 4 (13, 16, 19), Mastercard 51–55 and
 * 2221–2720 (16), Amex 34/37 (15), Discover 6011/644–649/65, JCB 3528–3589, UnionPay 62 (16–19), Diners
 * 36/38/300–305 (14–19), Maestro 50/56–69 (13–19). A Luhn-valid number with another prefix (an order id, a
 * millisecond timestamp) is not a card.
 */
export function isPaymentCardNumber(digits: string): boolean {
  const length = digits.length;
  if (length < 13 || length > 19) return false;
  return hasCardPrefix(digits, length) && passesLuhn(digits);
}

/** The Luhn (mod 10) check over a string of ASCII digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function hasCardPrefix(digits: string, length: number): boolean {
  const d = (i: number) => digits.charCodeAt(i) - 48;
  const p2 = d(0) * 10 + d(1);
  const p3 = p2 * 10 + d(2);
  const p4 = p3 * 10 + d(3);
  switch (digits[0]) {
    case '4':
      return length === 13 || length === 16 || length === 19;
    case '2':
      return p4 >= 2221 && p4 <= 2720 && length === 16;
    case '3':
      if (p2 === 34 || p2 === 37) return length === 15;
      if (p4 >= 3528 && p4 <= 3589) return length >= 16;
      return (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) && length >= 14;
    case '5':
      // Mastercard 51–55 is always 16 digits; 50 and 56–59 are Maestro (13–19).
      return p2 >= 51 && p2 <= 55 ? length === 16 : true;
    case '6':
      // Discover, UnionPay and Maestro together cover every 6x prefix.
      return true;
    default:
      return false;
  }
}
