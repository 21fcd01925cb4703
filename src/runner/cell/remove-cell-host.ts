import { stopTask, type ContainerRecord } from '../../containerd/index.js';
import { ContainerLabel } from '../../model/naming/index.js';
import type { RunnerContext } from '../runner-context.js';
import { removeScopeSecrets } from '../secrets/scope-secrets.js';
import { failpoint } from '../failpoint.js';
import { detachCell, detachCellWhileRootEnds, hasAttachmentState } from './cell-network.js';
import type { CellRef } from './cell-ref.js';
import { getTask, removeContainer } from './container-task.js';
import { stopPlanById, type CellStop } from './stop-plan.js';

/**
 * Ends a task and waits for its exit, leaving it (Stopped) for the record's removal: its stop
 * signal and grace period then SIGKILL, or SIGKILL at once without a stop plan. Missing = done.
 */
async function endTask(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  id: string,
  stop: CellStop | undefined,
  record: ContainerRecord | undefined,
): Promise<void> {
  const plan = stop ? stopPlanById(ref, stop, id) : { signal: 'SIGKILL' as const, graceMs: 0 };
  await stopTask(ctx.containerd, namespace, id, { ...plan, ownPidNamespace: hasOwnPidNamespace(record) });
}

/** Whether a container's OCI spec gives it a new PID namespace (no `hostPID`, no joined one). */
function hasOwnPidNamespace(record: ContainerRecord | undefined): boolean {
  const linux = record?.spec?.linux as { namespaces?: { type?: string; path?: string }[] } | undefined;
  return linux?.namespaces?.some((n) => n.type === 'pid' && !n.path) ?? false;
}

/**
 * Removes everything of a cell from the host, found by what we own rather than by what the
 * metadata lists (so it also cleans up after a crash or a hand-edited document): every containerd
 * container labelled with this cell (workloads first, as `stop` plans; SIGKILL without it), the root's
 * network attachment (CNI DEL for the root only, then the lease/chain fallback), the cell cgroup,
 * and — with `removeMetadata` — the cell's metadata directory (logs and etc files included).
 */
export async function removeCellHost(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  options: {
    removeMetadata: boolean;
    stop?: CellStop;
    /** The space's network is torn down right after (DetachParams.networkGoing). */
    networkGoing?: boolean;
  },
): Promise<{ containersDeleted: string[]; cgroupDeleted: boolean; networkReleased: boolean }> {
  const filter = [
    `labels."${ContainerLabel.Cell}"==${ref.id}`,
    `labels."${ContainerLabel.Space}"==${ref.space}`,
    `labels."${ContainerLabel.Stack}"==${ref.stack}`,
  ].join(',');
  const records = await ctx.containerd.containers.list(namespace, [filter]).catch(() => []);
  const byId = new Map(records.map((r) => [r.id, r]));
  const ids = new Set(byId.keys());
  ids.add(ref.rootContainerdId);
  const workloads = [...ids].filter((id) => id !== ref.rootContainerdId);
  // Workloads end first, with the cell's network still up for a graceful stop...
  const [rootTask] = await Promise.all([
    getTask(ctx, namespace, ref.rootContainerdId).catch(() => undefined),
    ...workloads.map((id) =>
      endTask(ctx, namespace, ref, id, options.stop, byId.get(id)).catch(() => undefined),
    ),
  ]);
  // ...then their records go while the root is detached and removed (its namespace held for the
  // DEL, which so need not finish before the root stops). The cgroup goes as soon as every
  // container is gone, while the DEL may still run.
  const workloadsRemoved = Promise.all(workloads.map((id) => removeContainer(ctx, namespace, id))).then(() =>
    failpoint('cell.remove-host.after-workloads'),
  );
  workloadsRemoved.catch(() => undefined); // awaited below; an early failure is not "unhandled"
  const { report: first, ended: removed } = await detachCellWhileRootEnds(
    ctx,
    ref,
    rootTask?.status === 'RUNNING' ? rootTask.pid : undefined,
    async () => {
      if (options.stop)
        await endTask(
          ctx,
          namespace,
          ref,
          ref.rootContainerdId,
          options.stop,
          byId.get(ref.rootContainerdId),
        ).catch(() => undefined);
      await removeContainer(ctx, namespace, ref.rootContainerdId);
      await workloadsRemoved;
      return ctx.cgroups.remove(ref.cgroupPath, { force: true });
    },
    { networkGoing: options.networkGoing },
  );
  // A second pass only when the first could not complete (no netns, failed plugin): it cleans
  // up by hand what the plugins could not.
  // Not when the network goes next: its teardown takes whatever is left.
  const again =
    first.del !== 'ok' && first.del !== 'skipped:network-going' && (await hasAttachmentState(ctx, ref));
  if (again) await detachCell(ctx, ref);
  if (options.removeMetadata) {
    await removeScopeSecrets(ctx, ref.scope);
    await ctx.store.removeScope(ref.scope);
    ctx.onCellWritten?.(ref.scope, undefined);
  }
  return {
    containersDeleted: [...ids].filter((id) => records.some((r) => r.id === id)),
    cgroupDeleted: removed.existed,
    // What a purge may report as `cni-resources`: an attachment was there and is gone.
    networkReleased:
      again ||
      (first.del === 'ok' && first.hadCachedResult) ||
      first.leasesReleased.length > 0 ||
      first.chainRemoved !== undefined,
  };
}
