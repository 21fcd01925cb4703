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
  const cg = await ctx.cgroups.ensure(ref.cgroupPath, {
    subtreeControllers: cell.spec.nestedCgroupRuntime ? 'all' : 'resource',
  });
  if (options.writeEtc !== false) await writeCellEtcFiles(ctx, ref);
  const cniConfigPath = spaceNetworkRef(ctx.cni, ref.realm, ref.space).conflistPath;
  const containers = new Map<string, EnsuredContainer>();
  const specs = [];
  for (const c of cell.spec.containers) {
    const ensured = await ensureContainerRecord(ctx, namespace, ref, cell, c, { cniConfigPath });
    containers.set(c.id, ensured);
    specs.push({ ...c, containerdId: ensured.containerdId });
  }
  return {
    cell: { ...cell, spec: { ...cell.spec, containers: specs } },
    containers,
    subtreeControllers: cg.subtreeControllers,
  };
}
