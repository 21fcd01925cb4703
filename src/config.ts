import { dirname, join } from 'node:path';

/**
 * Every host-global path and name lives here and is passed down, so tests can run several
 * instances side by side. Nothing deeper in the tree reads a constant host path.
 */
export interface HostConfig {
  /** Root of kukeon's on-disk metadata tree. */
  runPath: string;
  /** containerd's gRPC unix socket. */
  containerdSocket: string;
  /** Name of kukeon's top cgroup under each hierarchy root. */
  cgroupRoot: string;
  /** Mount point of the cgroup filesystem(s). */
  cgroupMount: string;
  /** Where per-space CNI conflists are written (`<dir>/<realm>/<space>/network.conflist`). */
  cniConfDir: string;
  /** CNI result cache (what a later DEL needs to know about an ADD). */
  cniCacheDir: string;
  /** Directories searched, in order, for CNI plugin binaries. */
  cniBinDirs: string[];
  /** host-local IPAM lease directory. */
  cniIpamDir: string;
  /** Prefix of the bridge interfaces kukeon creates. */
  bridgePrefix: string;
  /** Pool that per-space /24 subnets are allocated from. */
  subnetPool: string;
  /** Suffix of realm containerd namespaces: `<realm>.<suffix>`. */
  namespaceSuffix: string;
  /** The daemon's unix socket. */
  daemonSocket: string;
  /** containerd snapshotter used for images and container root filesystems. */
  snapshotter: string;
  /**
   * A static busybox on the host: bind-mounted (never copied into an image) as the process of a
   * cell's default root container, which holds the cell's namespaces and runs nothing else.
   */
  pauseBinary: string;
  /**
   * The runc v2 shim's state root: it leaves one (empty) directory per containerd namespace
   * there, which realm deletion removes.
   */
  runcRoot: string;
  /**
   * Egress firewall chain names. Unset, they follow `bridgePrefix`: `k-` gives the spec's
   * `KUKEON-EGRESS`, `KUKE-EGR-` and `KUKEON-FORWARD`; another prefix `p` gives `<P>EGRESS`,
   * `<P>EGR-` and `<P>FORWARD`, so instances side by side never share a chain.
   * Top-level filter chain jumped from FORWARD that dispatches to per-space egress chains.
   */
  egressChain?: string;
  /** Prefix of per-space egress chains, followed by 8 hex digits (at most 20 characters). */
  egressChainPrefix?: string;
  /** Forward admission chain jumped from FORWARD. */
  forwardChain?: string;
  /**
   * Top-level filter chain jumped from INPUT (docs/host-isolation.md): the loopback guard and the
   * dispatch to per-space host isolation chains. Unset: `KUKEON-INPUT` / `<P>INPUT`.
   */
  inputChain?: string;
  /** Prefix of per-space host isolation chains, followed by 8 hex digits. Unset: `KUKE-HST-` / `<P>HST-`. */
  hostChainPrefix?: string;
  /** nat chain jumped from POSTROUTING holding one masquerade rule per space (docs/cni.md). Unset: `KUKEON-POSTROUTING` / `<P>POSTROUTING`. */
  postroutingChain?: string;
  /**
   * The kukeon group's GID (the daemon socket's group): a supplementary group of every
   * container's process, so a workload can share files with the host users in that group.
   * Unset or 0: none.
   */
  kukeonGroupGid?: number;
  /** Memory limit (bytes) of every container that sets no positive one. Unset or 0: none. */
  defaultMemoryLimitBytes?: number;
  /**
   * Per-registry CAs for pulls: `<dir>/<host[:port]>/ca.crt`, the layout of containerd's
   * `certs.d` (docs/images.md, "Pulling").
   */
  registryCertsDir: string;
  /** Registries (`host[:port]`) that may be pulled from over plain HTTP or unverified TLS. */
  insecureRegistries: string[];
  /**
   * The root-only store of `kind: Secret` data (docs/secrets.md). Unset in `hostConfig()`
   * overrides, it follows the run path: `<runPath>/secrets`.
   */
  secretStoreDir: string;
  /**
   * Where file-form container secrets are staged: kukeond mounts a tmpfs here (so a secret never
   * touches a disk) and keeps one directory per container below it. Unset in `hostConfig()`
   * overrides, it follows the daemon socket's directory: `/run/kukeon/secrets` by default.
   */
  secretStagingDir: string;
}

export const defaultHostConfig: HostConfig = {
  runPath: '/opt/kukeon',
  containerdSocket: '/run/containerd/containerd.sock',
  cgroupRoot: 'kukeon',
  cgroupMount: '/sys/fs/cgroup',
  cniConfDir: '/opt/kukeon/data',
  cniCacheDir: '/opt/cni/cache',
  cniBinDirs: ['/opt/cni/bin', '/usr/lib/cni'],
  cniIpamDir: '/var/lib/cni/networks',
  bridgePrefix: 'k-',
  subnetPool: '10.88.0.0/16',
  namespaceSuffix: 'kukeon.io',
  daemonSocket: '/run/kukeon/kukeond.sock',
  snapshotter: 'overlayfs',
  pauseBinary: '/usr/bin/busybox',
  runcRoot: '/run/containerd/runc',
  registryCertsDir: '/etc/kukeon/certs.d',
  insecureRegistries: [],
  secretStoreDir: '/opt/kukeon/secrets',
  secretStagingDir: '/run/kukeon/secrets',
};

/**
 * The defaults with `overrides` applied. The conflists live in the metadata tree, so unless the
 * caller names another conf dir it follows the run path; the secret store follows the run path
 * and the secret staging tmpfs the daemon socket's directory, so an instance with its own run
 * path and socket (tests) never shares either.
 */
export function hostConfig(overrides: Partial<HostConfig> = {}): HostConfig {
  const merged = { ...defaultHostConfig, ...overrides };
  if (overrides.cniConfDir === undefined) merged.cniConfDir = join(merged.runPath, 'data');
  if (overrides.secretStoreDir === undefined) merged.secretStoreDir = join(merged.runPath, 'secrets');
  if (overrides.secretStagingDir === undefined)
    merged.secretStagingDir = join(dirname(merged.daemonSocket), 'secrets');
  return merged;
}
