/**
 * A small but complete OCI runtime spec for a Linux container (what `ctr run` would give, minus
 * seccomp/apparmor): used by this package's end-to-end tests and benchmark. The runner builds
 * the product's full spec (image config, cell options); this only needs to run busybox.
 */
export interface MinimalSpecOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  hostname?: string;
  /** Absolute cgroups path (relative ones follow the shim's cgroup: spec 04 §9). */
  cgroupsPath?: string;
  /** Namespace paths to join instead of creating, e.g. `{ network: '/proc/123/ns/net' }`. */
  join?: Partial<Record<'network' | 'ipc' | 'uts', string>>;
}

const caps = [
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

export function minimalSpec(o: MinimalSpecOptions): Record<string, unknown> {
  const join = o.join ?? {};
  const namespaces = ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => {
    const path = join[type as keyof typeof join];
    return path ? { type, path } : { type };
  });
  const spec: Record<string, unknown> = {
    ociVersion: '1.0.2-dev',
    process: {
      user: { uid: 0, gid: 0 },
      args: o.args,
      env: o.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: o.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs' },
    mounts: [
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
      {
        destination: '/dev/mqueue',
        type: 'mqueue',
        source: 'mqueue',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/run',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
    ],
    linux: {
      namespaces,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
    },
  };
  // Joining a UTS namespace while setting hostname would rename the shared one (spec 04 §10).
  if (!join.uts) spec.hostname = o.hostname ?? 'kukeon';
  return spec;
}
