/** The figures `kuke top`, the metrics and the OOM watch read: pure shapes, shared by every layer. */

/**
 * What a group consumes, read from the kernel's accounting files (`kuke top`, metrics, OOM
 * detection). A field is absent when the host does not offer its controller for the group.
 */
export interface CgroupStats {
  /** CPU time of every process in the group and below, in nanoseconds. */
  cpuUsageNs?: number;
  /** Memory in use minus the inactive file cache (what `docker stats` and kubelet show). */
  memoryBytes?: number;
  /** The memory limit; absent when unlimited. */
  memoryLimitBytes?: number;
  pids?: number;
  /** Processes the kernel's OOM killer killed in this group. */
  oomKills?: number;
}

/** A container's figures (`kuke top containers`). Absent fields: the host has no such figure. */
export interface ContainerUsage extends CgroupStats {
  id: string;
  state: string;
  restarts: number;
}

/** A cell's figures (`kuke top`): its cgroup, its network interface, its containers. */
export interface CellUsage extends CgroupStats {
  netRxBytes?: number;
  netTxBytes?: number;
  restarts: number;
  containers: ContainerUsage[];
}

/** One cell's figures with its place in the hierarchy and its recorded state. */
export interface CellUsageRow {
  realm: string;
  space: string;
  stack: string;
  name: string;
  state: string;
  usage: CellUsage;
}

/** The hierarchy in scope with each cell's figures (the web view): empty scopes included. */
export interface UsageTree {
  realms: { name: string; spaces: { name: string; stacks: { name: string; cells: CellUsageRow[] }[] }[] }[];
}
