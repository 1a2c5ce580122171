import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReject, isSkip, type ParseOutcome, type ParseReject, type ParsedEvent, type Parser } from '@palisade/core';

/** A small seeded PRNG (mulberry32) so fuzz failures reproduce. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\t', '-', '0', '\u0000', '\u00e9', '\ud83d', '%', '?', '\n'];

/** Produces one mutation of `sample`: truncation, deletion, insertion, duplication or random text. */
export function mutate(sample: string, random: () => number): string {
  const at = Math.floor(random() * (sample.length + 1));
  switch (Math.floor(random() * 7)) {
    case 0:
      return sample.slice(0, at);
    case 1:
      return sample.slice(at);
    case 2: {
      const len = 1 + Math.floor(random() * 8);
      return sample.slice(0, at) + sample.slice(at + len);
    }
    case 3:
      return sample.slice(0, at) + (JUNK[Math.floor(random() * JUNK.length)] as string) + sample.slice(at);
    case 4:
      return sample.slice(0, at) + sample.slice(Math.max(0, at - 20), at) + sample.slice(at);
    case 5: {
      let s = '';
      const len = Math.floor(random() * 200);
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(random() * 0x250));
      return s;
    }
    default: {
      const chars = [...sample];
      for (let i = 0; i < 3 && chars.length > 0; i++) {
        chars[Math.floor(random() * chars.length)] = JUNK[Math.floor(random() * JUNK.length)] as string;
      }
      return chars.join('');
    }
  }
}

/** Asserts that an outcome is a rejection, a skip, or events with the fields every event must have. */
export function assertWellFormed(outcome: ParseOutcome, context: string): void {
  assert.ok(outcome !== null && typeof outcome === 'object', `${context}: outcome must be an object`);
  if (isReject(outcome)) {
    assert.equal(typeof outcome.reject, 'string', `${context}: reject reason`);
    return;
  }
  if (isSkip(outcome)) {
    assert.equal(typeof outcome.skip, 'string', `${context}: skip reason`);
    return;
  }
  const items: readonly (ParsedEvent | ParseReject)[] = Array.isArray(outcome) ? outcome : [outcome as ParsedEvent];
  for (const item of items) {
    if (isReject(item)) {
      assert.equal(typeof item.reject, 'string', `${context}: reject reason in batch`);
      continue;
    }
    const event = item as ParsedEvent;
    assert.ok(Number.isFinite(event.time), `${context}: time must be finite`);
    assert.ok(typeof event.request?.method === 'string' && event.request.method.length > 0, `${context}: method`);
    assert.ok(typeof event.request.path === 'string' || typeof event.request.url === 'string', `${context}: path or url`);
    if (event.response !== undefined) {
      assert.ok(Number.isInteger(event.response.status), `${context}: status must be an integer`);
    }
    assert.ok(typeof event.client === 'object' && event.client !== null, `${context}: client`);
  }
}

/**
 * Throws random, truncated and mutated versions of `samples` at the parser and asserts it never throws
 * and always returns a well-formed outcome (an event, a counted rejection, or a skip).
 */
export function testParserFuzz(parser: Parser, samples: readonly string[], iterations = 3000, seed = 0x5eed): void {
  test(`${parser.format} fuzz: ${iterations} mutated records never crash`, () => {
    assert.ok(samples.length > 0, 'fuzz needs samples');
    const random = createRandom(seed);
    for (let i = 0; i < iterations; i++) {
      const sample = samples[i % samples.length] as string;
      let input = mutate(sample, random);
      if (random() < 0.3) input = mutate(input, random);
      const records = parser.open();
      let outcome: ParseOutcome;
      try {
        outcome = records.parse(input);
      } catch (error) {
        assert.fail(`${parser.format} threw on mutation #${i}: ${(error as Error).message}\ninput: ${JSON.stringify(input).slice(0, 500)}`);
      }
      assertWellFormed(outcome, `${parser.format} mutation #${i}`);
    }
  });
}
