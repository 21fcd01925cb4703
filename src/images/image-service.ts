import { ErrorCode } from '../error-codes.js';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ContainerdClient } from '../containerd/client.js';
import { isNotFound } from '../containerd/errors.js';
import type { ImageRecord } from '../containerd/images.js';
import type { Scope } from '../containerd/types.js';
import { silentLogger, type Logger } from '../log.js';
import { hostPlatform, type Platform, type PlannedManifest } from './archive-plan.js';
import { chainIds } from './chain-id.js';
import { fromWire, type Descriptor } from './descriptor.js';
import { ImageError } from './errors.js';
import { importArchive, type ImportOptions, type ImportResult } from './import-archive.js';
import { isIndex, isManifest } from './media-types.js';
import { imageConfigSchema, indexSchema, manifestSchema, type ImageConfigFile } from './oci-schemas.js';
import { snapshotExists, unpackManifest } from './unpack.js';
import { pullImage, type PullOptions, type PullProgress, type PullResult } from './pull-image.js';
import { RegistryClient, type RegistryAuth, type RegistryClientOptions } from './registry/registry-client.js';
import { parseRegistryReference } from './registry/registry-reference.js';

export interface ImageSummary {
  name: string;
  target: Descriptor;
  labels: Record<string, string>;
  createdAt?: Date;
  updatedAt?: Date;
  /** Manifest + config + layers (compressed) in bytes; -1 when it cannot be computed. */
  size: number;
}

/** What a container needs from its image: containerd applies nothing from the config itself. */
export interface ResolvedImage {
  name: string;
  target: Descriptor;
  manifestDigest: string;
  configDigest: string;
  diffIds: string[];
  /** Top chain ID: the committed snapshot a container's rootfs is prepared on (parent). */
  chainId: string;
  config: {
    entrypoint: string[];
    cmd: string[];
    env: string[];
    workingDir: string;
    user: string;
    labels: Record<string, string>;
    stopSignal?: string;
  };
}

export interface ImageServiceOptions {
  snapshotter: string;
  log?: Logger;
  platform?: Platform;
  /** How registries are reached (CA directory, insecure registries, timeouts). */
  registry?: RegistryClientOptions;
}

export interface PullRequest {
  auth?: RegistryAuth;
  onProgress?: (p: PullProgress) => void;
  leaseLabels?: Record<string, string>;
  /** Which earlier pull leases are abandoned (their process gone): see PullOptions. */
  leaseAbandoned?: (labels: Record<string, string>) => boolean;
  /**
   * Told once when the download this request started ends (result or error); a request that
   * joins a pull in progress is not told, so a pull is reported once however many wait for it.
   */
  onSettled?: (outcome: { result: PullResult } | { error: unknown }) => void;
}

interface InflightPull {
  promise: Promise<PullResult>;
  listeners: Set<(p: PullProgress) => void>;
}

/**
 * Image operations for one containerd and snapshotter; every method takes the namespace.
 * The runner depends on this class's shape (or a fake of it), never on the gRPC services.
 */
/** Parsed image blobs kept by an ImageService (a few KB each). */
const BLOB_CACHE_ENTRIES = 64;

export class ImageService {
  private readonly log: Logger;
  private readonly platform: Platform;
  private registryClient?: RegistryClient;
  /** Pulls in progress by `<namespace> <name>`: a second pull of the same image joins the first. */
  private readonly inflight = new Map<string, InflightPull>();
  /**
   * Manifests, indexes and configs already read, by namespace and digest: content-addressed, so
   * never stale. Every container created reads its image's manifest and config (two Content.Read
   * round trips and a schema check each); a mass apply of one image reads them once.
   */
  private readonly blobs = new Map<string, unknown>();

  constructor(
    private readonly client: ContainerdClient,
    private readonly opts: ImageServiceOptions,
  ) {
    this.log = opts.log ?? silentLogger;
    this.platform = opts.platform ?? hostPlatform();
  }

  /** Imports and unpacks a tarball; see importArchive. */
  import(namespace: string, file: string, extra: Partial<ImportOptions> = {}): Promise<ImportResult> {
    return importArchive(this.client, {
      platform: this.platform,
      log: this.log,
      ...extra,
      namespace,
      file,
      snapshotter: this.opts.snapshotter,
    });
  }

  /**
   * Pulls `ref` (normalised) from its registry into the namespace; see pullImage. Concurrent pulls
   * of one image in this process share one download, and each caller gets its progress.
   */
  async pull(namespace: string, ref: string, req: PullRequest = {}): Promise<PullResult> {
    const name = parseRegistryReference(ref).name;
    const key = `${namespace} ${name}`;
    let run = this.inflight.get(key);
    if (!run) {
      const listeners = new Set<(p: PullProgress) => void>();
      const opts: PullOptions = {
        namespace,
        ref: name,
        snapshotter: this.opts.snapshotter,
        platform: this.platform,
        registry: this.registry(),
        auth: req.auth ?? {},
        log: this.log,
        leaseLabels: req.leaseLabels,
        leaseAbandoned: req.leaseAbandoned,
        onProgress: (p) => listeners.forEach((l) => l(p)),
      };
      const settled = req.onSettled;
      const promise = pullImage(this.client, opts).finally(() => this.inflight.delete(key));
      if (settled)
        promise.then(
          (result) => settled({ result }),
          (error: unknown) => settled({ error }),
        );
      run = { promise, listeners };
      this.inflight.set(key, run);
    }
    const listener = req.onProgress;
    if (listener) run.listeners.add(listener);
    return run.promise.finally(() => {
      if (listener) run.listeners.delete(listener);
    });
  }

  /** Closes the registry connections (the containerd channel belongs to the caller). */
  async close(): Promise<void> {
    await this.registryClient?.close();
  }

  private registry(): RegistryClient {
    this.registryClient ??= new RegistryClient({ log: this.log, ...this.opts.registry });
    return this.registryClient;
  }

  async list(namespace: string, filters: string[] = []): Promise<ImageSummary[]> {
    const recs = await this.client.images.list(namespace, filters);
    const out: ImageSummary[] = [];
    for (const r of recs)
      out.push({ ...summaryOf(r), size: await this.sizeOf(namespace, fromWire(r.target)) });
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Exact-name lookup (no normalisation). */
  async get(namespace: string, name: string): Promise<ImageSummary> {
    const r = await this.record(namespace, name);
    return { ...summaryOf(r), size: await this.sizeOf(namespace, fromWire(r.target)) };
  }

  /**
   * Deletes the record. With `sync` (default) containerd runs GC before replying, so blobs and
   * snapshots no other image or container references are gone on return.
   */
  async delete(namespace: string, name: string, opts: { sync?: boolean } = {}): Promise<void> {
    try {
      await this.client.images.delete(namespace, name, { sync: opts.sync ?? true });
    } catch (err) {
      if (isNotFound(err)) throw notFound(namespace, name, err);
      throw err;
    }
  }

  /**
   * Resolves an image for container creation: host-platform manifest, config (Entrypoint, Cmd,
   * Env, WorkingDir, User) and the top chain ID. If the snapshot chain is missing (imported
   * without unpack, or collected), it is unpacked again from the stored layers under a lease,
   * unless `unpack: false` (then this is a read-only lookup of the chain ID).
   */
  async resolve(namespace: string, name: string, opts: { unpack?: boolean } = {}): Promise<ResolvedImage> {
    const rec = await this.record(namespace, name);
    const target = fromWire(rec.target);
    const m = await this.manifestFor(namespace, target, name);
    const chain = chainIds(m.diffIds);
    const chainId = chain[chain.length - 1] ?? '';
    if (
      opts.unpack !== false &&
      chainId &&
      !(await snapshotExists(this.client, namespace, this.opts.snapshotter, chainId))
    ) {
      await this.unpack(namespace, m, name);
    }
    const c = m.configFile.config ?? {};
    return {
      name,
      target,
      manifestDigest: m.desc.digest,
      configDigest: m.config.digest,
      diffIds: m.diffIds,
      chainId,
      config: {
        entrypoint: c.Entrypoint ?? [],
        cmd: c.Cmd ?? [],
        env: c.Env ?? [],
        workingDir: c.WorkingDir ?? '',
        user: c.User ?? '',
        labels: c.Labels ?? {},
        ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
      },
    };
  }

  private async unpack(namespace: string, m: PlannedManifest, name: string): Promise<void> {
    const lease = `kukeon-unpack-${process.pid}-${randomBytes(6).toString('hex')}`;
    await this.client.leases.create(namespace, { id: lease, expiresInMs: 3600_000 });
    try {
      await unpackManifest(this.client, { namespace, lease }, m, {
        snapshotter: this.opts.snapshotter,
        source: name,
      });
    } finally {
      await this.client.leases
        .delete(namespace, lease)
        .catch((err: unknown) => this.log.warn({ err, lease }, 'lease delete failed'));
    }
  }

  private async record(namespace: string, name: string): Promise<ImageRecord> {
    if (!name) throw notFound(namespace, name);
    try {
      return await this.client.images.get(namespace, name);
    } catch (err) {
      if (isNotFound(err)) throw notFound(namespace, name, err);
      throw err;
    }
  }

  private async readJson<S extends z.ZodType>(
    scope: Scope,
    d: Descriptor,
    schema: S,
    image: string,
  ): Promise<z.infer<S>> {
    const key = `${typeof scope === 'string' ? scope : scope.namespace} ${d.digest}`;
    // A copy: callers build container specs from these arrays and objects.
    if (this.blobs.has(key)) return structuredClone(this.blobs.get(key)) as z.infer<S>;
    let data: Buffer;
    try {
      data = await this.client.content.readAll(scope, d.digest);
    } catch (err) {
      if (isNotFound(err)) {
        throw new ImageError(
          ErrorCode.IMAGE_NOT_FOUND,
          `image ${image}: blob ${d.digest} is missing from the content store`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
    const r = schema.safeParse(JSON.parse(data.toString('utf8')));
    if (!r.success)
      throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `image ${image}: blob ${d.digest} is malformed`);
    if (this.blobs.size >= BLOB_CACHE_ENTRIES) this.blobs.delete(this.blobs.keys().next().value as string);
    this.blobs.set(key, structuredClone(r.data));
    return r.data;
  }

  /** Follows an index (platform match) down to the manifest, reading config as well. */
  private async manifestFor(namespace: string, d: Descriptor, image: string): Promise<PlannedManifest> {
    if (isIndex(d.mediaType)) {
      const idx = await this.readJson(namespace, d, indexSchema, image);
      const pick = idx.manifests.find(
        (m) =>
          !m.platform ||
          (m.platform.os === this.platform.os && m.platform.architecture === this.platform.architecture),
      );
      if (!pick) {
        throw new ImageError(
          ErrorCode.IMAGE_PLATFORM_NOT_FOUND,
          `image ${image}: no manifest for ${this.platform.os}/${this.platform.architecture}`,
        );
      }
      return this.manifestFor(
        namespace,
        { mediaType: pick.mediaType, digest: pick.digest, size: pick.size },
        image,
      );
    }
    if (!isManifest(d.mediaType)) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `image ${image}: unsupported target media type ${d.mediaType}`,
      );
    }
    const m = await this.readJson(namespace, d, manifestSchema, image);
    const config = { mediaType: m.config.mediaType, digest: m.config.digest, size: m.config.size };
    const configFile: ImageConfigFile = await this.readJson(namespace, config, imageConfigSchema, image);
    const layers = m.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    return { desc: d, config, configFile, layers, diffIds: configFile.rootfs.diff_ids };
  }

  private async sizeOf(namespace: string, target: Descriptor): Promise<number> {
    try {
      const m = await this.manifestFor(namespace, target, target.digest);
      return m.desc.size + m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
    } catch {
      return -1;
    }
  }
}

function summaryOf(r: ImageRecord): Omit<ImageSummary, 'size'> {
  const ts = (t: { seconds: number; nanos: number } | null | undefined): Date | undefined =>
    t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)) : undefined;
  return {
    name: r.name,
    target: fromWire(r.target),
    labels: r.labels ?? {},
    createdAt: ts(r.created_at),
    updatedAt: ts(r.updated_at),
  };
}

function notFound(namespace: string, name: string, cause?: unknown): ImageError {
  return new ImageError(ErrorCode.IMAGE_NOT_FOUND, `image "${name}" not found in namespace ${namespace}`, {
    cause,
  });
}
