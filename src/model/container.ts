/**
 * Internal container model. Same field names as the v1beta1 document, with
 * non-omit-empty lists always present and booleans/strings defaulted, so runner code never has to
 * tell "absent" from "empty". Pointer-like values (capabilities, resources, git, tty, the restart
 * tuning numbers) stay optional: unset differs from zero for them.
 */
import type { ContainerState } from './states.js';
import type { Timestamp } from './time.js';

export type RestartPolicy = '' | 'always' | 'on-failure' | 'never';

/** When a container's image is pulled at create (our extension; unset = IfNotPresent). */
export type ImagePullPolicy = 'IfNotPresent' | 'Always' | 'Never';
export const IMAGE_PULL_POLICIES: readonly ImagePullPolicy[] = ['IfNotPresent', 'Always', 'Never'];
export type VolumeKind = '' | 'bind' | 'tmpfs' | 'volume';

export interface Capabilities {
  drop?: string[];
  add?: string[];
}

export interface TmpfsMount {
  path: string;
  sizeBytes?: number;
  options?: string[];
}

export interface Resources {
  memoryLimitBytes?: number;
  cpuShares?: number;
  pidsLimit?: number;
}

export interface VolumeRef {
  name: string;
  realm: string;
  space?: string;
  stack?: string;
}

export interface VolumeMount {
  kind?: VolumeKind;
  source?: string;
  target: string;
  volumeRef?: VolumeRef;
  readOnly?: boolean;
  sizeBytes?: number;
  mode?: number;
  ensure?: boolean;
}

export interface SecretRef {
  name: string;
  realm: string;
  space?: string;
  stack?: string;
  cell?: string;
}

export interface ContainerSecret {
  name: string;
  fromFile?: string;
  fromEnv?: string;
  secretRef?: SecretRef;
  mountPath?: string;
}

export interface ContainerRepo {
  name: string;
  target: string;
  url?: string;
  branch?: string;
  ref?: string;
  required?: boolean;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface ContainerGit {
  author?: GitIdentity;
  committer?: GitIdentity;
  signingKey?: string;
  sign?: string[];
  allowedSigners?: string;
}

export interface TtyStage {
  script?: string;
  runOn?: '' | 'start' | 'create';
}

export interface ContainerTty {
  prompt?: string;
  onInit?: TtyStage[];
  logFile?: string;
  logLevel?: string;
}

export interface ContainerSpec {
  id: string;
  containerdId?: string;
  realmId: string;
  spaceId: string;
  stackId: string;
  cellId: string;
  root?: boolean;
  image: string;
  /** When the image is pulled at create (unset = IfNotPresent). Our extension. */
  imagePullPolicy?: ImagePullPolicy;
  command: string;
  args: string[];
  workingDir?: string;
  env: string[];
  ports: string[];
  volumes: VolumeMount[];
  networks: string[];
  networksAliases: string[];
  privileged: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostCgroup?: boolean;
  user?: string;
  readOnlyRootFilesystem?: boolean;
  capabilities?: Capabilities;
  securityOpts?: string[];
  devices?: string[];
  tmpfs?: TmpfsMount[];
  resources?: Resources;
  secrets?: ContainerSecret[];
  repos?: ContainerRepo[];
  git?: ContainerGit;
  cniConfigPath?: string;
  restartPolicy: RestartPolicy;
  restartBackoffSeconds?: number;
  restartMaxRetries?: number;
  /** First signal of a stop (default SIGTERM): a name (`SIGINT`, `QUIT`) or a number. Our extension. */
  stopSignal?: string;
  /** Seconds between the stop signal and SIGKILL (default 10; 0 kills at once). Our extension. */
  stopGracePeriodSeconds?: number;
  attachable?: boolean;
  tty?: ContainerTty;
  kukeonGroupGID?: number;
}

export interface RepoStatus {
  name: string;
  target: string;
  state: string;
  commit?: string;
  error?: string;
}

export interface StageStatus {
  index: number;
  state: string;
  error?: string;
  hash?: string;
}

export interface ContainerStatus {
  name: string;
  id: string;
  state: ContainerState;
  createdAt?: Timestamp;
  restartCount: number;
  restartTime?: Timestamp;
  startTime?: Timestamp;
  finishTime?: Timestamp;
  exitCode: number;
  exitSignal: string;
  repos?: RepoStatus[];
  stages?: StageStatus[];
}

/** A standalone `kind: Container` (applied into an existing cell). */
export interface Container {
  name: string;
  labels: Record<string, string>;
  spec: ContainerSpec;
}
