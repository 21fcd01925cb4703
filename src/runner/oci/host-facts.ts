/**
 * Facts about the host and the image that the spec depends on but the builder must not read
 * itself (so it stays pure and testable). `readHostFacts()` (read-host-facts.ts) fills them from
 * the real host; tests pass fakes.
 */
export interface HostFacts {
  /** Hard limits of the daemon process by OCI rlimit type (`RLIMIT_NOFILE`); Infinity = unlimited. */
  hardRlimits?: Readonly<Record<string, number>>;
  /**
   * Capabilities the daemon itself holds (its effective set). Privileged containers and `add: ALL`
   * get exactly these: asking runc for a capability outside its own bounding set fails the start.
   * Undefined = every capability the kernel knows (`capLastCap`).
   */
  currentCapabilities?: readonly string[];
  /** /proc/sys/kernel/cap_last_cap; bounds the names accepted. Undefined = all names we know. */
  capLastCap?: number;
  /** Stat a host device node (path already resolved against the host root); undefined = absent. */
  statDevice?(path: string): DeviceNode | undefined;
  /** Every host device node, for privileged containers. */
  hostDevices?(): DeviceNode[];
  /** Read a file of the image rootfs (`/etc/passwd`, `/etc/group`); undefined when absent. */
  readRootfsFile?(path: string): string | undefined;
  /** Read a seccomp profile from the daemon's filesystem (throws when unreadable). */
  readSeccompProfile?(path: string): string;
}

/** A device node as the builder needs it: what `stat(2)` says about it. */
export interface DeviceNode {
  /** Path inside the container (same as the host path given by the user). */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** Permission bits only (st_mode & 0o777). */
  fileMode: number;
  uid: number;
  gid: number;
}
