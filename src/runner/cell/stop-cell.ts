import type { Cell } from '../../model/resources.js';
import { timestampFromDate } from '../../model/time.js';
import { withIntent } from '../intent.js';
import { failpoint } from '../failpoint.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { detachCell, detachCellWhileRootEnds } from './cell-network.js';
import type { CellRef } from './cell-ref.js';
import { populateStatuses } from './cell-state.js';
import { persistCell, requireCell, withCellLock } from './cell-store.js';
import { observeNamespace } from './container-observation.js';
import { getTask, killContainerTask, stopContainerTask } from './container-task.js';
import { stopPlanById } from './stop-plan.js';

/**
 * Stops a cell: workloads first (each its stop signal, grace, SIGKILL; in parallel), then the
 * root's CNI detach while the root stops (its namespace held for the DEL). Records and snapshots
 * stay, so a start is quick. State Stopped. `graceMs` (`--timeout`) overrides every container's
 * grace period; without it each has its own (docs/manifests.md, default 10 s).
 */
export async function stopCell(ctx: RunnerContext, ref: CellRef, graceMs?: number): Promise<Cell> {
  return withCellLock(ctx, ref, () => haltCellLocked(ctx, ref, 'stop', graceMs));
}

/** Kill: SIGKILL to every task, no wait, tasks kept. State Stopped. */
export async function killCell(ctx: RunnerContext, ref: CellRef): Promise<Cell> {
  return withCellLock(ctx, ref, () => haltCellLocked(ctx, ref, 'kill', 0));
}

export async function haltCellLocked(
  ctx: RunnerContext,
  ref: CellRef,
  how: 'stop' | 'kill',
  graceMs?: number,
): Promise<Cell> {
  const cell = await requireCell(ctx, ref);
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  const intent = {
    op: how,
    kind: 'Cell',
    key: ref.scope.join('/'),
    desired: 'present' as const,
    payload: { run: 'stopped' },
  };
  return withIntent(ctx, intent, async () => {
    const halt = (id: string): Promise<void> =>
      how === 'stop'
        ? stopContainerTask(
            ctx,
            namespace,
            id,
            stopPlanById(ref, { containers: cell.spec.containers, graceMs }, id),
          )
        : killContainerTask(ctx, namespace, id);
    const workloads = cell.spec.containers.filter((c) => !c.root && c.containerdId);
    const results = await Promise.allSettled(workloads.map((c) => halt(c.containerdId!)));
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        ctx.log.warn({ err: r.reason, container: workloads[i].id }, `${how} of a workload failed`);
    });
    failpoint('cell.stop.after-workloads');
    const root = cell.spec.containers.find((c) => c.root);
    if (root?.containerdId) {
      const task = await getTask(ctx, namespace, root.containerdId);
      const rootId = root.containerdId;
      await detachCellWhileRootEnds(ctx, ref, task?.status === 'RUNNING' ? task.pid : undefined, () =>
        halt(rootId),
      );
    }
    await detachCell(ctx, ref);
    const statuses = populateStatuses(
      cell,
      ref,
      await observeNamespace(ctx, namespace),
      timestampFromDate(ctx.now()),
    );
    return persistCell(ctx, ref, {
      ...cell,
      status: {
        ...cell.status,
        state: 'Stopped',
        reason: undefined,
        message: undefined,
        containers: statuses,
      },
    });
  });
}
