import { ErrorCode } from '../error-codes.js';
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ContainerdClient } from '../containerd/client.js';
import { isAlreadyExists, isFailedPrecondition, isNotFound } from '../containerd/errors.js';
import type { ImageRecord } from '../containerd/images.js';
import type { StartedSource } from '../containerd/content-writer.js';
import { silentLogger, type Logger } from '../log.js';
import type { Platform, PlannedManifest } from './archive-plan.js';
import { chainIds } from './chain-id.js';
import { toWire, type Descriptor } from './descriptor.js';
import { ImageError } from './errors.js';
import type { ImportProgress } from './import-archive.js';
import { limiter } from './limiter.js';
import { GcLabel, isIndex, isManifest } from './media-types.js';
import { imageConfigSchema, indexSchema, manifestSchema, type OciDescriptor } from './oci-schemas.js';
import type { BlobResponse, RegistryAuth, RegistryClient } from './registry/registry-client.js';
import { parseRegistryReference, type RegistryReference } from './registry/registry-reference.js';
import {
  abandonedPullLeases,
  PULL_LEASE_LABEL,
  pullIngestRef,
  pullLeaseLabelValue,
  releaseLeases,
  writePulledBlob,
} from './pull-resume.js';
import { snapshotExists, unpackManifest } from './unpack.js';

export type PullProgress = ImportProgress;

export interface PullOptions {
  namespace: string;
  /** As the user wrote it; normalised (`busybox` → `docker.io/library/busybox:latest`). */
  ref: string;
  snapshotter: string;
  platform: Platform;
  registry: RegistryClient;
  auth: RegistryAuth;
  onProgress?: (p: PullProgress) => void;
  log?: Logger;
  /** Extra labels on the pull lease (the runner marks its owner process, for the orphan sweep). */
  leaseLabels?: Record<string, string>;
  /**
   * Whether an earlier pull's lease, by its labels, belongs to a process that is gone: this pull
   * adopts such leases of its reference (resumes from what they hold) and deletes them when done.
   */
  leaseAbandoned?: (labels: Record<string, string>) => boolean;
  /** Pull lease expiry, the safety net if this process dies mid-pull (default 1 h). */
  leaseTtlMs?: number;
  /** Concurrent layer downloads (default 3). */
  concurrency?: number;
}

export interface PullResult {
  /** The image record's name: the normalised reference. */
  name: string;
  /** What the record points at: the registry's manifest or index. */
  target: Descriptor;
  manifestDigest: string;
  configDigest: string;
  chainId: string;
  record: 'created' | 'updated' | 'unchanged';
  blobsFetched: number;
  /** Bytes downloaded from the registry. */
  bytesFetched: number;
  /** Bytes a killed pull had written that this one continued from (not downloaded again). */
  bytesResumed: number;
  layersUnpacked: number;
}

/** The digest containerd computed when it refused a COMMIT for not matching the expected one. */
export function commitDigestMismatch(err: unknown): string | undefined {
  if (!isFailedPrecondition(err)) return undefined;
  return /unexpected commit digest (sha256:[0-9a-f]{64})/.exec((err as Error).message)?.[1];
}

const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

function mismatch(ref: RegistryReference, digest: string, actual: string): ImageError {
  return new ImageError(
    ErrorCode.IMAGE_DIGEST_MISMATCH,
    `digest mismatch: blob ${digest} of ${ref.name} from ${ref.apiHost} has ${actual}`,
  );
}

function parse<S extends z.ZodType>(
  ref: RegistryReference,
  what: string,
  data: Buffer,
  schema: S,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new ImageError(ErrorCode.REGISTRY_ERROR, `${ref.name}: ${what} is not valid JSON`, {
      cause: err,
    });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ImageError(
      ErrorCode.REGISTRY_ERROR,
      `${ref.name}: ${what} is malformed: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}

/** The media type a manifest body declares, else the one the registry sent it with. */
function mediaTypeOf(body: Buffer, header: string): string {
  try {
    const mt = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType;
    if (typeof mt === 'string' && mt) return mt;
  } catch {
    // reported by the schema check that follows
  }
  return header;
}

/** The host platform's entry of an index (attestations, `unknown/unknown`, are never picked). */
export function pickPlatform(manifests: OciDescriptor[], platform: Platform): OciDescriptor | undefined {
  const candidates = manifests.filter(
    (m) =>
      isManifest(m.mediaType || 'application/vnd.oci.image.manifest.v1+json') &&
      m.platform?.os === platform.os &&
      m.platform.architecture === platform.architecture,
  );
  const preferredVariant = platform.architecture === 'arm64' ? 'v8' : undefined;
  return (
    candidates.find((m) => (m.platform?.variant ?? preferredVariant) === preferredVariant) ?? candidates[0]
  );
}

interface Resolved {
  target: Descriptor;
  /** Blobs of metadata to store: the index (if any), the manifest, the config. */
  index?: { desc: Descriptor; body: Buffer; childIndex: number };
  manifestBody: Buffer;
  manifest: PlannedManifest;
  configBody?: Buffer;
}

/** Fetches and checks the manifest chain down to the host platform's config. */
async function resolveRemote(
  client: ContainerdClient,
  opts: PullOptions,
  ref: RegistryReference,
): Promise<Resolved> {
  const { registry, auth } = opts;
  const top = await registry.manifest(ref, ref.digest ?? ref.tag ?? 'latest', auth);
  const topDigest = sha256(top.body);
  if (ref.digest && topDigest !== ref.digest) throw mismatch(ref, ref.digest, topDigest);
  const target: Descriptor = {
    mediaType: mediaTypeOf(top.body, top.mediaType),
    digest: topDigest,
    size: top.body.length,
  };
  let manifestDesc = target;
  let manifestBody = top.body;
  let index: Resolved['index'];
  if (isIndex(target.mediaType)) {
    const idx = parse(ref, `index ${topDigest}`, top.body, indexSchema);
    const pick = pickPlatform(idx.manifests, opts.platform);
    if (!pick) {
      throw new ImageError(
        ErrorCode.IMAGE_PLATFORM_NOT_FOUND,
        `image ${ref.name}: no manifest for ${opts.platform.os}/${opts.platform.architecture}`,
      );
    }
    const child = await registry.manifest(ref, pick.digest, auth);
    const d = sha256(child.body);
    if (d !== pick.digest || child.body.length !== pick.size) throw mismatch(ref, pick.digest, d);
    manifestDesc = {
      mediaType: pick.mediaType || mediaTypeOf(child.body, child.mediaType),
      digest: d,
      size: pick.size,
    };
    manifestBody = child.body;
    index = { desc: target, body: top.body, childIndex: idx.manifests.indexOf(pick) };
  } else if (!isManifest(target.mediaType)) {
    throw new ImageError(
      ErrorCode.REGISTRY_ERROR,
      `${ref.name}: unsupported manifest media type "${target.mediaType}" (schema 1 manifests are not supported)`,
    );
  }
  const m = parse(ref, `manifest ${manifestDesc.digest}`, manifestBody, manifestSchema);
  const config: Descriptor = { mediaType: m.config.mediaType, digest: m.config.digest, size: m.config.size };
  // A config already in the store (an earlier pull, or an import) is read locally.
  let configBody = await client.content.readAll(opts.namespace, config.digest).catch(() => undefined);
  const stored = configBody !== undefined;
  if (!configBody) {
    const res = await registry.blob(ref, config.digest, auth);
    const parts: Buffer[] = [];
    for await (const c of res.body) parts.push(c);
    configBody = Buffer.concat(parts);
  }
  const cd = sha256(configBody);
  if (cd !== config.digest || configBody.length !== config.size) throw mismatch(ref, config.digest, cd);
  const configFile = parse(ref, `config ${config.digest}`, configBody, imageConfigSchema);
  const layers = m.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
  if (layers.length !== configFile.rootfs.diff_ids.length) {
    throw new ImageError(
      ErrorCode.REGISTRY_ERROR,
      `${ref.name}: manifest ${manifestDesc.digest} has ${layers.length} layers, its config ${configFile.rootfs.diff_ids.length} diff IDs`,
    );
  }
  return {
    target,
    index,
    manifestBody,
    manifest: { desc: manifestDesc, config, configFile, layers, diffIds: configFile.rootfs.diff_ids },
    ...(stored ? {} : { configBody }),
  };
}

async function getRecord(
  client: ContainerdClient,
  ns: string,
  name: string,
): Promise<ImageRecord | undefined> {
  try {
    return await client.images.get(ns, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const topChain = (m: PlannedManifest): string => chainIds(m.diffIds).at(-1) ?? '';

/**
 * Pulls one image from its registry into a namespace and unpacks it (docs/images.md, "Pulling").
 * The manifest (and index) and the config are fetched and checked first; then the layers stream
 * from the registry straight into containerd's content store, up to three at once; containerd
 * hashes each as it writes and refuses a COMMIT that does not match the digest (a wrong size is
 * caught here, before the COMMIT). A blob the
 * store already holds is not fetched (the write's STAT answers ALREADY_EXISTS). Each layer is
 * unpacked as soon as it is stored. Manifests go last with their GC labels, then the image
 * record. Everything happens under one lease; on failure the ingests are aborted, a record this
 * call made is removed (an updated one restored) and the lease deleted with a synchronous GC. A
 * killed pull's blobs and partial ingest are picked up by the next pull (pull-resume.ts,
 * docs/images.md "Resuming a pull").
 */
export async function pullImage(client: ContainerdClient, opts: PullOptions): Promise<PullResult> {
  const log = opts.log ?? silentLogger;
  const { namespace: ns, snapshotter } = opts;
  const ref = parseRegistryReference(opts.ref);
  const t0 = performance.now();
  const progress: PullProgress = {
    phase: 'write',
    bytesDone: 0,
    bytesTotal: 0,
    layersDone: 0,
    layersTotal: 0,
  };
  const report = (): void => opts.onProgress?.({ ...progress });
  const remote = await resolveRemote(client, opts, ref);
  const m = remote.manifest;
  const chainId = topChain(m);
  const result = (
    record: PullResult['record'],
    blobsFetched = 0,
    bytesFetched = 0,
    bytesResumed = 0,
    layersUnpacked = 0,
  ): PullResult => ({
    name: ref.name,
    target: remote.target,
    manifestDigest: m.desc.digest,
    configDigest: m.config.digest,
    chainId,
    record,
    blobsFetched,
    bytesFetched,
    bytesResumed,
    layersUnpacked,
  });
  const existing = await getRecord(client, ns, ref.name);
  const adopted = opts.leaseAbandoned
    ? await abandonedPullLeases(client, ns, ref.name, opts.leaseAbandoned)
    : [];
  const releaseAdopted = (): Promise<void> =>
    releaseLeases(client, ns, adopted, (id, err) =>
      log.warn({ err, id }, 'adopted pull lease delete failed'),
    );
  if (
    existing?.target.digest === remote.target.digest &&
    (!chainId || (await snapshotExists(client, ns, snapshotter, chainId)))
  ) {
    const info = await client.content.info(ns, m.config.digest).catch(() => undefined);
    if (!chainId || info?.labels[GcLabel.snapshot(snapshotter)] === chainId) {
      log.debug({ ref: ref.name, ns }, 'image already pulled');
      // A pull killed after writing the record left its lease: nothing in it is needed any more.
      await releaseAdopted();
      progress.phase = 'done';
      report();
      return result('unchanged');
    }
  }

  progress.bytesTotal = m.layers.reduce((n, l) => n + l.size, 0);
  progress.layersTotal = m.layers.length;
  const leaseId = `kukeon-pull-${process.pid}-${randomBytes(6).toString('hex')}`;
  await client.leases.create(ns, {
    id: leaseId,
    expiresInMs: opts.leaseTtlMs ?? 3600_000,
    labels: { ...opts.leaseLabels, [PULL_LEASE_LABEL]: pullLeaseLabelValue(ref.name) },
  });
  const scope = { namespace: ns, lease: leaseId };
  let created = false;
  let updated: ImageRecord | undefined;
  let blobsFetched = 0;
  let bytesFetched = 0;
  let bytesResumed = 0;
  let layersUnpacked = 0;
  try {
    report();
    let firstError: unknown;
    const fail = (err: unknown): never => {
      firstError ??= err;
      throw err;
    };
    const limit = limiter(opts.concurrency ?? 3);
    const fetchLayer = async (d: Descriptor): Promise<void> => {
      if (firstError !== undefined) throw firstError;
      // Bytes of the blob accounted for: from where the registry's body starts, then as it streams.
      let seen = 0;
      let from = 0;
      let bad: string | undefined;
      // What the registry side threw: the content writer wraps errors from its source.
      let sourceError: unknown;
      // Asked for the offset the ingest is at (a killed pull's partial write): a Range request.
      const open = async (offset: number): Promise<StartedSource> => {
        let res;
        try {
          res = await opts.registry.blob(ref, d.digest, opts.auth, offset);
        } catch (err) {
          sourceError = err;
          throw err;
        }
        from = seen = res.offset;
        progress.bytesDone += res.offset;
        report();
        // A registry that ignored the Range sends it all: offset 0, and containerd starts over.
        return { offset: res.offset, data: data(res) };
      };
      const data = async function* (res: BlobResponse): AsyncIterable<Uint8Array> {
        try {
          for await (const chunk of res.body) {
            seen += chunk.length;
            progress.bytesDone += chunk.length;
            report();
            if (seen > d.size) break;
            yield chunk;
          }
        } catch (err) {
          sourceError = err;
          throw err;
        } finally {
          res.destroy();
        }
        if (seen !== d.size) {
          bad = `${seen > d.size ? 'more than ' : ''}${seen} bytes, expected ${d.size}`;
          // Thrown before the COMMIT goes out: the writer aborts the ingest.
          throw mismatch(ref, d.digest, bad);
        }
      };
      try {
        const r = await writePulledBlob(client, scope, {
          ref: pullIngestRef(d.digest),
          data: open,
          total: d.size,
          expected: d.digest,
        });
        if (!r.existed) {
          blobsFetched++;
          bytesFetched += seen - from;
          if (from > 0) bytesResumed += from;
        }
      } catch (err) {
        if (bad !== undefined) throw mismatch(ref, d.digest, bad);
        // containerd hashed the bytes as they streamed in and refused the COMMIT (the ingest is
        // aborted): the one place the digest is checked, so the bytes are hashed once, not twice.
        const actual = commitDigestMismatch(err);
        if (actual) throw mismatch(ref, d.digest, `digest ${actual}`);
        throw sourceError ?? err;
      } finally {
        progress.bytesDone += d.size - seen;
        report();
      }
    };
    const writes = new Map<string, Promise<void>>();
    if (remote.configBody) {
      writes.set(
        m.config.digest,
        writePulledBlob(client, scope, {
          ref: pullIngestRef(m.config.digest),
          data: remote.configBody,
          expected: m.config.digest,
        })
          .then(() => undefined)
          .catch(fail),
      );
    }
    for (const l of m.layers)
      if (!writes.has(l.digest)) writes.set(l.digest, limit(() => fetchLayer(l)).catch(fail));
    const unpack = unpackManifest(client, scope, m, {
      snapshotter,
      source: ref.name,
      ready: (digest) => writes.get(digest) ?? Promise.resolve(),
      onLayer: () => {
        progress.layersDone++;
        layersUnpacked++;
        report();
      },
    }).catch(fail);
    await Promise.allSettled([...writes.values(), unpack]);
    if (firstError !== undefined) throw firstError;
    progress.phase = 'unpack';
    report();
    // Parents last, with the labels that keep their children alive once the lease is gone.
    const manifestLabels: Record<string, string> = { [GcLabel.config]: m.config.digest };
    m.layers.forEach((l, i) => (manifestLabels[GcLabel.layer(i)] = l.digest));
    await writePulledBlob(client, scope, {
      ref: pullIngestRef(m.desc.digest),
      data: remote.manifestBody,
      expected: m.desc.digest,
      labels: manifestLabels,
    });
    if (remote.index) {
      await writePulledBlob(client, scope, {
        ref: pullIngestRef(remote.index.desc.digest),
        data: remote.index.body,
        expected: remote.index.desc.digest,
        labels: { [GcLabel.manifest(remote.index.childIndex)]: m.desc.digest },
      });
    }
    const target = toWire(remote.target);
    if (!existing) {
      try {
        await client.images.create(scope, { name: ref.name, target });
        created = true;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        await client.images.update(scope, { name: ref.name, target }, ['target']);
      }
    } else if (existing.target.digest !== remote.target.digest) {
      await client.images.update(scope, { name: ref.name, target }, ['target']);
      updated = existing;
    }
  } catch (err) {
    await releaseAdopted();
    await cleanupFailedPull(client, ns, leaseId, ref.name, created, updated, log);
    throw err;
  }
  await releaseAdopted();
  await client.leases
    .delete(ns, leaseId)
    .catch((err: unknown) => log.warn({ err, leaseId }, 'pull lease delete failed'));
  progress.phase = 'done';
  report();
  log.debug(
    { ref: ref.name, ns, ms: performance.now() - t0, blobsFetched, bytesFetched, bytesResumed },
    'image pulled',
  );
  return result(
    existing ? (updated ? 'updated' : 'unchanged') : 'created',
    blobsFetched,
    bytesFetched,
    bytesResumed,
    layersUnpacked,
  );
}

async function cleanupFailedPull(
  client: ContainerdClient,
  ns: string,
  leaseId: string,
  name: string,
  created: boolean,
  updated: ImageRecord | undefined,
  log: Logger,
): Promise<void> {
  const warn = (what: string) => (err: unknown) => {
    if (!isNotFound(err)) log.warn({ err, ns }, `pull cleanup: ${what} failed`);
  };
  if (created) await client.images.delete(ns, name, { sync: false }).catch(warn(`delete image ${name}`));
  if (updated)
    await client.images
      .update(ns, { name, target: updated.target }, ['target'])
      .catch(warn(`restore image ${name}`));
  // A failed write aborted its own ingest; one whose write failed with containerd unreachable (or
  // adopted from a killed pull) goes with the leases: containerd's GC drops an unleased ingest.
  await client.leases.delete(ns, leaseId, { sync: true }).catch(warn(`delete lease ${leaseId}`));
}
