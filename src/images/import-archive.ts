import { randomBytes } from 'node:crypto';
import type { ContainerdClient } from '../containerd/client.js';
import { isAlreadyExists, isNotFound } from '../containerd/errors.js';
import type { ImageRecord } from '../containerd/images.js';
import type { Scope } from '../containerd/types.js';
import { silentLogger, type Logger } from '../log.js';
import {
  planArchive,
  type ArchivePlan,
  type PlanOptions,
  type PlannedBlob,
  type PlannedManifest,
} from './archive-plan.js';
import { ingestRef, writeBlob } from './blob-writer.js';
import { chainIds } from './chain-id.js';
import { toWire, type Descriptor } from './descriptor.js';
import { GcLabel, isIndex, isManifest } from './media-types.js';
import { limiter } from './limiter.js';
import { readTarIndex } from './tar-index.js';
import { snapshotExists, unpackManifest } from './unpack.js';

export interface ImportProgress {
  phase: 'write' | 'unpack' | 'done';
  bytesDone: number;
  bytesTotal: number;
  layersDone: number;
  layersTotal: number;
}

export interface ImportOptions extends PlanOptions {
  namespace: string;
  /** Path of the OCI image-layout or docker save tarball (a regular file: it is read by offset). */
  file: string;
  snapshotter: string;
  onProgress?: (p: ImportProgress) => void;
  log?: Logger;
  /** Import lease expiry, the safety net if this process dies mid-import (default 1 h). */
  leaseTtlMs?: number;
}

export interface ImportedImage {
  name: string;
  target: Descriptor;
  configDigest: string;
  /** Top snapshot (chain ID) of the host-platform manifest: a container rootfs's parent. */
  chainId: string;
  /** What happened to the image record. */
  record: 'created' | 'updated' | 'unchanged';
}

export interface ImportResult {
  images: ImportedImage[];
  /** True when everything was already imported and unpacked: nothing was written. */
  unchanged: boolean;
  blobsWritten: number;
  bytesWritten: number;
  layersUnpacked: number;
}

function topChain(m: PlannedManifest): string {
  const c = chainIds(m.diffIds);
  return c[c.length - 1] ?? '';
}

async function getImage(
  client: ContainerdClient,
  scope: Scope,
  name: string,
): Promise<ImageRecord | undefined> {
  try {
    return await client.images.get(scope, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

interface Existing {
  /** Record, GC labels and snapshot chain all in place for every image: the re-import fast path. */
  upToDate: boolean;
  /** The current record of each image name (undefined: none yet). */
  records: Map<string, ImageRecord | undefined>;
}

async function inspectExisting(
  client: ContainerdClient,
  plan: ArchivePlan,
  ns: string,
  snapshotter: string,
): Promise<Existing> {
  const records = new Map<string, ImageRecord | undefined>();
  let upToDate = true;
  for (const img of plan.images) {
    const rec = await getImage(client, ns, img.name);
    records.set(img.name, rec);
    if (!rec || rec.target.digest !== img.target.digest) upToDate = false;
  }
  if (!upToDate) return { upToDate, records };
  for (const m of plan.images.flatMap((i) => i.manifests)) {
    const top = topChain(m);
    if (!(await snapshotExists(client, ns, snapshotter, top))) return { upToDate: false, records };
    const info = await client.content.info(ns, m.config.digest).catch(() => undefined);
    if (info?.labels[GcLabel.snapshot(snapshotter)] !== top) return { upToDate: false, records };
  }
  return { upToDate, records };
}

/** Concurrent content writes: enough to overlap round trips, few enough for two cores. */
const WRITE_CONCURRENCY = 3;

/**
 * Imports an OCI image-layout or docker save tarball into a namespace and unpacks it
 * (docs/images.md).
 *
 * Reading strategy: the tar's header table is read first (seeking over the data), then
 * index.json/manifest.json, manifests and configs are read by offset and checked, and only then
 * are layers streamed, each straight from its offset in 1 MiB chunks. Why not one pass: in
 * archives written by `ctr export` or docker, index.json/manifest.json come after the blobs, so a
 * single pass would have to spool every blob to containerd before knowing whether it is needed,
 * in which order, with which labels. Reading the table first lets us fail on a truncated or
 * index-less archive before containerd is touched, write children before manifests, skip blobs
 * that are not for this platform or already stored, and make a re-import a few reads and three
 * RPCs. The cost is that the input must be a seekable file, not a pipe.
 *
 * Everything is written under one lease (with `containerd.io/gc.expire`), children first,
 * manifests last with `gc.ref.content.*` labels; then unpack; then the image records; then the
 * lease is deleted. On any failure, ingests are aborted, records this call created are removed
 * (updated ones restored) and the lease is deleted with a synchronous GC, so nothing is left.
 */
export async function importArchive(client: ContainerdClient, opts: ImportOptions): Promise<ImportResult> {
  const log = opts.log ?? silentLogger;
  const { namespace: ns, file, snapshotter } = opts;
  const t0 = performance.now();
  const plan = await planArchive(file, await readTarIndex(file), opts);
  const manifests = [
    ...new Map(plan.images.flatMap((i) => i.manifests).map((m) => [m.desc.digest, m])).values(),
  ];
  const summary = (record: (name: string) => ImportedImage['record']): ImportedImage[] =>
    plan.images.map((img) => ({
      name: img.name,
      target: img.target,
      configDigest: img.manifests[0].config.digest,
      chainId: topChain(img.manifests[0]),
      record: record(img.name),
    }));

  const existing = await inspectExisting(client, plan, ns, snapshotter);
  if (existing.upToDate) {
    log.debug({ file, ns, ms: performance.now() - t0 }, 'image already imported');
    return {
      images: summary(() => 'unchanged'),
      unchanged: true,
      blobsWritten: 0,
      bytesWritten: 0,
      layersUnpacked: 0,
    };
  }

  const progress: ImportProgress = {
    phase: 'write',
    bytesDone: 0,
    bytesTotal: plan.blobs.reduce((n, b) => n + (b.source ? b.desc.size : 0), 0),
    layersDone: 0,
    layersTotal: manifests.reduce((n, m) => n + m.layers.length, 0),
  };
  const report = (): void => opts.onProgress?.({ ...progress });
  const leaseId = `kukeon-import-${process.pid}-${randomBytes(6).toString('hex')}`;
  await client.leases.create(ns, { id: leaseId, expiresInMs: opts.leaseTtlMs ?? 3600_000 });
  const scope = { namespace: ns, lease: leaseId };
  const created: string[] = [];
  const updated: ImageRecord[] = [];
  const records = new Map<string, ImportedImage['record']>();
  let blobsWritten = 0;
  let bytesWritten = 0;
  let layersUnpacked = 0;
  try {
    report();
    // Pipeline: configs and layers are written concurrently; each layer is unpacked as soon as
    // it (and the one below it) is in; manifests and indexes go last, once their children are
    // stored. All of it is under the lease, so the order only matters for the labels' targets.
    let firstError: unknown;
    const fail = (err: unknown): never => {
      firstError ??= err;
      throw err;
    };
    const limit = limiter(WRITE_CONCURRENCY);
    const writeOne = async (blob: PlannedBlob): Promise<void> => {
      if (firstError !== undefined) throw firstError; // stop starting work after a failure
      let seen = 0;
      const wrote = await writeBlob(client, scope, leaseId, file, blob, (n) => {
        seen += n;
        progress.bytesDone += n;
        report();
      });
      if (blob.source) progress.bytesDone += blob.desc.size - seen;
      if (wrote) {
        blobsWritten++;
        bytesWritten += blob.desc.size;
      }
    };
    const isParent = (b: PlannedBlob): boolean => isManifest(b.desc.mediaType) || isIndex(b.desc.mediaType);
    const writes = new Map<string, Promise<void>>();
    for (const b of plan.blobs.filter((x) => !isParent(x))) {
      writes.set(b.desc.digest, limit(() => writeOne(b)).catch(fail));
    }
    const children = [...writes.values()];
    const parents = (async () => {
      await Promise.all(children);
      progress.phase = 'unpack';
      report();
      for (const b of plan.blobs.filter(isParent)) await writeOne(b).catch(fail);
    })();
    const unpacks = (async () => {
      for (const m of manifests) {
        await unpackManifest(client, scope, m, {
          snapshotter,
          source: file,
          ready: (digest) => writes.get(digest) ?? Promise.resolve(),
          onLayer: () => {
            progress.layersDone++;
            report();
          },
        }).catch(fail);
        layersUnpacked += m.layers.length;
      }
    })();
    // Wait for everything in flight to settle before deciding (and before any cleanup).
    await Promise.allSettled([...children, parents, unpacks]);
    if (firstError !== undefined) throw firstError;
    for (const img of plan.images) {
      let rec = existing.records.get(img.name);
      if (!rec) {
        try {
          await client.images.create(scope, { name: img.name, target: toWire(img.target) });
          created.push(img.name);
          records.set(img.name, 'created');
          continue;
        } catch (err) {
          // A concurrent import created it since our Get: fall through to compare and update.
          if (!isAlreadyExists(err)) throw err;
          rec = await client.images.get(scope, img.name);
        }
      }
      if (rec.target.digest !== img.target.digest) {
        try {
          await client.images.update(scope, { name: img.name, target: toWire(img.target) }, ['target']);
        } catch (err) {
          // Deleted by someone else since we looked: create it instead.
          if (!isNotFound(err)) throw err;
          await client.images.create(scope, { name: img.name, target: toWire(img.target) });
          created.push(img.name);
          records.set(img.name, 'created');
          continue;
        }
        updated.push(rec);
        records.set(img.name, 'updated');
      } else {
        records.set(img.name, 'unchanged');
      }
    }
  } catch (err) {
    await cleanupFailedImport(client, ns, leaseId, plan, created, updated, log);
    throw err;
  }
  await client.leases
    .delete(ns, leaseId)
    .catch((err: unknown) => log.warn({ err, leaseId }, 'import lease delete failed'));
  progress.phase = 'done';
  report();
  log.debug({ file, ns, ms: performance.now() - t0, blobsWritten, layersUnpacked }, 'image imported');
  return {
    images: summary((n) => records.get(n) ?? 'unchanged'),
    unchanged: false,
    blobsWritten,
    bytesWritten,
    layersUnpacked,
  };
}

/** Undo what a failed import did; each step is best effort so one failure does not hide the rest. */
async function cleanupFailedImport(
  client: ContainerdClient,
  ns: string,
  leaseId: string,
  plan: ArchivePlan,
  created: string[],
  updated: ImageRecord[],
  log: Logger,
): Promise<void> {
  const warn = (what: string) => (err: unknown) => {
    if (!isNotFound(err)) log.warn({ err, ns }, `import cleanup: ${what} failed`);
  };
  for (const name of created)
    await client.images.delete(ns, name, { sync: false }).catch(warn(`delete image ${name}`));
  for (const rec of updated) {
    await client.images
      .update(ns, { name: rec.name, target: rec.target }, ['target'])
      .catch(warn(`restore image ${rec.name}`));
  }
  const refs = new Set(plan.blobs.map((b) => ingestRef(leaseId, b.desc.digest)));
  const ingests = await client.content.listStatuses(ns).catch(() => []);
  for (const st of ingests)
    if (refs.has(st.ref)) await client.content.abort(ns, st.ref).catch(warn(`abort ingest ${st.ref}`));
  // Synchronous: blobs and snapshots only the lease held are collected before we return.
  await client.leases.delete(ns, leaseId, { sync: true }).catch(warn(`delete lease ${leaseId}`));
}
