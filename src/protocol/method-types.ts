/**
 * Args and Reply shapes of every kukeonv1 method, shared by the daemon's handler
 * table, the CLI's in-process mode and anyone calling `DaemonClient.call`. Keys are the Go field
 * names verbatim; embedded documents use the documents' own lower-camel keys. Replies are shown
 * without `Err`: the RPC layer adds `Err: null` on success, and a failing handler throws (the RPC
 * layer turns that into the `Err` envelope; in-process callers get the typed error itself).
 *
 * Image methods (`LoadImage`, `ListImages`, `GetImage`, `DeleteImage`, `PullImage`, `PruneImages`) are our extension: the
 * original exposes images only in-process; we expose them on the socket too so both modes match.
 */
import type {
  CellBlueprintDoc,
  CellConfigDoc,
  CellDoc,
  ContainerDoc,
  RealmDoc,
  SecretDoc,
  SpaceDoc,
  StackDoc,
  VolumeDoc,
} from '../api/index.js';
import type { KukeonEvent } from '../model/kukeon-event.js';
import type { CellUsageRow } from '../model/cell-usage.js';
import type {
  CreateRealmFacts,
  CreateSpaceFacts,
  CreateStackFacts,
  GetRealmFacts,
  GetSpaceFacts,
  GetStackFacts,
  DeleteRealmFacts,
  DeleteSpaceFacts,
  DeleteStackFacts,
  PurgeRealmFacts,
  PurgeSpaceFacts,
  PurgeStackFacts,
  CreateCellFacts,
  RefreshAllReport,
  ApplyResult,
  DeleteResult,
} from '../model/operation-facts.js';
export type { ApplyAction, DeleteAction } from '../model/operation-facts.js';

/** A document as a caller sends it: only identity fields are needed for Get/Delete/Purge. */
export interface DocArg {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface DocArgs {
  Doc: DocArg;
}

/**
 * Delete/Purge of a scope: `Cascade` removes children first; `Force` skips the child check and,
 * on delete, kills every task at once; `GracePeriodMs` (our extension, `--timeout`) is the grace
 * period of each task before SIGKILL (absent: each container's own `stopGracePeriodSeconds`).
 */
export interface DeleteArgs {
  Doc: DocArg;
  Force: boolean;
  Cascade: boolean;
  GracePeriodMs?: number;
}

/**
 * GetCell: `Fields` (kukeon-ts extension) as in ListCellsArgs. Without a path under
 * `status.containers` the daemon answers from the stored document and does not ask containerd
 * for the containers' live states (a `kuke get cell <name>` table shows none of them).
 */
export interface GetCellArgs extends DocArgs {
  Fields?: readonly string[];
}

/** StopCell: `GracePeriodMs` as in DeleteArgs. */
export interface StopCellArgs extends DocArgs {
  GracePeriodMs?: number;
}

/** DeleteCell: `Force` (SIGKILL at once) and `GracePeriodMs` as in DeleteArgs. */
export interface DeleteCellArgs extends DocArgs {
  Force?: boolean;
  GracePeriodMs?: number;
}

export type EmptyArgs = Record<string, never>;

// ---------------------------------------------------------------------------------------------
// Ping

export interface PingReply {
  OK: boolean;
  Version: string;
}

// ---------------------------------------------------------------------------------------------
// Create

export interface CreateRealmResult extends CreateRealmFacts {
  Realm: RealmDoc;
}

export interface CreateSpaceResult extends CreateSpaceFacts {
  Space: SpaceDoc;
}

export interface CreateStackResult extends CreateStackFacts {
  Stack: StackDoc;
}

export type CreateCellContainerOutcome = CreateCellFacts['Containers'][number];

export interface CreateCellResult extends CreateCellFacts {
  Cell: CellDoc;
}

// ---------------------------------------------------------------------------------------------
// Get (absence is `MetadataExists: false` with `Err: null`, and the request's document echoed)

export interface GetRealmResult extends GetRealmFacts {
  Realm: RealmDoc;
}

export interface GetSpaceResult extends GetSpaceFacts {
  Space: SpaceDoc;
}

export interface GetStackResult extends GetStackFacts {
  Stack: StackDoc;
}

export interface GetCellResult {
  Cell: CellDoc;
  MetadataExists: boolean;
  CgroupExists: boolean;
  RootContainerExists: boolean;
  RootContainerTaskRunning: boolean;
}

// ---------------------------------------------------------------------------------------------
// List (empty → `[]`)

export interface ListSpacesArgs {
  RealmName: string;
}
export interface ListStacksArgs {
  RealmName: string;
  SpaceName: string;
}
export interface ListCellsArgs {
  RealmName: string;
  SpaceName: string;
  StackName: string;
  /**
   * Only these dotted paths of each document (kukeon-ts extension; absent or empty: whole
   * documents). A daemon that does not know it ignores it, as Go's JSON decoding does.
   */
  Fields?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Cell lifecycle

export interface StartCellResult {
  Cell: CellDoc;
  Started: boolean;
}
export interface StopCellResult {
  Cell: CellDoc;
  Stopped: boolean;
}
export interface KillCellResult {
  Cell: CellDoc;
  Killed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Delete / Purge. `Deleted[]`: `space:<n>`, `stack:<n>`, `cell:<n>`, `metadata`, `cgroup`,
// `namespace`, `network`. `Purged[]`: extra cleanup a purge did.

export interface DeleteRealmResult extends DeleteRealmFacts {
  Realm: RealmDoc;
}

export interface DeleteSpaceResult extends DeleteSpaceFacts {
  Space: SpaceDoc;
}

export interface DeleteStackResult extends DeleteStackFacts {
  Stack: StackDoc;
}

export interface DeleteCellResult {
  Cell: CellDoc;
  ContainersDeleted: boolean;
  CgroupDeleted: boolean;
  MetadataDeleted: boolean;
}

export interface PurgeRealmResult extends PurgeRealmFacts {
  Realm: RealmDoc;
}

export interface PurgeSpaceResult extends PurgeSpaceFacts {
  Space: SpaceDoc;
}

export interface PurgeStackResult extends PurgeStackFacts {
  Stack: StackDoc;
}

export interface PurgeCellResult {
  Cell: CellDoc;
  ContainersDeleted: boolean;
  CgroupDeleted: boolean;
  MetadataDeleted: boolean;
  PurgeSucceeded: boolean;
  Force: boolean;
  Cascade: boolean;
  Deleted: string[];
  Purged: string[];
}

// ---------------------------------------------------------------------------------------------
// Refresh

export type RefreshAllResult = RefreshAllReport;

// ---------------------------------------------------------------------------------------------
// Apply / delete of manifest streams (lower-case keys inside, as the CLI prints them with -o)

export interface ApplyDocumentsArgs {
  /** The manifest stream, base64 (Go `[]byte`). */
  RawYAML: string;
  /** Non-empty → team prune-apply (not supported by this build: rejected in `Err`). */
  Team: string;
}

export type ApplyResourceResult = ApplyResult;

export interface ApplyDocumentsResult {
  Resources: ApplyResourceResult[];
}

export interface DeleteDocumentsArgs {
  RawYAML: string;
  Cascade: boolean;
  Force: boolean;
  GracePeriodMs?: number;
}

export type DeleteResourceResult = DeleteResult;

export interface DeleteDocumentsResult {
  Resources: DeleteResourceResult[];
}

// ---------------------------------------------------------------------------------------------
// Images (our extension; per realm: images live in the realm's containerd namespace)

export interface ImageInfo {
  Name: string;
  /** Digest of the image's target (index or manifest). */
  Digest: string;
  MediaType: string;
  /** Compressed size in bytes (manifest + config + layers); -1 when unknown. */
  Size: number;
  /** RFC 3339; empty when unknown. */
  CreatedAt: string;
  Labels: Record<string, string>;
}

export interface LoadImageArgs {
  RealmName: string;
  /** Path of a `docker save` / OCI archive on the daemon's host (the daemon reads it). */
  Path: string;
}

export interface LoadedImage {
  Name: string;
  Digest: string;
  ChainID: string;
  /** `created`, `updated` or `unchanged`. */
  Record: string;
}

export interface LoadImageResult {
  Images: LoadedImage[];
  Unchanged: boolean;
  BlobsWritten: number;
  BytesWritten: number;
  LayersUnpacked: number;
}

export interface ImageArgs {
  RealmName: string;
  Name: string;
}

export interface DeleteImageResult {
  Name: string;
  Deleted: boolean;
}

export interface PruneImagesArgs {
  RealmName: string;
  /** Only say what would be removed. */
  DryRun?: boolean;
}

export interface PruneImagesResult {
  Namespace: string;
  /** Names of the images no container uses: removed (or, dry run, that would be). */
  Removed: string[];
  InUse: string[];
  LeasesReleased: string[];
  BytesFreed: number;
}

/** `PullImage`: `Name` is the reference as the user wrote it (normalised by the daemon). */
export type PullImageArgs = ImageArgs;

export interface PullImageResult {
  /** The image record's name: the normalised reference. */
  Name: string;
  /** The realm's containerd namespace. */
  Namespace: string;
  /** What the record points at (the registry's index or manifest). */
  Digest: string;
  MediaType: string;
  /** `created`, `updated` or `unchanged`. */
  Record: string;
  BlobsFetched: number;
  BytesFetched: number;
  LayersUnpacked: number;
}

// ---------------------------------------------------------------------------------------------
// Scoped kinds (our extension; resources that live at a scope: protocol/scoped-kinds.ts)

/** List filters of a scoped kind: each one given narrows; none lists every scope. */
export interface ScopedListArgs {
  RealmName?: string;
  SpaceName?: string;
  StackName?: string;
  CellName?: string;
}

/** Create (or re-assert) of a scoped resource: `Created` false when it existed. */
export interface ScopedCreateResult {
  Created: boolean;
  /** It existed and the document changed something (a reclaim policy). */
  Updated: boolean;
}

/** Get: absence is `Exists: false` with `Err: null`, as for the hierarchy kinds. */
export interface ScopedGetResult {
  Exists: boolean;
}

export interface ScopedDeleteResult {
  Deleted: boolean;
}

/**
 * Registry credentials of a realm (our extension; docs/images.md, "Credentials"). The password
 * travels only in CreateRegistryCredential's request; the realm documents of the replies carry
 * the user, the server and the name of the Secret holding the password.
 */
export interface CreateRegistryCredentialArgs {
  RealmName: string;
  Username: string;
  Password: string;
  /** Registry host[:port]; empty: the realm's default entry. */
  ServerAddress?: string;
}

export interface CreateRegistryCredentialResult {
  Realm: RealmDoc;
  /** `created`, `replaced` or `unchanged`. */
  Action: string;
}

export interface DeleteRegistryCredentialArgs {
  RealmName: string;
  ServerAddress?: string;
}

// ---------------------------------------------------------------------------------------------
// The table

/** Args and Reply (without `Err`) of every method the handler table offers. */
export interface MethodTypes {
  Ping: { args: EmptyArgs; reply: PingReply };

  CreateRealm: { args: DocArgs; reply: { Result: CreateRealmResult } };
  CreateSpace: { args: DocArgs; reply: { Result: CreateSpaceResult } };
  CreateStack: { args: DocArgs; reply: { Result: CreateStackResult } };

  GetRealm: { args: DocArgs; reply: { Result: GetRealmResult } };
  GetSpace: { args: DocArgs; reply: { Result: GetSpaceResult } };
  GetStack: { args: DocArgs; reply: { Result: GetStackResult } };

  ListRealms: { args: EmptyArgs; reply: { Realms: RealmDoc[] } };
  ListSpaces: { args: ListSpacesArgs; reply: { Spaces: SpaceDoc[] } };
  ListStacks: { args: ListStacksArgs; reply: { Stacks: StackDoc[] } };

  DeleteRealm: { args: DeleteArgs; reply: { Result: DeleteRealmResult } };
  DeleteSpace: { args: DeleteArgs; reply: { Result: DeleteSpaceResult } };
  DeleteStack: { args: DeleteArgs; reply: { Result: DeleteStackResult } };

  PurgeRealm: { args: DeleteArgs; reply: { Result: PurgeRealmResult } };
  PurgeSpace: { args: DeleteArgs; reply: { Result: PurgeSpaceResult } };
  PurgeStack: { args: DeleteArgs; reply: { Result: PurgeStackResult } };

  RefreshAll: { args: EmptyArgs; reply: { Result: RefreshAllResult } };
  ApplyDocuments: { args: ApplyDocumentsArgs; reply: { Result: ApplyDocumentsResult } };
  DeleteDocuments: { args: DeleteDocumentsArgs; reply: { Result: DeleteDocumentsResult } };

  LoadImage: { args: LoadImageArgs; reply: { Result: LoadImageResult } };
  ListImages: { args: { RealmName: string }; reply: { Images: ImageInfo[] } };
  GetImage: { args: ImageArgs; reply: { Result: { Image: ImageInfo } } };
  DeleteImage: { args: ImageArgs; reply: { Result: DeleteImageResult } };
  PullImage: { args: PullImageArgs; reply: { Result: PullImageResult } };
  PruneImages: { args: PruneImagesArgs; reply: { Result: PruneImagesResult } };

  CreateVolume: { args: DocArgs; reply: { Result: ScopedCreateResult & { Volume: VolumeDoc } } };
  GetVolume: { args: DocArgs; reply: { Result: ScopedGetResult & { Volume: VolumeDoc } } };
  ListVolumes: { args: ScopedListArgs; reply: { Volumes: VolumeDoc[] } };
  DeleteVolume: { args: DocArgs; reply: { Result: ScopedDeleteResult & { Volume: VolumeDoc } } };

  // Secrets (docs/secrets.md): `spec.data` goes in with CreateSecret and never comes back; the
  // documents of the replies carry metadata and `status: {sizeBytes, createdAt}` only.
  CreateSecret: { args: DocArgs; reply: { Result: ScopedCreateResult & { Secret: SecretDoc } } };
  GetSecret: { args: DocArgs; reply: { Result: ScopedGetResult & { Secret: SecretDoc } } };
  ListSecrets: { args: ScopedListArgs; reply: { Secrets: SecretDoc[] } };
  DeleteSecret: { args: DocArgs; reply: { Result: ScopedDeleteResult & { Secret: SecretDoc } } };

  CreateRegistryCredential: {
    args: CreateRegistryCredentialArgs;
    reply: { Result: CreateRegistryCredentialResult };
  };
  DeleteRegistryCredential: {
    args: DeleteRegistryCredentialArgs;
    reply: { Result: { Realm: RealmDoc; Deleted: boolean } };
  };

  // Blueprints and configs (docs/blueprints.md): stored documents, `metadata.generation` counted.
  CreateBlueprint: { args: DocArgs; reply: { Result: ScopedCreateResult & { Blueprint: CellBlueprintDoc } } };
  GetBlueprint: { args: DocArgs; reply: { Result: ScopedGetResult & { Blueprint: CellBlueprintDoc } } };
  ListBlueprints: { args: ScopedListArgs; reply: { Blueprints: CellBlueprintDoc[] } };
  DeleteBlueprint: { args: DocArgs; reply: { Result: ScopedDeleteResult & { Blueprint: CellBlueprintDoc } } };
  CreateConfig: { args: DocArgs; reply: { Result: ScopedCreateResult & { Config: CellConfigDoc } } };
  GetConfig: { args: DocArgs; reply: { Result: ScopedGetResult & { Config: CellConfigDoc } } };
  ListConfigs: { args: ScopedListArgs; reply: { Configs: CellConfigDoc[] } };
  DeleteConfig: { args: DocArgs; reply: { Result: ScopedDeleteResult & { Config: CellConfigDoc } } };
}

/**
 * Cell methods.
 * Same shapes as the original's cell replies (docs/daemon-rpc.md).
 */
export interface CellMethodTypes {
  CreateCell: { args: DocArgs; reply: { Result: CreateCellResult } };
  /** Like CreateCell without starting; a newly made cell is recorded Stopped. */
  MaterializeCell: { args: DocArgs; reply: { Result: CreateCellResult } };
  /** `Doc` is a Container document (cellId names the cell); one of the two paths is set. */
  LogContainer: { args: DocArgs; reply: { Result: { HostLogPath: string; HostCapturePath: string } } };
  /**
   * Checks that the container can be attached (exists, attachable, task running). The session
   * itself streams over the daemon socket (see protocol/attach-frames.ts), so HostSocketPath
   * is empty: there is no per-container socket to dial.
   */
  AttachContainer: { args: DocArgs; reply: { Result: { HostSocketPath: string } } };
  GetCell: { args: GetCellArgs; reply: { Result: GetCellResult } };
  ListCells: { args: ListCellsArgs; reply: { Cells: CellDoc[] } };
  StartCell: { args: DocArgs; reply: { Result: StartCellResult } };
  StopCell: { args: StopCellArgs; reply: { Result: StopCellResult } };
  KillCell: { args: DocArgs; reply: { Result: KillCellResult } };
  DeleteCell: { args: DeleteCellArgs; reply: { Result: DeleteCellResult } };
  PurgeCell: { args: DeleteArgs; reply: { Result: PurgeCellResult } };
}

export interface TopCellsArgs {
  /** Scope; empty or absent = every realm / space / stack. */
  RealmName?: string;
  SpaceName?: string;
  StackName?: string;
}

export interface TopCellsReply {
  Cells: CellUsageRow[];
  /** When the figures were read (epoch ms): CPU % is the CPU time between two samples over this. */
  SampledAt: number;
}

// ---------------------------------------------------------------------------------------------
// Observation (our extension): the daemon's event ring (docs/events.md)

export interface ListEventsArgs {
  /** Scope filters; empty or absent = any. */
  Realm?: string;
  Space?: string;
  Stack?: string;
  Cell?: string;
  /** Only events at or after this RFC 3339 time. */
  Since?: string;
  /** Only events after this sequence number (a follower's cursor). */
  AfterSeq?: number;
  /** With AfterSeq: wait up to this long (ms, at most 30 000) for a later event before replying. */
  WaitMs?: number;
}

export interface ListEventsReply {
  Events: KukeonEvent[];
  /** The ring's last sequence number: the next AfterSeq of a follower. */
  LastSeq: number;
}

// Observation (our extension): the pulls kukeond is doing for the cells it creates and for
// PullImage (docs/images.md, "Progress of pulls")

export interface PullInfo {
  Realm: string;
  /** The image as the container names it. */
  Image: string;
  /**
   * `<space>/<stack>/<cell>` of the cell whose create started or joined the pull; empty for a
   * `PullImage` (`kuke image pull`).
   */
  Cell: string;
  State: 'pulling' | 'pulled' | 'failed';
  Phase?: 'write' | 'unpack' | 'done';
  BytesDone: number;
  BytesTotal: number;
  LayersDone: number;
  LayersTotal: number;
  /** Pulled: what the image record points at. */
  Digest?: string;
  /** Failed: why. */
  Error?: string;
  /** The change that last touched this entry: the next AfterVersion of a follower. */
  Version: number;
}

export interface ListPullsArgs {
  /** Only the pulls of these realms (absent: every realm's; empty: none). */
  Realms?: string[];
  /** Only pulls changed after this version. */
  AfterVersion?: number;
  /** Wait up to this long (ms, at most 30 000) for a change after AfterVersion before replying. */
  WaitMs?: number;
}

export interface ListPullsReply {
  Pulls: PullInfo[];
  /** The board's last version. */
  Version: number;
}

/**
 * Observation methods (our extension), optional in the table: `ListEvents` only kukeond has (an
 * in-process kuke has no ring); `TopCells` (`kuke top`, docs/top.md) is there with cells.
 */
export interface ObserveMethodTypes {
  ListEvents: { args: ListEventsArgs; reply: ListEventsReply };
  ListPulls: { args: ListPullsArgs; reply: ListPullsReply };
  TopCells: { args: TopCellsArgs; reply: TopCellsReply };
}

export type MethodName = keyof MethodTypes;
export type CellMethodName = keyof CellMethodTypes;
export type ObserveMethodName = keyof ObserveMethodTypes;
export type AllMethodTypes = MethodTypes & CellMethodTypes & ObserveMethodTypes;
export type AnyMethodName = keyof AllMethodTypes;

export type MethodArgs<M extends AnyMethodName> = AllMethodTypes[M]['args'];
export type MethodReply<M extends AnyMethodName> = AllMethodTypes[M]['reply'];

/** One handler: resolves with the reply (no `Err`), rejects with a KukeonError on failure. */
export type MethodHandler<M extends AnyMethodName> = (args: MethodArgs<M>) => Promise<MethodReply<M>>;

/**
 * What `createMethodHandlers(controller)` returns: every method of the table (ListEvents is added
 * by kukeond, which keeps the event ring).
 */
export type MethodHandlers = { [M in MethodName | CellMethodName | 'TopCells']: MethodHandler<M> } & {
  /** Only kukeond keeps an event ring: in-process `kuke` has no ListEvents. */
  ListEvents?: MethodHandler<'ListEvents'>;
  /** Only kukeond keeps the pull board. */
  ListPulls?: MethodHandler<'ListPulls'>;
};

/** Re-exported for callers that print container documents. */
export type { CellDoc, ContainerDoc, RealmDoc, SecretDoc, SpaceDoc, StackDoc, VolumeDoc };
