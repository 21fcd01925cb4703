/**
 * containerd's default Linux container: capabilities, mounts, masked and read-only paths, the
 * open-files limit. One source for the runner's full spec (runner/oci/default-spec.ts) and the
 * containerd layer's minimal spec (containerd/minimal-spec.ts). See docs/runner.md.
 */

/** One OCI mount entry. */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/**
 * The default set: containerd's default Linux spec (verified on 1.6.20 with `ctr oci spec`; the
 * same 14 names in 1.7 and 2.x). The original's reduced list has nine; we follow what containerd actually
 * gives so a kukeon container behaves like any containerd/nerdctl container (ping needs NET_RAW,
 * chroot needs SYS_CHROOT). REDUCED_CAPABILITIES keeps the nine for callers that want them.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Masked paths of the default spec (containerd ≥ 1.7 also masks powercap; 1.6.20 did not). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
  '/proc/scsi',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** containerd's default RLIMIT_NOFILE (soft = hard = 1024), clamped later to the host. */
export const DEFAULT_NOFILE = 1024;

/**
 * containerd's default process: root, cwd `/`, no arguments or environment yet, the default
 * capabilities in the three sets, the open-files limit, no-new-privileges.
 */
export function defaultProcess() {
  const caps = DEFAULT_CAPABILITIES;
  return {
    user: { uid: 0, gid: 0 } as { uid: number; gid: number; additionalGids?: number[] },
    args: [] as string[],
    env: [] as string[],
    cwd: '/',
    capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: DEFAULT_NOFILE, soft: DEFAULT_NOFILE }],
    noNewPrivileges: true,
  };
}

export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/run',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
  ];
}
