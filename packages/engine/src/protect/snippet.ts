/**
 * The piece of a matched value an event keeps: enough around the match for a person to see why it matched
 * (`' or 1=1--`), never enough to carry a secret or personal data out of the sensor.
 */

/** Longest snippet kept, in characters. */
export const MAX_SNIPPET = 80;
const CONTEXT = 12;
/** Inputs whose values are secrets by nature: only the shape of the match is kept. */
const SECRET_LOCATIONS =
  /^(?:header:(?:authorization|proxy-authorization|x-api-key|api-key|x-auth-token)|cookie:|json:.*(?:password|passwd|secret|token)|form:.*(?:password|passwd|secret|token))/i;

/**
 * A masked snippet of `value` around `[start, end)`: at most `MAX_SNIPPET` characters, control characters
 * shown as `\xNN`; runs of 5 or more digits keep only their last two (card numbers, phone numbers, ids),
 * long token-like runs keep only their first four characters, e-mail local parts are starred, and values of
 * secret-bearing inputs (authorization headers, cookies, password fields) are reduced to their punctuation.
 */
export function maskedSnippet(value: string, start: number, end: number, location: string): string {
  const from = Math.max(0, Math.min(start, value.length) - CONTEXT);
  const to = Math.min(value.length, Math.max(end, start) + CONTEXT, from + MAX_SNIPPET);
  let text = value.slice(from, to);
  if (SECRET_LOCATIONS.test(location)) text = text.replace(/[A-Za-z0-9]/g, '*');
  else {
    text = text
      .replace(/[A-Za-z0-9._%+-]+@/g, '***@')
      .replace(/[A-Za-z0-9+/_-]{24,}/g, (run) => `${run.slice(0, 4)}…`)
      .replace(/\d{5,}/g, (run) => `${'*'.repeat(run.length - 2)}${run.slice(-2)}`);
  }
  text = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${from > 0 ? '…' : ''}${text}${to < value.length ? '…' : ''}`;
}
