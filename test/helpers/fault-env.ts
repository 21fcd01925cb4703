import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostConfig } from '../../src/config.js';
import type { RunnerEnv } from './runner-env.js';
import { ownContainerd, type OwnContainerd } from './own-containerd.js';

/**
 * runnerEnv (same per-process names) but on a containerd this test file owns alone, so it may be
 * stopped and restarted without disturbing other test files sharing `npm test`'s instance.
 */
export function ownContainerdEnv(label: string): RunnerEnv & { containerd: OwnContainerd } {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-${label}-`));
  const containerd = ownContainerd();
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
