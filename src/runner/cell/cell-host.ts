import { lineageDrift } from '../templates/lineage-drift.js';
import { spaceNetworkRef } from '../../cni/index.js';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import { ensureContainerRecord, type EnsuredContainer } from './container-record.js';
import { type CellRef } from './cell-ref.js';
import { writeCellEtcFiles } from './cell-network.js';

/**
 * Makes the host hold everything a cell needs before its tasks run: the cell cgroup (resource
 * controllers delegated; all of them for a nested runtime), its etc files, and one containerd
 * record per container (created when missing, replaced when its spec changed and it is not
 * running). Returns the cell with containerd IDs filled in, and what happened per container.
 */
export async function ensureCellHost(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  cell: Cell,
  options: { writeEtc?: boolean } = {},
): Promise<{ cell: Cell; containers: Map<string, EnsuredContainer>; subtreeControllers: string[] }> {
  const cniConfigPath = spaceNetworkRef(ctx.cni, ref.realm, ref.space).conflistPath;
  // The cgroup, the etc files and the records (each its own snapshot and lease) are independent:
  // made at once. Every attempt is awaited before a failure is reported, so the caller's rollback
  // sees all that was made.
  const cgroup = ctx.cgroups.ensure(ref.cgroupPath, {
    subtreeControllers: cell.spec.nestedCgroupRuntime ? 'all' : 'resource',
  });
  const etc = options.writeEtc !== false ? writeCellEtcFiles(ctx, ref) : undefined;
  const records = cell.spec.containers.map((c) =>
    ensureContainerRecord(ctx, namespace, ref, cell, c, { cniConfigPath }),
  );
  const settled = await Promise.allSettled([cgroup, etc, ...records]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const cg = await cgroup;
  const results = settled.slice(2) as PromiseFulfilledResult<EnsuredContainer>[];
  const containers = new Map<string, EnsuredContainer>();
  const specs = cell.spec.containers.map((c, i) => {
    const ensured = results[i].value;
    containers.set(c.id, ensured);
    return { ...c, containerdId: ensured.containerdId };
  });
  // Every container now matches its spec and the Secrets it uses, unless one still runs an older
  // build (drifted): only then does an out-of-sync mark stay (docs/secrets.md).
  // A cell made from a Blueprint/Config stays marked while its source is newer than what it was
  // made from (docs/blueprints.md).
  const current = [...containers.values()].every((e) => !e.drifted);
  const behind = current ? await lineageDrift(ctx, cell) : undefined;
  const status = !current
    ? cell.status
    : behind
      ? { ...cell.status, outOfSync: true, outOfSyncReason: behind }
      : { ...cell.status, outOfSync: undefined, outOfSyncReason: undefined };
  return {
    cell: { ...cell, spec: { ...cell.spec, containers: specs }, status },
    containers,
    subtreeControllers: cg.subtreeControllers,
  };
}
