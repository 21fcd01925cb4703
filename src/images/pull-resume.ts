import type { ContainerdClient } from '../containerd/client.js';
import type { WriteContentOptions, WriteContentResult } from '../containerd/content-writer.js';
import { isNotFound, isUnavailable } from '../containerd/errors.js';
import type { Scope } from '../containerd/types.js';

/**
 * How a pull picks up what a killed pull left (docs/images.md, "Resuming a pull"): blobs it
 * committed and the partial ingest it was writing stay under its lease until a later pull of the
 * same reference adopts them (or the lease expires); the later pull's writes find them by their
 * ingest ref, the same in every pull, and continue a partial one with a Range request.
 */

/** The pull lease's label: the reference it pulls (its retry finds it by this). */
export const PULL_LEASE_LABEL = 'kukeon.io/pull';

/** Value of PULL_LEASE_LABEL for a normalised reference (label values are bounded). */
export const pullLeaseLabelValue = (name: string): string => name.slice(0, 200);

/** A blob's ingest ref: one per blob and namespace, not per pull, so a later pull resumes it. */
export const pullIngestRef = (digest: string): string => `kukeon-pull-${digest}`;

/** How long a writer of another process may hold an ingest without progress before we give up. */
const LOCK_PATIENCE_MS = 60_000;

/** Writes of this process in flight, by `<namespace> <ingest ref>`. */
const writing = new Map<string, Promise<unknown>>();

const lockedByAnother = (err: unknown): boolean =>
  isUnavailable(err) && /locked/i.test((err as Error).message);

/**
 * Writes one blob under its stable ingest ref. containerd lets one writer hold a ref at a time
 * (another gets UNAVAILABLE "locked"): writers of this process wait for each other (pulls of
 * different images share layers, tags share manifests); a writer of another process is waited
 * for while its ingest moves. The later writer then finds the blob committed (ALREADY_EXISTS, a
 * success) or continues what is left.
 */
export async function writePulledBlob(
  client: ContainerdClient,
  scope: Exclude<Scope, string>,
  opts: WriteContentOptions,
): Promise<WriteContentResult> {
  const key = `${scope.namespace} ${opts.ref}`;
  for (let prev = writing.get(key); prev; prev = writing.get(key)) await prev.catch(() => undefined);
  const run = lockedRetry(client, scope, opts);
  writing.set(key, run);
  try {
    return await run;
  } finally {
    if (writing.get(key) === run) writing.delete(key);
  }
}

async function lockedRetry(
  client: ContainerdClient,
  scope: Exclude<Scope, string>,
  opts: WriteContentOptions,
): Promise<WriteContentResult> {
  let lastOffset = -1;
  let lastMove = Date.now();
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await client.content.write(scope, opts);
    } catch (err) {
      if (!lockedByAnother(err)) throw err;
      const offset = (await client.content.status(scope, opts.ref).catch(() => undefined))?.offset ?? -1;
      if (offset !== lastOffset) [lastOffset, lastMove] = [offset, Date.now()];
      else if (Date.now() - lastMove > LOCK_PATIENCE_MS) throw err;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Leases of earlier pulls of `name` in the namespace whose process is gone (`abandoned` decides
 * from the lease's labels): what they hold is what this pull resumes from.
 */
export async function abandonedPullLeases(
  client: ContainerdClient,
  namespace: string,
  name: string,
  abandoned: (labels: Record<string, string>) => boolean,
): Promise<string[]> {
  const value = pullLeaseLabelValue(name);
  return (await client.leases.list(namespace))
    .filter((l) => l.labels[PULL_LEASE_LABEL] === value && abandoned(l.labels))
    .map((l) => l.id);
}

/**
 * Deletes adopted leases once this pull's own lease (or its image record) holds everything it
 * took from them: containerd adds a blob or ingest to the writer's lease when a write opens it.
 * With a synchronous GC: what the killed pull held that this one did not take — the active
 * snapshot of an unpack it was killed in, an ingest not continued — goes now, not at whatever
 * collection comes next (the chaos harness found such a snapshot left after a retry).
 */
export async function releaseLeases(
  client: ContainerdClient,
  namespace: string,
  ids: string[],
  onError: (id: string, err: unknown) => void,
): Promise<void> {
  for (const id of ids)
    await client.leases.delete(namespace, id, { sync: true }).catch((err: unknown) => {
      if (!isNotFound(err)) onError(id, err);
    });
}
