import { ErrorCode } from '../error-codes.js';
import { cellFromDoc, resourceToPlain, type ApplyKind, type ParseOptions } from '../api/index.js';
import { cellUsages, usageTree } from './cell-usage-ops.js';
import type {
  ImageSummary,
  ImportProgress,
  ImportResult,
  RealmPullResult,
} from '../runner/images/realm-images.js';
import type { PruneImagesResult } from '../runner/images/prune-images.js';
import { silentLogger, type Logger } from '../log.js';
import type { Cell, Realm, Space, Stack } from '../model/resources.js';
import type { Runner } from '../runner/runner.js';
import { scopes, validName } from '../runner/resource-names.js';
import type { RecoveryReport } from '../runner/recover-intents.js';
import type { SweepReport } from '../runner/sweep-orphans.js';
import { applyDocuments } from './apply/apply-documents.js';
import type { ApplyHandler, ApplyHandlers, ApplyResult } from './apply/apply-types.js';
import { realmApplyHandler, spaceApplyHandler, stackApplyHandler } from './apply/scope-apply.js';
import type { ControllerDeps } from './controller-deps.js';
import {
  deleteDocuments,
  scopeDeleteHandlers,
  type DeleteHandler,
  type DeleteHandlers,
  type DeleteResult,
} from './delete-documents.js';
import { runnerHostProbe, type HostProbe } from '../runner/host-probe.js';
import * as realms from './realm-ops.js';
import { attachContainer } from './attach-ops.js';
import * as cellOps from './cell-ops.js';
import { storedCellDocument } from './stored-cell-document.js';
import { CellListCache, type CellDocumentSource, type CellWireDoc } from '../runner/cell-list-cache.js';
import type { CellIdentity } from './cell-ops.js';
import { cellApplyHandler } from './apply/cell-apply.js';
import { containerApplyHandler } from './apply/container-apply.js';
import {
  reconcileCells,
  reconcileSpaces,
  type CellPassReport,
  type SpacePassReport,
} from './reconcile-passes.js';
import { refreshAll, type RefreshAllReport } from './refresh-all.js';
import { deleteGraceMs, type RemoveFlags } from './results.js';
import type { CellPort, ScopeRunner, SecretPort, TemplatePort, VolumePort } from './runner-port.js';
import { blueprintOps, configOps, type BlueprintDocument, type ConfigDocument } from './template-ops.js';
import { secretOps, type SecretDocument } from './secret-ops.js';
import {
  scopedApplyHandler,
  scopedDeleteHandler,
  scopedDoc,
  type ScopedDoc,
  type ScopedOps,
} from './scoped-ops.js';
import { volumeOps, type VolumeDocument } from './volume-ops.js';
import { ControllerError } from './controller-errors.js';
import * as spaces from './space-ops.js';
import * as stacks from './stack-ops.js';

/** One scope kind's operations: what the daemon's generic scope handlers call. */
export interface ScopeOps<M> {
  create(m: M): Promise<{ resource: M; facts: object }>;
  get(m: M): Promise<{ resource: M; facts: object }>;
  /** The kind's resources under the parents (outermost first). */
  list(parents: string[]): Promise<M[]>;
  delete(m: M, flags: RemoveFlags): Promise<{ resource: M; facts: object }>;
  purge(m: M, flags: RemoveFlags): Promise<{ resource: M; facts: object }>;
}

export interface ScopeOpsTable {
  realm: ScopeOps<Realm>;
  space: ScopeOps<Space>;
  stack: ScopeOps<Stack>;
}

/**
 * The scoped kinds (resources that live at a scope: docs/volumes.md), by document kind. Each is
 * served by the daemon's generic scoped handlers and plugged into apply and delete -f.
 */
export interface ScopedOpsTable {
  Volume: ScopedOps<VolumeDocument>;
  Secret: ScopedOps<SecretDocument>;
  CellBlueprint: ScopedOps<BlueprintDocument>;
  CellConfig: ScopedOps<ConfigDocument>;
}

export interface ControllerOptions {
  runner: ScopeRunner;
  /** Volumes on the host (a real runner always has them; unit tests may leave them out). */
  volumes?: VolumePort;
  /** The Secret store (docs/secrets.md); unit tests may leave it out. */
  secrets?: SecretPort;
  /** Blueprints and configs (docs/blueprints.md); unit tests may leave them out. */
  templates?: TemplatePort;
  probe: HostProbe;
  cells: CellPort;
  namespaceSuffix: string;
  log?: Logger;
  /** Options for manifest validation (apply / delete -f). */
  parse?: ParseOptions;
  /** The metadata store the cells live in: ListCells then answers from an in-memory cache. */
  cellDocuments?: CellDocumentSource;
}

/** A `spec` that satisfies a kind's rules, for validating a bare identity (`scopedIdentity`). */
const identityStandIns: Partial<Record<keyof ScopedOpsTable, object>> = {
  Secret: { spec: { data: '-' } },
  CellBlueprint: { spec: { cell: { containers: [{ id: '-', image: '-' }] } } },
  CellConfig: { spec: { blueprint: { name: '-', realm: '-' } } },
};

/**
 * The intent layer between the RPC handlers (or the CLI's in-process mode) and the runner
 *. It has no side effects of its own and holds no locks: every mutation is one or
 * more runner calls, and the runner serialises per resource. Kinds plug into apply and delete -f
 * by registering one handler each (`registerApplyHandler`, `registerDeleteHandler`).
 */
export class Controller {
  private readonly deps: ControllerDeps;
  private readonly applyHandlers: ApplyHandlers;
  private readonly deleteHandlers: DeleteHandlers;
  private readonly parseOptions: ParseOptions;
  private readonly cellList: CellListCache | undefined;
  /** Volume (and every later scoped kind): create, get, list, delete. */
  readonly scopedOps: ScopedOpsTable;

  constructor(options: ControllerOptions) {
    this.deps = {
      runner: options.runner,
      probe: options.probe,
      cells: options.cells,
      namespaceSuffix: options.namespaceSuffix,
      log: options.log ?? silentLogger,
      templates: options.templates,
    };
    this.parseOptions = options.parse ?? {};
    this.cellList = options.cellDocuments
      ? new CellListCache(options.cellDocuments, this.deps.log)
      : undefined;
    const runner = options.runner;
    this.scopedOps = {
      Volume: options.volumes ? volumeOps(options.volumes, runner) : unsupportedScoped('Volume'),
      Secret: options.secrets ? secretOps(options.secrets) : unsupportedScoped('Secret'),
      CellBlueprint: options.templates ? blueprintOps(options.templates) : unsupportedScoped('CellBlueprint'),
      CellConfig: options.templates ? configOps(options.templates) : unsupportedScoped('CellConfig'),
    };
    const scoped = Object.entries(this.scopedOps) as [keyof ScopedOpsTable, ScopedOps][];
    this.applyHandlers = {
      ...(Object.fromEntries(scoped.map(([k, ops]) => [k, scopedApplyHandler(ops)])) as Record<
        keyof ScopedOpsTable,
        ApplyHandler
      >),
      Realm: realmApplyHandler(runner),
      Space: spaceApplyHandler(runner),
      Stack: stackApplyHandler(runner),
      Cell: cellApplyHandler(runner, options.cells),
      Container: containerApplyHandler(runner, options.cells),
    };
    this.deleteHandlers = {
      ...scopeDeleteHandlers(this),
      Cell: async (d, f) => {
        if (d.kind !== 'Cell') return [];
        const cell = cellFromDoc(d.doc);
        const r = await this.deleteCell(cellOps.identityOf(cell), deleteGraceMs(f));
        return r.facts.Containers.map((id) => `container:${id}`);
      },
    };
    for (const [kind, ops] of scoped) this.deleteHandlers[kind] = scopedDeleteHandler(ops);
  }

  /** A controller over a real runner: host probe from its context, namespace suffix from its config. */
  static forRunner(
    runner: Runner,
    options: { log?: Logger; cells: CellPort; parse?: ParseOptions },
  ): Controller {
    return new Controller({
      runner,
      probe: runnerHostProbe(runner),
      namespaceSuffix: runner.ctx.config.namespaceSuffix,
      cellDocuments: runner.ctx.store,
      volumes: runner,
      secrets: runner,
      templates: runner,
      ...options,
    });
  }

  registerApplyHandler(kind: ApplyKind, handler: ApplyHandler): void {
    this.applyHandlers[kind] = handler;
  }

  registerDeleteHandler(kind: ApplyKind, handler: DeleteHandler): void {
    this.deleteHandlers[kind] = handler;
  }

  // Realms
  createRealm = (realm: Realm) => realms.createRealm(this.deps, realm);
  getRealm = (realm: Realm) => realms.getRealm(this.deps, realm);
  listRealms = () => this.deps.runner.listRealms();
  deleteRealm = (name: string, flags: RemoveFlags) => realms.deleteRealm(this.deps, name, flags);
  purgeRealm = (name: string, flags: RemoveFlags) => realms.purgeRealm(this.deps, name, flags);
  createRegistryCredential = (
    realm: string,
    input: { username: string; password: string; serverAddress?: string },
  ) => realms.createRegistryCredential(this.deps, realm, input);
  deleteRegistryCredential = (realm: string, serverAddress?: string) =>
    realms.deleteRegistryCredential(this.deps, realm, serverAddress);

  // Spaces
  createSpace = (space: Space) => spaces.createSpace(this.deps, space);
  getSpace = (space: Space) => spaces.getSpace(this.deps, space);
  listSpaces = (realm: string) => this.deps.runner.listSpaces(realm);
  deleteSpace = (realm: string, name: string, flags: RemoveFlags) =>
    spaces.deleteSpace(this.deps, realm, name, flags);
  purgeSpace = (realm: string, name: string, flags: RemoveFlags) =>
    spaces.purgeSpace(this.deps, realm, name, flags);

  // Stacks
  createStack = (stack: Stack) => stacks.createStack(this.deps, stack);
  getStack = (stack: Stack) => stacks.getStack(this.deps, stack);
  listStacks = (realm: string, space: string) => this.deps.runner.listStacks(realm, space);
  deleteStack = (realm: string, space: string, name: string, flags: RemoveFlags) =>
    stacks.deleteStack(this.deps, realm, space, name, flags);
  purgeStack = (realm: string, space: string, name: string, flags: RemoveFlags) =>
    stacks.purgeStack(this.deps, realm, space, name, flags);

  /**
   * The realm, space and stack operations in one shape per kind (parents as a list, the target
   * as its model), for callers that treat the kinds alike: the daemon's scope method handlers.
   */
  readonly scopeOps: ScopeOpsTable = {
    realm: {
      create: this.createRealm,
      get: this.getRealm,
      list: () => this.listRealms(),
      delete: (m, flags) => this.deleteRealm(m.metadata.name, flags),
      purge: (m, flags) => this.purgeRealm(m.metadata.name, flags),
    },
    space: {
      create: this.createSpace,
      get: this.getSpace,
      list: ([realm]) => this.listSpaces(realm),
      delete: (m, flags) => this.deleteSpace(m.spec.realmId, m.metadata.name, flags),
      purge: (m, flags) => this.purgeSpace(m.spec.realmId, m.metadata.name, flags),
    },
    stack: {
      create: this.createStack,
      get: this.getStack,
      list: ([realm, space]) => this.listStacks(realm, space),
      delete: (m, flags) => this.deleteStack(m.spec.realmId, m.spec.spaceId, m.metadata.name, flags),
      purge: (m, flags) => this.purgeStack(m.spec.realmId, m.spec.spaceId, m.metadata.name, flags),
    },
  };

  // Cells
  createCell = (cell: Cell) => cellOps.createCell(this.deps, cell);
  getCell = (cell: Cell, options?: { observe?: boolean }) => cellOps.getCell(this.deps, cell, options);
  listCells = (realm: string, space: string, stack: string) =>
    cellOps.listCells(this.deps, realm, space, stack);
  /** ListCells' reply documents, from the in-memory cache when the controller knows the store. */
  listCellDocuments = async (realm: string, space: string, stack: string): Promise<CellWireDoc[]> => {
    if (!this.cellList)
      return (await this.listCells(realm, space, stack)).map(
        (c) => resourceToPlain('Cell', c) as CellWireDoc,
      );
    return this.cellList.list(
      scopes.stack(validName('realm', realm), validName('space', space), validName('stack', stack)),
    );
  };
  /**
   * GetCell's document and facts without observing the containers, from the in-memory cache;
   * undefined when getCell must answer (no cache, invalid names, no readable document).
   */
  storedCellDocument = async (cell: Cell) =>
    this.cellList ? storedCellDocument(this.deps, this.cellList, cell) : undefined;
  startCell = (id: CellIdentity, runtimeEnv?: readonly string[]) =>
    cellOps.startCell(this.deps, id, runtimeEnv);
  materializeCell = (cell: Cell) => cellOps.materializeCell(this.deps, cell);
  logContainer = (id: CellIdentity, container: string) => cellOps.logContainer(this.deps, id, container);
  attachContainer = (id: CellIdentity, container: string) => attachContainer(this.deps, id, container);
  stopCell = (id: CellIdentity, graceMs?: number) => cellOps.stopCell(this.deps, id, graceMs);
  killCell = (id: CellIdentity) => cellOps.killCell(this.deps, id);
  deleteCell = (id: CellIdentity, graceMs?: number) => cellOps.deleteCell(this.deps, id, graceMs);
  purgeCell = (id: CellIdentity, flags: RemoveFlags) => cellOps.purgeCell(this.deps, id, flags);

  /** A scoped kind's document from an RPC argument, validated as apply validates it. */
  scopedDoc = <K extends keyof ScopedOpsTable>(
    kind: K,
    doc: unknown,
  ): Parameters<ScopedOpsTable[K]['get']>[0] => scopedDoc(kind, doc, this.parseOptions);

  /**
   * The identity of a scoped resource from an RPC argument (Get, Delete): its name and
   * coordinates validated as apply validates them, its `spec` ignored. A Secret is named without
   * its data (a blueprint without containers, …), so a stand-in satisfies the spec's rules and is
   * dropped again.
   */
  scopedIdentity = <K extends keyof ScopedOpsTable>(
    kind: K,
    doc: unknown,
  ): Parameters<ScopedOpsTable[K]['get']>[0] => {
    const metadata = (doc as { metadata?: unknown } | undefined)?.metadata;
    const standIn = identityStandIns[kind] ?? {};
    const { spec: _spec, ...identity } = scopedDoc(kind, { metadata, ...standIn }, this.parseOptions) as {
      spec?: unknown;
    };
    return identity as Parameters<ScopedOpsTable[K]['get']>[0];
  };

  // Documents
  applyDocuments = (text: string): Promise<ApplyResult[]> =>
    applyDocuments(text, this.applyHandlers, this.parseOptions);
  deleteDocuments = (text: string, flags: RemoveFlags): Promise<DeleteResult[]> =>
    deleteDocuments(text, this.deleteHandlers, flags, this.parseOptions);

  // Observation and background passes (never throw)
  refreshAll = (): Promise<RefreshAllReport> => refreshAll(this.deps);
  reconcileSpaces = (): Promise<SpacePassReport> => reconcileSpaces(this.deps);
  reconcileCells = (): Promise<CellPassReport> => reconcileCells(this.deps);
  recoverIntents = (): Promise<RecoveryReport> => this.deps.runner.recoverIntents();
  /** Figures of the cells in scope (`kuke top`). */
  cellUsages = (scope: { realm?: string; space?: string; stack?: string }) => cellUsages(this.deps, scope);
  usageTree = (scope: { realm?: string; space?: string; stack?: string }) => usageTree(this.deps, scope);
  sweepOrphans = (): Promise<SweepReport> => this.deps.runner.sweepOrphans();

  // Images (per realm; the realm must exist)
  loadImage = (
    realm: string,
    path: string,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportResult> => this.deps.runner.loadImage(realm, path, onProgress);
  listImages = (realm: string): Promise<ImageSummary[]> => this.deps.runner.listImages(realm);
  getImage = (realm: string, name: string): Promise<ImageSummary> => this.deps.runner.getImage(realm, name);
  deleteImage = (realm: string, name: string): Promise<void> => this.deps.runner.deleteImage(realm, name);
  /** Pulls with the realm's credentials and this process's registry settings (docs/images.md). */
  pullImage = (realm: string, ref: string): Promise<RealmPullResult> =>
    this.deps.runner.pullImage(realm, ref);
  /** The images no container uses removed, orphaned leases released, then a synchronous GC. */
  pruneImages = (realm: string, options: { dryRun?: boolean }): Promise<PruneImagesResult> =>
    this.deps.runner.pruneImages(realm, options);
}

/** A scoped kind this controller cannot serve: every operation refuses, naming the kind. */
function unsupportedScoped<D extends ScopedDoc>(kind: string): ScopedOps<D> {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new ControllerError(ErrorCode.NOT_SUPPORTED, `${kind} documents are not supported by this controller`),
    );
  return { create: refuse, get: refuse, list: refuse, delete: refuse };
}
