import { lineageDrift } from '../templates/lineage-drift.js';
import { applySpaceDefaults } from '../../model/space-defaults.js';
import type { ContainerSpec } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import { timestampFromDate } from '../../model/time.js';
import { withIntent } from '../intent.js';
import { portSetKey } from '../../model/published-ports.js';
import { claimPorts } from './port-claims.js';
import { failpoint } from '../failpoint.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { requireSpace } from '../space/space-queries.js';
import { ensureCellHost } from './cell-host.js';
import { cellFiles, refOfCell, type CellRef } from './cell-ref.js';
import { deriveCellState, populateStatuses } from './cell-state.js';
import { persistCell, requireCell, withCellLock } from './cell-store.js';
import { observeNamespace } from './container-observation.js';
import { ensureContainerRecord } from './container-record.js';
import { getTask, removeContainer, startContainerTask, stopContainerTask } from './container-task.js';
import { withRoot } from './default-root.js';
import { removeCellHost } from './remove-cell-host.js';
import { startCellLocked, type StartCellOptions } from './start-cell.js';
import { stopPlanOf } from './stop-plan.js';

export interface UpdateCellResult {
  cell: Cell;
  /** How the update reached the host. */
  recreatedCell: boolean;
  recreatedContainers: string[];
  addedContainers: string[];
  removedContainers: string[];
}

/** Fields that are kukeon's bookkeeping, not the user's intent. */
function intentOf(c: ContainerSpec): unknown {
  const { containerdId: _id, ...rest } = c;
  return rest;
}
const same = (a: ContainerSpec, b: ContainerSpec): boolean =>
  JSON.stringify(intentOf(a)) === JSON.stringify(intentOf(b));

/**
 * Applies a changed cell spec to a live cell — every change reaches the host (the original saved
 * compatible changes without applying them): a changed root recreates the whole
 * cell; a changed workload is recreated in place (stopped, replaced, restarted in the running
 * cell); added workloads are created (and started when the cell runs); removed ones are stopped
 * and deleted without touching the cell's network. Labels and policies are saved.
 */
export async function updateCell(ctx: RunnerContext, input: Cell): Promise<UpdateCellResult> {
  const ref = refOfCell(ctx, input);
  return withCellLock(ctx, ref, async () => {
    const existing = await requireCell(ctx, ref);
    const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
    const defaults = (await requireSpace(ctx, ref.realm, ref.space)).spec.defaults?.container;
    const desired = desiredModel(ctx, ref, existing, input, defaults);
    const rootTask = await getTask(ctx, namespace, ref.rootContainerdId);
    const running = rootTask?.status === 'RUNNING';
    const result: UpdateCellResult = {
      cell: existing,
      recreatedCell: false,
      recreatedContainers: [],
      addedContainers: [],
      removedContainers: [],
    };
    // Ports are published when the root attaches: a changed port set recreates the cell
    // (docs/networking-ports.md), once the new ports are checked free and claimed on the host.
    const portsChanged = portSetKey(existing.spec.containers) !== portSetKey(desired.spec.containers);
    const release = portsChanged ? await claimPorts(ctx, ref, desired.spec.containers) : () => undefined;
    return withIntent(
      ctx,
      {
        op: 'update',
        kind: 'Cell',
        key: ref.scope.join('/'),
        desired: 'present',
        payload: { run: running ? 'running' : 'stopped' },
      },
      async () => {
        const oldRoot = existing.spec.containers.find((c) => c.root)!;
        const newRoot = desired.spec.containers.find((c) => c.root)!;
        if (
          !same(oldRoot, newRoot) ||
          !!existing.spec.nestedCgroupRuntime !== !!desired.spec.nestedCgroupRuntime ||
          portsChanged
        ) {
          await removeCellHost(ctx, namespace, ref, {
            removeMetadata: false,
            stop: { containers: existing.spec.containers },
          });
          await persistCell(ctx, ref, {
            ...desired,
            status: { ...desired.status, state: 'Pending', containers: [] },
          });
          const host = await ensureCellHost(ctx, namespace, ref, await requireCell(ctx, ref));
          await persistCell(ctx, ref, host.cell);
          result.recreatedCell = true;
          result.cell = running ? await startCellLocked(ctx, ref) : await requireCell(ctx, ref);
          return result;
        }
        const wanted = new Map(desired.spec.containers.map((c) => [c.id, c]));
        for (const c of existing.spec.containers.filter((x) => !x.root && !wanted.has(x.id))) {
          if (c.containerdId) {
            await stopContainerTask(ctx, namespace, c.containerdId, stopPlanOf(c)).catch(() => undefined);
            await removeContainer(ctx, namespace, c.containerdId);
          }
          result.removedContainers.push(c.id);
        }
        failpoint('cell.update.after-removals');
        const before = new Map(existing.spec.containers.map((c) => [c.id, c]));
        const containers: ContainerSpec[] = [];
        for (const c of desired.spec.containers) {
          let ensured = await ensureContainerRecord(ctx, namespace, ref, desired, c);
          if (ensured.drifted) {
            await stopContainerTask(ctx, namespace, ensured.containerdId, stopPlanOf(before.get(c.id) ?? c));
            ensured = await ensureContainerRecord(ctx, namespace, ref, desired, c);
          }
          containers.push({ ...c, containerdId: ensured.containerdId });
          if (!ensured.created || c.root) continue;
          if (before.has(c.id)) result.recreatedContainers.push(c.id);
          else result.addedContainers.push(c.id);
          if (running) {
            const ns = (t: string): string => `/proc/${rootTask!.pid}/ns/${t}`;
            await startContainerTask(ctx, namespace, ensured.containerdId, {
              logPath: cellFiles.log(ref, c.id),
              join: { network: c.hostNetwork ? undefined : ns('net'), ipc: ns('ipc'), uts: ns('uts') },
            });
          }
        }
        failpoint('cell.update.after-records');
        const next: Cell = { ...desired, spec: { ...desired.spec, containers } };
        const statuses = populateStatuses(
          next,
          ref,
          await observeNamespace(ctx, namespace),
          timestampFromDate(ctx.now()),
        );
        // A running cell's state follows what now runs (a workload may have been added or removed).
        const state = running ? deriveCellState(next, statuses) : next.status.state;
        // Every container now matches the spec and its Secrets: only a source newer than the
        // cell's provenance keeps it OutOfSync (as in cell-host.ts).
        const behind = await lineageDrift(ctx, next);
        result.cell = await persistCell(ctx, ref, {
          ...next,
          status: {
            ...next.status,
            state,
            containers: statuses,
            outOfSync: behind ? true : undefined,
            outOfSyncReason: behind,
          },
        });
        return result;
      },
    ).finally(release);
  });
}

/** Recreates every container of a cell from its stored spec (recovery of Failed/Error cells). */
export async function recreateCell(
  ctx: RunnerContext,
  ref: CellRef,
  options: StartCellOptions = {},
): Promise<Cell> {
  return withCellLock(ctx, ref, async () => {
    const existing = await requireCell(ctx, ref);
    const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
    await removeCellHost(ctx, namespace, ref, {
      removeMetadata: false,
      stop: { containers: existing.spec.containers },
    });
    const host = await ensureCellHost(ctx, namespace, ref, existing);
    await persistCell(ctx, ref, {
      ...host.cell,
      status: { ...host.cell.status, state: 'Pending', reason: undefined, message: undefined },
    });
    return startCellLocked(ctx, ref, options);
  });
}

/** The desired model: identity kept, root resolved, space defaults merged, status carried over. */
function desiredModel(
  ctx: RunnerContext,
  ref: CellRef,
  existing: Cell,
  input: Cell,
  defaults: Parameters<typeof applySpaceDefaults>[1],
): Cell {
  const declaresRoot = input.spec.containers.some((c) => c.root) || !!input.spec.rootContainerId?.trim();
  const oldRoot = existing.spec.containers.find((c) => c.root);
  const containers = input.spec.containers.map((c) => ({
    ...c,
    realmId: ref.realm,
    spaceId: ref.space,
    stackId: ref.stack,
    cellId: ref.id,
  }));
  // A document that declares no root keeps the runner's synthesised one.
  if (!declaresRoot && oldRoot) containers.unshift(oldRoot);
  const cell: Cell = {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...input.metadata.labels } },
    spec: {
      ...existing.spec,
      rootContainerId: declaresRoot ? input.spec.rootContainerId : existing.spec.rootContainerId,
      containers,
      autoDelete: input.spec.autoDelete,
      tty: input.spec.tty,
      nestedCgroupRuntime: input.spec.nestedCgroupRuntime,
      // A re-made cell records its new source; a document without one keeps the old record.
      provenance: input.spec.provenance ?? existing.spec.provenance,
    },
  };
  return applySpaceDefaults(withRoot(ctx, cell), defaults);
}
