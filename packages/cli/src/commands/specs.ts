import { type DeclaredApi, loadSpec } from '@palisade/engine';

/**
 * Loads a `--spec` argument: `FILE`, or `HOST=FILE` to say which host the spec describes (for specs without
 * `servers`/`host`, or to override them). A spec without hosts applies to every host.
 */
export async function loadSpecFor(argument: string): Promise<DeclaredApi> {
  const eq = argument.indexOf('=');
  const host = eq > 0 && !argument.slice(0, eq).includes('/') ? argument.slice(0, eq).toLowerCase() : undefined;
  const spec = await loadSpec(host === undefined ? argument : argument.slice(eq + 1));
  return host === undefined ? spec : { ...spec, hosts: [host] };
}
