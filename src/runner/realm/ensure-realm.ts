import type { Realm } from '../../model/resources.js';
import { withRealmLock } from '../intent.js';
import { persistResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { ensureRealmHost } from './realm-host.js';
import { failpoint } from '../failpoint.js';
import { getRealm } from './realm-queries.js';

export interface EnsureRealmResult {
  realm: Realm;
  namespaceExistedBefore: boolean;
  namespaceCreated: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/** Idempotent repair of a realm: recreates a missing namespace or cgroup, then marks it Ready. */
export async function ensureRealm(ctx: RunnerContext, realm: Realm): Promise<EnsureRealmResult> {
  // The stored document is authoritative: a caller's older copy must not overwrite newer labels.
  return withRealmLock(ctx, realm.metadata.name, async () =>
    ensureRealmLocked(ctx, (await getRealm(ctx, realm.metadata.name)) ?? realm),
  );
}

/** The ensure body, for callers that already hold the realm lock. */
export async function ensureRealmLocked(ctx: RunnerContext, realm: Realm): Promise<EnsureRealmResult> {
  const facts = await ensureRealmHost(ctx, realm);
  failpoint('realm.ensure.after-host');
  const next: Realm = {
    ...realm,
    status: {
      ...realm.status,
      state: 'Ready',
      cgroupPath: facts.cgroupPath,
      subtreeControllers: facts.subtreeControllers,
      cgroupReady: true,
      containerdNamespaceReady: true,
      reason: undefined,
      message: undefined,
    },
  };
  const written = await persistResource(ctx, 'Realm', scopes.realm(realm.metadata.name), next);
  return {
    realm: written,
    namespaceExistedBefore: facts.namespaceExisted,
    namespaceCreated: facts.namespaceCreated,
    cgroupExistedBefore: facts.cgroupExisted,
    cgroupCreated: facts.cgroupCreated,
  };
}
