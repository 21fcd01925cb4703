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
  /** The root's network attachment existed and was released (CNI DEL or the fallback). */
  networkReleased: boolean;
}

/**
 * Deletes a cell and everything it has on the host: its containers (found by label, not only by
 * the metadata list), network attachment, cgroup, logs and metadata. Missing metadata is not an
 * error: the host is still swept for what this cell left, so delete doubles as purge. Each task
 * ends with its container's stop signal and grace period; `graceMs` overrides the grace
 * (`--timeout`; 0 is `--force`: SIGKILL at once).
 */
export async function deleteCell(
  ctx: RunnerContext,
  ref: CellRef,
  graceMs?: number,
  opts: { networkGoing?: boolean } = {},
): Promise<DeleteCellResult> {
  return withCellLock(ctx, ref, () => deleteCellLocked(ctx, ref, graceMs, opts));
}

/** `opts.networkGoing`: its space is deleted with it (a cascade): see DetachParams.networkGoing. */
export async function deleteCellLocked(
  ctx: RunnerContext,
  ref: CellRef,
  graceMs: number | undefined,
  opts: { networkGoing?: boolean } = {},
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
      const stop = { containers: cell?.spec.containers ?? [], graceMs };
      const r = await removeCellHost(ctx, namespace, ref, {
        removeMetadata: true,
        stop,
        networkGoing: opts.networkGoing,
      });
      return { metadataDeleted: cell !== undefined, ...r };
    },
  );
}
