import type { TerminalTask } from '../runner/terminal-host.js';
import type { Runner } from '../runner/runner.js';
import type { Cell } from '../model/resources.js';
import type { ContainerSpec } from '../model/container.js';
import type { CellUsage } from '../runner/cell/cell-usage.js';

/**
 * The part of the Runner the controller drives for realms, spaces, stacks and images. A Pick of
 * the real class, so unit tests can hand the controller a fake and the compiler keeps both in step.
 */
export type ScopeRunner = Pick<
  Runner,
  | 'createRealm'
  | 'getRealm'
  | 'listRealms'
  | 'updateRealm'
  | 'realmAsStored'
  | 'setRegistryCredential'
  | 'removeRegistryCredential'
  | 'deleteRealm'
  | 'purgeRealm'
  | 'refreshRealm'
  | 'createSpace'
  | 'ensureSpace'
  | 'getSpace'
  | 'listSpaces'
  | 'updateSpace'
  | 'deleteSpace'
  | 'purgeSpace'
  | 'refreshSpace'
  | 'createStack'
  | 'getStack'
  | 'listStacks'
  | 'updateStack'
  | 'deleteStack'
  | 'purgeStack'
  | 'refreshStack'
  | 'loadImage'
  | 'listImages'
  | 'getImage'
  | 'deleteImage'
  | 'pullImage'
  | 'pruneImages'
  | 'recoverIntents'
  | 'sweepOrphans'
>;

/** The part of the Runner behind the Volume kind (docs/volumes.md). */
export type VolumePort = Pick<
  Runner,
  'writeVolume' | 'getVolume' | 'listVolumes' | 'deleteVolume' | 'volumeUses' | 'volumeDiskUsage'
>;

/** The part of the Runner behind the Secret kind (docs/secrets.md). */
export type SecretPort = Pick<Runner, 'writeSecret' | 'getSecret' | 'listSecrets' | 'deleteSecret'>;

/** The part of the Runner behind the CellBlueprint and CellConfig kinds (docs/blueprints.md). */
export type TemplatePort = Pick<
  Runner,
  'writeTemplate' | 'getTemplate' | 'listTemplates' | 'deleteTemplate' | 'markLineageOutOfSync'
>;

/** Outcome of reconciling one cell in the daemon loop. */
export interface CellReconcileOutcome {
  updated: boolean;
  deleted: boolean;
  vanished: boolean;
}

/**
 * What the controller needs from the cell runner. Absent until the runner supports cells; the
 * controller then reports cell documents as unsupported instead of skipping them silently.
 */
export interface CellPort {
  listCells(realm: string, space: string, stack: string): Promise<Cell[]>;
  /**
   * With live container statuses (`observe: false`: as stored); undefined when the cell does not
   * exist.
   */
  getCell(
    realm: string,
    space: string,
    stack: string,
    name: string,
    options?: { observe?: boolean },
  ): Promise<Cell | undefined>;
  /** Metadata, cgroup and container records; an existing cell is ensured (`created: false`). */
  /** `start`: started right after, so a crash in between still ends with it running. */
  createCell(cell: Cell, options?: { start?: boolean }): Promise<CellCreateOutcome>;
  startCell(cell: Cell): Promise<Cell>;
  /** Recreates every container from the stored spec and starts the cell (recovery path). */
  recreateCell(cell: Cell): Promise<Cell>;
  /** `graceMs` overrides each container's grace period before SIGKILL. */
  stopCell(cell: Cell, graceMs?: number): Promise<Cell>;
  killCell(cell: Cell): Promise<Cell>;
  /** Applies a changed spec to the live cell (root change → whole cell recreated). */
  updateCell(cell: Cell): Promise<CellUpdateOutcome>;
  /** Adds or replaces one workload container of the cell (started when the cell runs). */
  upsertContainer(cell: Cell, container: ContainerSpec): Promise<Cell>;
  deleteCell(cell: Cell, graceMs?: number): Promise<CellDeleteOutcome>;
  purgeCell(cell: Cell): Promise<CellDeleteOutcome>;
  /** Observe and persist; `updated` when the status changed, `containersUpdated` likewise. */
  refreshCell(cell: Cell): Promise<{ updated: boolean; containersUpdated: boolean }>;
  /**
   * One reconcile pass step. `observation` (from `observeRealm`) lets a pass list containers and
   * tasks once per realm instead of once per cell.
   */
  reconcileCell(cell: Cell, observation?: unknown): Promise<CellReconcileOutcome>;
  observeRealm?(realm: string): Promise<unknown>;
  /** Host path of a container's output log. */
  containerLogPath?(realm: string, space: string, stack: string, cell: string, container: string): string;
  /** Namespace, containerd ID and terminal files of one container (attachable ones use them). */
  terminalTask?(cell: Cell, container: ContainerSpec): Promise<TerminalTask>;
  /** What the cell consumes now (`kuke top`). */
  cellUsage?(cell: Cell): Promise<CellUsage>;
}

export interface CellCreateOutcome {
  cell: Cell;
  created: boolean;
  containers: { name: string; existedBefore: boolean; created: boolean }[];
}

export interface CellUpdateOutcome {
  cell: Cell;
  recreatedCell: boolean;
  recreatedContainers: string[];
  addedContainers: string[];
  removedContainers: string[];
}

export interface CellDeleteOutcome {
  metadataDeleted: boolean;
  containersDeleted: string[];
  cgroupDeleted: boolean;
  /** The root's network attachment existed and was released. */
  networkReleased: boolean;
}
