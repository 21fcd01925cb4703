import { ErrorCode } from '../../error-codes.js';
import { cellManagedLabels, withManagedLabels } from '../../model/naming/index.js';
import { applySpaceDefaults } from '../../model/space-defaults.js';
import type { Cell } from '../../model/resources.js';
import { failpoint } from '../failpoint.js';
import { withIntent, withRealmLock } from '../intent.js';
import { validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import { requireRealm } from '../realm/realm-queries.js';
import { requireSpace } from '../space/space-queries.js';
import { requireStack } from '../stack/stack-queries.js';
import { cellFiles, refOfCell, type CellRef } from './cell-ref.js';
import { getTask, startContainerTask } from './container-task.js';
import { ensureCellHost } from './cell-host.js';
import { persistCell, readCell, withCellLock } from './cell-store.js';
import { withRoot } from './default-root.js';
import { removeCellHost } from './remove-cell-host.js';
import { claimPorts } from './port-claims.js';

export interface CreateCellResult {
  cell: Cell;
  created: boolean;
  /** Per requested container: whether its containerd record existed before and was made now. */
  containers: { name: string; existedBefore: boolean; created: boolean }[];
}

/**
 * `start`: the caller will start the cell right after (the recorded intent then says so).
 * Creates a cell's metadata, cgroup, etc files and every containerd container record — no task
 * runs yet, so the cell stays Pending (never Ready before its tasks run: so a
 * reconcile tick cannot reap a cell being created). An existing cell is ensured instead, with any
 * newly listed containers added. A failure rolls back what this call made.
 */
export async function createCell(
  ctx: RunnerContext,
  input: Cell,
  options: { start?: boolean } = {},
): Promise<CreateCellResult> {
  const ref = refOfCell(ctx, input);
  for (const c of input.spec.containers) validName('container', c.id);
  if (input.spec.containers.length === 0) {
    throw new RunnerError(
      ErrorCode.INVALID_CELL,
      `cell "${ref.name}": spec.containers is required and cannot be empty`,
    );
  }
  // Parents are checked and the stub written under the realm lock, so a concurrent delete of the
  // stack either sees this cell (and refuses) or has finished before it (and this fails).
  const prepared = await withRealmLock(ctx, ref.realm, async () => {
    // Read together; a missing parent is reported top-down, as when read one by one.
    const [realm, space, , existing] = inOrder(
      await Promise.allSettled([
        requireRealm(ctx, ref.realm),
        requireSpace(ctx, ref.realm, ref.space),
        requireStack(ctx, ref.realm, ref.space, ref.stack),
        readCell(ctx, ref),
      ] as const),
    );
    return { namespace: realm.spec.namespace, defaults: space.spec.defaults?.container, existing };
  });
  return withCellLock(ctx, ref, async () => {
    const existing = prepared.existing ?? (await readCell(ctx, ref));
    if (existing) return ensureExisting(ctx, ref, prepared.namespace, existing, input);
    const desired = newCellModel(ctx, ref, input, prepared.defaults);
    const release = await claimPorts(ctx, ref, desired.spec.containers);
    return withIntent(
      ctx,
      {
        op: 'create',
        kind: 'Cell',
        key: ref.scope.join('/'),
        desired: 'present',
        // The caller starts it next: a crash before the start intent below is recorded must still
        // end with the cell running, so recovery starts what it finishes creating.
        ...(options.start ? { payload: { run: 'running' } } : {}),
      },
      async () => {
        await persistCell(ctx, ref, desired);
        failpoint('cell.create.after-stub');
        const host = await ensureCellHost(ctx, prepared.namespace, ref, desired);
        failpoint('cell.create.after-host');
        const cell = await persistCell(ctx, ref, {
          ...host.cell,
          status: {
            ...host.cell.status,
            cgroupPath: ref.cgroupPath,
            subtreeControllers: host.subtreeControllers,
          },
        });
        // The caller starts it next (apply, CreateCell): a start intent supersedes this create's,
        // so a crash before that start has begun still ends with the cell running.
        if (options.start)
          await ctx.journal.record({
            op: 'start',
            kind: 'Cell',
            key: ref.scope.join('/'),
            desired: 'present',
            payload: { run: 'running' },
          });
        return {
          cell,
          created: true,
          containers: [...host.containers].map(([name, c]) => ({
            name,
            existedBefore: !c.created,
            created: c.created,
          })),
        };
      },
      {
        rollback: async () => {
          await removeCellHost(ctx, prepared.namespace, ref, { removeMetadata: true });
        },
      },
    ).finally(release);
  });
}

/** The values of settled promises, or the first rejection in list order. */
function inOrder<T extends readonly PromiseSettledResult<unknown>[]>(
  results: T,
): { [K in keyof T]: T[K] extends PromiseSettledResult<infer V> ? V : never } {
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never;
}

function newCellModel(
  ctx: RunnerContext,
  ref: CellRef,
  input: Cell,
  defaults: Parameters<typeof applySpaceDefaults>[1],
): Cell {
  const base: Cell = {
    metadata: {
      ...input.metadata,
      name: ref.name,
      labels: withManagedLabels(
        input.metadata.labels,
        cellManagedLabels(ref.realm, ref.space, ref.stack, ref.name),
      ),
    },
    spec: {
      ...input.spec,
      id: ref.id,
      realmId: ref.realm,
      spaceId: ref.space,
      stackId: ref.stack,
      containers: input.spec.containers.map((c) => ({
        ...c,
        realmId: ref.realm,
        spaceId: ref.space,
        stackId: ref.stack,
        cellId: ref.id,
      })),
    },
    status: { state: 'Pending', cgroupPath: ref.cgroupPath, network: {}, containers: [] },
  };
  return applySpaceDefaults(withRoot(ctx, base), defaults);
}

async function startAddedWorkloads(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  cell: Cell,
  added: ReadonlySet<string>,
): Promise<void> {
  if (added.size === 0) return;
  const root = await getTask(ctx, namespace, ref.rootContainerdId);
  if (root?.status !== 'RUNNING') return;
  const ns = (t: string): string => `/proc/${root.pid}/ns/${t}`;
  await Promise.all(
    cell.spec.containers
      .filter((c) => added.has(c.id) && c.containerdId)
      .map((c) =>
        startContainerTask(ctx, namespace, c.containerdId!, {
          logPath: cellFiles.log(ref, c.id),
          join: { network: c.hostNetwork ? undefined : ns('net'), ipc: ns('ipc'), uts: ns('uts') },
        }),
      ),
  );
}

async function ensureExisting(
  ctx: RunnerContext,
  ref: CellRef,
  namespace: string,
  existing: Cell,
  input: Cell,
): Promise<CreateCellResult> {
  const known = new Set(existing.spec.containers.map((c) => c.id));
  const added = input.spec.containers.filter((c) => !known.has(c.id) && !c.root);
  const publishing = added.find((c) => c.ports.length > 0);
  if (publishing) {
    // Ports are published when the root attaches: a running cell cannot gain them in place.
    throw new RunnerError(
      ErrorCode.INVALID_CELL,
      `cell "${ref.name}" exists: container "${publishing.id}" publishes ports, which takes a recreate of the cell — apply the changed Cell document instead`,
    );
  }
  const merged: Cell = {
    ...existing,
    spec: {
      ...existing.spec,
      containers: [
        ...existing.spec.containers,
        ...added.map((c) => ({
          ...c,
          realmId: ref.realm,
          spaceId: ref.space,
          stackId: ref.stack,
          cellId: ref.id,
        })),
      ],
    },
  };
  const host = await ensureCellHost(ctx, namespace, ref, merged, { writeEtc: false });
  // Containers added to a running cell run, as an update would make them: a declared container
  // is never saved-but-not-applied (a Ready cell whose new workload never started). Started
  // before the spec is saved, so a crash in between leaves an unlisted record for the ownership
  // sweep rather than a Ready cell with a container that does not run.
  await startAddedWorkloads(ctx, namespace, ref, host.cell, new Set(added.map((c) => c.id)));
  const cell = await persistCell(ctx, ref, host.cell);
  const requested = new Set(input.spec.containers.map((c) => c.id));
  return {
    cell,
    created: false,
    containers: [...host.containers]
      .filter(([name]) => requested.has(name))
      .map(([name, c]) => ({ name, existedBefore: !c.created, created: c.created })),
  };
}
