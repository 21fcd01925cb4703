import type { Space } from '../../model/resources.js';
import { withRealmLock } from '../intent.js';
import { persistResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { ensureSpaceHost } from './space-host.js';
import { failpoint } from '../failpoint.js';
import { readResource } from '../resource-store.js';

export interface EnsureSpaceResult {
  space: Space;
  networkExistedBefore: boolean;
  networkCreated: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/** Idempotent repair of a space: conflist (and subnet), cgroup, then Ready. */
export async function ensureSpace(ctx: RunnerContext, space: Space): Promise<EnsureSpaceResult> {
  // The stored document is authoritative: a caller's older copy must not overwrite newer labels.
  return withRealmLock(ctx, space.spec.realmId, async () =>
    ensureSpaceLocked(
      ctx,
      (await readResource(ctx, 'Space', scopes.space(space.spec.realmId, space.metadata.name))) ?? space,
    ),
  );
}

export async function ensureSpaceLocked(ctx: RunnerContext, space: Space): Promise<EnsureSpaceResult> {
  const realm = space.spec.realmId;
  const name = space.metadata.name;
  const facts = await ensureSpaceHost(ctx, realm, name, { policy: space.spec.network?.egress });
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
  const written = await persistResource(ctx, 'Space', scopes.space(realm, name), next);
  return {
    space: written,
    networkExistedBefore: facts.networkExisted,
    networkCreated: facts.networkCreated,
    cgroupExistedBefore: facts.cgroupExisted,
    cgroupCreated: facts.cgroupCreated,
  };
}
