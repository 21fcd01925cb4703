import type { Cell } from '../model/resources.js';
import type { ContainerSpec } from '../model/container.js';
import type { TerminalTask } from '../runner/terminal-host.js';
import type { CellUsage } from '../runner/cell/cell-usage.js';
import type {
  CellCreateOutcome,
  CellDeleteOutcome,
  CellPort,
  CellReconcileOutcome,
  CellUpdateOutcome,
} from './runner-port.js';

type RefInput = { realm: string; space: string; stack: string; name: string; id?: string };

/** The cell surface of the Runner as the controller uses it (structural: see runnerCellPort). */
interface CellCapableRunner {
  cellRef(c: RefInput): unknown;
  listCells(realm: string, space: string, stack: string): Promise<Cell[]>;
  getCell(ref: never, options?: { observe?: boolean }): Promise<Cell | undefined>;
  createCell(cell: Cell, options?: { start?: boolean }): Promise<CellCreateOutcome>;
  startCell(cell: Cell): Promise<Cell>;
  recreateCell(cell: Cell): Promise<Cell>;
  stopCell(cell: Cell, graceMs?: number): Promise<Cell>;
  killCell(cell: Cell): Promise<Cell>;
  updateCell(cell: Cell): Promise<CellUpdateOutcome>;
  upsertContainer(ref: never, container: ContainerSpec): Promise<Cell>;
  deleteCell(cell: Cell, graceMs?: number): Promise<CellDeleteOutcome>;
  purgeCell(cell: Cell): Promise<CellDeleteOutcome>;
  refreshCell(ref: never): Promise<{ updated: boolean }>;
  reconcileCell(ref: never, obs?: never): Promise<CellReconcileOutcome>;
  observeRealm?(realm: string): Promise<unknown>;
  containerLogPath?(ref: never, container: string): string;
  terminalTask?(ref: never, container: ContainerSpec): Promise<TerminalTask>;
  cellUsage?(cell: Cell): Promise<CellUsage>;
}

const required = [
  'cellRef',
  'listCells',
  'getCell',
  'createCell',
  'startCell',
  'recreateCell',
  'stopCell',
  'killCell',
  'updateCell',
  'upsertContainer',
  'deleteCell',
  'purgeCell',
  'refreshCell',
  'reconcileCell',
] as const;

/**
 * The controller's CellPort over the runner's cell methods. A runner without one of them is a
 * programming error, reported at once rather than as unsupported cells later.
 */
export function runnerCellPort(runner: object): CellPort {
  const r = runner as Partial<CellCapableRunner>;
  const absent = required.filter((m) => typeof r[m] !== 'function');
  if (absent.length > 0) throw new Error(`runner lacks the cell methods ${absent.join(', ')}`);
  const full = r as CellCapableRunner;
  const ref = (c: RefInput) => full.cellRef(c) as never;
  const refOf = (cell: Cell) =>
    ref({
      realm: cell.spec.realmId,
      space: cell.spec.spaceId,
      stack: cell.spec.stackId,
      name: cell.metadata.name,
      id: cell.spec.id,
    });
  return {
    listCells: (realm, space, stack) => full.listCells(realm, space, stack),
    getCell: (realm, space, stack, name, options) =>
      full.getCell(ref({ realm, space, stack, name }), options),
    createCell: (cell, options) => full.createCell(cell, options),
    startCell: (cell) => full.startCell(cell),
    recreateCell: (cell) => full.recreateCell(cell),
    stopCell: (cell, graceMs) => full.stopCell(cell, graceMs),
    killCell: (cell) => full.killCell(cell),
    updateCell: (cell) => full.updateCell(cell),
    upsertContainer: (cell, container) => full.upsertContainer(refOf(cell), container),
    deleteCell: (cell, graceMs) => full.deleteCell(cell, graceMs),
    purgeCell: (cell) => full.purgeCell(cell),
    refreshCell: async (cell) => {
      const res = await full.refreshCell(refOf(cell));
      return { updated: res.updated, containersUpdated: res.updated };
    },
    observeRealm: full.observeRealm ? (realm) => full.observeRealm!(realm) : undefined,
    cellUsage: full.cellUsage ? (cell) => full.cellUsage!(cell) : undefined,
    containerLogPath: full.containerLogPath
      ? (realm, space, stack, name, container) =>
          full.containerLogPath!(ref({ realm, space, stack, name }), container)
      : undefined,
    terminalTask: full.terminalTask
      ? (cell, container) => full.terminalTask!(refOf(cell), container)
      : undefined,
    reconcileCell: async (cell, obs) => {
      const res = await full.reconcileCell(refOf(cell), obs as never);
      return { updated: res.updated, deleted: res.deleted, vanished: res.vanished };
    },
  };
}
