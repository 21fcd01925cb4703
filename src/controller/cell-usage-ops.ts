import type { CellUsageRow } from '../model/cell-usage.js';

export type { CellUsageRow };
import type { ControllerDeps } from './controller-deps.js';
import { ControllerError, ControllerErrorCode } from './controller-errors.js';

/**
 * The figures of every cell in scope (`kuke top`): realm, space and stack narrow the walk when
 * given. Read from cgroup and /proc files only; a cell whose files vanish meanwhile (deleted)
 * is left out rather than failing the whole listing.
 */
export async function cellUsages(
  deps: ControllerDeps,
  scope: { realm?: string; space?: string; stack?: string },
): Promise<CellUsageRow[]> {
  const cells = deps.cells;
  if (!cells.cellUsage)
    throw new ControllerError(
      ControllerErrorCode.NotSupported,
      'cell figures are not supported by this runner',
    );
  const rows: CellUsageRow[] = [];
  const realms = scope.realm ? [scope.realm] : (await deps.runner.listRealms()).map((r) => r.metadata.name);
  for (const r of realms) {
    const spaces = scope.space
      ? [scope.space]
      : (await deps.runner.listSpaces(r)).map((s) => s.metadata.name);
    for (const s of spaces) {
      const stacks = scope.stack
        ? [scope.stack]
        : (await deps.runner.listStacks(r, s)).map((t) => t.metadata.name);
      for (const t of stacks) {
        for (const cell of await cells.listCells(r, s, t)) {
          const usage = await cells.cellUsage(cell).catch(() => undefined);
          if (usage)
            rows.push({
              realm: r,
              space: s,
              stack: t,
              name: cell.metadata.name,
              state: cell.status.state,
              usage,
            });
        }
      }
    }
  }
  return rows;
}
