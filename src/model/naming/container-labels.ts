/** Label keys kukeon writes on containerd containers. */
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
  /** The spec-hash label pair (runner/oci `specHashLabels`), placed where the original puts it. */
  specHashLabels: Readonly<Record<string, string>>;
}

export interface WorkloadContainerLabelInput {
  /** The container's `cellId`. */
  cellId: string;
  realm: string;
  space: string;
  stack: string;
  /** The spec-hash label pair (runner/oci `specHashLabels`), placed where the original puts it. */
  specHashLabels: Readonly<Record<string, string>>;
}

/** Root container labels, applied in the original's order so later keys win over user labels. */
export function rootContainerLabels(input: RootContainerLabelInput): Record<string, string> {
  const labels: Record<string, string> = { ...input.cellLabels };
  labels[ContainerLabel.Cell] = input.cellId;
  if (input.cellName) labels[ContainerLabel.CellName] = input.cellName;
  labels[ContainerLabel.Realm] = input.realm;
  labels[ContainerLabel.Space] = input.space;
  labels[ContainerLabel.Stack] = input.stack;
  Object.assign(labels, input.specHashLabels);
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
    ...input.specHashLabels,
  };
}
