/**
 * Lifecycle state enums. States are string literal unions internally; the ordinal
 * position in each label list is the integer form the original accepts on input for backward
 * compatibility.
 */

export const realmStates = ['Pending', 'Creating', 'Ready', 'Deleting', 'Failed', 'Unknown'] as const;
export type RealmState = (typeof realmStates)[number];

/** Serialised space labels. Internally a space may also be Creating/Deleting (see spaceStateLabel). */
export const spaceStates = ['Pending', 'Ready', 'Failed', 'Unknown'] as const;
export type SpaceState = (typeof spaceStates)[number] | 'Creating' | 'Deleting';

export const stackStates = ['Pending', 'Ready', 'Failed', 'Unknown'] as const;
export type StackState = (typeof stackStates)[number];

export const cellStates = [
  'Pending',
  'Ready',
  'Stopped',
  'Failed',
  'Unknown',
  'Exited',
  'Error',
  'Degraded',
] as const;
export type CellState = (typeof cellStates)[number];

export const containerStates = [
  'Pending',
  'Ready',
  'Stopped',
  'Paused',
  'Pausing',
  'Failed',
  'Unknown',
  'NotCreated',
  'Exited',
  'Error',
] as const;
export type ContainerState = (typeof containerStates)[number];

export type StateKind = 'realm' | 'space' | 'stack' | 'cell' | 'container';

/** The serialised label set of each state kind, in ordinal order. */
export const stateLabels: Record<StateKind, readonly string[]> = {
  realm: realmStates,
  space: spaceStates,
  stack: stackStates,
  cell: cellStates,
  container: containerStates,
};

/**
 * Label to write for a state. The original writes an internal space `Creating` as `Ready` and
 * `Deleting` as `Failed`; anything outside the label set is written as `Unknown`.
 */
export function stateLabel(kind: StateKind, state: string): string {
  if (kind === 'space') {
    if (state === 'Creating') return 'Ready';
    if (state === 'Deleting') return 'Failed';
  }
  return stateLabels[kind].includes(state) ? state : 'Unknown';
}

/** Cell states the reconciler does not overwrite. */
export function isStickyCellState(state: CellState): boolean {
  return state === 'Failed' || state === 'Error';
}
