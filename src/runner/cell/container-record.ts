import { ErrorCode } from '../../error-codes.js';
import {
  isAlreadyExists,
  isNotFound,
  teardownContainer,
  type ContainerRecord,
} from '../../containerd/index.js';
import { ImageError, normalizeReference, type ResolvedImage } from '../../images/index.js';
import type { ContainerSpec, ImagePullPolicy } from '../../model/container.js';
import { rootContainerLabels, workloadContainerLabels } from '../../model/naming/index.js';
import type { Cell } from '../../model/resources.js';
import {
  buildOciSpec,
  decideSpecHash,
  readHostFacts,
  specHash,
  specHashLabels,
  type ContainerSpecInput,
  type HostFacts,
} from '../oci/index.js';
import type { RunnerContext } from '../runner-context.js';
import { failpoint } from '../failpoint.js';
import { containerSpecInput } from './container-input.js';
import { resolveContainerSecrets, type ResolvedSecrets } from './container-secrets.js';
import { readSecretData } from '../../store/index.js';
import {
  removeStagedSecrets,
  stagedFile,
  stageSecretFiles,
  stagingLockKey,
} from '../secrets/secret-staging.js';
import { RunnerError } from '../runner-errors.js';
import { ownedLeaseLabels } from '../lease-owner.js';
import { containerdIdOf, type CellRef } from './cell-ref.js';
import { KukeonError } from '../../errors.js';
import { reportedPull } from '../images/realm-images.js';
import { requireRealm } from '../realm/realm-queries.js';
import { withSnapshotView } from './snapshot-view.js';
import { claimVolumeDirs, resolveVolumeMounts } from '../volume/volume-mounts.js';

export interface EnsuredContainer {
  containerdId: string;
  /** The record was made by this call (it did not exist, or was replaced after a spec change). */
  created: boolean;
  /** An existing record's spec differs from the desired one and its task is alive: not replaced. */
  drifted: boolean;
}

export async function getRecord(
  ctx: RunnerContext,
  namespace: string,
  id: string,
): Promise<ContainerRecord | undefined> {
  try {
    return await ctx.containerd.containers.get(namespace, id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Looks an image up as written, then as its normalised docker reference (`busybox` →
 * docker.io/…); when neither is in the realm, pulls it with the realm's credentials (docs/images.md,
 * "Pulling") and resolves what was pulled. `imagePullPolicy` changes that: `Always` pulls first
 * (only what changed is fetched, and a moved tag is followed), `Never` never pulls.
 */
async function resolveImage(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  image: string,
  policy: ImagePullPolicy | '' = '',
): Promise<ResolvedImage> {
  if (policy !== 'Always') {
    const names = [...new Set([image, normalizeReference(image)])];
    for (const name of names) {
      try {
        return await ctx.images.resolve(namespace, name);
      } catch (err) {
        if ((err as { code?: string }).code !== ErrorCode.IMAGE_NOT_FOUND) throw err;
      }
    }
    if (policy === 'Never')
      throw new ImageError(
        ErrorCode.IMAGE_NOT_FOUND,
        `image ${image} is not in realm "${ref.realm}" and its imagePullPolicy is Never (load it with kuke image load, or pull it with kuke image pull)`,
      );
  }
  const realm = await requireRealm(ctx, ref.realm);
  let pulled;
  try {
    pulled = await reportedPull(ctx, realm, image, ref);
  } catch (err) {
    if (!(err instanceof KukeonError)) throw err;
    throw new KukeonError(err.code, `failed to pull image ${image}: ${err.message}`, { cause: err });
  }
  return ctx.images.resolve(namespace, pulled.name);
}

const numericUser = (u: string | undefined): boolean => !u || /^\d+(:\d+)?$/.test(u);

/**
 * Makes the containerd record of one container match its spec (no task is created here):
 * missing → snapshot on the image's top layer + OCI spec + record, under a lease so GC cannot
 * take the snapshot in between; present with the same spec hash → kept; present with another
 * spec → replaced when its task is not alive (a change we must apply, never refuse, where the original
 * kept the stale container), reported as `drifted` when it is.
 */
export async function ensureContainerRecord(
  ctx: RunnerContext,
  namespace: string,
  ref: CellRef,
  cell: Cell,
  declared: ContainerSpec,
  options: { cniConfigPath?: string } = {},
): Promise<EnsuredContainer> {
  const image = declared.image
    ? await resolveImage(ctx, namespace, ref, declared.image, declared.imagePullPolicy)
    : undefined;
  // `kind: volume` mounts become bind mounts of the volumes' directories (docs/volumes.md).
  const { container: c, writable } = await resolveVolumeMounts(ctx, ref, declared);
  const id = containerdIdOf(ref, c);
  const secrets = resolveContainerSecrets(c, {
    readRef: (r) => readSecretData(ctx.config.secretStoreDir, r),
  });
  const input = containerSpecInput(ref, namespace, c, image, {
    nestedCgroupRuntime: cell.spec.nestedCgroupRuntime,
    cniConfigPath: options.cniConfigPath,
    kukeonGroupGid: ctx.config.kukeonGroupGid,
    defaultMemoryLimitBytes: ctx.config.defaultMemoryLimitBytes,
    secrets,
    stagedFile: (name) => stagedFile(ctx.config, namespace, id, name),
  });
  const hash = specHash(input);
  // Staging and the record are made under one lock, so the sweep of staged directories never
  // sees staged files without their container (docs/secrets.md).
  return ctx.locks.run(stagingLockKey(namespace, id), async () => {
    const existing = await getRecord(ctx, namespace, id);
    if (existing) {
      const decision = decideSpecHash(existing.labels, hash);
      if (decision.action === 'reuse' || decision.action === 'restamp') {
        // A reused container keeps the values it was built with; files lost with the tmpfs (a
        // reboot) are staged again.
        await stage(ctx, namespace, id, c, secrets, userOf(existing.spec), true);
        if (decision.action === 'restamp')
          await ctx.containerd.containers.update(namespace, id, { labels: specHashLabels(input) }, [
            ...Object.keys(specHashLabels(input)).map((k) => `labels.${k}`),
          ]);
        return { containerdId: id, created: false, drifted: false };
      }
      const task = await ctx.containerd.tasks.get(namespace, id).catch(() => undefined);
      if (task && task.status !== 'STOPPED') return { containerdId: id, created: false, drifted: true };
      await teardownContainer(ctx.containerd, namespace, id);
    }
    const facts = await hostFactsFor(ctx, namespace, image, input);
    const spec = buildOciSpec(input, facts);
    await claimVolumeDirs(ctx, writable, spec.process.user);
    const identity = {
      cellId: ref.id,
      realm: ref.realm,
      space: ref.space,
      stack: ref.stack,
      specHashLabels: specHashLabels(input),
    };
    const labels = c.root
      ? rootContainerLabels({ ...identity, cellLabels: cell.metadata.labels, cellName: ref.name })
      : workloadContainerLabels(identity);
    await removeStagedSecrets(ctx.config, namespace, id);
    await stage(ctx, namespace, id, c, secrets, spec.process.user, false);
    failpoint('cell.record.after-stage');
    try {
      await createRecord(ctx, namespace, id, { image: c.image, spec, labels, parent: image?.chainId });
    } catch (err) {
      await removeStagedSecrets(ctx.config, namespace, id).catch(() => undefined);
      throw err;
    }
    return { containerdId: id, created: true, drifted: false };
  });
}

/** The uid/gid a container's process runs as (its staged secrets are owned by them). */
function userOf(spec: Record<string, unknown> | undefined): { uid: number; gid: number } {
  const user = (spec?.process as { user?: { uid?: number; gid?: number } } | undefined)?.user;
  return { uid: user?.uid ?? 0, gid: user?.gid ?? 0 };
}

async function stage(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  c: ContainerSpec,
  secrets: ResolvedSecrets,
  owner: { uid: number; gid: number },
  onlyMissing: boolean,
): Promise<void> {
  try {
    await stageSecretFiles(ctx.config, namespace, id, secrets.files, owner, { onlyMissing });
  } catch (err) {
    throw new RunnerError(
      ErrorCode.SECRET_STAGING_FAILED,
      `container "${c.id}": failed to stage its file secrets on ${ctx.config.secretStagingDir}: ${
        (err as NodeJS.ErrnoException).code ?? (err as Error).message
      }`,
    );
  }
}

async function hostFactsFor(
  ctx: RunnerContext,
  namespace: string,
  image: ResolvedImage | undefined,
  input: ContainerSpecInput,
): Promise<HostFacts> {
  const needsRootfs = image && (!numericUser(input.user) || (!input.user && !numericUser(image.config.user)));
  if (!needsRootfs || !image?.chainId) return readHostFacts();
  return withSnapshotView(ctx, namespace, image.chainId, (rootfsDir) => readHostFacts({ rootfsDir }));
}

/**
 * Snapshot + record under one lease. A container without an image still gets an (empty) active
 * snapshot as its rootfs: containerd 1.6 removes a task's bundle with a plain rmdir of the rootfs
 * directory, which fails once runc has created mount points in it unless it is a mount that is
 * unmounted first; the next task create would then find the bundle still there.
 */
async function createRecord(
  ctx: RunnerContext,
  namespace: string,
  id: string,
  r: { image: string; spec: object; labels: Record<string, string>; parent?: string },
): Promise<void> {
  const lease = await ctx.containerd.leases.create(namespace, {
    expiresInMs: 10 * 60_000,
    labels: ownedLeaseLabels(),
  });
  const scope = { namespace, lease: lease.id };
  const parent = r.parent ?? '';
  try {
    try {
      await ctx.containerd.snapshots.prepare(scope, id, parent);
    } catch (err) {
      // A snapshot left by a crash between Prepare and Containers.Create: replace it.
      if (!isAlreadyExists(err)) throw err;
      await ctx.containerd.snapshots.remove(namespace, id);
      await ctx.containerd.snapshots.prepare(scope, id, parent);
    }
    failpoint('cell.record.after-snapshot');
    await ctx.containerd.containers.create(scope, {
      id,
      labels: r.labels,
      image: r.image,
      spec: r.spec,
      snapshot_key: id,
    });
  } catch (err) {
    await ctx.containerd.snapshots.remove(namespace, id).catch(() => undefined);
    throw err;
  } finally {
    await ctx.containerd.leases.delete(namespace, lease.id).catch(() => undefined);
  }
}
