import type { Cell } from '../model/resources.js';
import type { CellPort, CellReconcileOutcome } from './runner-port.js';

/** The cell surface of the Runner as the controller uses it (structural: see runnerCellPort). */
interface CellCapableRunner {
  cellRef(c: { realm: string; space: string; stack: string; name: string; id?: string }): unknown;
  listCells(realm: string, space: string, stack: string): Promise<Cell[]>;
  deleteCell(cell: Cell): Promise<unknown>;
  purgeCell(cell: Cell): Promise<unknown>;
  refreshCell(ref: never): Promise<{ updated: boolean }>;
  reconcileCell(ref: never): Promise<CellReconcileOutcome>;
}

const required = ['cellRef', 'listCells', 'deleteCell', 'purgeCell', 'refreshCell', 'reconcileCell'] as const;

/**
 * The controller's CellPort over a runner that has the cell methods, or undefined when it has not
 * (then the controller reports cell documents as unsupported). Checked at run time so the daemon
 * works with and without the cell runner in the build.
 */
export function runnerCellPort(runner: object): CellPort | undefined {
  const r = runner as Partial<CellCapableRunner>;
  if (!required.every((m) => typeof r[m] === 'function')) return undefined;
  const full = r as CellCapableRunner;
  const refOf = (cell: Cell) =>
    full.cellRef({
      realm: cell.spec.realmId,
      space: cell.spec.spaceId,
      stack: cell.spec.stackId,
      name: cell.metadata.name,
      id: cell.spec.id,
    }) as never;
  return {
    listCells: (realm, space, stack) => full.listCells(realm, space, stack),
    deleteCell: (cell) => full.deleteCell(cell),
    purgeCell: (cell) => full.purgeCell(cell),
    refreshCell: async (cell) => {
      const res = await full.refreshCell(refOf(cell));
      return { updated: res.updated, containersUpdated: res.updated };
    },
    reconcileCell: async (cell) => {
      const res = await full.reconcileCell(refOf(cell));
      return { updated: res.updated, deleted: res.deleted, vanished: res.vanished };
    },
  };
}
