/**
 * Everything `buildOciSpec` needs to know about one container, as plain data. The runner maps its
 * model onto this (space defaults already applied, secrets and volume references already resolved
 * to host paths); the builder never reads the model, containerd or the filesystem.
 */
export interface ContainerSpecInput {
  /** `root` gets the cell hostname; a `workload` never sets one (it joins the root's UTS ns). */
  role: 'root' | 'workload';
  /** containerd container ID (`<space>_<stack>_<cell>_<container>`). */
  containerdId: string;
  /** The realm's containerd namespace; only used for the default cgroups path. */
  namespace: string;
  /** Image reference as the user wrote it (part of the spec hash; not read by the builder). */
  image?: string;
  /** The image's config (OCI image config `config` object), already fetched by the runner. */
  imageConfig?: ImageConfig;

  command?: string;
  args?: readonly string[];
  workingDir?: string;
  /**
   * The KUKEON_* identity variables (docs/oci-spec.md): below everything else, and derived from
   * names and paths, so not part of the spec hash.
   */
  identityEnv?: readonly string[];
  /** Environment below the container's own (the git identity): `KEY=value`. */
  defaultEnv?: readonly string[];
  /** The container's declared env, `KEY=value` (a bare `KEY` removes the key). */
  env?: readonly string[];
  /** Env entries from secrets (`KEY=value`). Only their keys enter the spec hash. */
  secretEnv?: readonly string[];
  /**
   * File-form secrets already staged on the host: `source` (the staged file) bind-mounted
   * read-only at `target`. Only names and targets enter the spec hash.
   */
  secretMounts?: readonly SecretMountInput[];
  /** Revisions of the `kind: Secret`s the container uses (spec hash only; never a value). */
  secretRevisions?: readonly string[];
  /** `kuke run --env` entries: applied last, never part of the spec hash (per invocation). */
  runtimeEnv?: readonly string[];

  /** `uid`, `uid:gid`, `name`, `name:group` (mixes allowed); overrides the image's USER. */
  user?: string;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: readonly string[]; drop?: readonly string[] };
  securityOpts?: readonly string[];
  tmpfs?: readonly TmpfsInput[];
  volumes?: readonly VolumeInput[];
  /** Host device paths (`/dev/kvm`) passed through at the same path. */
  devices?: readonly string[];
  resources?: ResourcesInput;

  hostNetwork?: boolean;
  hostPID?: boolean;
  hostCgroup?: boolean;
  /** Mount a cgroup filesystem at /sys/fs/cgroup for an inner runtime (ignored with hostCgroup). */
  nestedCgroupRuntime?: boolean;

  /** The cell's cgroup path (absolute); cgroupsPath becomes `<cellCgroupPath>/<containerdId>`. */
  cellCgroupPath?: string;
  /** Root only: defaults to containerdId. */
  hostname?: string;
  /** Host paths of the cell etc files, bind-mounted read-only. */
  etcHostsPath?: string;
  etcHostnamePath?: string;
  etcResolvConfPath?: string;
  /** Workloads: namespaces of the root to join (`/proc/<pid>/ns/net` …). Also see joinNamespaces. */
  joinNamespaces?: JoinNamespaces;

  /** `io.kukeon.cni.config` annotation value. */
  cniConfigPath?: string;
  /**
   * Containers with the same group share one containerd-shim-runc-v2 (its
   * `io.containerd.runc.v2.group` annotation, the grouping CRI uses for a pod's sandbox): a cell
   * pays for one shim instead of one per container, and its shim lives while any of them does.
   */
  shimGroup?: string;
  annotations?: Readonly<Record<string, string>>;
  /** Daemon-wide: kukeon group GID appended to additionalGids (0/undefined = none). */
  kukeonGroupGid?: number;
  /** The container's own extra groups (its `kukeonGroupGID`), appended to additionalGids. */
  supplementaryGids?: readonly number[];
  /** Daemon-wide: memory limit for containers that set none (0/undefined = off). */
  defaultMemoryLimitBytes?: number;
  /**
   * Attachable containers: the process runs on a terminal that containerd allocates (the daemon
   * holds its FIFOs), so any image works without a helper binary inside it.
   */
  terminal?: boolean;
}

/** The parts of an OCI image config that shape the runtime spec. */
export interface ImageConfig {
  Entrypoint?: readonly string[] | null;
  Cmd?: readonly string[] | null;
  Env?: readonly string[] | null;
  WorkingDir?: string;
  User?: string;
}

export interface TmpfsInput {
  path: string;
  sizeBytes?: number;
  options?: readonly string[];
}

export interface VolumeInput {
  /** '' | 'bind' | 'volume' → bind mount of `source`; 'tmpfs' → tmpfs at target. */
  kind?: string;
  source?: string;
  target: string;
  readOnly?: boolean;
  /** tmpfs only. */
  sizeBytes?: number;
  /** tmpfs only: octal mode, e.g. 0o1777. */
  mode?: number;
}

export interface SecretMountInput {
  name: string;
  source: string;
  target: string;
}

export interface ResourcesInput {
  memoryLimitBytes?: number;
  cpuShares?: number;
  pidsLimit?: number;
}

export interface JoinNamespaces {
  network?: string;
  ipc?: string;
  uts?: string;
}
