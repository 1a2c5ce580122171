import { isPalisadeToken } from '../../sensitive/secrets.js';
import { isDate } from './string-format.js';

const NUMERIC = /^\d{1,20}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const OBJECT_ID = /^[0-9a-f]{24}$/i;
const EMAIL_LIKE = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;

/**
 * True when an object key is data rather than a field name: a number, a UUID (with or without hyphens), a
 * 24-digit hex ObjectId, a date, an e-mail address or a Palisade token. Objects keyed this way are maps, and
 * their keys never become property names in a schema (they are values from traffic).
 */
export function isIdLikeKey(key: string): boolean {
  const length = key.length;
  if (length === 0 || length > 254) return false;
  const first = key.charCodeAt(0);
  if (first >= 48 && first <= 57 && NUMERIC.test(key)) return true;
  if ((length === 32 || length === 36) && UUID.test(key)) return true;
  if (length === 24 && OBJECT_ID.test(key)) return true;
  if (length === 10 && isDate(key)) return true;
  if (length === 26 && isPalisadeToken(key)) return true;
  return key.includes('@') && EMAIL_LIKE.test(key);
}
