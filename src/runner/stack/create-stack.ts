import { ErrorCode } from '../../error-codes.js';
import { stackCgroupPath, stackManagedLabels, withManagedLabels } from '../../model/naming/index.js';
import type { Stack } from '../../model/resources.js';
import { withIntent, withRealmLock } from '../intent.js';
import { persistResource, readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { wrapError } from '../runner-errors.js';
import { requireSpace } from '../space/space-queries.js';
import { failpoint } from '../failpoint.js';

export interface CreateStackResult {
  stack: Stack;
  created: boolean;
  metadataExistedBefore: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/** Creates (or ensures) a stack in an existing space: metadata stub → cgroup → Ready. */
export async function createStack(ctx: RunnerContext, input: Stack): Promise<CreateStackResult> {
  const realm = validName('realm', input.spec.realmId);
  const space = validName('space', input.spec.spaceId);
  const name = validName('stack', input.metadata.name);
  return withRealmLock(ctx, realm, async () => {
    await requireSpace(ctx, realm, space);
    const scope = scopes.stack(realm, space, name);
    const existing = await readResource(ctx, 'Stack', scope);
    if (existing)
      return { ...(await ensureStackLocked(ctx, existing)), created: false, metadataExistedBefore: true };
    const stub: Stack = {
      metadata: {
        name,
        labels: withManagedLabels(input.metadata.labels, stackManagedLabels(realm, space, name)),
      },
      spec: { id: input.spec.id?.trim() || name, realmId: realm, spaceId: space },
      status: { state: 'Pending', cgroupPath: '' },
    };
    return withIntent(
      ctx,
      { op: 'create', kind: 'Stack', key: scope.join('/'), desired: 'present' },
      async () => {
        await persistResource(ctx, 'Stack', scope, stub);
        failpoint('stack.create.after-stub');
        try {
          return { ...(await ensureStackLocked(ctx, stub)), created: true, metadataExistedBefore: false };
        } catch (err) {
          throw wrapError(ErrorCode.CREATE_STACK, `failed to create stack "${name}"`, err);
        }
      },
      {
        rollback: async () => {
          await ctx.cgroups.remove(stackCgroupPath(ctx.config.cgroupRoot, realm, space, name), {
            force: true,
          });
          await ctx.store.removeScope(scope);
        },
      },
    );
  });
}

export interface EnsureStackResult {
  stack: Stack;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

export async function ensureStack(ctx: RunnerContext, stack: Stack): Promise<EnsureStackResult> {
  // The stored document is authoritative: a caller's older copy must not overwrite newer labels.
  const scope = scopes.stack(stack.spec.realmId, stack.spec.spaceId, stack.metadata.name);
  return withRealmLock(ctx, stack.spec.realmId, async () =>
    ensureStackLocked(ctx, (await readResource(ctx, 'Stack', scope)) ?? stack),
  );
}

export async function ensureStackLocked(ctx: RunnerContext, stack: Stack): Promise<EnsureStackResult> {
  const { realmId: realm, spaceId: space } = stack.spec;
  const name = stack.metadata.name;
  const path = stackCgroupPath(ctx.config.cgroupRoot, realm, space, name);
  const cgroupExisted = (await ctx.cgroups.exists(path)).exists;
  const ensured = await ctx.cgroups.ensure(path, { subtreeControllers: 'resource' });
  const next: Stack = {
    ...stack,
    status: {
      ...stack.status,
      state: 'Ready',
      cgroupPath: path,
      subtreeControllers: ensured.subtreeControllers,
      cgroupReady: true,
      reason: undefined,
      message: undefined,
    },
  };
  const written = await persistResource(ctx, 'Stack', scopes.stack(realm, space, name), next);
  return { stack: written, cgroupExistedBefore: cgroupExisted, cgroupCreated: ensured.created };
}
