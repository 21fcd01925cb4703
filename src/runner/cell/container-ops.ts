import { ErrorCode } from '../../error-codes.js';
import type { ContainerSpec } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import { cellFiles, type CellRef } from './cell-ref.js';
import { requireCell, withCellLock } from './cell-store.js';
import { requireRealm } from '../realm/realm-queries.js';
import {
  getTask,
  killContainerTask,
  removeContainer,
  startContainerTask,
  stopContainerTask,
} from './container-task.js';
import { ensureContainerRecord } from './container-record.js';
import { updateCell } from './update-cell.js';
import { stopPlanOf } from './stop-plan.js';

/** A workload of a cell by its cell-local id; the root is addressed through the cell verbs. */
function workloadOf(cell: Cell, ref: CellRef, id: string): ContainerSpec {
  const c = cell.spec.containers.find((x) => x.id === id);
  if (!c) {
    throw new RunnerError(ErrorCode.CONTAINER_NOT_FOUND, `container "${id}" not found in cell "${ref.name}"`);
  }
  if (c.root) {
    throw new RunnerError(
      ErrorCode.INVALID_NAME,
      `container "${id}" is the root of cell "${ref.name}": use the cell verbs (kuke start/stop/kill cell ${ref.name})`,
    );
  }
  return c;
}

/** Adds (or updates) one container of a cell; started at once when the cell runs. */
export async function upsertContainer(
  ctx: RunnerContext,
  ref: CellRef,
  container: ContainerSpec,
): Promise<Cell> {
  const cell = await requireCell(ctx, ref);
  const others = cell.spec.containers.filter((c) => c.id !== container.id && !c.root);
  const root = cell.spec.containers.filter((c) => c.root);
  const desired: Cell = {
    ...cell,
    spec: { ...cell.spec, containers: [...root, ...others, { ...container, root: false }] },
  };
  return (await updateCell(ctx, desired)).cell;
}

/** Removes one workload from a cell (stopped, deleted; the cell's network is untouched). */
export async function removeContainerFromCell(ctx: RunnerContext, ref: CellRef, id: string): Promise<Cell> {
  const cell = await requireCell(ctx, ref);
  workloadOf(cell, ref, id);
  const desired: Cell = {
    ...cell,
    spec: { ...cell.spec, containers: cell.spec.containers.filter((c) => c.id !== id) },
  };
  return (await updateCell(ctx, desired)).cell;
}

export async function stopContainer(
  ctx: RunnerContext,
  ref: CellRef,
  id: string,
  graceMs?: number,
): Promise<void> {
  await withCellLock(ctx, ref, async () => {
    const c = workloadOf(await requireCell(ctx, ref), ref, id);
    const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
    if (c.containerdId) await stopContainerTask(ctx, namespace, c.containerdId, stopPlanOf(c, graceMs));
  });
}

export async function killContainer(ctx: RunnerContext, ref: CellRef, id: string): Promise<void> {
  await withCellLock(ctx, ref, async () => {
    const c = workloadOf(await requireCell(ctx, ref), ref, id);
    const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
    if (c.containerdId) await killContainerTask(ctx, namespace, c.containerdId);
  });
}

/** Starts one workload of a running cell (joined to the root's namespaces); the root must run. */
export async function startContainer(ctx: RunnerContext, ref: CellRef, id: string): Promise<void> {
  await withCellLock(ctx, ref, async () => {
    const cell = await requireCell(ctx, ref);
    const c = workloadOf(cell, ref, id);
    const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
    const root = await getTask(ctx, namespace, ref.rootContainerdId);
    if (root?.status !== 'RUNNING') {
      throw new RunnerError(
        ErrorCode.CELL_START_FAILED,
        `cell "${ref.name}" is not running: start the cell first (kuke start ${ref.name})`,
      );
    }
    const ensured = await ensureContainerRecord(ctx, namespace, ref, cell, c);
    const ns = (t: string): string => `/proc/${root.pid}/ns/${t}`;
    await startContainerTask(ctx, namespace, ensured.containerdId, {
      logPath: cellFiles.log(ref, c.id),
      join: { network: c.hostNetwork ? undefined : ns('net'), ipc: ns('ipc'), uts: ns('uts') },
    });
  });
}

/** Removes a container from containerd by its containerd ID, whatever its cell (purge). */
export async function purgeContainer(ctx: RunnerContext, realm: string, containerdId: string): Promise<void> {
  const namespace = (await requireRealm(ctx, realm)).spec.namespace;
  await removeContainer(ctx, namespace, containerdId);
}
