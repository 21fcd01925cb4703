import type { ControllerDeps } from './controller-deps.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface SpacePassReport {
  spacesScanned: number;
  spacesErrored: number;
  errors: string[];
}

/**
 * Space-network pass: re-ensure every space of every realm (conflist self-heal,
 * subnet, cgroup). Never throws; failures are counted and named `realm/space: <error>`.
 */
export async function reconcileSpaces(deps: ControllerDeps): Promise<SpacePassReport> {
  const report: SpacePassReport = { spacesScanned: 0, spacesErrored: 0, errors: [] };
  let spaces;
  try {
    spaces = await deps.runner.listSpaces();
  } catch (err) {
    report.errors.push(`list spaces: ${message(err)}`);
    return report;
  }
  for (const space of spaces) {
    report.spacesScanned++;
    // Skip spaces still being created or deleted: their intent owns them (recovery finishes it).
    if (space.status.state === 'Creating' || space.status.state === 'Deleting') continue;
    try {
      await deps.runner.ensureSpace(space);
    } catch (err) {
      report.spacesErrored++;
      report.errors.push(`${space.spec.realmId}/${space.metadata.name}: ${message(err)}`);
    }
  }
  return report;
}

export interface CellPassReport {
  cellsScanned: number;
  cellsUpdated: number;
  cellsDeleted: number;
  cellsErrored: number;
  errors: string[];
}

/**
 * Cell pass: reconcile every cell of every realm/space/stack. Listing errors are
 * recorded per level and the walk continues. Without cell support there is nothing to scan.
 */
export async function reconcileCells(deps: ControllerDeps): Promise<CellPassReport> {
  const report: CellPassReport = {
    cellsScanned: 0,
    cellsUpdated: 0,
    cellsDeleted: 0,
    cellsErrored: 0,
    errors: [],
  };
  const cells = deps.cells;
  let realms;
  try {
    realms = await deps.runner.listRealms();
  } catch (err) {
    report.errors.push(`list realms: ${message(err)}`);
    return report;
  }
  for (const realm of realms) {
    const r = realm.metadata.name;
    // containerd 1.6 answers Tasks.List by asking every shim: list once per realm, not per cell.
    const observation = await cells.observeRealm?.(r).catch(() => undefined);
    const spaces = await deps.runner.listSpaces(r).catch((err: unknown) => {
      report.errors.push(`list spaces of ${r}: ${message(err)}`);
      return [];
    });
    for (const space of spaces) {
      const s = space.metadata.name;
      const stacks = await deps.runner.listStacks(r, s).catch((err: unknown) => {
        report.errors.push(`list stacks of ${r}/${s}: ${message(err)}`);
        return [];
      });
      for (const stack of stacks) {
        const t = stack.metadata.name;
        const list = await cells.listCells(r, s, t).catch((err: unknown) => {
          report.errors.push(`list cells of ${r}/${s}/${t}: ${message(err)}`);
          return [];
        });
        for (const cell of list) {
          report.cellsScanned++;
          try {
            const outcome = await cells.reconcileCell(cell, observation);
            if (outcome.deleted) report.cellsDeleted++;
            else if (outcome.updated) report.cellsUpdated++;
          } catch (err) {
            report.cellsErrored++;
            report.errors.push(`${r}/${s}/${t}/${cell.metadata.name}: ${message(err)}`);
          }
        }
      }
    }
  }
  return report;
}
