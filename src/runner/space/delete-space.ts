import { assertNoChildren } from '../dependencies.js';
import { withIntent, withRealmLock } from '../intent.js';
import { readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { removeScopeSecrets } from '../secrets/scope-secrets.js';
import { deleteStackLocked } from '../stack/delete-stack.js';
import { removeSpaceHost } from './space-host.js';
import { failpoint } from '../failpoint.js';

export interface DeleteSpaceResult {
  metadataDeleted: boolean;
  cgroupDeleted: boolean;
  networkDeleted: boolean;
  /** Children removed by a cascade, as `stack:<name>`. */
  deleted: string[];
}

export interface DeleteSpaceOptions {
  /** Delete the space's stacks first (they must hold no cells). */
  cascade?: boolean;
  /**
   * Grace period of the cascaded cells' tasks before SIGKILL (`--timeout`; 0 for `--force`);
   * unset: each container's own (docs/manifests.md). A purge always kills at once.
   */
  graceMs?: number;
}

/**
 * Deletes a space: refused while it holds stacks unless cascading; then its network (bridge,
 * veths, chains, leases, conflist), subnet, cgroup and metadata. Missing = success.
 */
export const deleteSpace = (
  ctx: RunnerContext,
  realm: string,
  space: string,
  options: DeleteSpaceOptions = {},
): Promise<DeleteSpaceResult> => removeSpace(ctx, realm, space, { ...options, tolerateMissing: false });

/** Tolerant variant: also cleans up a space whose metadata is already gone. */
export const purgeSpace = (
  ctx: RunnerContext,
  realm: string,
  space: string,
  options: DeleteSpaceOptions = {},
): Promise<DeleteSpaceResult> => removeSpace(ctx, realm, space, { ...options, tolerateMissing: true });

function removeSpace(
  ctx: RunnerContext,
  realmName: string,
  spaceName: string,
  options: DeleteSpaceOptions & { tolerateMissing: boolean },
): Promise<DeleteSpaceResult> {
  const realm = validName('realm', realmName);
  const name = validName('space', spaceName);
  return withRealmLock(ctx, realm, () => deleteSpaceLocked(ctx, realm, name, options));
}

export async function deleteSpaceLocked(
  ctx: RunnerContext,
  realm: string,
  name: string,
  options: DeleteSpaceOptions & { tolerateMissing: boolean },
): Promise<DeleteSpaceResult> {
  const scope = scopes.space(realm, name);
  const existing = await readResource(ctx, 'Space', scope).catch((err: unknown) => {
    if (options.tolerateMissing) return undefined;
    throw err;
  });
  if (!existing && !options.tolerateMissing) {
    return { metadataDeleted: false, cgroupDeleted: false, networkDeleted: false, deleted: [] };
  }
  const deleted: string[] = [];
  if (options.cascade) {
    for (const stack of await ctx.store.listChildren(scope)) {
      const r = await deleteStackLocked(ctx, realm, name, stack, {
        cascade: true,
        tolerateMissing: options.tolerateMissing,
        graceMs: options.graceMs,
        networkGoing: true,
      });
      deleted.push(...r.deleted, `stack:${stack}`);
    }
  }
  await assertNoChildren(ctx, scope, `space "${name}"`, 'stacks');
  return withIntent(
    ctx,
    { op: 'delete', kind: 'Space', key: scope.join('/'), desired: 'absent' },
    async () => {
      const facts = await removeSpaceHost(ctx, realm, name);
      failpoint('space.delete.after-host');
      await removeScopeSecrets(ctx, scope);
      await ctx.store.removeScope(scope);
      return { metadataDeleted: existing !== undefined, ...facts, deleted };
    },
  );
}
