import { resourceToPlain } from '../../api/index.js';
import type { Space } from '../../model/resources.js';
import { withRealmLock } from '../intent.js';
import { persistResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { ensureSpaceHost } from './space-host.js';
import { failpoint } from '../failpoint.js';
import { loadResource } from '../resource-store.js';

export interface EnsureSpaceResult {
  space: Space;
  networkExistedBefore: boolean;
  networkCreated: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/** Idempotent repair of a space (recovery of its create): conflist (and subnet), cgroup, then Ready. */
export async function ensureSpace(ctx: RunnerContext, space: Space): Promise<EnsureSpaceResult> {
  return withRealmLock(ctx, space.spec.realmId, async () => ensureSpaceLocked(ctx, space));
}

/**
 * The reconcile pass's repair of a space: conflist (and subnet), cgroup, then Ready. Nothing
 * (undefined) for a space that is gone or that an operation is changing — its own or its
 * realm's intent, recorded by this process or another (an in-process `kuke purge` beside the
 * daemon): repairing it then would re-create the chains and bridge that delete just removed,
 * or its metadata. The write expects the bytes read, so a delete that lands while the host side
 * is being ensured is not undone either; what that leaves on the host the ownership sweep takes.
 */
export async function reconcileSpace(
  ctx: RunnerContext,
  space: Space,
): Promise<EnsureSpaceResult | undefined> {
  const realm = space.spec.realmId;
  const scope = scopes.space(realm, space.metadata.name);
  return withRealmLock(ctx, realm, async () => {
    // The stored document is authoritative: a caller's older copy must not overwrite newer labels.
    const stored = await loadResource(ctx, 'Space', scope);
    if (!stored) return undefined;
    if (await ctx.journal.get('Space', scope.join('/'))) return undefined;
    if (await ctx.journal.get('Realm', realm)) return undefined;
    return ensureSpaceLocked(ctx, stored.model, { observed: stored.bytes });
  });
}

export async function ensureSpaceLocked(
  ctx: RunnerContext,
  space: Space,
  options: { observed?: Buffer } = {},
): Promise<EnsureSpaceResult> {
  const realm = space.spec.realmId;
  const name = space.metadata.name;
  const facts = await ensureSpaceHost(ctx, realm, name, { network: space.spec.network });
  failpoint('space.ensure.after-host');
  const next: Space = {
    ...space,
    // The conflist path is derived, never user-chosen.
    spec: { ...space.spec, cniConfigPath: facts.network.conflistPath },
    status: {
      ...space.status,
      state: 'Ready',
      cgroupPath: facts.cgroupPath,
      subtreeControllers: facts.subtreeControllers,
      cgroupReady: true,
      reason: undefined,
      message: undefined,
    },
  };
  // The reconcile tick's ensure of a space that is as it should be writes nothing: a rewrite
  // would only move updatedAt (and cost a locked write and a rename per space per tick).
  const unchanged =
    options.observed !== undefined &&
    JSON.stringify(resourceToPlain('Space', next)) === JSON.stringify(resourceToPlain('Space', space));
  const written = unchanged
    ? space
    : await persistResource(ctx, 'Space', scopes.space(realm, name), next, options);
  return {
    space: written,
    networkExistedBefore: facts.networkExisted,
    networkCreated: facts.networkCreated,
    cgroupExistedBefore: facts.cgroupExisted,
    cgroupCreated: facts.cgroupCreated,
  };
}
