import { ErrorCode } from '../error-codes.js';
import { randomBytes } from 'node:crypto';
import type { ContainerdClient } from '../containerd/client.js';
import { isAlreadyExists, isNotFound } from '../containerd/errors.js';
import type { Scope } from '../containerd/types.js';
import type { PlannedManifest } from './archive-plan.js';
import { chainIds } from './chain-id.js';
import { toWire } from './descriptor.js';
import { ImageError } from './errors.js';
import { GcLabel } from './media-types.js';

export interface UnpackOptions {
  snapshotter: string;
  /** Called after each layer, whether applied or already present. */
  onLayer?: () => void;
  /**
   * Resolves once blob `digest` is in the content store: lets the importer unpack layer i
   * while later layers are still being written. Default: already there.
   */
  ready?: (digest: string) => Promise<void>;
  /** Names the archive in error messages. */
  source?: string;
}

/** Whether committed snapshot `key` exists. */
export async function snapshotExists(
  client: ContainerdClient,
  scope: Scope,
  snapshotter: string,
  key: string,
): Promise<boolean> {
  try {
    await client.snapshots.stat(scope, key, snapshotter);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Unpacks a manifest's layers into committed snapshots named by chain ID: per layer
 * Stat (skip if present), Prepare on the parent chain, Diff.Apply in the daemon, check the applied
 * digest against the config's diff ID, Commit (ALREADY_EXISTS from a concurrent unpacker is fine).
 * Finally the config gets `gc.ref.snapshot.<snapshotter>` so the chain outlives the lease.
 * Must run under a lease. Returns the top chain ID.
 */
export async function unpackManifest(
  client: ContainerdClient,
  scope: Scope,
  m: PlannedManifest,
  opts: UnpackOptions,
): Promise<string> {
  const { snapshotter } = opts;
  const chain = chainIds(m.diffIds);
  for (let i = 0; i < m.layers.length; i++) {
    const chainId = chain[i];
    if (await snapshotExists(client, scope, snapshotter, chainId)) {
      opts.onLayer?.();
      continue;
    }
    await opts.ready?.(m.layers[i].digest);
    const key = `extract-${randomBytes(6).toString('hex')} ${chainId}`;
    const labels = { [GcLabel.snapshotRef]: chainId };
    let mounts;
    try {
      mounts = await client.snapshots.prepare(scope, key, i === 0 ? '' : chain[i - 1], {
        labels,
        snapshotter,
      });
    } catch (err) {
      // With the snapshot.ref label, containerd answers ALREADY_EXISTS ("target snapshot …") when
      // another unpacker committed this chain ID since our Stat: the layer is done.
      if (isAlreadyExists(err) && (await snapshotExists(client, scope, snapshotter, chainId))) {
        opts.onLayer?.();
        continue;
      }
      throw err;
    }
    let committed = false;
    try {
      const applied = await client.diff.apply(scope, toWire(m.layers[i]), mounts);
      if (applied.digest !== m.diffIds[i]) {
        throw new ImageError(
          ErrorCode.IMAGE_DIGEST_MISMATCH,
          `${opts.source ?? 'image'}: layer ${m.layers[i].digest} unpacks to ${applied.digest}, ` +
            `but config ${m.config.digest} says diff ID ${m.diffIds[i]}`,
        );
      }
      try {
        await client.snapshots.commit(scope, chainId, key, { labels, snapshotter });
        committed = true;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      if (m.layers[i].digest !== applied.digest) {
        // Diff ID cache on compressed blobs, as containerd's own unpacker leaves it.
        await client.content.updateLabels(scope, m.layers[i].digest, {
          [GcLabel.uncompressed]: applied.digest,
        });
      }
    } finally {
      // Commit consumes the active key; on failure or a lost commit race it must go.
      if (!committed) await client.snapshots.remove(scope, key, snapshotter).catch(() => undefined);
    }
    opts.onLayer?.();
  }
  const top = chain[chain.length - 1];
  await opts.ready?.(m.config.digest);
  if (top) {
    await client.content.updateLabels(scope, m.config.digest, { [GcLabel.snapshot(snapshotter)]: top });
  }
  return top ?? '';
}
