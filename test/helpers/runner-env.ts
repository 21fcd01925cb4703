import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostConfig, type HostConfig } from '../../src/config.js';
import { privateContainerd, type PrivateContainerd } from './containerd.js';

export interface RunnerEnv {
  config: HostConfig;
  containerd: PrivateContainerd;
  dir: string;
  cleanup(): void;
}

/**
 * A hermetic host configuration for one test process: private containerd, run path, IPAM and
 * cache dirs under a temp dir, a cgroup root, bridge prefix and subnet pool of its own, so test
 * files can run side by side with each other and with a real kukeon on the same machine.
 */
export function runnerEnv(label: string): RunnerEnv {
  return runnerEnvOn(label, privateContainerd());
}

/** The same hermetic configuration on a containerd the caller chose (e.g. one it may restart). */
export function runnerEnvOn<C extends PrivateContainerd>(
  label: string,
  containerd: C,
): RunnerEnv & { containerd: C } {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-${label}-`));
  // Unique per process so test files can run side by side: a 3-digit bridge prefix, and a /20
  // pool (16 spaces) out of ~3000 that other test processes are unlikely to share.
  const n = process.pid % 1000;
  const pool = `10.${64 + (process.pid % 190)}.${(Math.floor(process.pid / 190) % 16) * 16}.0/20`;
  const config = hostConfig({
    runPath: join(dir, 'run'),
    containerdSocket: containerd.socket,
    cgroupRoot: `kukeon-t${process.pid}`,
    cniCacheDir: join(dir, 'cni-cache'),
    cniIpamDir: join(dir, 'ipam'),
    bridgePrefix: `kt${n}-`,
    subnetPool: pool,
    namespaceSuffix: `t${process.pid}.kukeon.io`,
    daemonSocket: join(dir, 'kukeond.sock'),
  });
  return {
    config,
    containerd,
    dir,
    cleanup() {
      containerd.stop();
      unmountStaging(config);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The secret staging tmpfs the runner mounted under the test's directory, if it did. */
export function unmountStaging(config: Pick<HostConfig, 'secretStagingDir'>): void {
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === config.secretStagingDir);
  if (mounted) execFileSync('umount', [config.secretStagingDir]);
}

/**
 * The environment of a `kuke` child of this instance: PATH, and a HOME, client configuration and
 * bin directory (what `kuke uninstall` removes links from) of its own — never the user's
 * `~/.kuke` nor the host's /usr/local/bin — plus `extra`.
 */
export function kukeClientEnv(env: Pick<RunnerEnv, 'dir'>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: env.dir,
    KUKE_CONFIGURATION: join(env.dir, 'kuke.yaml'),
    KUKEON_BIN_DIR: join(env.dir, 'bin'),
    ...extra,
  };
}
