import type { ControllerDeps } from './controller-deps.js';

/**
 * Removes the cells below a scope before the scope itself (cascade, spec 02 §11.5): the runner
 * refuses to remove a stack that still holds cells. Without cell support nothing can hold cells
 * (nothing could have created them), so there is nothing to do. Returns `cell:<name>` entries.
 */
export async function removeCellsBelow(
  deps: ControllerDeps,
  verb: 'delete' | 'purge',
  realm: string,
  space?: string,
  stack?: string,
): Promise<string[]> {
  const cells = deps.cells;
  if (!cells) return [];
  const removed: string[] = [];
  const spaces =
    space !== undefined ? [space] : (await deps.runner.listSpaces(realm)).map((s) => s.metadata.name);
  for (const sp of spaces) {
    const stacks =
      stack !== undefined ? [stack] : (await deps.runner.listStacks(realm, sp)).map((s) => s.metadata.name);
    for (const st of stacks) {
      for (const cell of await cells.listCells(realm, sp, st)) {
        if (verb === 'delete') await cells.deleteCell(cell);
        else {
          // Spec 02 §11.5: the runner purge runs only after a successful delete.
          await cells.deleteCell(cell);
          await cells.purgeCell(cell);
        }
        removed.push(`cell:${cell.metadata.name}`);
      }
    }
  }
  return removed;
}

/** Number of cells directly in a stack (0 without cell support). */
export async function countCells(
  deps: ControllerDeps,
  realm: string,
  space: string,
  stack: string,
): Promise<number> {
  return deps.cells ? (await deps.cells.listCells(realm, space, stack)).length : 0;
}
