import type { ContainerSpec } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import type { ContainerState } from '../../model/states.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { listSpaces } from '../space/space-queries.js';
import { listStacks } from '../stack/stack-queries.js';
import { cellRef, containerdIdOf, type CellRef } from './cell-ref.js';
import { listCells, readCell } from './cell-store.js';
import { observeContainer, observeNamespace } from './container-observation.js';
import { getRecord } from './container-record.js';

/** Every container spec of the cells, the root flagged `root: true`. */
export function extractContainersFromCells(cells: readonly Cell[]): ContainerSpec[] {
  return cells.flatMap((cell) =>
    cell.spec.containers.map((c) => ({ ...c, root: c.root || c.id === cell.spec.rootContainerId })),
  );
}

/** Containers of one cell, or of every cell under the given (possibly partial) scope. */
export async function listContainers(
  ctx: RunnerContext,
  realm: string,
  space = '',
  stack = '',
  cell = '',
): Promise<ContainerSpec[]> {
  if (cell) {
    const one = await readCell(ctx, cellRef(ctx, { realm, space, stack, name: cell }));
    return one ? extractContainersFromCells([one]) : [];
  }
  const cells: Cell[] = [];
  const spaces = space ? [space] : (await listSpaces(ctx, realm)).map((s) => s.metadata.name);
  for (const sp of spaces) {
    const stacks = stack ? [stack] : (await listStacks(ctx, realm, sp)).map((s) => s.metadata.name);
    for (const st of stacks) cells.push(...(await listCells(ctx, realm, sp, st)));
  }
  return extractContainersFromCells(cells);
}

/** The live state of one container of a cell; absent from the spec → Unknown. */
export async function getContainerState(
  ctx: RunnerContext,
  ref: CellRef,
  id: string,
): Promise<ContainerState> {
  const cell = await readCell(ctx, ref);
  const c = cell?.spec.containers.find((x) => x.id === id);
  if (!c) return 'Unknown';
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  return observeContainer(await observeNamespace(ctx, namespace), c.containerdId || containerdIdOf(ref, c))
    .state;
}

/** Whether the cell's root container record exists in containerd. */
export async function existsCellRootContainer(ctx: RunnerContext, ref: CellRef): Promise<boolean> {
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  return (await getRecord(ctx, namespace, ref.rootContainerdId)) !== undefined;
}
