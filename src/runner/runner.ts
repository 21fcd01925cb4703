import type { HostConfig } from '../config.js';
import type { ImportProgress, PullProgress } from '../images/index.js';
import type { Realm, Space, Stack } from '../model/resources.js';
import {
  closeRunnerContext,
  createRunnerContext,
  type RunnerContext,
  type RunnerContextOptions,
} from './runner-context.js';
import { createRealm } from './realm/create-realm.js';
import { ensureRealm } from './realm/ensure-realm.js';
import { deleteRealm, purgeRealm, type DeleteRealmOptions } from './realm/delete-realm.js';
import { getRealm, listRealms } from './realm/realm-queries.js';
import { namespaceExists } from './realm/realm-host.js';
import { createSpace } from './space/create-space.js';
import { reconcileSpace } from './space/ensure-space.js';
import { deleteSpace, purgeSpace, type DeleteSpaceOptions } from './space/delete-space.js';
import { getSpace, listSpaces } from './space/space-queries.js';
import { createStack, ensureStack } from './stack/create-stack.js';
import { deleteStack, purgeStack, type DeleteStackOptions } from './stack/delete-stack.js';
import { getStack, listStacks } from './stack/stack-queries.js';
import { updateRealm, updateSpace, updateStack } from './update-scope.js';
import { desiredCredentialsAsStored } from './images/realm-credentials.js';
import {
  removeRegistryCredential,
  setRegistryCredential,
  type RegistryCredentialInput,
} from './images/registry-credential-ops.js';
import { refreshRealm, refreshSpace, refreshStack } from './refresh-scope.js';
import { deleteImage, getImage, listImages, loadImage, pullImage } from './images/realm-images.js';
import { pruneImages } from './images/prune-images.js';
import { recoverIntents } from './recover-intents.js';
import type { Cell } from '../model/resources.js';
import type { ContainerSpec } from '../model/container.js';
import { cellFiles, cellRef, containerdIdOf, refOfCell, type CellRef } from './cell/cell-ref.js';
import { terminalFiles } from './cell/terminal-files.js';
import type { TerminalTask } from './terminal-host.js';
import { createCell } from './cell/create-cell.js';
import { startCell } from './cell/start-cell.js';
import { killCell, stopCell } from './cell/stop-cell.js';
import { deleteCell } from './cell/delete-cell.js';
import { getCell } from './cell/cell-queries.js';
import { listCells, persistCell } from './cell/cell-store.js';
import { reconcileCell, refreshCell, RestartBook } from './cell/reconcile-cell.js';
import { observeNamespace, type NamespaceObservation } from './cell/container-observation.js';
import { PassObservations } from './cell/pass-observation.js';
import { requireRealm } from './realm/realm-queries.js';
import { recreateCell, updateCell } from './cell/update-cell.js';
import {
  killContainer,
  purgeContainer,
  removeContainerFromCell,
  startContainer,
  stopContainer,
  upsertContainer,
} from './cell/container-ops.js';
import {
  existsCellRootContainer,
  extractContainersFromCells,
  getContainerState,
  listContainers,
} from './cell/container-queries.js';
import { sweepOrphans } from './sweep-orphans.js';
import { cellUsage } from './cell/cell-usage.js';
import { deleteSecret, getSecret, listSecrets, writeSecret } from './secrets/secret-ops.js';
import { markLineageOutOfSync } from './templates/lineage-drift.js';
import {
  deleteTemplate,
  getTemplate,
  listTemplates,
  writeTemplate,
  type TemplateCoordinates,
  type TemplateDoc,
  type TemplateKind,
} from './templates/template-store.js';
import { releaseStagingTmpfs } from './secrets/secret-staging.js';
import type { SecretCoordinates, SecretFilter } from '../store/index.js';

import {
  deleteVolume,
  diskUsage,
  getVolume,
  listVolumes,
  writeVolume,
  type ReclaimPolicy,
  type VolumeScope,
} from './volume/volume-store.js';
import { refuseVolumeInUse, volumeUses } from './volume/volume-users.js';

/**
 * The runner: one method per lifecycle step of each kind, each idempotent, each recording its
 * intent before its first side effect (docs/runner-design.md). The controller calls these; the
 * work itself lives in one file per operation under this directory.
 */
export class Runner {
  constructor(readonly ctx: RunnerContext) {}

  static async open(config: HostConfig, options: RunnerContextOptions = {}): Promise<Runner> {
    return new Runner(await createRunnerContext(config, options));
  }

  /**
   * Event-fed listings for reconcile passes (kukeond): `observeRealm` then reuses a realm's last
   * listing while containerd reported no task or container event of its namespace. Whoever
   * learns of a change on another subscription calls `passes.invalidate(namespace)` first.
   */
  passes: PassObservations | undefined;

  usePassObservations(): PassObservations {
    return (this.passes ??= new PassObservations(this.ctx));
  }

  close(): void {
    this.passes?.close();
    closeRunnerContext(this.ctx);
  }

  // Infrastructure
  ensureKukeonRootCgroup = () => this.ctx.cgroups.ensureKukeonRoot();
  recoverIntents = () => recoverIntents(this.ctx);
  sweepOrphans = () => sweepOrphans(this.ctx);

  // Realms
  createRealm = (realm: Realm) => createRealm(this.ctx, realm);
  ensureRealm = (realm: Realm) => ensureRealm(this.ctx, realm);
  getRealm = (name: string) => getRealm(this.ctx, name);
  listRealms = () => listRealms(this.ctx);
  updateRealm = (desired: Realm) => updateRealm(this.ctx, desired);
  /** `desired` with inline registry passwords equal to the stored ones replaced by their Secret's name (for the apply diff). */
  realmAsStored = (desired: Realm, actual: Realm) => desiredCredentialsAsStored(this.ctx, desired, actual);
  setRegistryCredential = (realm: string, input: RegistryCredentialInput) =>
    setRegistryCredential(this.ctx, realm, input);
  removeRegistryCredential = (realm: string, serverAddress?: string) =>
    removeRegistryCredential(this.ctx, realm, serverAddress);
  deleteRealm = (name: string, options?: DeleteRealmOptions) => deleteRealm(this.ctx, name, options);
  purgeRealm = (name: string, options?: DeleteRealmOptions) => purgeRealm(this.ctx, name, options);
  refreshRealm = (name: string) => refreshRealm(this.ctx, name);
  existsRealmContainerdNamespace = (namespace: string) => namespaceExists(this.ctx, namespace);

  // Spaces
  createSpace = (space: Space) => createSpace(this.ctx, space);
  /** The reconcile pass's repair: nothing for a space that is gone or being deleted. */
  ensureSpace = (space: Space) => reconcileSpace(this.ctx, space);
  getSpace = (realm: string, name: string) => getSpace(this.ctx, realm, name);
  listSpaces = (realm?: string) => listSpaces(this.ctx, realm);
  updateSpace = (desired: Space) => updateSpace(this.ctx, desired);
  deleteSpace = (realm: string, name: string, options?: DeleteSpaceOptions) =>
    deleteSpace(this.ctx, realm, name, options);
  purgeSpace = (realm: string, name: string, options?: DeleteSpaceOptions) =>
    purgeSpace(this.ctx, realm, name, options);
  refreshSpace = (realm: string, name: string) => refreshSpace(this.ctx, realm, name);

  // Stacks
  createStack = (stack: Stack) => createStack(this.ctx, stack);
  ensureStack = (stack: Stack) => ensureStack(this.ctx, stack);
  getStack = (realm: string, space: string, name: string) => getStack(this.ctx, realm, space, name);
  listStacks = (realm: string, space: string) => listStacks(this.ctx, realm, space);
  updateStack = (desired: Stack) => updateStack(this.ctx, desired);
  deleteStack = (realm: string, space: string, name: string, options?: DeleteStackOptions) =>
    deleteStack(this.ctx, realm, space, name, options);
  purgeStack = (realm: string, space: string, name: string, options?: DeleteStackOptions) =>
    purgeStack(this.ctx, realm, space, name, options);
  refreshStack = (realm: string, space: string, name: string) => refreshStack(this.ctx, realm, space, name);

  // Cells: addressed by identity (realm, space, stack, name[, id]) or by a cell model.
  readonly restarts = new RestartBook();
  cellRef = (c: { realm: string; space: string; stack: string; name: string; id?: string }): CellRef =>
    cellRef(this.ctx, c);
  createCell = (cell: Cell, options?: { start?: boolean }) => createCell(this.ctx, cell, options);
  startCell = (cell: Cell) =>
    startCell(this.ctx, refOfCell(this.ctx, cell), { runtimeEnv: cell.spec.runtimeEnv });
  stopCell = (cell: Cell, graceMs?: number) => stopCell(this.ctx, refOfCell(this.ctx, cell), graceMs);
  killCell = (cell: Cell) => killCell(this.ctx, refOfCell(this.ctx, cell));
  deleteCell = (cell: Cell, graceMs?: number) => deleteCell(this.ctx, refOfCell(this.ctx, cell), graceMs);
  /** Same as delete: delete already sweeps by ownership and tolerates missing metadata. */
  purgeCell = (cell: Cell) => deleteCell(this.ctx, refOfCell(this.ctx, cell), 0);
  getCell = (ref: CellRef, options?: { observe?: boolean }) => getCell(this.ctx, ref, options);
  /** CPU, memory, pids, network bytes of a cell and its containers (`kuke top`). */
  cellUsage = (cell: Cell) => cellUsage(this.ctx, refOfCell(this.ctx, cell), cell);
  containerLogPath = (ref: CellRef, container: string): string => cellFiles.log(ref, container);
  /** Where a container's terminal is: its realm namespace, containerd ID, FIFOs and capture file. */
  terminalTask = async (ref: CellRef, container: ContainerSpec): Promise<TerminalTask> => ({
    namespace: (await requireRealm(this.ctx, ref.realm)).spec.namespace,
    containerdId: containerdIdOf(ref, container),
    files: terminalFiles(cellFiles.containerDir(ref, container.id)),
  });
  listCells = (realm: string, space: string, stack: string) => listCells(this.ctx, realm, space, stack);
  refreshCell = (ref: CellRef) => refreshCell(this.ctx, ref);
  /** `obs`: one namespace observation shared by a whole pass (two list calls per realm, not per cell). */
  reconcileCell = (ref: CellRef, obs?: NamespaceObservation) =>
    reconcileCell(this.ctx, ref, this.restarts, obs);
  observeRealm = async (realm: string): Promise<NamespaceObservation> => {
    const namespace = (await requireRealm(this.ctx, realm)).spec.namespace;
    return this.passes ? this.passes.observe(namespace) : observeNamespace(this.ctx, namespace);
  };
  updateCell = (desired: Cell) => updateCell(this.ctx, desired);
  recreateCell = (cell: Cell) =>
    recreateCell(this.ctx, refOfCell(this.ctx, cell), { runtimeEnv: cell.spec.runtimeEnv });
  /** EnsureCell: createCell on an existing cell repairs it (cgroup, etc files, missing records). */
  ensureCell = (cell: Cell) => createCell(this.ctx, cell);
  updateCellMetadata = (cell: Cell) => persistCell(this.ctx, refOfCell(this.ctx, cell), cell);
  populateAndPersistCellContainerStatuses = (ref: CellRef) => refreshCell(this.ctx, ref);
  existsCellRootContainer = (ref: CellRef) => existsCellRootContainer(this.ctx, ref);
  listContainers = (realm: string, space?: string, stack?: string, cell?: string) =>
    listContainers(this.ctx, realm, space, stack, cell);
  extractContainersFromCells = (cells: readonly Cell[]) => extractContainersFromCells(cells);
  getContainerState = (ref: CellRef, id: string) => getContainerState(this.ctx, ref, id);
  /** CreateContainer / EnsureContainer / UpdateContainer: add or change one container of a cell. */
  upsertContainer = (ref: CellRef, container: ContainerSpec) => upsertContainer(this.ctx, ref, container);
  createContainer = (ref: CellRef, container: ContainerSpec) => upsertContainer(this.ctx, ref, container);
  updateContainer = (ref: CellRef, container: ContainerSpec) => upsertContainer(this.ctx, ref, container);
  startContainer = (ref: CellRef, id: string) => startContainer(this.ctx, ref, id);
  purgeContainer = (realm: string, containerdId: string) => purgeContainer(this.ctx, realm, containerdId);
  deleteContainer = (ref: CellRef, id: string) => removeContainerFromCell(this.ctx, ref, id);
  stopContainer = (ref: CellRef, id: string, graceMs?: number) => stopContainer(this.ctx, ref, id, graceMs);
  killContainer = (ref: CellRef, id: string) => killContainer(this.ctx, ref, id);

  // Secrets (docs/secrets.md): metadata out, data only in.
  writeSecret = (coords: SecretCoordinates, data: string) => writeSecret(this.ctx, coords, data);
  getSecret = (coords: SecretCoordinates) => getSecret(this.ctx, coords);
  listSecrets = (filter?: SecretFilter) => listSecrets(this.ctx, filter);
  deleteSecret = (coords: SecretCoordinates) => deleteSecret(this.ctx, coords);
  /** Unmounts the secret staging tmpfs when nothing is staged on it (uninstall, tests). */
  releaseSecretStaging = () => releaseStagingTmpfs(this.ctx.config);

  // Blueprints and configs (docs/blueprints.md): documents at a scope, with a generation.
  writeTemplate = <K extends TemplateKind>(kind: K, doc: TemplateDoc<K>) =>
    writeTemplate(this.ctx, kind, doc);
  getTemplate = <K extends TemplateKind>(kind: K, coords: TemplateCoordinates) =>
    getTemplate(this.ctx, kind, coords);
  listTemplates = <K extends TemplateKind>(kind: K, filter?: Partial<Omit<TemplateCoordinates, 'name'>>) =>
    listTemplates(this.ctx, kind, filter);
  deleteTemplate = (kind: TemplateKind, coords: TemplateCoordinates) =>
    deleteTemplate(this.ctx, kind, coords);
  /** Marks the cells made from a Blueprint/Config that changed since (returns them). */
  markLineageOutOfSync = () => markLineageOutOfSync(this.ctx);

  // Volumes (docs/volumes.md): directories under their scope's metadata directory.
  writeVolume = (scope: VolumeScope, name: string, policy: ReclaimPolicy) =>
    writeVolume(this.ctx, scope, name, policy);
  getVolume = (scope: VolumeScope, name: string) => getVolume(this.ctx, scope, name);
  listVolumes = (filter?: Partial<VolumeScope>) => listVolumes(this.ctx, filter);
  /** Refused while a cell mounting it runs or is being brought up (checked under the volume's lock). */
  deleteVolume = (scope: VolumeScope, name: string) =>
    deleteVolume(this.ctx, scope, name, (v) => refuseVolumeInUse(this.ctx, v));
  /** The cells that mount each volume directory (and whether they run). */
  volumeUses = () => volumeUses(this.ctx);
  volumeDiskUsage = (path: string) => diskUsage(path);

  // Images (per realm namespace)
  loadImage = (realm: string, file: string, onProgress?: (p: ImportProgress) => void) =>
    loadImage(this.ctx, realm, file, onProgress);
  pullImage = (realm: string, ref: string, onProgress?: (p: PullProgress) => void) =>
    pullImage(this.ctx, realm, ref, onProgress);
  listImages = (realm: string) => listImages(this.ctx, realm);
  getImage = (realm: string, name: string) => getImage(this.ctx, realm, name);
  deleteImage = (realm: string, name: string) => deleteImage(this.ctx, realm, name);
  pruneImages = (realm: string, options?: { dryRun?: boolean }) => pruneImages(this.ctx, realm, options);
}
