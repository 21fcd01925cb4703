import { stat } from 'node:fs/promises';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import type { CellRef } from './cell-ref.js';
import type { NamespaceObservation } from './container-observation.js';

interface Settled {
  /** The metadata file's identity when it was read (writes replace it: new inode). */
  version: string;
  updatedAtMs: number;
  ids: string[];
  /** What the pass's observation said of the cell's containers. */
  seen: string;
  cell: Cell;
}

/**
 * Cells a reconcile pass found settled: Ready with every task running, nothing to write, nothing
 * to restart. The next pass skips such a cell (no lock, no metadata read, no journal lookup)
 * while its metadata file is the same file and the pass's observation says the same of its
 * containers: reconcile would then derive exactly what it derived before (a running cell has no
 * timer — restart backoff, AutoDelete, wind-down and the cgroup heal all need a stopped task).
 * Anything else — a write of ours or another process's, a task event, an observation older than
 * the cell's last write — makes the pass reconcile the cell in full.
 */
export class SettledCells {
  private readonly cells = new Map<string, Settled>();

  /** The settled cell when nothing it depends on changed, else undefined. */
  async unchanged(ctx: RunnerContext, ref: CellRef, obs: NamespaceObservation): Promise<Cell | undefined> {
    const s = this.cells.get(ref.lockKey);
    if (!s || obs.takenAt === undefined || s.updatedAtMs >= obs.takenAt) return undefined;
    if (seenOf(obs, s.ids) !== s.seen) return undefined;
    if ((await documentVersion(ctx, ref)) !== s.version) return undefined;
    return s.cell;
  }

  record(ref: CellRef, s: { version: string; obs: NamespaceObservation; ids: string[]; cell: Cell }): void {
    const updatedAtMs = s.cell.status.updatedAt ? Date.parse(s.cell.status.updatedAt) : 0;
    this.cells.set(ref.lockKey, {
      version: s.version,
      updatedAtMs,
      ids: s.ids,
      seen: seenOf(s.obs, s.ids),
      cell: s.cell,
    });
  }

  forget(ref: CellRef): void {
    this.cells.delete(ref.lockKey);
  }
}

const perContext = new WeakMap<RunnerContext, SettledCells>();

export function settledCells(ctx: RunnerContext): SettledCells {
  let s = perContext.get(ctx);
  if (!s) perContext.set(ctx, (s = new SettledCells()));
  return s;
}

/** Identity of the cell's metadata file (undefined when it is gone). Taken before reading it. */
export async function documentVersion(ctx: RunnerContext, ref: CellRef): Promise<string | undefined> {
  const st = await stat(ctx.store.documentPath(ref.scope)).catch(() => undefined);
  return st ? `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}` : undefined;
}

function seenOf(obs: NamespaceObservation, ids: readonly string[]): string {
  return ids
    .map((id) => {
      const t = obs.tasks.get(id);
      return `${id}:${obs.containers.has(id) ? 1 : 0}:${t?.status ?? '-'}:${t?.pid ?? 0}`;
    })
    .join(',');
}
