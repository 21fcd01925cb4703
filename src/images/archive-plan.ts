import { ErrorCode } from '../error-codes.js';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ImageError } from './errors.js';
import type { Descriptor } from './descriptor.js';
import { GcLabel, MediaType, NameAnnotation, isIndex, isManifest } from './media-types.js';
import {
  dockerManifestSchema,
  imageConfigSchema,
  indexSchema,
  manifestSchema,
  type ImageConfigFile,
  type OciDescriptor,
} from './oci-schemas.js';
import { normalizeReference } from './reference.js';
import { readTarFile, streamTarFile, type TarFile, type TarIndex } from './tar-index.js';

/** Where a blob's bytes come from: a tar entry (streamed) or memory (built or small metadata). */
export type BlobSource = { kind: 'tar'; entry: TarFile } | { kind: 'memory'; data: Buffer };

export interface PlannedBlob {
  desc: Descriptor;
  /** Undefined when the archive does not carry the blob: it must already be in the store. */
  source?: BlobSource;
  /** Labels to store on the blob at commit (GC references for manifests and indexes). */
  labels: Record<string, string>;
}

/** A manifest for the host platform: what unpack and container creation need. */
export interface PlannedManifest {
  desc: Descriptor;
  config: Descriptor;
  configFile: ImageConfigFile;
  layers: Descriptor[];
  diffIds: string[];
}

export interface PlannedImage {
  name: string;
  /** What the image record points at: a manifest, or an index for nested layouts. */
  target: Descriptor;
  manifests: PlannedManifest[];
}

export interface ArchivePlan {
  file: string;
  format: 'oci' | 'docker';
  images: PlannedImage[];
  /** Every blob to store, children before the manifests and indexes that reference them. */
  blobs: PlannedBlob[];
}

export interface Platform {
  os: string;
  architecture: string;
}

export interface PlanOptions {
  platform?: Platform;
  /** Name for an archive entry that carries none (single-image archives only). */
  name?: string;
  /** Joined with a tag-only `org.opencontainers.image.ref.name` (`<base>:<tag>`). */
  baseName?: string;
}

export function hostPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

function toDescriptor(d: OciDescriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.annotations ? { annotations: d.annotations } : {}),
  };
}

function parseJson<S extends z.ZodType>(file: string, what: string, data: Buffer, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${file}: ${what} is not valid JSON`, {
      cause: err,
    });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ImageError(
      ErrorCode.IMAGE_ARCHIVE_INVALID,
      `${file}: ${what} is malformed: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}

class Planner {
  private readonly blobs = new Map<string, PlannedBlob>();

  constructor(
    readonly file: string,
    readonly index: TarIndex,
    readonly opts: PlanOptions,
  ) {}

  get platform(): Platform {
    return this.opts.platform ?? hostPlatform();
  }

  add(desc: Descriptor, source: BlobSource | undefined, labels: Record<string, string> = {}): void {
    const prev = this.blobs.get(desc.digest);
    if (prev) Object.assign(prev.labels, labels);
    else this.blobs.set(desc.digest, { desc, source, labels });
  }

  plannedBlobs(): PlannedBlob[] {
    return [...this.blobs.values()];
  }

  /** The tar entry of an OCI blob, checked against the descriptor's size. */
  blobEntry(desc: Descriptor): TarFile | undefined {
    const [alg, hex] = desc.digest.split(':');
    const entry = this.index.get(`blobs/${alg}/${hex}`);
    if (entry && entry.size !== desc.size) {
      throw new ImageError(
        ErrorCode.IMAGE_DIGEST_MISMATCH,
        `${this.file}: blob ${desc.digest} is ${entry.size} bytes in the archive, its descriptor says ${desc.size}`,
      );
    }
    return entry;
  }

  /** Reads a metadata blob and checks its digest (layers are checked while they stream). */
  async readBlob(desc: Descriptor, referencedBy: string): Promise<Buffer> {
    const entry = this.blobEntry(desc);
    if (!entry) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `${this.file}: blob ${desc.digest} referenced by ${referencedBy} is missing from the archive`,
      );
    }
    const data = await readTarFile(this.file, entry);
    const actual = sha256(data);
    if (actual !== desc.digest) {
      throw new ImageError(
        ErrorCode.IMAGE_DIGEST_MISMATCH,
        `${this.file}: blob ${desc.digest} has digest ${actual} (referenced by ${referencedBy})`,
      );
    }
    return data;
  }

  matchesPlatform(d: OciDescriptor): boolean {
    return (
      !d.platform ||
      (d.platform.os === this.platform.os && d.platform.architecture === this.platform.architecture)
    );
  }

  /** Resolves an index or manifest descriptor into the host-platform manifests it leads to. */
  async resolve(desc: OciDescriptor, referencedBy: string): Promise<PlannedManifest[]> {
    const d = toDescriptor(desc);
    const data = await this.readBlob(d, referencedBy);
    if (isIndex(d.mediaType)) {
      const idx = parseJson(this.file, `index ${d.digest}`, data, indexSchema);
      const out: PlannedManifest[] = [];
      const labels: Record<string, string> = {};
      for (const child of idx.manifests) {
        if (!this.matchesPlatform(child) || !(isManifest(child.mediaType) || isIndex(child.mediaType)))
          continue;
        // Foreign-platform manifests are usually absent from single-platform archives.
        if (!this.blobEntry(toDescriptor(child))) continue;
        labels[GcLabel.manifest(Object.keys(labels).length)] = child.digest;
        out.push(...(await this.resolve(child, `index ${d.digest}`)));
      }
      this.add(d, { kind: 'memory', data }, labels);
      return out;
    }
    if (!isManifest(d.mediaType)) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `${this.file}: ${d.digest} has unsupported media type "${d.mediaType}"`,
      );
    }
    const m = parseJson(this.file, `manifest ${d.digest}`, data, manifestSchema);
    const config = toDescriptor(m.config);
    const configData = await this.readBlob(config, `manifest ${d.digest}`);
    const configFile = parseJson(this.file, `config ${config.digest}`, configData, imageConfigSchema);
    const layers = m.layers.map(toDescriptor);
    const diffIds = configFile.rootfs.diff_ids;
    if (diffIds.length !== layers.length) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `${this.file}: manifest ${d.digest} has ${layers.length} layers but its config lists ${diffIds.length} diff IDs`,
      );
    }
    this.add(config, { kind: 'memory', data: configData });
    const labels: Record<string, string> = { [GcLabel.config]: config.digest };
    layers.forEach((l, i) => {
      const entry = this.blobEntry(l);
      this.add(l, entry ? { kind: 'tar', entry } : undefined);
      labels[GcLabel.layer(i)] = l.digest;
    });
    this.add(d, { kind: 'memory', data }, labels);
    return [{ desc: d, config, configFile, layers, diffIds }];
  }

  imageName(annotations: Record<string, string> | undefined, single: boolean): string | undefined {
    const full = annotations?.[NameAnnotation.containerd];
    if (full) return full;
    const ref = annotations?.[NameAnnotation.oci];
    if (ref) {
      if (this.opts.baseName) return `${this.opts.baseName}:${ref}`;
      if (ref.includes('/')) return ref;
    }
    return single ? this.opts.name : undefined;
  }
}

/**
 * containerd stores any string as an image name; a name from an archive is untrusted input that
 * ends up in listings and logs, so whitespace and control characters are refused.
 */
function checkName(file: string, name: string): string {
  const control = [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (name === '' || name.length > 512 || control || /\s/.test(name)) {
    throw new ImageError(
      ErrorCode.IMAGE_ARCHIVE_INVALID,
      `${file}: invalid image name ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  return name;
}

async function planOci(p: Planner, indexEntry: TarFile): Promise<ArchivePlan> {
  const idx = parseJson(p.file, 'index.json', await readTarFile(p.file, indexEntry), indexSchema);
  const images: PlannedImage[] = [];
  let skippedPlatform = 0;
  for (const desc of idx.manifests) {
    if (!p.matchesPlatform(desc)) {
      skippedPlatform++;
      continue;
    }
    const name = p.imageName(desc.annotations, idx.manifests.length === 1);
    if (!name) {
      throw new ImageError(
        ErrorCode.IMAGE_NAME_MISSING,
        `${p.file}: index.json entry ${desc.digest} has no ${NameAnnotation.containerd} annotation; give the image a name`,
      );
    }
    checkName(p.file, name);
    const manifests = await p.resolve(desc, 'index.json');
    if (manifests.length === 0) {
      skippedPlatform++;
      continue;
    }
    const { annotations: _a, ...target } = toDescriptor(desc);
    images.push({ name, target, manifests });
  }
  if (images.length === 0) {
    throw new ImageError(
      skippedPlatform ? ErrorCode.IMAGE_PLATFORM_NOT_FOUND : ErrorCode.IMAGE_ARCHIVE_INVALID,
      skippedPlatform
        ? `${p.file}: no image for ${p.platform.os}/${p.platform.architecture} in the archive`
        : `${p.file}: index.json lists no images`,
    );
  }
  return { file: p.file, format: 'oci', images, blobs: p.plannedBlobs() };
}

async function isGzip(file: string, entry: TarFile): Promise<boolean> {
  if (entry.size < 2) return false;
  const head = await readTarFile(file, { ...entry, size: 2 });
  return head[0] === 0x1f && head[1] === 0x8b;
}

async function hashEntry(file: string, entry: TarFile): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of streamTarFile(file, entry)) h.update(chunk as Buffer);
  return 'sha256:' + h.digest('hex');
}

/**
 * docker save: manifest.json lists config and layer paths. As containerd does, the image is
 * recorded with a docker schema 2 manifest built here; plain layers keep the docker tar media
 * type, and their digest is the config's diff ID (checked again while they stream).
 */
async function planDocker(p: Planner, manifestEntry: TarFile): Promise<ArchivePlan> {
  const entries = parseJson(
    p.file,
    'manifest.json',
    await readTarFile(p.file, manifestEntry),
    dockerManifestSchema,
  );
  const images: PlannedImage[] = [];
  for (const e of entries) {
    const configEntry = p.index.get(e.Config.replace(/^\.\//, ''));
    if (!configEntry)
      throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${p.file}: config ${e.Config} is missing`);
    const configData = await readTarFile(p.file, configEntry);
    const configFile = parseJson(p.file, `config ${e.Config}`, configData, imageConfigSchema);
    const config: Descriptor = {
      mediaType: MediaType.dockerConfig,
      digest: sha256(configData),
      size: configData.length,
    };
    const diffIds = configFile.rootfs.diff_ids;
    if (diffIds.length !== e.Layers.length) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `${p.file}: manifest.json lists ${e.Layers.length} layers but config ${e.Config} has ${diffIds.length} diff IDs`,
      );
    }
    p.add(config, { kind: 'memory', data: configData });
    const layers: Descriptor[] = [];
    for (const [i, path] of e.Layers.entries()) {
      const entry = p.index.get(path.replace(/^\.\//, ''));
      if (!entry)
        throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${p.file}: layer ${path} is missing`);
      const gz = await isGzip(p.file, entry);
      const layer: Descriptor = gz
        ? { mediaType: MediaType.dockerLayerGzip, digest: await hashEntry(p.file, entry), size: entry.size }
        : { mediaType: MediaType.dockerLayer, digest: diffIds[i], size: entry.size };
      p.add(layer, { kind: 'tar', entry });
      layers.push(layer);
    }
    // Key order matters: it fixes the manifest digest (same as containerd's Go encoding).
    const manifestData = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      }),
    );
    const desc: Descriptor = {
      mediaType: MediaType.dockerManifest,
      digest: sha256(manifestData),
      size: manifestData.length,
    };
    const labels: Record<string, string> = { [GcLabel.config]: config.digest };
    layers.forEach((l, i) => (labels[GcLabel.layer(i)] = l.digest));
    p.add(desc, { kind: 'memory', data: manifestData }, labels);
    const manifest: PlannedManifest = { desc, config, configFile, layers, diffIds };
    const names = (e.RepoTags ?? []).map(normalizeReference);
    if (names.length === 0) {
      if (!p.opts.name || entries.length !== 1) {
        throw new ImageError(
          ErrorCode.IMAGE_NAME_MISSING,
          `${p.file}: image ${e.Config} has no RepoTags; give the image a name`,
        );
      }
      names.push(p.opts.name);
    }
    for (const name of names)
      images.push({ name: checkName(p.file, name), target: desc, manifests: [manifest] });
  }
  if (images.length === 0)
    throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${p.file}: manifest.json lists no images`);
  return { file: p.file, format: 'docker', images, blobs: p.plannedBlobs() };
}

/**
 * Reads an archive's metadata (index.json or manifest.json, indexes, manifests, configs: all
 * small, all digest-checked) and decides what to store and in which order. No layer bytes are
 * read here except to detect compression of docker layers.
 */
export async function planArchive(
  file: string,
  index: TarIndex,
  opts: PlanOptions = {},
): Promise<ArchivePlan> {
  const p = new Planner(file, index, opts);
  const ociIndex = index.get('index.json');
  if (ociIndex) return planOci(p, ociIndex);
  const dockerManifest = index.get('manifest.json');
  if (dockerManifest) return planDocker(p, dockerManifest);
  throw new ImageError(
    ErrorCode.IMAGE_ARCHIVE_INVALID,
    `${file}: neither index.json (OCI image layout) nor manifest.json (docker save) found in the archive`,
  );
}
