import type { ContainerSpec } from '../../model/container.js';
import type { ResolvedImage } from '../../images/index.js';
import { gitEnv, identityEnv, type ContainerSpecInput, type JoinNamespaces } from '../oci/index.js';
import { cellFiles, containerdIdOf, type CellRef } from './cell-ref.js';
import type { ResolvedSecrets } from './container-secrets.js';

/**
 * Maps one container of the model onto the OCI builder's plain input (space defaults were
 * already merged into `c`). Workloads join the root's namespaces; only the root sets a hostname.
 */
export function containerSpecInput(
  ref: CellRef,
  namespace: string,
  c: ContainerSpec,
  image: ResolvedImage | undefined,
  options: {
    nestedCgroupRuntime?: boolean;
    join?: JoinNamespaces;
    cniConfigPath?: string;
    /** Daemon-wide settings (HostConfig). */
    kukeonGroupGid?: number;
    defaultMemoryLimitBytes?: number;
    /** The container's secrets, resolved (values read) by the caller; staged files at `stagedFile`. */
    secrets?: ResolvedSecrets;
    stagedFile?: (name: string) => string;
  } = {},
): ContainerSpecInput {
  const secrets = options.secrets;
  const hostNetwork = c.hostNetwork === true;
  return {
    role: c.root ? 'root' : 'workload',
    containerdId: containerdIdOf(ref, c),
    namespace,
    image: c.image || undefined,
    imageConfig: image
      ? {
          Entrypoint: image.config.entrypoint,
          Cmd: image.config.cmd,
          Env: image.config.env,
          WorkingDir: image.config.workingDir,
          User: image.config.user,
        }
      : undefined,
    command: c.command || undefined,
    args: c.args,
    workingDir: c.workingDir || undefined,
    identityEnv: identityEnv({
      cellName: ref.id,
      containerId: c.id,
      realm: ref.realm,
      space: ref.space,
      stack: ref.stack,
      cellCgroupPath: ref.cgroupPath,
    }),
    defaultEnv: gitEnv(
      c.git && {
        author: c.git.author,
        committer: c.git.committer,
        signingKey: c.git.signingKey,
        sign: c.git.sign?.filter((s): s is 'commits' | 'tags' => s === 'commits' || s === 'tags'),
        allowedSignersFile: c.git.allowedSigners,
      },
    ),
    env: c.env,
    secretEnv: secrets?.env,
    secretMounts: secrets?.files.map((f) => ({
      name: f.name,
      source: options.stagedFile?.(f.name) ?? '',
      target: f.target,
    })),
    secretRevisions: secrets?.revisions,
    user: c.user || undefined,
    privileged: c.privileged,
    readOnlyRootFilesystem: c.readOnlyRootFilesystem,
    capabilities: c.capabilities,
    securityOpts: c.securityOpts,
    tmpfs: c.tmpfs,
    volumes: (c.volumes ?? []).map((v) => ({
      kind: v.kind === 'volume' ? 'bind' : v.kind,
      source: v.source,
      target: v.target,
      readOnly: v.readOnly,
      sizeBytes: v.sizeBytes,
      mode: v.mode,
    })),
    devices: c.devices,
    resources: c.resources,
    hostNetwork,
    hostPID: c.hostPID,
    hostCgroup: c.hostCgroup,
    nestedCgroupRuntime: options.nestedCgroupRuntime,
    cellCgroupPath: ref.cgroupPath,
    hostname: c.root ? ref.id : undefined,
    etcHostsPath: hostNetwork ? undefined : cellFiles.hosts(ref),
    etcHostnamePath: cellFiles.hostname(ref),
    etcResolvConfPath: hostNetwork ? undefined : cellFiles.resolvConf(ref),
    joinNamespaces: c.root ? undefined : options.join,
    cniConfigPath: options.cniConfigPath,
    // One shim per cell: the root's ID names the group, so every container of the cell shares it.
    shimGroup: ref.rootContainerdId,
    // The root only holds the cell's namespaces; a terminal there would have nobody to talk to.
    terminal: !c.root && c.attachable === true,
    kukeonGroupGid: options.kukeonGroupGid,
    supplementaryGids: c.kukeonGroupGID ? [c.kukeonGroupGID] : undefined,
    defaultMemoryLimitBytes: options.defaultMemoryLimitBytes,
  };
}
