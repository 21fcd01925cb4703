import { join } from 'node:path';
import { cellCgroupPath, rootContainerdId, workloadContainerdId } from '../../model/naming/index.js';
import type { ContainerSpec } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';

/**
 * A cell's identity and everything derived from it: metadata scope, lock key, containerd IDs,
 * cgroup path, on-disk paths. Derived once per operation so no code re-derives (or re-parses)
 * identifiers on its own (the original parsed container IDs in several places).
 */
export interface CellRef {
  realm: string;
  space: string;
  stack: string;
  /** metadata.name: paths and cgroups. */
  name: string;
  /** spec.id: containerd IDs and the hostname (equal to the name unless set otherwise). */
  id: string;
  scope: string[];
  lockKey: string;
  cgroupPath: string;
  rootContainerdId: string;
  dir: string;
}

export function cellRef(
  ctx: RunnerContext,
  c: { realm: string; space: string; stack: string; name: string; id?: string },
): CellRef {
  const realm = validName('realm', c.realm);
  const space = validName('space', c.space);
  const stack = validName('stack', c.stack);
  const name = validName('cell', c.name);
  const id = c.id?.trim() ? validName('cell', c.id) : name;
  const scope = scopes.cell(realm, space, stack, name);
  return {
    realm,
    space,
    stack,
    name,
    id,
    scope,
    lockKey: `cell/${scope.join('/')}`,
    cgroupPath: cellCgroupPath(ctx.config.cgroupRoot, realm, space, stack, name),
    rootContainerdId: rootContainerdId(space, stack, id),
    dir: ctx.store.scopeDir(scope),
  };
}

export function refOfCell(ctx: RunnerContext, cell: Cell): CellRef {
  return cellRef(ctx, {
    realm: cell.spec.realmId,
    space: cell.spec.spaceId,
    stack: cell.spec.stackId,
    name: cell.metadata.name,
    id: cell.spec.id,
  });
}

/** containerd ID of a container of the cell (the root has a fixed one whatever its spec id). */
export function containerdIdOf(ref: CellRef, c: ContainerSpec): string {
  return c.root ? ref.rootContainerdId : workloadContainerdId(ref.space, ref.stack, ref.id, c.id);
}

export const cellFiles = {
  hosts: (ref: CellRef) => join(ref.dir, 'etc-hosts'),
  hostname: (ref: CellRef) => join(ref.dir, 'etc-hostname'),
  resolvConf: (ref: CellRef) => join(ref.dir, 'etc-resolv.conf'),
  containerDir: (ref: CellRef, containerId: string) => join(ref.dir, containerId),
  log: (ref: CellRef, containerId: string) => join(ref.dir, containerId, 'log'),
};

/** The runner-private directory of staged helper binaries (`<runPath>/bin`). */
export function stagedBinDir(ctx: RunnerContext): string {
  return join(ctx.config.runPath, 'bin');
}
