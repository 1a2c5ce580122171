/**
 * nginx on 127.0.0.1 as a plain reverse proxy and/or as nginx + ModSecurity v3 (libmodsecurity3) + OWASP
 * CRS (Debian packages `nginx`, `libnginx-mod-http-modsecurity`, `modsecurity-crs`), blocking mode, anomaly
 * scoring with the CRS default inbound threshold of 5 (rule 949110 denies with 403). Configs are generated into
 * a temp dir (see research/deps.md §4); nginx runs in the foreground (`daemon off`) as our child and is stopped
 * by pid. Request bodies up to 1 MiB are kept in memory (no temp-file spooling in the benchmarks).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { waitForPort } from './loopback-port.js';
import { type ServerProcess, startServer } from './spawned-server.js';

/** Where the Debian packages put things. */
const DEBIAN = {
  nginx: '/usr/sbin/nginx',
  modules: '/usr/lib/nginx/modules',
  modsecurityConf: '/etc/nginx/modsecurity.conf',
  unicodeMapping: '/etc/nginx/unicode.mapping',
  crsSetup: '/etc/modsecurity/crs/crs-setup.conf',
  crsBefore: '/etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf',
  crsRules: '/usr/share/modsecurity-crs/rules',
  crsAfter: '/etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf',
};

/** What to start: a plain proxy port, a ModSecurity port, or both, in front of one upstream. */
export interface NginxOptions {
  upstreamPort: number;
  /** nginx alone, proxying to the upstream. */
  plainPort?: number;
  /** nginx + ModSecurity + CRS. */
  modsecPort?: number;
  /** CRS paranoia level (1–4); default 1. */
  paranoia?: number;
  /** nginx worker processes; default 1. */
  workers?: number;
  /** nginx error_log level; ModSecurity writes one line per matched rule at `warn`/`error`. Default `error`. */
  logLevel?: string;
  /**
   * ModSecurity's `SecArgumentsLimit` (and its rule 200007, which answers 400 at the limit); default the
   * Debian value, 1000. A JSON body with more leaf values than this is refused uninspected.
   */
  argumentsLimit?: number;
  /** Keep the temp dir (configs and logs) after stopping. */
  keepDir?: boolean;
}

/** A running nginx and where its files are. */
export interface RunningNginx {
  readonly process: ServerProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Whether the Debian nginx and ModSecurity/CRS files are installed. */
export function nginxMissing(withModsec: boolean): string | undefined {
  const needed = [DEBIAN.nginx];
  if (withModsec)
    needed.push(join(DEBIAN.modules, 'ngx_http_modsecurity_module.so'), DEBIAN.modsecurityConf, DEBIAN.crsSetup, DEBIAN.crsRules);
  const missing = needed.filter((path) => !existsSync(path));
  return missing.length > 0 ? `not installed: ${missing.join(', ')}` : undefined;
}

/** The ModSecurity main config: Debian's file switched to blocking, with every path moved into `dir`. */
function modsecurityConf(dir: string, argumentsLimit: number | undefined): string {
  const replacements: Array<[RegExp, string]> = [
    [/^SecRuleEngine DetectionOnly/m, 'SecRuleEngine On'],
    [/^SecAuditEngine RelevantOnly/m, 'SecAuditEngine Off'],
    [/^SecAuditLog \/var\/log\/nginx\/modsec_audit\.log/m, `SecAuditLog ${dir}/logs/modsec_audit.log`],
    [/^SecUnicodeMapFile unicode\.mapping/m, `SecUnicodeMapFile ${DEBIAN.unicodeMapping}`],
    [/^SecStatusEngine On/m, 'SecStatusEngine Off'],
    [/^SecTmpDir \/tmp\//m, `SecTmpDir ${dir}/tmp/`],
    [/^SecDataDir \/tmp\//m, `SecDataDir ${dir}/tmp/`],
  ];
  if (argumentsLimit !== undefined) {
    replacements.push([/^SecArgumentsLimit \d+/m, `SecArgumentsLimit ${argumentsLimit}`]);
    replacements.push([/^SecRule &ARGS "@ge \d+"/m, `SecRule &ARGS "@ge ${argumentsLimit}"`]);
  }
  let text = readFileSync(DEBIAN.modsecurityConf, 'utf8');
  for (const [pattern, replacement] of replacements) text = text.replace(pattern, replacement);
  return text;
}

function nginxConf(dir: string, options: NginxOptions): string {
  const modules = options.modsecPort
    ? `load_module ${DEBIAN.modules}/ndk_http_module.so;\nload_module ${DEBIAN.modules}/ngx_http_modsecurity_module.so;\n`
    : '';
  const location = 'location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }';
  const servers: string[] = [];
  if (options.plainPort) servers.push(`  server {\n    listen 127.0.0.1:${options.plainPort};\n    ${location}\n  }`);
  if (options.modsecPort) {
    servers.push(
      `  server {\n    listen 127.0.0.1:${options.modsecPort};\n    modsecurity on;\n    modsecurity_rules_file ${dir}/modsec-main.conf;\n    ${location}\n  }`,
    );
  }
  return `${modules}daemon off;
worker_processes ${options.workers ?? 1};
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log ${options.logLevel ?? 'error'};
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 16m;
  client_body_buffer_size 1m;
  large_client_header_buffers 4 32k;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream app { server 127.0.0.1:${options.upstreamPort}; keepalive 64; }
${servers.join('\n')}
}
`;
}

/**
 * Writes the configs into a fresh temp dir and starts nginx (`nginx -p DIR -c DIR/nginx.conf -e DIR/error.log`);
 * resolves once every requested port accepts connections (CRS loading takes about 1.3 s). The temp dir is
 * removed on stop (and at exit) unless `keepDir`.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-nginx-'));
  const removeDir = onCleanup(() => {
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'tmp'));
  // nginx started as root runs its workers as `nobody`: they must reach the temp dirs (spooled bodies)
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'tmp'), 0o1777);
  if (options.modsecPort) {
    writeFileSync(join(dir, 'modsecurity.conf'), modsecurityConf(dir, options.argumentsLimit));
    writeFileSync(
      join(dir, 'modsec-main.conf'),
      [
        `Include ${dir}/modsecurity.conf`,
        `Include ${DEBIAN.crsSetup}`,
        `SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=${options.paranoia ?? 1}"`,
        `Include ${DEBIAN.crsBefore}`,
        `Include ${DEBIAN.crsRules}/*.conf`,
        `Include ${DEBIAN.crsAfter}`,
        '',
      ].join('\n'),
    );
  }
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, options));
  const ports = [options.plainPort, options.modsecPort].filter((port): port is number => port !== undefined);
  const first = ports[0];
  if (first === undefined) throw new Error('startNginx: no port requested');
  let server: ServerProcess;
  try {
    server = await startServer({
      name: 'nginx',
      argv: [DEBIAN.nginx, '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')],
      port: first,
      readyTimeoutMs: 30_000,
    });
  } catch (error) {
    removeDir();
    throw error;
  }
  try {
    for (const port of ports.slice(1)) await waitForPort(port, 10_000);
  } catch (error) {
    await server.stop();
    removeDir();
    throw error;
  }
  return {
    process: server,
    dir,
    stop: async () => {
      await server.stop();
      removeDir();
    },
  };
}
