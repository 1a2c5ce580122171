import type { BodySample } from '@palisade/core';
import type { SecretNames } from './secret-names.js';
import type { Tokenizer } from './tokenize.js';

// A string value cut by truncation (unterminated at the very end of the text) is a value too.
const JSON_PAIR = /"((?:[^"\\]|\\.){1,128})"\s*:\s*(?:"((?:[^"\\]|\\.)*)(?:"|\\?$)|(-?\d[\d.eE+-]*))/g;

/**
 * Turns a body into a sample: cut to `maxBytes` (marked `truncated`), and the values of secret fields
 * replaced by tokens in JSON and form bodies — also when the body was cut mid-way, since the JSON is
 * scanned pair by pair rather than parsed. Multipart and binary bodies keep their text up to the cut.
 */
export function sampleBody(body: BodySample, maxBytes: number, secrets: SecretNames, tokenizer: Tokenizer): BodySample | undefined {
  if (maxBytes === 0 || body.text === '') return undefined;
  let text = body.text;
  let truncated = body.truncated;
  if (text.length > maxBytes) {
    text = text.slice(0, maxBytes);
    truncated = true;
  }
  if (body.encoding !== 'base64') {
    const type = body.contentType?.toLowerCase() ?? '';
    const first = text.trimStart()[0];
    if (type.includes('json') || first === '{' || first === '[') {
      text = text.replace(JSON_PAIR, (pair, name: string, str: string | undefined, num: string | undefined) => {
        if (!secrets.has(name)) return pair;
        return `"${name}":"${tokenizer.token(str ?? num ?? '')}"`;
      });
    } else if (type.includes('x-www-form-urlencoded') || (type === '' && /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(text.slice(0, 256)))) {
      text = text
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          if (eq < 0) return pair;
          const name = pair.slice(0, eq);
          let decoded = name;
          try {
            decoded = decodeURIComponent(name);
          } catch {
            // keep the raw name
          }
          return secrets.has(decoded) && eq < pair.length - 1 ? `${name}=${tokenizer.token(pair.slice(eq + 1))}` : pair;
        })
        .join('&');
    }
  }
  const sample: BodySample = { text, truncated };
  if (body.encoding !== undefined) sample.encoding = body.encoding;
  if (body.contentType !== undefined) sample.contentType = body.contentType;
  return sample;
}
