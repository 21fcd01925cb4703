import { ErrorCode } from '../error-codes.js';
import type { CellUsageRow, UsageTree } from '../model/cell-usage.js';

export type { CellUsageRow, UsageTree };
import type { ControllerDeps } from './controller-deps.js';
import { ControllerError } from './controller-errors.js';

/**
 * The figures of every cell in scope (`kuke top`, the web view), under their realm, space and
 * stack; realm, space and stack narrow the walk when given. Read from cgroup and /proc files
 * only; a cell whose files vanish meanwhile (deleted) is left out rather than failing the whole
 * listing.
 */
export async function usageTree(
  deps: ControllerDeps,
  scope: { realm?: string; space?: string; stack?: string },
): Promise<UsageTree> {
  const cells = deps.cells;
  if (!cells.cellUsage)
    throw new ControllerError(ErrorCode.NOT_SUPPORTED, 'cell figures are not supported by this runner');
  const tree: UsageTree = { realms: [] };
  const realms = scope.realm ? [scope.realm] : (await deps.runner.listRealms()).map((r) => r.metadata.name);
  for (const r of realms) {
    const realm: UsageTree['realms'][number] = { name: r, spaces: [] };
    tree.realms.push(realm);
    const spaces = scope.space
      ? [scope.space]
      : (await deps.runner.listSpaces(r)).map((s) => s.metadata.name);
    for (const s of spaces) {
      const space: (typeof realm.spaces)[number] = { name: s, stacks: [] };
      realm.spaces.push(space);
      const stacks = scope.stack
        ? [scope.stack]
        : (await deps.runner.listStacks(r, s)).map((t) => t.metadata.name);
      for (const t of stacks) {
        const rows: CellUsageRow[] = [];
        space.stacks.push({ name: t, cells: rows });
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
  return tree;
}

/** The rows of `usageTree`, one per cell, in walk order. */
export async function cellUsages(
  deps: ControllerDeps,
  scope: { realm?: string; space?: string; stack?: string },
): Promise<CellUsageRow[]> {
  const tree = await usageTree(deps, scope);
  return tree.realms.flatMap((r) => r.spaces.flatMap((s) => s.stacks.flatMap((t) => t.cells)));
}
