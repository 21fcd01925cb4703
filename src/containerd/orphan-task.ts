import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';
import { minimalSpec } from './minimal-spec.js';
import { waitWithTimeout } from './teardown.js';
import type { Scope } from './types.js';

/**
 * Ends a task whose container record is gone (containerd 1.6 lets a container be
 * deleted under a running task, after which Kill/Wait/Delete answer NOT_FOUND while Tasks.List
 * still shows it). The recovery that works: re-create a container record with the same id
 * (and the id as snapshot key, the usual convention), then Kill → Wait → Delete, then drop the
 * placeholder record. Returns false when the task was not an orphan (or already gone).
 */
export async function reapOrphanTask(
  client: ContainerdClient,
  scope: Scope,
  containerId: string,
): Promise<boolean> {
  try {
    await client.containers.get(scope, containerId);
    return false; // has a record: not an orphan
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const listed = (await client.tasks.list(scope)).some((t) => t.container_id === containerId);
  if (!listed) return false;
  await client.containers.create(scope, {
    id: containerId,
    labels: { 'kukeon.io/orphan-reaper': 'true' },
    spec: minimalSpec({ args: ['true'] }),
    snapshot_key: containerId,
  });
  const quiet = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => {
        if (!isNotFound(err)) throw err;
      },
    );
  await quiet(client.tasks.kill(scope, containerId, 'SIGKILL', { all: true }));
  await quiet(waitWithTimeout(client, scope, containerId, 10_000));
  await quiet(client.tasks.delete(scope, containerId));
  await quiet(client.containers.delete(scope, containerId));
  return true;
}
