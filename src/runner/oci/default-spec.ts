import {
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_NOFILE,
  DEFAULT_READONLY_PATHS,
  defaultMounts,
} from '../../model/oci-defaults.js';
import type { OciSpec } from './oci-spec.js';

export { DEFAULT_MASKED_PATHS, DEFAULT_NOFILE, DEFAULT_READONLY_PATHS, defaultMounts };

/**
 * containerd's default Linux spec, the starting point of every container: root user,
 * cwd `/`, no-new-privileges, the default capabilities, new pid/ipc/uts/mount/network
 * namespaces, masked and read-only /proc paths, a deny-all device cgroup and the seven default
 * mounts. `root.path` is `rootfs`, relative to the bundle the shim mounts the snapshot into.
 */
export function defaultSpec(namespace: string, containerdId: string): OciSpec {
  const caps = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: DEFAULT_NOFILE, soft: DEFAULT_NOFILE }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs' },
    mounts: defaultMounts(),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      cgroupsPath: `/${namespace}/${containerdId}`,
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}
