import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { realmNamespace } from '../../model/naming/index.js';
import { RESERVED_SCOPE_NAMES } from '../../store/index.js';
import { assertNoChildren } from '../dependencies.js';
import { withIntent, withRealmLock } from '../intent.js';
import { readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { removeScopeSecrets } from '../secrets/scope-secrets.js';
import { deleteSpaceLocked } from '../space/delete-space.js';
import { removeSpaceHost } from '../space/space-host.js';
import { removeRealmHost } from './realm-host.js';
import { failpoint } from '../failpoint.js';

export interface DeleteRealmResult {
  metadataDeleted: boolean;
  cgroupDeleted: boolean;
  namespaceDeleted: boolean;
  /** Children removed by a cascade: `space:<name>`, `stack:<name>`. */
  deleted: string[];
}

export interface DeleteRealmOptions {
  /** Delete spaces and their stacks first. */
  cascade?: boolean;
  /**
   * Grace period of the cascaded cells' tasks before SIGKILL (`--timeout`; 0 for `--force`);
   * unset: each container's own (docs/manifests.md). A purge always kills at once.
   */
  graceMs?: number;
}

/**
 * Deletes a realm: refused while it holds spaces unless cascading; then everything in its
 * containerd namespace and the namespace, its cgroup subtree and its metadata. Missing = success.
 */
export async function deleteRealm(
  ctx: RunnerContext,
  realmName: string,
  options: DeleteRealmOptions = {},
): Promise<DeleteRealmResult> {
  const name = validName('realm', realmName);
  return withRealmLock(ctx, name, () => deleteRealmLocked(ctx, name, { ...options, tolerateMissing: false }));
}

/**
 * Purge: works without (or with corrupt) metadata, using the default namespace name, so a
 * half-deleted realm or one whose metadata was removed by hand is cleaned up. Only this realm's
 * own spaces' networks are touched: realm `dev` never touches realm `dev-2`.
 */
export async function purgeRealm(
  ctx: RunnerContext,
  realmName: string,
  options: DeleteRealmOptions = {},
): Promise<DeleteRealmResult> {
  const name = validName('realm', realmName);
  return withRealmLock(ctx, name, () => deleteRealmLocked(ctx, name, { ...options, tolerateMissing: true }));
}

async function deleteRealmLocked(
  ctx: RunnerContext,
  name: string,
  options: DeleteRealmOptions & { tolerateMissing: boolean },
): Promise<DeleteRealmResult> {
  const scope = scopes.realm(name);
  const existing = await readResource(ctx, 'Realm', scope).catch((err: unknown) => {
    if (options.tolerateMissing) return undefined;
    throw err;
  });
  if (!existing && !options.tolerateMissing) {
    return { metadataDeleted: false, cgroupDeleted: false, namespaceDeleted: false, deleted: [] };
  }
  const namespace = existing?.spec.namespace || realmNamespace(name, ctx.config.namespaceSuffix);
  const deleted: string[] = [];
  if (options.cascade) {
    for (const space of await ctx.store.listChildren(scope)) {
      const r = await deleteSpaceLocked(ctx, name, space, {
        cascade: true,
        tolerateMissing: options.tolerateMissing,
        graceMs: options.graceMs,
      });
      deleted.push(...r.deleted, `space:${space}`);
    }
  }
  await assertNoChildren(ctx, scope, `realm "${name}"`, 'spaces');
  return withIntent(ctx, { op: 'delete', kind: 'Realm', key: name, desired: 'absent' }, async () => {
    if (options.tolerateMissing) {
      // Space directories whose metadata is gone still name networks that may hold a bridge,
      // leases and chains: tear those down by the exact names found under this realm only.
      for (const space of await leftoverSpaceDirs(ctx, name)) await removeSpaceHost(ctx, name, space);
    }
    failpoint('realm.delete.before-host');
    const facts = await removeRealmHost(ctx, name, namespace);
    failpoint('realm.delete.after-host');
    await removeScopeSecrets(ctx, scope);
    await ctx.store.removeScope(scope);
    return { metadataDeleted: existing !== undefined, ...facts, deleted };
  });
}

/** Subdirectories of the realm in the metadata tree and the CNI conf dir (with or without metadata). */
async function leftoverSpaceDirs(ctx: RunnerContext, realm: string): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of [ctx.store.scopeDir(scopes.realm(realm)), join(ctx.cni.confDir, realm)]) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && validSpaceDirName(e.name)) names.add(e.name);
    }
  }
  return [...names].sort();
}

function validSpaceDirName(name: string): boolean {
  if (RESERVED_SCOPE_NAMES.has(name)) return false;
  try {
    validName('space', name);
    return true;
  } catch {
    return false;
  }
}
