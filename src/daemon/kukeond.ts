#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --no-opt --expose-gc
/**
 * kukeond entry point. Only commander and the version are loaded up front; `serve` imports the
 * daemon (runner, containerd client, …) when it runs, so `kukeond --help` stays instant.
 */
import { Command, Option } from 'commander';
import { packageVersion } from '../version.js';

const program = new Command('kukeond')
  .description('kukeond: the kukeon daemon — owns the state and reconciles it')
  .version(packageVersion(), '--version', 'print the version')
  .option('--configuration <path>', 'server configuration file', '/etc/kukeon/kukeond.yaml')
  .option('--socket <path>', 'listen socket [KUKEOND_SOCKET] (default /run/kukeon/kukeond.sock)')
  .option('--socket-gid <gid>', 'group of the socket; > 0 → mode 0660 [KUKEOND_SOCKET_GID] (default 0)')
  .option('--run-path <path>', 'kukeon run path [KUKEON_RUN_PATH] (default /opt/kukeon)')
  .option('--containerd-socket <path>', 'containerd socket [KUKEON_CONTAINERD_SOCKET]')
  .option('--log-level <level>', 'log level: trace|debug|info|warn|error [KUKEON_LOG_LEVEL] (default info)')
  .option(
    '--reconcile-interval <duration>',
    'reconcile loop period, 0 disables [KUKEOND_RECONCILE_INTERVAL] (default 30s)',
  )
  .option(
    '--containerd-namespace-suffix <suffix>',
    'realm namespace suffix [KUKEON_NAMESPACE_SUFFIX] (default kukeon.io)',
  )
  .option('--cgroup-root <path>', 'kukeon cgroup root [KUKEON_CGROUP_ROOT] (default /kukeon)')
  .option(
    '--pod-subnet-cidr <cidr>',
    'pool of per-space /24 subnets [KUKEON_POD_SUBNET_CIDR] (default 10.88.0.0/16)',
  )
  .option(
    '--default-memory-limit-bytes <bytes>',
    'memory limit of containers that set none, 0 = none [KUKEOND_DEFAULT_MEMORY_LIMIT_BYTES] (default 0)',
  )
  .addOption(
    new Option(
      '--cni-conf-dir <dir>',
      'where space conflists live [KUKEON_CNI_CONF_DIR] (default <run-path>/data)',
    ),
  )
  .addOption(new Option('--cni-bin-dir <dirs>', 'CNI plugin dirs, colon-separated [KUKEON_CNI_BIN_DIR]'))
  .addOption(new Option('--cni-cache-dir <dir>', 'CNI result cache [KUKEON_CNI_CACHE_DIR]'))
  .addOption(new Option('--cni-ipam-dir <dir>', 'host-local IPAM lease dir [KUKEON_CNI_IPAM_DIR]'))
  .addOption(
    new Option('--bridge-prefix <prefix>', 'prefix of kukeon bridges [KUKEON_BRIDGE_PREFIX] (default k-)'),
  )
  .addOption(
    new Option(
      '--sweep-every <n>',
      'run the orphan sweep every n-th tick, 0 disables [KUKEOND_SWEEP_EVERY] (default 10)',
    ),
  )
  .option(
    '--metrics-address <host:port>',
    'serve Prometheus metrics at http://<host:port>/metrics [KUKEOND_METRICS_ADDRESS] (default off)',
  )
  .option(
    '--registry-certs-dir <dir>',
    'per-registry CAs as <dir>/<host[:port]>/ca.crt [KUKEON_REGISTRY_CERTS_DIR] (default /etc/kukeon/certs.d)',
  )
  .option(
    '--insecure-registry <host[:port]>',
    'a registry reached over plain HTTP or unverified TLS; repeatable [KUKEON_INSECURE_REGISTRIES, comma-separated] (default none)',
    (v: string, prev: string[] = []) => [...prev, v],
  )
  .option(
    '--http-address <[host:]port>',
    'serve the read-only web view at http://<host:port>/ [KUKEOND_HTTP_ADDRESS] (default off; no host: 127.0.0.1; not loopback: needs httpToken in the configuration)',
  );

program
  .command('serve')
  .description('serve the kukeonv1 API on the socket and run the reconcile loop')
  .action(async () => {
    const opts = program.opts<Record<string, unknown>>();
    const { configuration, ...flags } = opts;
    const { serve } = await import('./daemon-main.js');
    await serve({ configurationPath: String(configuration), flags, env: process.env });
  });

program.action(() => program.help());

await program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
