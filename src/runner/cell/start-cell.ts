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
import { observeCell } from './container-observation.js';
import {
  createContainerTask,
  killContainerTask,
  notRunning,
  startCreatedTask,
  type CreatedTask,
} from './container-task.js';

/**
 * Starts a cell: the root task (its namespaces are the cell's), the CNI attachment and the cell
 * IP in /etc/hosts, then every workload joined to the root's net/ipc/uts namespaces with its
 * output in its log file. Already running → no-op. Any failure marks the cell Failed and kills
 * what did start.
 *
 * Liveness (without the original's fixed 300 ms poll): one
 * listing after the last task started must show every task running (an exited task stays listed,
 * Stopped, until it is deleted, so no exit during the start is missed); a healthy start waits for
 * nothing more. A task that exits after that is an ordinary exit: kukeond's `/tasks/exit`
 * subscription runs a reconcile pass at once (it waits for this start's lock, then observes
 * afresh), which records it — Error or Degraded, restart policy, AutoDelete.
 */
export interface StartCellOptions {
  /** `kuke run <cell> --env`: added to the attachable workloads' env for this start only. */
  runtimeEnv?: readonly string[];
}

export async function startCell(
  ctx: RunnerContext,
  ref: CellRef,
  options: StartCellOptions = {},
): Promise<Cell> {
  return withCellLock(ctx, ref, () => startCellLocked(ctx, ref, options));
}

export async function startCellLocked(
  ctx: RunnerContext,
  ref: CellRef,
  options: StartCellOptions = {},
): Promise<Cell> {
  // Read together; a missing cell is reported before a missing realm, as when read one by one.
  const [cellRead, realmRead] = await Promise.allSettled([
    requireCell(ctx, ref),
    requireRealm(ctx, ref.realm),
  ]);
  if (cellRead.status === 'rejected') throw cellRead.reason;
  if (realmRead.status === 'rejected') throw realmRead.reason;
  const stored = cellRead.value;
  const namespace = realmRead.value.spec.namespace;
  const obs = await observeCell(ctx, namespace, ref, stored);
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
      // The records and the network scrub are independent: made ready together.
      const rootRunning = obs.tasks.get(ref.rootContainerdId)?.status === 'RUNNING';
      const [host] = await Promise.all([
        ensureCellHost(ctx, namespace, ref, stored, { writeEtc: false }),
        // A stale lease or chain from an earlier run of this root would make ADD fail. A root that
        // still runs keeps its attachment: the ADD below re-checks it (CNI CHECK) and reuses it.
        rootRunning ? undefined : resetRootNetwork(ctx, ref),
      ]);
      const cell = host.cell;
      await startTasks(ctx, namespace, ref, cell, options.runtimeEnv ?? []);
      const after = await observeCell(ctx, namespace, ref, cell);
      for (const c of cell.spec.containers) {
        const task = after.tasks.get(c.containerdId ?? '');
        if (!task || task.status !== 'RUNNING') {
          const status = task ? `${task.status.toLowerCase()} (exit code ${task.exit_status})` : 'gone';
          const hint = c.root ? ref.name : `${ref.name} --container ${c.id}`;
          throw notRunning(ref.name, c.id, status, hint);
        }
      }
      const ready = markReady(cell, populateStatuses(cell, ref, after, now(ctx)));
      const bridgeName = spaceNetworkRef(ctx.cni, ref.realm, ref.space).bridgeName;
      return persistCell(ctx, ref, {
        ...ready,
        status: { ...ready.status, subtreeControllers: host.subtreeControllers, network: { bridgeName } },
      });
    },
    rollback,
  );
}

/** Before a fresh root task: no leftover attachment (only when one is recorded), etc files reset. */
async function resetRootNetwork(ctx: RunnerContext, ref: CellRef): Promise<void> {
  if (await hasAttachmentState(ctx, ref)) await detachCell(ctx, ref);
  await writeCellEtcFiles(ctx, ref);
}

/**
 * Root task, CNI ADD and the cell IP in /etc/hosts, then the workloads (all at once: each only
 * needs the root's namespaces). The root's namespaces exist once its task is created, so its
 * network is attached and the workloads' tasks are created while it starts; they start once
 * the network is up. A failure is thrown once every step in flight settled, so the rollback kills
 * everything that runs (or was created).
 */
async function startTasks(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  cell: Cell,
  runtimeEnv: readonly string[],
): Promise<void> {
  const root = cell.spec.containers.find((c) => c.root);
  if (!root?.containerdId) throw new Error(`cell "${ref.name}" has no root container`);
  const rootId = root.containerdId;
  const rootTask = await createContainerTask(ctx, namespace, rootId, {
    logPath: cellFiles.log(ref, root.id),
  });
  const ns = (t: string): string => `/proc/${rootTask.pid}/ns/${t}`;
  const workloads = cell.spec.containers.filter((c) => !c.root);
  const [rootUp, ...created] = await Promise.allSettled([
    (async () => {
      // CNI ADD needs only the root's netns (made by its Create): attached while the root starts.
      const results = await Promise.allSettled([
        rootTask.running ? rootTask.pid : startCreatedTask(ctx, namespace, rootId),
        root.hostNetwork
          ? undefined
          : attachCell(ctx, ref, rootTask.pid, cell).then((att) => writeCellEtcFiles(ctx, ref, att.ip)),
      ]);
      throwFirstRejection(results);
      failpoint('cell.start.after-root');
    })(),
    ...workloads.map((w) =>
      createContainerTask(ctx, namespace, w.containerdId!, {
        logPath: cellFiles.log(ref, w.id),
        join: { network: w.hostNetwork ? undefined : ns('net'), ipc: ns('ipc'), uts: ns('uts') },
        runtimeEnv: w.attachable ? runtimeEnv : undefined,
      }),
    ),
  ]);
  throwFirstRejection([rootUp, ...created]);
  // The network is up: now the workloads run (a workload never starts before its cell's network).
  const started = await Promise.allSettled(
    workloads.map((w, i) => {
      const task = (created[i] as PromiseFulfilledResult<CreatedTask>).value;
      return task.running ? task.pid : startCreatedTask(ctx, namespace, w.containerdId!);
    }),
  );
  throwFirstRejection(started);
  failpoint('cell.start.after-workloads');
}

function throwFirstRejection(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
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

/** A cell that cannot start: kill whatever runs, then record Failed with a one-line reason. */
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
    const statuses = populateStatuses(cell, ref, await observeCell(ctx, namespace, ref, cell), now(ctx));
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
