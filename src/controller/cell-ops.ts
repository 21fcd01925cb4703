import { ErrorCode } from '../error-codes.js';
import { refuseUnsupportedFields } from '../api/index.js';
import type { Cell } from '../model/resources.js';
import type { ContainerSpec } from '../model/container.js';
import type { ControllerDeps } from './controller-deps.js';
import { ControllerError, notFound } from './controller-errors.js';
import type { CellPort } from './runner-port.js';
import type { CreateCellFacts } from '../model/operation-facts.js';
export type { CreateCellFacts };
import { rematerialiseIfBehind } from './rematerialise-cell.js';

export interface CellIdentity {
  realm: string;
  space: string;
  stack: string;
  name: string;
}

export const identityOf = (c: Cell): CellIdentity => ({
  realm: c.spec.realmId,
  space: c.spec.spaceId,
  stack: c.spec.stackId,
  name: c.metadata.name,
});

function port(deps: ControllerDeps): CellPort {
  return deps.cells;
}

async function requireCell(deps: ControllerDeps, id: CellIdentity): Promise<Cell> {
  const cell = await port(deps).getCell(id.realm, id.space, id.stack, id.name);
  if (!cell) throw notFound.cell(id.realm.trim(), id.space.trim(), id.stack.trim(), id.name.trim());
  return cell;
}

const rootOf = (cell: Cell) => cell.spec.containers.find((c) => c.root);
const rootState = (cell: Cell) => {
  const root = rootOf(cell);
  return root ? cell.status.containers.find((s) => s.id === root.id)?.state : undefined;
};

/**
 * CreateCell: create (or ensure an existing) cell, then start it unless it already
 * runs. "Post" facts are true on success, as in the original.
 */
export async function createCell(
  deps: ControllerDeps,
  desired: Cell,
): Promise<{ resource: Cell; facts: CreateCellFacts }> {
  return createOrMaterialize(deps, desired, true);
}

/**
 * MaterializeCell: like CreateCell but nothing is started; a cell this call
 * created is recorded Stopped, so a later `kuke start` starts it.
 */
export async function materializeCell(
  deps: ControllerDeps,
  desired: Cell,
): Promise<{ resource: Cell; facts: CreateCellFacts }> {
  return createOrMaterialize(deps, desired, false);
}

async function createOrMaterialize(
  deps: ControllerDeps,
  desired: Cell,
  start: boolean,
): Promise<{ resource: Cell; facts: CreateCellFacts }> {
  const cells = port(deps);
  refuseUnsupportedFields('Cell', desired);
  const id = identityOf(desired);
  const before = await cells.getCell(id.realm, id.space, id.stack, id.name);
  const cgroupPre = await deps.probe.cellCgroupExists(id.realm, id.space, id.stack, id.name);
  const startedPre = before?.status.state === 'Ready';
  const created = await cells.createCell(desired, { start: start && !startedPre });
  let final = created.cell;
  if (start && !startedPre) final = await cells.startCell(created.cell);
  if (!start && created.created) final = await cells.killCell(created.cell);
  const startedPost = start ? final.status.state === 'Ready' : startedPre;
  const rootName = rootOf(created.cell)?.id;
  const rootEntry = created.containers.find((c) => c.name === rootName);
  return {
    resource: final,
    facts: {
      MetadataExistsPre: before !== undefined,
      MetadataExistsPost: true,
      CgroupExistsPre: cgroupPre,
      CgroupExistsPost: true,
      CgroupCreated: !cgroupPre,
      RootContainerExistsPre: rootEntry ? rootEntry.existedBefore : before !== undefined,
      RootContainerExistsPost: true,
      RootContainerCreated: rootEntry ? rootEntry.created : created.created,
      StartedPre: startedPre,
      StartedPost: startedPost,
      Started: !startedPre && startedPost,
      Created: created.created,
      Containers: created.containers.map((c) => ({
        Name: c.name,
        ExistsPre: c.existedBefore,
        ExistsPost: true,
        Created: c.created,
      })),
    },
  };
}

/** The cell (live statuses) and the named container of it, or the spec's not-found errors. */
export async function cellContainer(
  deps: ControllerDeps,
  id: CellIdentity,
  container: string,
): Promise<{ cell: Cell; spec: ContainerSpec }> {
  const cell = await deps.cells.getCell(id.realm, id.space, id.stack, id.name);
  if (!cell) throw notFound.cell(id.realm.trim(), id.space.trim(), id.stack.trim(), id.name.trim());
  const spec = cell.spec.containers.find((c) => c.id === container);
  if (!spec)
    throw new ControllerError(
      ErrorCode.CONTAINER_NOT_FOUND,
      `container "${container}" not found in cell "${cell.metadata.name}": container not found`,
    );
  return { cell, spec };
}

/** LogContainer: where a container's output is (the cell and container must exist). */
export async function logContainer(
  deps: ControllerDeps,
  id: CellIdentity,
  container: string,
): Promise<{ HostLogPath: string; HostCapturePath: string }> {
  const { cell, spec } = await cellContainer(deps, id, container);
  // Attachable containers print on a terminal; the daemon captures it.
  if (spec.attachable && !spec.root && port(deps).terminalTask) {
    const task = await port(deps).terminalTask!(cell, spec);
    return { HostLogPath: '', HostCapturePath: task.files.capture };
  }
  const path = port(deps).containerLogPath?.(id.realm, id.space, id.stack, id.name, container) ?? '';
  return { HostLogPath: path, HostCapturePath: '' };
}

export interface GetCellFacts {
  MetadataExists: boolean;
  CgroupExists: boolean;
  RootContainerExists: boolean;
  RootContainerTaskRunning: boolean;
}

/**
 * GetCell: live statuses (`observe: false`: the containers' statuses as stored); absence reported
 * in the facts.
 */
export async function getCell(
  deps: ControllerDeps,
  request: Cell,
  options: { observe?: boolean } = {},
): Promise<{ resource: Cell; facts: GetCellFacts }> {
  const id = identityOf(request);
  const cell = await port(deps).getCell(id.realm, id.space, id.stack, id.name, options);
  if (!cell) {
    return {
      resource: request,
      facts: {
        MetadataExists: false,
        CgroupExists: false,
        RootContainerExists: false,
        RootContainerTaskRunning: false,
      },
    };
  }
  const state = rootState(cell);
  return {
    resource: cell,
    facts: {
      MetadataExists: true,
      CgroupExists: await deps.probe.cellCgroupExists(id.realm, id.space, id.stack, id.name),
      RootContainerExists: state !== undefined && state !== 'Unknown',
      // Cells without a root count as running.
      RootContainerTaskRunning: rootOf(cell) ? state === 'Ready' : true,
    },
  };
}

export const listCells = (deps: ControllerDeps, realm: string, space: string, stack: string) =>
  port(deps).listCells(realm, space, stack);

/**
 * StartCell: a Config-lineage cell whose Config changed is re-made from it first
 * (rematerialise-cell.ts); Pending/Unknown cells are refused (delete first);
 * Failed/Error/Degraded ones are recovered by recreating their containers, then started; any
 * other state starts from the existing records (a running cell is left as it is).
 */
export async function startCell(
  deps: ControllerDeps,
  id: CellIdentity,
  runtimeEnv: readonly string[] = [],
): Promise<Cell> {
  const stored = await rematerialiseIfBehind(deps, await requireCell(deps, id));
  // `kuke run <cell> --env`: for this start only (the runner never persists runtimeEnv).
  const cell = runtimeEnv.length
    ? { ...stored, spec: { ...stored.spec, runtimeEnv: [...runtimeEnv] } }
    : stored;
  const state = cell.status.state;
  const name = cell.metadata.name;
  if (state === 'Pending' || state === 'Unknown') {
    throw new ControllerError(
      ErrorCode.CELL_NOT_STARTABLE,
      `cell "${name}" exists in ${state} state; delete it with \`kuke delete cell ${name}\` before restarting`,
    );
  }
  if (state === 'Failed' || state === 'Error' || state === 'Degraded') return port(deps).recreateCell(cell);
  return port(deps).startCell(cell);
}

/** `graceMs` (`--timeout`) overrides every container's own grace period before SIGKILL. */
export async function stopCell(deps: ControllerDeps, id: CellIdentity, graceMs?: number): Promise<Cell> {
  return port(deps).stopCell(await requireCell(deps, id), graceMs);
}

export async function killCell(deps: ControllerDeps, id: CellIdentity): Promise<Cell> {
  return port(deps).killCell(await requireCell(deps, id));
}

export interface DeleteCellFacts {
  ContainersDeleted: boolean;
  CgroupDeleted: boolean;
  MetadataDeleted: boolean;
  /** Containers removed, by containerd ID (our addition, for `containers: <n> deleted`). */
  Containers: string[];
}

/** `graceMs`: `--timeout` (0 for `--force`); unset, each container's own grace period. */
export async function deleteCell(
  deps: ControllerDeps,
  id: CellIdentity,
  graceMs?: number,
): Promise<{ resource: Cell; facts: DeleteCellFacts }> {
  const cell = await requireCell(deps, id);
  const r = await port(deps).deleteCell(cell, graceMs);
  return {
    resource: cell,
    facts: {
      ContainersDeleted: r.containersDeleted.length > 0,
      CgroupDeleted: r.cgroupDeleted,
      MetadataDeleted: r.metadataDeleted,
      Containers: r.containersDeleted,
    },
  };
}

export interface PurgeCellFacts extends Omit<DeleteCellFacts, 'Containers'> {
  PurgeSucceeded: boolean;
  Force: boolean;
  Cascade: boolean;
  Deleted: string[];
  Purged: string[];
}

/** PurgeCell: not found is thrown; a failing purge is reported in the result. */
export async function purgeCell(
  deps: ControllerDeps,
  id: CellIdentity,
  flags: { force: boolean; cascade: boolean },
): Promise<{ resource: Cell; facts: PurgeCellFacts }> {
  const cell = await requireCell(deps, id);
  const facts: PurgeCellFacts = {
    ContainersDeleted: false,
    CgroupDeleted: false,
    MetadataDeleted: false,
    PurgeSucceeded: false,
    Force: flags.force,
    Cascade: flags.cascade,
    Deleted: [],
    Purged: [],
  };
  try {
    const r = await port(deps).purgeCell(cell);
    facts.ContainersDeleted = r.containersDeleted.length > 0;
    facts.CgroupDeleted = r.cgroupDeleted;
    facts.MetadataDeleted = r.metadataDeleted;
    facts.Deleted.push(...r.containersDeleted.map((c) => `container:${c}`));
    if (r.metadataDeleted) facts.Deleted.push('metadata');
    if (r.cgroupDeleted) facts.Deleted.push('cgroup');
    // Only what this purge really removed (docs/cli.md: purge summaries).
    if (r.containersDeleted.length > 0) facts.Purged.push('orphaned-containers');
    if (r.networkReleased) facts.Purged.push('cni-resources');
    if (r.metadataDeleted) facts.Purged.push('all-metadata');
    facts.PurgeSucceeded = true;
  } catch (err) {
    facts.Purged.push(`purge-error:${(err as Error).message ?? String(err)}`);
    deps.log.warn({ err, cell: id }, 'purge cell failed');
  }
  return { resource: cell, facts };
}
