import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlreadyExists, isNotFound, purgeNamespace } from '../../containerd/index.js';
import { realmCgroupPath } from '../../model/naming/index.js';
import type { Realm } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';

/** Label on containerd namespaces we create: lets `kuke` and the sweep tell ours from look-alikes. */
export const REALM_NAMESPACE_LABEL = 'kukeon.io/realm';

export interface RealmHostFacts {
  namespaceExisted: boolean;
  namespaceCreated: boolean;
  cgroupExisted: boolean;
  cgroupCreated: boolean;
  cgroupPath: string;
  subtreeControllers: string[];
}

export async function namespaceExists(ctx: RunnerContext, namespace: string): Promise<boolean> {
  try {
    await ctx.containerd.namespaces.get(namespace);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Makes the host match a realm: its containerd namespace and its cgroup (with the resource
 * controllers delegated). Each piece is created only when missing, so this both creates and repairs.
 */
export async function ensureRealmHost(ctx: RunnerContext, realm: Realm): Promise<RealmHostFacts> {
  const namespace = realm.spec.namespace;
  const namespaceExisted = await namespaceExists(ctx, namespace);
  let namespaceCreated = false;
  if (!namespaceExisted) {
    try {
      await ctx.containerd.namespaces.create(namespace, { [REALM_NAMESPACE_LABEL]: realm.metadata.name });
      namespaceCreated = true;
      ctx.log.info({ namespace }, 'created containerd namespace');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const cgroupPath = realmCgroupPath(ctx.config.cgroupRoot, realm.metadata.name);
  const cgroupExisted = (await ctx.cgroups.exists(cgroupPath)).exists;
  const ensured = await ctx.cgroups.ensure(cgroupPath, { subtreeControllers: 'resource' });
  return {
    namespaceExisted,
    namespaceCreated,
    cgroupExisted,
    cgroupCreated: ensured.created,
    cgroupPath,
    subtreeControllers: ensured.subtreeControllers,
  };
}

export interface RealmTeardownFacts {
  namespaceDeleted: boolean;
  cgroupDeleted: boolean;
}

/**
 * Removes a realm's host state: everything in its containerd namespace (tasks, containers,
 * snapshots, images, leases, content) and the namespace itself, then its cgroup subtree (any
 * process still inside is killed: the realm is going away). Tolerant of pieces already gone.
 */
export async function removeRealmHost(
  ctx: RunnerContext,
  realmName: string,
  namespace: string,
): Promise<RealmTeardownFacts> {
  const namespaceDeleted = await purgeNamespace(ctx.containerd, namespace);
  // runc keeps an empty state directory per namespace after its last container: not ours to
  // leave behind once the namespace is gone (rmdir: never removes one that is still in use).
  await rmdir(join(ctx.config.runcRoot, namespace)).catch(() => undefined);
  const removed = await ctx.cgroups.remove(realmCgroupPath(ctx.config.cgroupRoot, realmName), {
    force: true,
  });
  return { namespaceDeleted, cgroupDeleted: removed.existed };
}
