import type { SimWriter } from '../exchange.js';
import { envoyJsonWriter } from './envoy.js';
import { harWriter } from './har.js';
import { kongWriter } from './kong.js';
import { nginxJsonWriter } from './nginx-json.js';
import { otlpJsonWriter } from './otlp.js';
import { zeekWriter } from './zeek.js';

/** Every format `palisade simulate` writes, by the name `palisade formats` gives it. */
export const SIM_WRITERS: ReadonlyMap<string, SimWriter> = new Map(
  [nginxJsonWriter, kongWriter, envoyJsonWriter, harWriter, zeekWriter, otlpJsonWriter].map((w) => [w.format, w]),
);
