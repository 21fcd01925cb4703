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
 * containerd. Nothing is persisted. Undefined when the cell does not exist. `observe: false`:
 * the stored document as it is (a caller that shows none of the containers' states).
 */
export async function getCell(
  ctx: RunnerContext,
  ref: CellRef,
  options: { observe?: boolean } = {},
): Promise<Cell | undefined> {
  const cell = await readCell(ctx, ref);
  if (!cell || options.observe === false) return cell;
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
