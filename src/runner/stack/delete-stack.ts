import { stackCgroupPath } from '../../model/naming/index.js';
import { assertNoChildren } from '../dependencies.js';
import { cellRef } from '../cell/cell-ref.js';
import { deleteCell } from '../cell/delete-cell.js';
import { withIntent, withRealmLock } from '../intent.js';
import { readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { removeScopeSecrets } from '../secrets/scope-secrets.js';
import { failpoint } from '../failpoint.js';

export interface DeleteStackResult {
  /** False when there was nothing to delete (already gone: success). */
  metadataDeleted: boolean;
  cgroupDeleted: boolean;
  /** Cells removed by a cascade, as `cell:<name>`. */
  deleted: string[];
}

export interface DeleteStackOptions {
  /** Delete the stack's cells first. */
  cascade?: boolean;
  /**
   * Grace period of the cascaded cells' tasks before SIGKILL (`--timeout`; 0 for `--force`);
   * unset: each container's own (docs/manifests.md). A purge always kills at once.
   */
  graceMs?: number;
  /** Set by a space's cascade: the space network goes next (DetachParams.networkGoing). */
  networkGoing?: boolean;
}

/**
 * Cells of a cascade deleted at once, each ending its tasks with its own grace period. Most of a
 * cell's delete is waiting on containerd and its shim (task and container deletes, snapshot
 * removal): 20 at once deleted a realm of 20 cells in 3.3 s against 4.5 s at 8 (docs/bench.md,
 * Issue 17, third round).
 */
const CASCADE_PARALLEL_CELLS = 20;

/**
 * Deletes a stack: refused while it holds cells (naming them) unless cascading; then its cgroup
 * subtree and its metadata directory. Missing = success. Under an intent, so a crash is finished
 * by recovery.
 */
export const deleteStack = (
  ctx: RunnerContext,
  realm: string,
  space: string,
  stack: string,
  options: DeleteStackOptions = {},
): Promise<DeleteStackResult> =>
  removeStack(ctx, realm, space, stack, { ...options, tolerateMissing: false });

/**
 * Purge: the tolerant variant. Works when the metadata is already gone (finishes a half-done
 * delete, removes a leaked cgroup), never refuses because of a missing piece.
 */
export const purgeStack = (
  ctx: RunnerContext,
  realm: string,
  space: string,
  stack: string,
  options: DeleteStackOptions = {},
): Promise<DeleteStackResult> => removeStack(ctx, realm, space, stack, { ...options, tolerateMissing: true });

function removeStack(
  ctx: RunnerContext,
  realmName: string,
  spaceName: string,
  stackName: string,
  options: DeleteStackOptions & { tolerateMissing: boolean },
): Promise<DeleteStackResult> {
  const realm = validName('realm', realmName);
  const space = validName('space', spaceName);
  const name = validName('stack', stackName);
  return withRealmLock(ctx, realm, () => deleteStackLocked(ctx, realm, space, name, options));
}

export async function deleteStackLocked(
  ctx: RunnerContext,
  realm: string,
  space: string,
  name: string,
  options: DeleteStackOptions & { tolerateMissing: boolean },
): Promise<DeleteStackResult> {
  const scope = scopes.stack(realm, space, name);
  const existing = await readResource(ctx, 'Stack', scope).catch((err: unknown) => {
    // A corrupt document must not block a purge; a delete reports it.
    if (options.tolerateMissing) return undefined;
    throw err;
  });
  const cgroupPath = stackCgroupPath(ctx.config.cgroupRoot, realm, space, name);
  if (!existing && !options.tolerateMissing)
    return { metadataDeleted: false, cgroupDeleted: false, deleted: [] };
  const deleted: string[] = [];
  if (options.cascade) {
    // In parallel: a workload that ignores its stop signal holds its cell for the whole grace
    // period, and a stack of such cells must not take that long once per cell.
    const cells = await ctx.store.listChildren(scope);
    const graceMs = options.tolerateMissing ? 0 : options.graceMs;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cells.length) {
        const cell = cells[next++];
        await deleteCell(ctx, cellRef(ctx, { realm, space, stack: name, name: cell }), graceMs, {
          networkGoing: options.networkGoing,
        });
      }
    };
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(CASCADE_PARALLEL_CELLS, cells.length) }, worker),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    deleted.push(...cells.map((cell) => `cell:${cell}`));
  }
  await assertNoChildren(ctx, scope, `stack "${name}"`, 'cells');
  return withIntent(
    ctx,
    { op: 'delete', kind: 'Stack', key: scope.join('/'), desired: 'absent' },
    async () => {
      const removed = await ctx.cgroups.remove(cgroupPath, { force: true });
      failpoint('stack.delete.after-host');
      await removeScopeSecrets(ctx, scope);
      await ctx.store.removeScope(scope);
      return { metadataDeleted: existing !== undefined, cgroupDeleted: removed.existed, deleted };
    },
  );
}
