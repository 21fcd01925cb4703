import type { CgroupManager } from '../../cgroups/index.js';
import type { EventSink } from '../../model/kukeon-event.js';
import {
  cellCgroupPath,
  containerCgroupsPath,
  parseContainerdId,
  realmFromNamespace,
} from '../../model/naming/index.js';

/** Exit status of a process ended by SIGKILL, which is how the OOM killer ends one. */
const SIGKILL_STATUS = 137;
/** Marks kept for the cell tracker at most (one per OOM-killed container not yet reported). */
const MAX_MARKS = 256;

/**
 * OOM kills, told from the container cgroup's own memory events (v2 `memory.events`, v1
 * `memory.oom_control`, both `oom_kill`): when a task ends with SIGKILL, its cgroup — still
 * there until the task is deleted — is asked whether the kernel's OOM killer did it. Only
 * SIGKILL exits cost a read; nothing is done per reconcile tick.
 */
export class OomWatch {
  private readonly marks = new Set<string>();

  constructor(
    private readonly cgroups: CgroupManager,
    private readonly cgroupRoot: string,
    private readonly namespaceSuffix: string,
    private readonly sink: EventSink,
  ) {}

  /** A task exited (containerd `/tasks/exit`): emits `OOMKilled` when its cgroup says so. */
  async taskExited(namespace: string, containerdId: string, exitStatus: number): Promise<boolean> {
    if (exitStatus !== SIGKILL_STATUS) return false;
    let where: { realm: string; space: string; stack: string; cell: string; container: string };
    try {
      const id = parseContainerdId(containerdId);
      where = {
        realm: realmFromNamespace(namespace, this.namespaceSuffix),
        space: id.space,
        stack: id.stack,
        cell: id.cellId,
        container: id.containerId,
      };
    } catch {
      return false; // not one of ours
    }
    const cell = cellCgroupPath(this.cgroupRoot, where.realm, where.space, where.stack, where.cell);
    const group = containerCgroupsPath(cell, containerdId);
    // The count alone first: a `--force` delete ends every task with SIGKILL.
    if (!(await this.cgroups.oomKills(group).catch(() => undefined))) return false;
    const stats = await this.cgroups.stats(group).catch(() => undefined);
    if (this.marks.size >= MAX_MARKS) this.marks.delete(this.marks.values().next().value as string);
    this.marks.add(containerdId);
    const limit =
      stats?.memoryLimitBytes !== undefined ? ` (memory limit ${stats.memoryLimitBytes} bytes)` : '';
    this.sink.emit({
      ...where,
      kind: 'Container',
      type: 'Warning',
      reason: 'OOMKilled',
      message: `killed by the kernel's OOM killer${limit}`,
    });
    return true;
  }

  /** True once for a container this watch saw OOM-killed (the cell tracker's exit event). */
  take(containerdId: string): boolean {
    return this.marks.delete(containerdId);
  }
}
