import type { Cell } from '../../model/resources.js';
import { listRealms } from '../realm/realm-queries.js';
import { isStale, persistResource } from '../resource-store.js';
import type { RunnerContext } from '../runner-context.js';
import { listSpaces } from '../space/space-queries.js';
import { listStacks } from '../stack/stack-queries.js';
import { cellRef, type CellRef } from './cell-ref.js';
import { listCells, loadCell, withCellLock } from './cell-store.js';

/** Every cell of the host with its reference. */
export async function everyCell(ctx: RunnerContext): Promise<{ ref: CellRef; cell: Cell }[]> {
  const out: { ref: CellRef; cell: Cell }[] = [];
  for (const realm of await listRealms(ctx)) {
    const r = realm.metadata.name;
    for (const space of await listSpaces(ctx, r)) {
      const s = space.metadata.name;
      for (const stack of await listStacks(ctx, r, s)) {
        const t = stack.metadata.name;
        for (const cell of await listCells(ctx, r, s, t)) {
          const ref = cellRef(ctx, {
            realm: r,
            space: s,
            stack: t,
            name: cell.metadata.name,
            id: cell.spec.id,
          });
          out.push({ ref, cell });
        }
      }
    }
  }
  return out;
}

/**
 * Marks a cell OutOfSync with the reason `reasonFor` gives on its current document (none: left
 * as it is), under the cell's lock. The `kuke get cells` SYNC column shows the mark; the next
 * create or start of the cell that brings it up to date clears it (cell-host.ts). Returns whether
 * the cell was marked.
 */
export async function markOutOfSync(
  ctx: RunnerContext,
  ref: CellRef,
  reasonFor: (cell: Cell) => string | undefined | Promise<string | undefined>,
): Promise<boolean> {
  return withCellLock(ctx, ref, async () => {
    // A reconcile pass may persist the cell between our read and write: read again then.
    for (let attempt = 0; attempt < 5; attempt++) {
      const loaded = await loadCell(ctx, ref);
      if (!loaded) return false;
      const cell = loaded.model;
      const reason = await reasonFor(cell);
      if (reason === undefined) return false;
      try {
        await persistResource(
          ctx,
          'Cell',
          ref.scope,
          { ...cell, status: { ...cell.status, outOfSync: true, outOfSyncReason: reason } },
          { observed: loaded.bytes },
        );
        return true;
      } catch (err) {
        if (!isStale(err)) throw err;
      }
    }
    return false;
  });
}
