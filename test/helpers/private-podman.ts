// podman for the benchmarks that compare with it: private storage, run root, configuration and
// network (never a user's state), torn down with everything it made — including netavark's
// host-global iptables chains when they did not exist before.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const hasPodman = (): boolean => spawnSync('sh', ['-c', 'command -v podman']).status === 0;

export class PrivatePodman {
  /** podman refuses a runroot longer than 50 characters: a short directory of its own. */
  readonly dir: string;
  readonly net: string;
  readonly bridge: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly base: string[];
  private readonly netavarkBefore: boolean;

  /** `tag`: a short prefix for the temp dir, network and bridge; `subnet`: a /24 of its own. */
  constructor(tag: string, subnet: string) {
    this.dir = mkdtempSync(`/tmp/${tag}-`);
    this.net = `${tag}${process.pid}`;
    this.bridge = this.net.slice(0, 15);
    this.env = { ...process.env, CONTAINERS_CONF: join(this.dir, 'containers.conf') };
    this.base = [
      '--root',
      join(this.dir, 'root'),
      '--runroot',
      join(this.dir, 'runroot'),
      '--storage-driver',
      'overlay',
    ];
    this.netavarkBefore = spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout.includes(
      ':NETAVARK_FORWARD',
    );
    mkdirSync(join(this.dir, 'networks'), { recursive: true });
    // podman's default ulimits (nofile 1048576, nproc unlimited) exceed this host's hard limits
    // and runc fails at container init, so both are set within them.
    writeFileSync(
      join(this.dir, 'containers.conf'),
      [
        '[containers]',
        'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
        '[network]',
        'network_backend = "netavark"',
        `network_config_dir = "${join(this.dir, 'networks')}"`,
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = "${join(this.dir, 'events.log')}"`,
        `tmp_dir = "${join(this.dir, 'tmp')}"`,
        '',
      ].join('\n'),
    );
    // A network of our own (bridge name and subnet unique to this process), no DNS daemon.
    writeFileSync(
      join(this.dir, 'networks', `${this.net}.json`),
      JSON.stringify({
        name: this.net,
        id: Buffer.from(this.net.padEnd(32, '0')).toString('hex').slice(0, 64),
        driver: 'bridge',
        network_interface: this.bridge,
        created: '2026-01-01T00:00:00Z',
        subnets: [{ subnet }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: false,
        ipam_options: { driver: 'host-local' },
      }),
    );
  }

  /** `podman <global flags> <a…>`: the argv after the binary name. */
  args(...a: string[]): string[] {
    return [...this.base, ...a];
  }

  run(...a: string[]): string {
    return execFileSync('podman', this.args(...a), {
      encoding: 'utf8',
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** `podman <a…>` without blocking the event loop (timed the way `kuke` is: a child process). */
  runAsync(...a: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('podman', this.args(...a), { env: this.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`podman ${a.join(' ')}: ${err.message}: ${stderr}`)) : resolve(stdout),
      );
    });
  }

  /** A pod shaped like a kukeon cell: its infra container and one workload running `script`. */
  async podLikeCell(name: string, image: string, script: string): Promise<void> {
    await this.runAsync('pod', 'create', '--name', name, '--network', this.net);
    await this.runAsync('run', '-d', '--pod', name, '--name', `${name}-w`, image, 'sh', '-c', script);
  }

  /** Removes every pod and container, the storage, the network's bridge, the temp dir. */
  destroy(): void {
    for (const a of [
      ['pod', 'rm', '-a', '-f'],
      ['rm', '-a', '-f'],
      ['system', 'reset', '-f'],
    ]) {
      try {
        execFileSync('podman', this.args(...a), { env: this.env, stdio: 'ignore', timeout: 600_000 });
      } catch {
        // best effort: the removals below still run
      }
    }
    // The overlay driver bind-mounts its own directory; a podman that failed early leaves it.
    spawnSync('umount', [join(this.dir, 'root', 'overlay')], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore' });
    if (!this.netavarkBefore) dropNetavarkGlobals();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** netavark's host-global chains, created on first use and never removed by it. */
function dropNetavarkGlobals(): void {
  const ipt = (...args: string[]): void => {
    spawnSync('iptables', ['-w', ...args], { stdio: 'ignore' });
  };
  ipt(
    '-D',
    'FORWARD',
    '-m',
    'comment',
    '--comment',
    'netavark firewall plugin rules',
    '-j',
    'NETAVARK_FORWARD',
  );
  ipt('-F', 'NETAVARK_FORWARD');
  ipt('-X', 'NETAVARK_FORWARD');
  for (const chain of ['PREROUTING', 'OUTPUT'])
    ipt('-t', 'nat', '-D', chain, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'NETAVARK-HOSTPORT-DNAT');
  ipt('-t', 'nat', '-D', 'POSTROUTING', '-j', 'NETAVARK-HOSTPORT-MASQ');
  for (const c of ['NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ', 'NETAVARK-HOSTPORT-SETMARK']) {
    ipt('-t', 'nat', '-F', c);
    ipt('-t', 'nat', '-X', c);
  }
}
