import { SPEC_HASH_VERSION } from './spec-hash.js';

/** Label keys kukeon writes on containerd containers (01-model §6.7). */
export const ContainerLabel = {
  ContainerType: 'kukeon.io/container-type',
  Cell: 'kukeon.io/cell',
  CellName: 'kukeon.io/cell-name',
  Realm: 'kukeon.io/realm',
  Space: 'kukeon.io/space',
  Stack: 'kukeon.io/stack',
  SpecHash: 'kukeon.io/spec-hash',
  SpecHashVersion: 'kukeon.io/spec-hash-version',
} as const;

export interface RootContainerLabelInput {
  /** The cell's `metadata.labels`, copied first (only onto the root). */
  cellLabels?: Readonly<Record<string, string>>;
  cellId: string;
  cellName?: string;
  realm: string;
  space: string;
  stack: string;
  specHash: string;
}

export interface WorkloadContainerLabelInput {
  /** The container's `cellId`. */
  cellId: string;
  realm: string;
  space: string;
  stack: string;
  specHash: string;
}

/** Root container labels, applied in the original's order so later keys win over user labels. */
export function rootContainerLabels(input: RootContainerLabelInput): Record<string, string> {
  const labels: Record<string, string> = { ...input.cellLabels };
  labels[ContainerLabel.Cell] = input.cellId;
  if (input.cellName) labels[ContainerLabel.CellName] = input.cellName;
  labels[ContainerLabel.Realm] = input.realm;
  labels[ContainerLabel.Space] = input.space;
  labels[ContainerLabel.Stack] = input.stack;
  Object.assign(labels, specHashLabels(input.specHash));
  labels[ContainerLabel.ContainerType] = 'root';
  return labels;
}

/** Workload labels: never carries the cell's user labels. */
export function workloadContainerLabels(input: WorkloadContainerLabelInput): Record<string, string> {
  return {
    [ContainerLabel.ContainerType]: 'container',
    [ContainerLabel.Cell]: input.cellId,
    [ContainerLabel.Realm]: input.realm,
    [ContainerLabel.Space]: input.space,
    [ContainerLabel.Stack]: input.stack,
    ...specHashLabels(input.specHash),
  };
}

/** The two spec-hash labels (also what a re-stamp writes). */
export function specHashLabels(specHash: string): Record<string, string> {
  return { [ContainerLabel.SpecHash]: specHash, [ContainerLabel.SpecHashVersion]: SPEC_HASH_VERSION };
}

export type SpecHashDecision = 'reuse' | 'restamp' | 'refuse';

/**
 * What to do with an existing containerd record (02-runner §2.7): an older or missing version
 * label is re-stamped; same version with a different non-empty hash is drift and refused.
 */
export function specHashDecision(
  recordLabels: Readonly<Record<string, string>>,
  desiredHash: string,
): SpecHashDecision {
  if (recordLabels[ContainerLabel.SpecHashVersion] !== SPEC_HASH_VERSION) return 'restamp';
  const stored = recordLabels[ContainerLabel.SpecHash] ?? '';
  return stored !== '' && stored !== desiredHash ? 'refuse' : 'reuse';
}
