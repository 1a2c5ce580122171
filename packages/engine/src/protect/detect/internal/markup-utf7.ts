/**
 * UTF-7 (RFC 2152) decoding, for XML documents that declare `encoding="UTF-7"` so that `<!DOCTYPE` reaches
 * the parser as `+ADwAIQ-DOCTYPE` and slips past filters that look for `<`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SEXTETS: ReadonlyMap<string, number> = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * The text `value` encodes in UTF-7: `+…-` runs of modified base64 become UTF-16 code units, `+-` becomes `+`,
 * everything else stays. Total and linear; an unterminated or malformed run decodes as far as it goes.
 */
export function decodeUtf7(value: string): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i] ?? '';
    if (c !== '+') {
      out += c;
      i++;
      continue;
    }
    if (value[i + 1] === '-') {
      out += '+';
      i += 2;
      continue;
    }
    let bits = 0;
    let buffer = 0;
    i++;
    for (; i < value.length; i++) {
      const sextet = SEXTETS.get(value[i] ?? '');
      if (sextet === undefined) break;
      buffer = ((buffer << 6) | sextet) & 0xffffff;
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        out += String.fromCharCode((buffer >> bits) & 0xffff);
      }
    }
    // the `-` that ends a run is absorbed
    if (value[i] === '-') i++;
  }
  return out;
}
