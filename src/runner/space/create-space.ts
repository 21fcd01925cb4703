import { ErrorCode } from '../../error-codes.js';
import {
  assertNoNetworkNameCollision,
  spaceManagedLabels,
  withManagedLabels,
} from '../../model/naming/index.js';
import type { Space } from '../../model/resources.js';
import { withIntent, withRealmLock } from '../intent.js';
import { persistResource, readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { wrapError } from '../runner-errors.js';
import { requireRealm } from '../realm/realm-queries.js';
import { ensureSpaceLocked } from './ensure-space.js';
import { listSpaces } from './space-queries.js';
import { removeSpaceHost } from './space-host.js';
import { failpoint } from '../failpoint.js';

export interface CreateSpaceResult {
  space: Space;
  created: boolean;
  metadataExistedBefore: boolean;
  networkExistedBefore: boolean;
  networkCreated: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/**
 * Creates a space in an existing realm: metadata stub → subnet + conflist → cgroup → Ready.
 * Refused before any side effect when the realm is missing or the space's CNI network name would
 * collide with another realm's space. An existing space is ensured instead.
 */
export async function createSpace(ctx: RunnerContext, input: Space): Promise<CreateSpaceResult> {
  const realmName = validName('realm', input.spec.realmId);
  const name = validName('space', input.metadata.name);
  return withRealmLock(ctx, realmName, async () => {
    await requireRealm(ctx, realmName);
    const scope = scopes.space(realmName, name);
    const existing = await readResource(ctx, 'Space', scope);
    if (existing) {
      const ensured = await ensureSpaceLocked(ctx, existing);
      return { ...ensured, created: false, metadataExistedBefore: true };
    }
    const others = (await listSpaces(ctx)).map((s) => ({ realm: s.spec.realmId, space: s.metadata.name }));
    assertNoNetworkNameCollision({ realm: realmName, space: name }, others);
    const stub: Space = {
      metadata: {
        name,
        labels: withManagedLabels(input.metadata.labels, spaceManagedLabels(realmName, name)),
      },
      spec: { ...input.spec, realmId: realmName },
      status: { state: 'Creating', cgroupPath: '' },
    };
    return withIntent(
      ctx,
      { op: 'create', kind: 'Space', key: scope.join('/'), desired: 'present' },
      async () => {
        await persistResource(ctx, 'Space', scope, stub);
        failpoint('space.create.after-stub');
        try {
          const ensured = await ensureSpaceLocked(ctx, stub);
          return { ...ensured, created: true, metadataExistedBefore: false };
        } catch (err) {
          throw wrapError(ErrorCode.CREATE_SPACE, `failed to create space "${name}"`, err);
        }
      },
      {
        rollback: async () => {
          await removeSpaceHost(ctx, realmName, name);
          await ctx.store.removeScope(scope);
        },
      },
    );
  });
}
