import { access } from 'node:fs/promises';
import { spaceNetworkRef } from '../cni/index.js';
import { cellCgroupPath, realmCgroupPath, spaceCgroupPath, stackCgroupPath } from '../model/naming/index.js';
import type { Runner } from './runner.js';

/**
 * Read-only host observations behind the existence facts of Create/Get replies.
 * An interface so the controller's logic is testable without a host.
 */
export interface HostProbe {
  realmCgroupExists(realm: string): Promise<boolean>;
  namespaceExists(namespace: string): Promise<boolean>;
  spaceCgroupExists(realm: string, space: string): Promise<boolean>;
  /** The space's CNI conflist is on disk. */
  spaceNetworkExists(realm: string, space: string): Promise<boolean>;
  stackCgroupExists(realm: string, space: string, stack: string): Promise<boolean>;
  cellCgroupExists(realm: string, space: string, stack: string, cell: string): Promise<boolean>;
}

const fileExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The probe of a real runner: its cgroup manager, containerd and CNI conf dir. Never mutates. */
export function runnerHostProbe(runner: Runner): HostProbe {
  const { ctx } = runner;
  const root = ctx.config.cgroupRoot;
  const cgroup = async (path: string): Promise<boolean> => (await ctx.cgroups.exists(path)).exists;
  return {
    realmCgroupExists: (realm) => cgroup(realmCgroupPath(root, realm)),
    namespaceExists: (namespace) => runner.existsRealmContainerdNamespace(namespace),
    spaceCgroupExists: (realm, space) => cgroup(spaceCgroupPath(root, realm, space)),
    spaceNetworkExists: (realm, space) => fileExists(spaceNetworkRef(ctx.cni, realm, space).conflistPath),
    stackCgroupExists: (realm, space, stack) => cgroup(stackCgroupPath(root, realm, space, stack)),
    cellCgroupExists: (realm, space, stack, cell) => cgroup(cellCgroupPath(root, realm, space, stack, cell)),
  };
}
