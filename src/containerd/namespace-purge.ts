import type { ContainerdClient } from './client.js';
import { isFailedPrecondition, isNotFound } from './errors.js';
import { teardownContainer, waitWithTimeout } from './teardown.js';
import { reapOrphanTask } from './orphan-task.js';

export interface PurgeNamespaceOptions {
  /** How long to retry Namespaces.Delete while GC catches up (default 2 s). */
  retryMs?: number;
  /** Keep the (then empty) namespace (default false: delete it). */
  keepNamespace?: boolean;
}

async function quiet(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Empties a namespace and deletes it: kill/wait/delete every task (orphans whose
 * container record is gone are reaped through a placeholder record),
 * delete containers and their snapshots, images (sync GC), leases (sync), abort ingests, then
 * Namespaces.Delete, retried while GC catches up. As a last resort it removes leftover
 * snapshots and blobs directly. Returns false when the namespace did not exist.
 */
export async function purgeNamespace(
  client: ContainerdClient,
  namespace: string,
  opts: PurgeNamespaceOptions = {},
): Promise<boolean> {
  const exists = await client.namespaces.get(namespace).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );
  if (!exists) return false;
  for (const t of await client.tasks.list(namespace)) {
    if (await reapOrphanTask(client, namespace, t.container_id)) continue;
    await quiet(client.tasks.kill(namespace, t.container_id, 'SIGKILL', { all: true }));
    await quiet(waitWithTimeout(client, namespace, t.container_id, 10_000));
    await quiet(client.tasks.delete(namespace, t.container_id));
  }
  for (const c of await client.containers.list(namespace)) {
    await teardownContainer(client, namespace, c.id);
  }
  for (const img of await client.images.list(namespace))
    await quiet(client.images.delete(namespace, img.name, { sync: true }));
  for (const l of await client.leases.list(namespace))
    await quiet(client.leases.delete(namespace, l.id, { sync: true }));
  for (const s of await client.content.listStatuses(namespace))
    await quiet(client.content.abort(namespace, s.ref));
  // A sync delete of a throwaway lease runs GC now, so unreferenced blobs and snapshots are gone
  // before the first Namespaces.Delete instead of whenever the next GC happens.
  const gc = await client.leases.create(namespace, { expiresInMs: 60_000 });
  await quiet(client.leases.delete(namespace, gc.id, { sync: true }));
  if (opts.keepNamespace) return true;

  const deadline = Date.now() + (opts.retryMs ?? 2000);
  let swept = false;
  for (;;) {
    try {
      await client.namespaces.delete(namespace);
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (!isFailedPrecondition(err)) throw err;
      if (Date.now() >= deadline) {
        if (swept) throw err;
        await sweep(client, namespace);
        swept = true;
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Removes what GC would not: snapshots (children before parents) and blobs nothing references. */
async function sweep(client: ContainerdClient, namespace: string): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const snaps = await client.snapshots.list(namespace);
    if (snaps.length === 0) break;
    const parents = new Set(snaps.map((s) => s.parent));
    for (const s of snaps) if (!parents.has(s.name)) await quiet(client.snapshots.remove(namespace, s.name));
  }
  for (const b of await client.content.list(namespace))
    await quiet(client.content.delete(namespace, b.digest));
}
