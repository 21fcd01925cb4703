import {
  DEFAULT_MASKED_PATHS,
  DEFAULT_NOFILE,
  DEFAULT_READONLY_PATHS,
  defaultMounts,
  defaultProcess,
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
  return {
    ociVersion: '1.0.2-dev',
    process: defaultProcess(),
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
