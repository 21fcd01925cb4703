import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RunnerContext } from '../runner-context.js';
import { runHostChecked } from '../../host-command.js';

/**
 * Mounts a read-only view of an image's top snapshot for the duration of `fn` (to read the
 * image's /etc/passwd and /etc/group when a user is given by name). Always unmounted and removed.
 */
export async function withSnapshotView<T>(
  ctx: RunnerContext,
  namespace: string,
  parent: string,
  fn: (rootfs: string) => Promise<T> | T,
): Promise<T> {
  const key = `kukeon-view-${randomBytes(6).toString('hex')}`;
  const mounts = await ctx.containerd.snapshots.view(namespace, key, parent);
  const dir = await mkdtemp(join(tmpdir(), 'kukeon-view-'));
  let mounted = false;
  try {
    const m = mounts[0];
    if (m) {
      const options = m.options.filter((o) => o !== 'rw').concat('ro');
      await runHostChecked('mount', ['-t', m.type, '-o', options.join(','), m.source, dir]);
      mounted = true;
    }
    return await fn(dir);
  } finally {
    if (mounted)
      await runHostChecked('umount', [dir]).catch((err) =>
        ctx.log.warn({ err, dir }, 'umount of a snapshot view failed'),
      );
    await rmdir(dir).catch(() => undefined);
    await ctx.containerd.snapshots.remove(namespace, key).catch(() => undefined);
  }
}
