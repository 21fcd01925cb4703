import type { CgroupResources } from './resources.js';
import type { CgroupStats } from './cgroup-stats.js';

/** The resource controllers realm/space/stack/cell groups delegate. */
export const RESOURCE_CONTROLLERS = ['cpu', 'memory', 'io', 'pids'] as const;

/**
 * Which controllers to enable in the group's own `cgroup.subtree_control` (v2):
 * `none` for a leaf that will hold processes (a container), `resource` for realm/space/stack/cell,
 * `all` for a cell with nestedCgroupRuntime, or an explicit list. Always filtered by what is offered.
 */
export type SubtreeControllers = 'none' | 'resource' | 'all' | readonly string[];

export interface EnsureOptions {
  resources?: CgroupResources;
  /** Default `none`. */
  subtreeControllers?: SubtreeControllers;
}

export interface ResourceOutcome {
  applied: { setting: string; hierarchy: string; file: string; value: string }[];
  /** Settings the host does not offer for this group (controller absent or not delegated). */
  skipped: { setting: string; reason: string }[];
}

export interface EnsureResult {
  groupPath: string;
  /** True when the group directory did not exist in at least one hierarchy and was made. */
  created: boolean;
  /** Effective controllers of the group's subtree (what `status.subtreeControllers` stores). */
  subtreeControllers: string[];
  /** Asked for (after filtering by the host) but could not be enabled; the reason is logged. */
  failedControllers: string[];
  resources: ResourceOutcome;
}

export interface CgroupPresence {
  groupPath: string;
  /** Present in every hierarchy. */
  exists: boolean;
  /** Present in some hierarchies but not all (a half-created or half-removed group). */
  partial: boolean;
  present: string[];
  missing: string[];
}

export interface RemoveOptions {
  /** Kill whatever is inside instead of refusing. */
  force?: boolean;
  /** How long to wait for killed processes to leave / for the kernel to release the groups. */
  timeoutMs?: number;
}

export interface RemoveResult {
  groupPath: string;
  /** False when nothing existed (already removed). */
  existed: boolean;
  /** Pids killed because of `force`. */
  killed: number[];
}

export interface EnsureRootResult {
  groupPath: string;
  existedBefore: boolean;
  created: boolean;
}

/**
 * One interface, one implementation per cgroup layout (v2 unified; v1 / hybrid). Group paths are
 * absolute and hierarchy-relative (`/kukeon/r/s`); mutating calls refuse paths outside `rootGroup`.
 */
export interface CgroupManager {
  readonly version: 'v1' | 'v2';
  /** Normalised kukeon root group (`/kukeon`). */
  readonly rootGroup: string;
  /** Names and mount paths of the hierarchies a group lives in. */
  hierarchies(): readonly { name: string; mountPath: string }[];
  /** Creates the kukeon root group if missing. Controllers are not delegated here. */
  ensureKukeonRoot(): Promise<EnsureRootResult>;
  /** Creates missing levels (never clears existing ones), delegates controllers, applies resources. */
  ensure(groupPath: string, options?: EnsureOptions): Promise<EnsureResult>;
  setResources(groupPath: string, resources: CgroupResources): Promise<ResourceOutcome>;
  exists(groupPath: string): Promise<CgroupPresence>;
  /**
   * Removes the group and its descendants bottom-up. Refuses with CgroupBusyError (naming the
   * pids) while any process is inside, unless `force`. Already-missing groups are fine.
   */
  remove(groupPath: string, options?: RemoveOptions): Promise<RemoveResult>;
  /** Child group names (union over hierarchies), sorted. Empty when the group is missing. */
  listChildren(groupPath: string): Promise<string[]>;
  /** Pids in the group (union over hierarchies), sorted; `recursive` includes descendants. */
  procs(groupPath: string, options?: { recursive?: boolean }): Promise<number[]>;
  /** Moves processes into the group (in every hierarchy). */
  addProcs(groupPath: string, pids: readonly number[]): Promise<void>;
  /** CPU, memory, pids and OOM-kill figures of the group; `undefined` when it does not exist. */
  stats(groupPath: string): Promise<CgroupStats | undefined>;
  /**
   * The group's OOM-kill count alone (one file, where `stats` reads six): asked on every task
   * that ends with SIGKILL. `undefined` when the group or its memory controller is missing.
   */
  oomKills(groupPath: string): Promise<number | undefined>;
}
