import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from '../../containerd/index.js';
import { isKukeonNamespace, realmFromNamespace } from '../../model/naming/index.js';
import { removeSecretSubtree } from '../../store/index.js';
import type { RunnerContext } from '../runner-context.js';
import { withRealmLock } from '../intent.js';
import { removeUnusedCredentialSecrets } from '../images/realm-credentials.js';
import { getRealm, listRealms } from '../realm/realm-queries.js';
import {
  listStagedDirs,
  pruneStagingNamespace,
  removeStagedSecrets,
  stagingLockKey,
} from './secret-staging.js';

/**
 * Staged secret directories whose container is gone (a crash between a container's removal and
 * its directory's, or a realm purged by hand): removed, each under its staging lock so a
 * container being created meanwhile keeps its files. Returns `namespace/id` of what went.
 */
export async function sweepStagedSecrets(
  ctx: RunnerContext,
  realmNamespaces: ReadonlySet<string>,
  pending: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const { namespace, id } of await listStagedDirs(ctx.config)) {
    if (!realmNamespaces.has(namespace)) {
      const suffix = ctx.config.namespaceSuffix;
      if (
        isKukeonNamespace(namespace, suffix) &&
        pending.has(`Realm:${realmFromNamespace(namespace, suffix)}`)
      )
        continue;
    }
    await ctx.locks.run(stagingLockKey(namespace, id), async () => {
      if (realmNamespaces.has(namespace)) {
        const gone = await ctx.containerd.containers.get(namespace, id).then(
          () => false,
          (err: unknown) => isNotFound(err), // containerd unreachable: not ours to judge now
        );
        if (!gone) return;
      }
      if (await removeStagedSecrets(ctx.config, namespace, id)) removed.push(`${namespace}/${id}`);
    });
    await pruneStagingNamespace(ctx.config, namespace);
  }
  return removed;
}

/**
 * Secrets of scopes whose metadata is gone (deleted by hand, or a crash between a scope's
 * removal and its secrets'): a Secret belongs to its scope and goes with it. Scopes with a
 * pending intent are left to recovery. Returns the scopes removed (`realm/space/…`).
 */
export async function sweepSecretScopes(ctx: RunnerContext, pending: ReadonlySet<string>): Promise<string[]> {
  const root = ctx.config.secretStoreDir;
  const kinds = ['Realm', 'Space', 'Stack', 'Cell'];
  const removed: string[] = [];
  const walk = async (scope: string[]): Promise<void> => {
    const dir = join(root, ...scope);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      // `_` stands for "no deeper level"; files are secrets of this scope.
      if (!e.isDirectory() || e.name === '_') continue;
      const child = [...scope, e.name];
      if (pending.has(`${kinds[child.length - 1]}:${child.join('/')}`)) continue;
      if (!(await ctx.store.exists(child))) {
        await removeSecretSubtree(root, child);
        removed.push(child.join('/'));
      } else if (child.length < 4) await walk(child);
    }
  };
  await walk([]);
  return removed;
}

/**
 * Registry-credential Secrets (the reserved `registry-credential…` names) that no credential of
 * their realm names: left by a crash between a password's write and the realm metadata naming
 * it, or after the entry's removal. Each realm is checked under its lock, so a credential being
 * written meanwhile is never taken. Returns `realm/name` of each removed.
 */
export async function sweepRegistryCredentialSecrets(
  ctx: RunnerContext,
  pending: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const realm of await listRealms(ctx)) {
    const name = realm.metadata.name;
    if (pending.has(`Realm:${name}`)) continue;
    await withRealmLock(ctx, name, async () => {
      const current = await getRealm(ctx, name);
      if (!current) return;
      for (const s of await removeUnusedCredentialSecrets(ctx, name, current.spec.registryCredentials))
        removed.push(`${name}/${s}`);
    });
  }
  return removed;
}
