import type { Logger } from '../log.js';
import type { CgroupFs } from './cgroup-fs.js';
import { detectCgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import type { CgroupManager } from './cgroup-manager.js';
import { CgroupV1Manager } from './cgroup-v1-manager.js';
import { CgroupV2Manager } from './cgroup-v2-manager.js';

export interface CreateCgroupManagerOptions {
  /** HostConfig.cgroupRoot. */
  cgroupRoot: string;
  /** HostConfig.cgroupMount; used for detection when `layout` is not given. */
  cgroupMount: string;
  /** Skip detection (tests: e.g. run the v2 implementation on a hybrid host's unified mount). */
  layout?: CgroupLayout;
  /** mountinfo text for detection (default: /proc/self/mountinfo). */
  mountinfo?: string;
  logger?: Logger;
  fs?: CgroupFs;
  killProcess?: (pid: number) => void;
}

/** Detects the host's cgroup layout once and returns the matching manager. */
export async function createCgroupManager(options: CreateCgroupManagerOptions): Promise<CgroupManager> {
  const layout =
    options.layout ??
    (await detectCgroupLayout({ cgroupMount: options.cgroupMount, mountinfo: options.mountinfo }));
  const common = {
    cgroupRoot: options.cgroupRoot,
    logger: options.logger,
    fs: options.fs,
    killProcess: options.killProcess,
  };
  return layout.version === 'v2'
    ? new CgroupV2Manager({ ...common, mountPath: layout.mountPath })
    : new CgroupV1Manager({ ...common, hierarchies: layout.hierarchies });
}
