import { type Parser, PalisadeError } from '@palisade/core';

/**
 * The parser catalogue: every format registers here by name (and aliases). Auto-detection scores a sample
 * against every parser and picks the best one.
 */
export class ParserRegistry {
  readonly #byName = new Map<string, Parser>();
  readonly #parsers: Parser[] = [];

  /** Adds a parser; throws when its name or an alias is already taken. */
  register(parser: Parser): this {
    for (const name of [parser.format, ...(parser.aliases ?? [])]) {
      if (this.#byName.has(name)) throw new Error(`parser name ${name} registered twice`);
      this.#byName.set(name, parser);
    }
    this.#parsers.push(parser);
    return this;
  }

  /** Every registered parser, in registration order. */
  list(): readonly Parser[] {
    return this.#parsers;
  }

  /** The parser for a name or alias; throws `PAL_ERR_FORMAT_UNKNOWN` listing the known names. */
  get(name: string): Parser {
    const parser = this.#byName.get(name);
    if (parser === undefined) {
      throw new PalisadeError(
        'PAL_ERR_FORMAT_UNKNOWN',
        `unknown format "${name}"; known formats: ${this.#parsers.map((p) => p.format).join(', ')}`,
      );
    }
    return parser;
  }

  /**
   * Picks the format of a sample (the first non-empty lines of a stream). Returns the best parser and
   * its score, or `undefined` when no parser scores at least `minScore`.
   */
  detect(lines: readonly string[], minScore = 0.5): DetectedFormat | undefined {
    let best: DetectedFormat | undefined;
    for (const parser of this.#parsers) {
      let score = 0;
      try {
        score = parser.detect(lines);
      } catch {
        score = 0;
      }
      if (score >= minScore && (best === undefined || score > best.score)) best = { parser, score };
    }
    return best;
  }
}

/** The outcome of format detection. */
export interface DetectedFormat {
  parser: Parser;
  /** 0..1 */
  score: number;
}
