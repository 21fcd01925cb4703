import type { ControllerDeps } from './controller-deps.js';

/** Number of cells directly in a stack, for the child check. */
export async function countCells(
  deps: ControllerDeps,
  realm: string,
  space: string,
  stack: string,
): Promise<number> {
  return (await deps.cells.listCells(realm, space, stack)).length;
}
