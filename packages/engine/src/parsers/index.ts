import { akamaiParser } from './akamai/index.js';
import { awsAlbParser } from './aws-alb/index.js';
import { awsApiGatewayParser } from './aws-apigateway/index.js';
import { awsCloudfrontParser } from './aws-cloudfront/index.js';
import { azureParser } from './azure/index.js';
import { cloudflareParser } from './cloudflare/index.js';
import { combinedParser } from './combined/index.js';
import { envoyJsonParser, envoyParser } from './envoy/index.js';
import { fastlyParser } from './fastly/index.js';
import { gcpLbParser } from './gcp-lb/index.js';
import { haproxyParser } from './haproxy/index.js';
import { harParser } from './har/index.js';
import { kongParser } from './kong/index.js';
import { nginxJsonParser } from './nginx-json/index.js';
import { otlpJsonParser } from './otlp/index.js';
import { ParserRegistry } from './registry.js';
import { traefikParser } from './traefik/index.js';
import { zeekHttpParser } from './zeek/index.js';

export { ParserRegistry, type DetectedFormat } from './registry.js';

/**
 * Every built-in format, most specific first: when two parsers give a sample the same score, the one
 * registered first wins.
 */
export const BUILTIN_PARSERS = [
  harParser,
  otlpJsonParser,
  zeekHttpParser,
  kongParser,
  envoyJsonParser,
  traefikParser,
  cloudflareParser,
  akamaiParser,
  fastlyParser,
  azureParser,
  gcpLbParser,
  awsApiGatewayParser,
  awsAlbParser,
  awsCloudfrontParser,
  haproxyParser,
  envoyParser,
  nginxJsonParser,
  combinedParser,
] as const;

/** Creates a registry holding every built-in format. */
export function createDefaultParserRegistry(): ParserRegistry {
  const registry = new ParserRegistry();
  for (const parser of BUILTIN_PARSERS) registry.register(parser);
  return registry;
}
