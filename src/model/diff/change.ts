/**
 * Diff results as data, for the runner to act on.
 */

/** Per-change class. `additive`: a workload added to / removed from a cell. */
export type ChangeClass = 'compatible' | 'additive' | 'breaking';

/**
 * What the runner must do for one change:
 * - `persist`: write the new spec (takes effect on the next start / reconcile tick);
 * - `merge-labels`: labels merged into the stored ones (docs/manifests.md);
 * - `recreate-container`: stop, delete, recreate and start that container in the running cell;
 * - `add-container` / `remove-container`;
 * - `recreate-cell`: stop, delete and recreate every container of the cell;
 * - `reject`: cannot be applied; the user must delete and recreate the resource.
 */
export type ChangeAction =
  | 'persist'
  | 'merge-labels'
  | 'recreate-container'
  | 'add-container'
  | 'remove-container'
  | 'recreate-cell'
  | 'reject';

export interface Change {
  path: string;
  class: ChangeClass;
  action: ChangeAction;
  from?: unknown;
  to?: unknown;
}

/**
 * Overall outcome:
 * - `unchanged`: nothing to do (the runner may still restart a Stopped/Exited cell);
 * - `compatible`: update in place (per-change actions say how);
 * - `breaking`: recreate (only cells: the whole cell is recreated);
 * - `rejected`: refuse with `<kind> "<name>" has breaking changes: [...]`.
 */
export type DiffClass = 'unchanged' | 'compatible' | 'breaking' | 'rejected';

export interface DiffResult {
  class: DiffClass;
  changes: Change[];
}

/** Paths of the changes that make a diff rejected/breaking, for the reject message. */
export function breakingPaths(d: DiffResult): string[] {
  return d.changes.filter((c) => c.class === 'breaking').map((c) => c.path);
}

/** The apply layer's reject message. */
export function rejectMessage(kind: string, name: string, d: DiffResult): string {
  const k = kind.toLowerCase();
  return `${k} "${name}" has breaking changes: [${breakingPaths(d).join(' ')}]. Delete the ${k} and recreate it with the new spec`;
}
