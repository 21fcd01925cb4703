import {
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  defaultMounts,
  defaultProcess,
} from '../model/oci-defaults.js';

/**
 * A small but complete OCI runtime spec for a Linux container (containerd's defaults, minus
 * seccomp/apparmor): the placeholder record of the orphan-task reaper, and the end-to-end tests
 * and benchmark of this package. The runner builds the product's full spec (image config, cell
 * options) from the same defaults.
 */
export interface MinimalSpecOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  hostname?: string;
  /** Absolute cgroups path (relative ones follow the shim's cgroup: docs/containerd.md). */
  cgroupsPath?: string;
  /** Namespace paths to join instead of creating, e.g. `{ network: '/proc/123/ns/net' }`. */
  join?: Partial<Record<'network' | 'ipc' | 'uts', string>>;
}

export function minimalSpec(o: MinimalSpecOptions): Record<string, unknown> {
  const join = o.join ?? {};
  const namespaces = ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => {
    const path = join[type as keyof typeof join];
    return path ? { type, path } : { type };
  });
  const spec: Record<string, unknown> = {
    ociVersion: '1.0.2-dev',
    process: {
      ...defaultProcess(),
      args: o.args,
      env: o.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: o.cwd ?? '/',
    },
    root: { path: 'rootfs' },
    mounts: defaultMounts(),
    linux: {
      namespaces,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
    },
  };
  // Joining a UTS namespace while setting hostname would rename the shared one.
  if (!join.uts) spec.hostname = o.hostname ?? 'kukeon';
  return spec;
}
