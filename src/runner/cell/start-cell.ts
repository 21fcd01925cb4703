import { setTimeout as sleep } from 'node:timers/promises';
import { spaceNetworkRef } from '../../cni/index.js';
import type { Cell } from '../../model/resources.js';
import { timestampFromDate } from '../../model/time.js';
import { failpoint } from '../failpoint.js';
import { withIntent } from '../intent.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { attachCell, detachCell, hasAttachmentState, writeCellEtcFiles } from './cell-network.js';
import { cellFiles, type CellRef } from './cell-ref.js';
import { ensureCellHost } from './cell-host.js';
import { populateStatuses } from './cell-state.js';
import { persistCell, requireCell, withCellLock } from './cell-store.js';
import { observeNamespace } from './container-observation.js';
import { getTask, killContainerTask, notRunning, startContainerTask } from './container-task.js';

/** How long a start watches its tasks for an immediate crash (spec 02 §5.5.6 step 11). */
export const LIVENESS_WINDOW_MS = 300;
const LIVENESS_STEP_MS = 50;

/**
 * Starts a cell: the root task (its namespaces are the cell's), the CNI attachment and the cell
 * IP in /etc/hosts, then every workload joined to the root's net/ipc/uts namespaces with its
 * output in its log file; then watches them for the liveness window. Already running → no-op.
 * Any failure marks the cell Failed and kills what did start.
 */
export async function startCell(ctx: RunnerContext, ref: CellRef): Promise<Cell> {
  return withCellLock(ctx, ref, () => startCellLocked(ctx, ref));
}

export async function startCellLocked(ctx: RunnerContext, ref: CellRef): Promise<Cell> {
  const stored = await requireCell(ctx, ref);
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  const obs = await observeNamespace(ctx, namespace);
  const statuses = populateStatuses(stored, ref, obs, now(ctx));
  if (statuses.length > 0 && statuses.every((s) => s.state === 'Ready')) {
    return persistCell(ctx, ref, markReady(stored, statuses));
  }
  const intent = {
    op: 'start',
    kind: 'Cell',
    key: ref.scope.join('/'),
    desired: 'present' as const,
    payload: { run: 'running' },
  };
  // A failed start is finished, not retried: the cell is recorded Failed with what runs killed.
  const rollback = { rollback: (err: unknown) => markFailed(ctx, namespace, ref, 'StartCellFailed', err) };
  return withIntent(
    ctx,
    intent,
    async () => {
      const host = await ensureCellHost(ctx, namespace, ref, stored, { writeEtc: false });
      const cell = host.cell;
      const root = cell.spec.containers.find((c) => c.root);
      if (!root?.containerdId) throw new Error(`cell "${ref.name}" has no root container`);
      // A stale lease or chain from an earlier run of this root would make ADD fail. A root that
      // still runs keeps its attachment: the ADD below re-checks it (CNI CHECK) and reuses it.
      const rootRunning = (await getTask(ctx, namespace, root.containerdId))?.status === 'RUNNING';
      if (!rootRunning && (await hasAttachmentState(ctx, ref))) await detachCell(ctx, ref);
      if (!rootRunning) await writeCellEtcFiles(ctx, ref);
      const rootPid = await startContainerTask(ctx, namespace, root.containerdId, {
        logPath: cellFiles.log(ref, root.id),
      });
      failpoint('cell.start.after-root');
      if (!root.hostNetwork) {
        const att = await attachCell(ctx, ref, rootPid);
        await writeCellEtcFiles(ctx, ref, att.ip);
      }
      const ns = (t: string): string => `/proc/${rootPid}/ns/${t}`;
      for (const w of cell.spec.containers.filter((c) => !c.root)) {
        await startContainerTask(ctx, namespace, w.containerdId!, {
          logPath: cellFiles.log(ref, w.id),
          join: { network: w.hostNetwork ? undefined : ns('net'), ipc: ns('ipc'), uts: ns('uts') },
        });
      }
      failpoint('cell.start.after-workloads');
      await watchLiveness(ctx, namespace, ref, cell);
      const after = populateStatuses(cell, ref, await observeNamespace(ctx, namespace), now(ctx));
      const ready = markReady(cell, after);
      const bridgeName = spaceNetworkRef(ctx.cni, ref.realm, ref.space).bridgeName;
      return persistCell(ctx, ref, {
        ...ready,
        status: { ...ready.status, subtreeControllers: host.subtreeControllers, network: { bridgeName } },
      });
    },
    rollback,
  );
}

/** Spec 02 §5.5.6 step 11: every task must still run through the window; the first that does not fails the start. */
async function watchLiveness(ctx: RunnerContext, namespace: string, ref: CellRef, cell: Cell): Promise<void> {
  const deadline = Date.now() + LIVENESS_WINDOW_MS;
  for (;;) {
    // Tasks only: the records were just made, only the processes can die in the window.
    const tasks = new Map(
      (await ctx.containerd.tasks.list(namespace)).map((t) => [t.container_id || t.id, t]),
    );
    for (const c of cell.spec.containers) {
      const task = tasks.get(c.containerdId ?? '');
      if (!task || task.status !== 'RUNNING') {
        const status = task ? `${task.status.toLowerCase()} (exit code ${task.exit_status})` : 'gone';
        const hint = c.root ? ref.name : `${ref.name} --container ${c.id}`;
        throw notRunning(ref.name, c.id, status, hint);
      }
    }
    if (Date.now() >= deadline) return;
    await sleep(LIVENESS_STEP_MS);
  }
}

export function markReady(cell: Cell, statuses: Cell['status']['containers']): Cell {
  return {
    ...cell,
    status: {
      ...cell.status,
      state: 'Ready',
      readyObserved: true,
      reason: undefined,
      message: undefined,
      containers: statuses,
    },
  };
}

/** Spec 02 §1.1 markCellFailed: kill whatever runs, then record Failed with a one-line reason. */
export async function markFailed(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  reason: string,
  cause: unknown,
): Promise<void> {
  try {
    const cell = await requireCell(ctx, ref);
    const workloads = cell.spec.containers.filter((c) => !c.root && c.containerdId);
    await Promise.all(
      workloads.map((c) => killContainerTask(ctx, namespace, c.containerdId!).catch(() => undefined)),
    );
    await detachCell(ctx, ref);
    const root = cell.spec.containers.find((c) => c.root);
    if (root?.containerdId) await killContainerTask(ctx, namespace, root.containerdId).catch(() => undefined);
    const statuses = populateStatuses(cell, ref, await observeNamespace(ctx, namespace), now(ctx));
    await persistCell(ctx, ref, {
      ...cell,
      status: { ...cell.status, state: 'Failed', reason, message: oneLine(cause), containers: statuses },
    });
  } catch (err) {
    ctx.log.warn({ err, cell: ref.scope.join('/') }, 'could not record the Failed state');
  }
}

function oneLine(cause: unknown): string {
  const text = (cause instanceof Error ? cause.message : String(cause))
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const bytes = Buffer.from(text);
  if (bytes.length <= 256) return text;
  return (
    bytes
      .subarray(0, 253)
      .toString('utf8')
      .replace(/\uFFFD+$/, '') + '...'
  );
}

const now = (ctx: RunnerContext): string => timestampFromDate(ctx.now());
