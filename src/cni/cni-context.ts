import type { HostConfig } from '../config.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { CniExecutor } from './cni-executor.js';

/** What the network operations need from the host configuration, resolved once. */
export interface CniContext {
  exec: CniExecutor;
  /** Root of the per-space conflists (`<confDir>/<realm>/<space>/network.conflist`). */
  confDir: string;
  cacheDir: string;
  ipamDir: string;
  bridgePrefix: string;
  log: Logger;
}

export function cniContext(
  cfg: Pick<HostConfig, 'cniConfDir' | 'cniCacheDir' | 'cniBinDirs' | 'cniIpamDir' | 'bridgePrefix'>,
  log: Logger = silentLogger,
): CniContext {
  return {
    exec: new CniExecutor({ binDirs: cfg.cniBinDirs, cacheDir: cfg.cniCacheDir, logger: log }),
    confDir: cfg.cniConfDir,
    cacheDir: cfg.cniCacheDir,
    ipamDir: cfg.cniIpamDir,
    bridgePrefix: cfg.bridgePrefix,
    log,
  };
}
