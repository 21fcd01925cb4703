import { ErrorCode } from '../../error-codes.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { sweepOrphanLeases } from '../lease-owner.js';

/** What `kuke image prune` did in one realm (docs/images.md, "Pruning"). */
export interface PruneImagesResult {
  namespace: string;
  /** Image records removed (or, with `dryRun`, that would be). */
  removed: string[];
  /** Images a container of the realm still uses: kept. */
  inUse: string[];
  /** Leases of processes that died mid-write, released. */
  leasesReleased: string[];
  /** Content bytes the realm's namespace held before minus after (0 for a dry run). */
  bytesFreed: number;
}

const contentBytes = async (ctx: RunnerContext, namespace: string): Promise<number> =>
  (await ctx.containerd.content.list(namespace)).reduce((sum, c) => sum + c.size, 0);

/**
 * Removes every image of a realm that no container of the realm uses (whatever state its task is
 * in: a stopped cell keeps its image), releases leases whose owner process is gone, and lets
 * containerd's garbage collector take what nothing references any more, synchronously. Images
 * are re-pulled (or must be re-loaded) when a cell needs them again; volumes, containers and
 * snapshots in use are never touched.
 */
export async function pruneImages(
  ctx: RunnerContext,
  realm: string,
  options: { dryRun?: boolean } = {},
): Promise<PruneImagesResult> {
  const namespace = (await requireRealm(ctx, realm)).spec.namespace;
  const used = new Set((await ctx.containerd.containers.list(namespace)).map((c) => c.image));
  const images = (await ctx.images.list(namespace)).map((i) => i.name).sort();
  const removed = images.filter((n) => !used.has(n));
  const inUse = images.filter((n) => used.has(n));
  if (options.dryRun) return { namespace, removed, inUse, leasesReleased: [], bytesFreed: 0 };
  const before = await contentBytes(ctx, namespace);
  // One synchronous collection at the end (the last delete) instead of one per image.
  for (const [i, name] of removed.entries())
    await ctx.images.delete(namespace, name, { sync: i === removed.length - 1 }).catch((err: unknown) => {
      if ((err as { code?: string }).code !== ErrorCode.IMAGE_NOT_FOUND) throw err;
    });
  const leasesReleased = await sweepOrphanLeases(ctx, namespace, { releasePulls: true });
  const after = await contentBytes(ctx, namespace);
  return { namespace, removed, inUse, leasesReleased, bytesFreed: Math.max(0, before - after) };
}
