/** Internal Realm / Space / Stack / Cell models. */
import type { CellState, RealmState, SpaceState, StackState } from './states.js';
import type { CommonStatus } from './status.js';
import type { Capabilities, ContainerSpec, ContainerStatus, Resources, TmpfsMount } from './container.js';

export interface Metadata {
  name: string;
  labels: Record<string, string>;
  generation?: number;
}

/**
 * One registry login of a realm (docs/images.md, "Credentials"). In a manifest the password may be
 * inline (`password`, as the Go kukeon writes it); kukeond moves it into its Secret store and keeps
 * only `passwordSecret`, the name of the realm-level Secret holding it.
 */
export interface RegistryCredentials {
  username: string;
  /** Inline password: input only, never stored in metadata or returned. */
  password?: string;
  /** Name of the realm-level Secret holding the password (our extension). */
  passwordSecret?: string;
  serverAddress?: string;
}

export interface Realm {
  metadata: Metadata;
  spec: { namespace: string; registryCredentials?: RegistryCredentials[] };
  status: CommonStatus<RealmState> & { containerdNamespaceReady?: boolean };
}

export interface EgressAllowRule {
  host?: string;
  cidr?: string;
  ports?: number[];
}

export interface EgressPolicy {
  default?: string;
  allow?: EgressAllowRule[];
}

/** `readOnlyRootFilesystem` unset differs from false here (unset inherits, false overrides). */
export interface SpaceContainerDefaults {
  user?: string;
  readOnlyRootFilesystem?: boolean;
  capabilities?: Capabilities;
  securityOpts?: string[];
  tmpfs?: TmpfsMount[];
  resources?: Resources;
}

export interface Space {
  metadata: Metadata;
  spec: {
    realmId: string;
    cniConfigPath?: string;
    /** `isolation`: our extension, see model/space-isolation.ts. */
    network?: { egress?: EgressPolicy; isolation?: string };
    defaults?: { container?: SpaceContainerDefaults };
  };
  status: CommonStatus<SpaceState>;
}

export interface Stack {
  metadata: Metadata;
  spec: { id: string; realmId: string; spaceId: string };
  status: CommonStatus<StackState>;
}

export interface CellProvenance {
  bindingKind: string;
  bindingRef: { name: string; realm: string; space?: string; stack?: string };
  params?: Record<string, string>;
  envOverrides?: string[];
  /** Generation of the bound Blueprint/Config at materialisation (docs/blueprints.md). */
  generation?: number;
  /** For a Config binding: the generation of the Blueprint it referenced. */
  blueprintGeneration?: number;
}

export interface Cell {
  metadata: Metadata & { annotations?: Record<string, string> };
  spec: {
    id: string;
    realmId: string;
    spaceId: string;
    stackId: string;
    rootContainerId?: string;
    tty?: { default?: string };
    containers: ContainerSpec[];
    autoDelete?: boolean;
    nestedCgroupRuntime?: boolean;
    provenance?: CellProvenance;
    /** Transport-only (RPC), never persisted. */
    runtimeEnv?: string[];
    ignoreDiskPressure?: boolean;
  };
  status: CommonStatus<CellState> & {
    network: { bridgeName?: string };
    containers: ContainerStatus[];
    readyObserved?: boolean;
    outOfSync?: boolean;
    outOfSyncReason?: string;
    outOfSyncError?: string;
  };
}

/** The root container of a cell, if it has one flagged. */
export function rootContainer(cell: Cell): ContainerSpec | undefined {
  return cell.spec.containers.find((c) => c.root);
}
