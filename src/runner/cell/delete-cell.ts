import { realmNamespace } from '../../model/naming/index.js';
import { failpoint } from '../failpoint.js';
import { withIntent } from '../intent.js';
import { readResource } from '../resource-store.js';
import type { RunnerContext } from '../runner-context.js';
import type { CellRef } from './cell-ref.js';
import { readCell, withCellLock } from './cell-store.js';
import { removeCellHost } from './remove-cell-host.js';

export interface DeleteCellResult {
  metadataDeleted: boolean;
  containersDeleted: string[];
  cgroupDeleted: boolean;
}

/** Grace period of each task on delete (spec 02 §5.5.9 uses 10 s; the cell is going away). */
export const DELETE_GRACE_MS = 5_000;

/**
 * Deletes a cell and everything it has on the host: its containers (found by label, not only by
 * the metadata list), network attachment, cgroup, logs and metadata. Missing metadata is not an
 * error: the host is still swept for what this cell left, so delete doubles as purge.
 */
export async function deleteCell(
  ctx: RunnerContext,
  ref: CellRef,
  graceMs = DELETE_GRACE_MS,
): Promise<DeleteCellResult> {
  return withCellLock(ctx, ref, () => deleteCellLocked(ctx, ref, graceMs));
}

export async function deleteCellLocked(
  ctx: RunnerContext,
  ref: CellRef,
  graceMs: number,
): Promise<DeleteCellResult> {
  const [cell, realm] = await Promise.all([
    readCell(ctx, ref).catch(() => undefined),
    readResource(ctx, 'Realm', [ref.realm]).catch(() => undefined),
  ]);
  const namespace = realm?.spec.namespace || realmNamespace(ref.realm, ctx.config.namespaceSuffix);
  return withIntent(
    ctx,
    { op: 'delete', kind: 'Cell', key: ref.scope.join('/'), desired: 'absent' },
    async () => {
      failpoint('cell.delete.before-host');
      const r = await removeCellHost(ctx, namespace, ref, { removeMetadata: true, graceMs });
      return { metadataDeleted: cell !== undefined, ...r };
    },
  );
}
