import type { Cell } from '../../model/resources.js';
import { timestampFromDate } from '../../model/time.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import type { CellRef } from './cell-ref.js';
import { populateStatuses } from './cell-state.js';
import { readCell } from './cell-store.js';
import { observeCell } from './container-observation.js';

/**
 * A cell with live container statuses: read from disk, then observed in
 * containerd. Nothing is persisted. Undefined when the cell does not exist.
 */
export async function getCell(ctx: RunnerContext, ref: CellRef): Promise<Cell | undefined> {
  const cell = await readCell(ctx, ref);
  if (!cell) return undefined;
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  const statuses = populateStatuses(
    cell,
    ref,
    // Its own containers only (a filtered list and a Tasks.Get each): a namespace listing would
    // carry every container record of the realm (hundreds of OCI specs) to show one cell.
    await observeCell(ctx, namespace, ref, cell),
    timestampFromDate(ctx.now()),
  );
  return { ...cell, status: { ...cell.status, containers: statuses } };
}
